"""Each policy check through `Sandbox.review`: where it allows, refuses and asks a person."""

from __future__ import annotations

import dataclasses

import pytest

from actions import (
    AskUser,
    Back,
    Done,
    Home,
    Key,
    OpenApp,
    Scroll,
    Size,
    Swipe,
    Tap,
    Type,
    Wait,
    grid_to_pixels,
)
from agent.engine.outcomes import exit_code
from devices.primitives import decompose
from policies import (
    AutoConfirm,
    KeywordMatcher,
    PolicyConfig,
    Sandbox,
    ScriptedConfirmer,
    StepContext,
    Verdict,
    load_policy,
)

PHONE = Size(1080, 2400)


def ctx(action, *, step: int = 1, frame: str = "frame-a", screen: Size = PHONE,
        pixel=...) -> StepContext:
    """A step as the loop builds it: the pixel comes from the one grid conversion."""
    if pixel is ...:
        pixel = None if action.target is None else grid_to_pixels(action.target, screen)
    primitives = decompose(action)
    return StepContext(step=step, action=action, pixel=pixel, screen=screen, frame_hash=frame,
                       elapsed=0.0, primitive=primitives[0] if primitives else None)


def sandbox(confirmer=None, **overrides) -> Sandbox:
    config = load_policy().with_overrides(**overrides)
    return Sandbox(config, confirmer or ScriptedConfirmer())


def tap(element: str = "Bluetooth toggle", at=(870, 233), confidence: float = 0.9) -> Tap:
    return Tap(confidence=confidence, element=element, coordinates=at)


# --- action kinds: allow_actions / deny_actions -------------------------------------------------

def test_kinds_allow_by_default():
    assert sandbox().review(ctx(OpenApp(confidence=0.9, app="Settings"))).decision == "allow"


def test_kinds_deny_list_denies():
    verdict = sandbox(deny_actions=["open_app"]).review(ctx(OpenApp(confidence=0.9, app="Maps")))
    assert verdict == Verdict("deny", "action 'open_app' is denied by the policy (deny_actions)",
                              "kinds")


def test_kinds_allow_list_denies_others_and_allows_its_own():
    box = sandbox(allow_actions=["scroll", "done"])
    assert box.review(ctx(Scroll(confidence=0.9, direction="down"))).decision == "allow"
    verdict = box.review(ctx(tap()))
    assert verdict.decision == "deny" and verdict.policy == "kinds"
    assert "'tap' is not allowed" in verdict.reason


def test_deny_beats_confirm_and_retry():
    # A sensitive (confirm), low-confidence (retry) tap on a denied kind: deny wins.
    box = sandbox(deny_actions=["tap"])
    verdict = box.review(ctx(tap("Pay now", confidence=0.1)))
    assert verdict.decision == "deny" and verdict.policy == "kinds"


# --- confidence threshold -----------------------------------------------------------------------

def test_confidence_at_threshold_allows():
    assert sandbox().review(ctx(tap(confidence=0.6))).decision == "allow"


def test_confidence_below_threshold_retries_with_a_reason_for_the_model():
    verdict = sandbox().review(ctx(tap(confidence=0.42)))
    assert verdict.decision == "retry" and verdict.policy == "confidence"
    assert "0.42" in verdict.reason and "0.6" in verdict.reason
    assert "look at the screen again" in verdict.reason


def test_confidence_threshold_follows_the_override():
    assert sandbox(min_confidence=0.3).review(ctx(tap(confidence=0.42))).decision == "allow"
    assert sandbox(min_confidence=0.95).review(ctx(tap(confidence=0.9))).decision == "retry"


def test_confidence_nan_is_refused():
    assert sandbox().review(ctx(tap(confidence=float("nan")))).decision == "retry"


def test_ask_user_is_exempt_from_confidence():
    action = AskUser(confidence=0.1, text="Please enter the captcha")
    assert sandbox().review(ctx(action)).decision == "allow"


def test_retry_beats_confirm():
    verdict = sandbox().review(ctx(tap("Send", confidence=0.2)))
    assert verdict.decision == "retry" and verdict.policy == "confidence"


# --- coordinates on screen ----------------------------------------------------------------------

def test_on_screen_allows_the_edges_of_the_grid():
    box = sandbox()
    assert box.review(ctx(tap(at=(0, 0)))).decision == "allow"
    assert box.review(ctx(tap(at=(1000, 1000)))).decision == "allow"


def test_pixel_outside_the_screen_retries():
    # The pixel was computed for a portrait screen; the phone is now landscape.
    landscape = Size(2400, 1080)
    action = tap(at=(500, 900))
    stale = grid_to_pixels(action.target, PHONE)  # y = 2160, below a 1080-high screen
    verdict = sandbox().review(ctx(action, screen=landscape, pixel=stale))
    assert verdict.decision == "retry" and verdict.policy == "on_screen"
    assert "outside the 2400x1080 screen" in verdict.reason


def test_missing_pixel_for_a_target_retries():
    assert sandbox().review(ctx(tap(), pixel=None)).decision == "retry"


def test_point_off_the_grid_retries():
    swipe = Swipe(confidence=0.9, element="list", coordinates=(500, 800), to=(500, 1200))
    verdict = sandbox().review(ctx(swipe))
    assert verdict.decision == "retry" and "end point" in verdict.reason


def test_actions_without_target_pass_the_screen_check():
    for action in (Back(confidence=0.9), Home(confidence=0.9), Key(confidence=0.9, key="enter"),
                   Wait(confidence=0.9, seconds=2), Scroll(confidence=0.9, direction="up")):
        assert sandbox().review(ctx(action)).decision == "allow", action


# --- sensitive keywords -------------------------------------------------------------------------

@pytest.mark.parametrize(("action", "keyword", "field"), [
    (tap("Send button"), "send", "element"),
    (tap("Pay now"), "pay", "element"),
    (tap("Delete"), "delete", "element"),
    (tap("UNINSTALL"), "uninstall", "element"),
    (tap("Factory data reset"), "factory data reset", "element"),
    (tap("btn_delete"), "delete", "element"),
    (tap("立即支付"), "支付", "element"),
    (tap("确认付款按钮"), "付款", "element"),
    (tap("转账给张三"), "转账", "element"),
    (tap("删除聊天记录"), "删除", "element"),
    (tap("发送"), "发送", "element"),
    (tap("卸载应用"), "卸载", "element"),
    (tap("购买会员"), "购买", "element"),
    (Type(confidence=0.9, text="hunter2", element="Password field"), "password", "element"),
    (Type(confidence=0.9, text="123456", element="输入密码"), "密码", "element"),
    (Type(confidence=0.9, text="Please transfer 500 to Bob", element="Message"), "transfer",
     "text"),
    (OpenApp(confidence=0.9, app="Uninstall Manager"), "uninstall", "app"),
])
def test_sensitive_action_asks_to_confirm(action, keyword, field):
    verdict = sandbox().review(ctx(action))
    assert verdict.decision == "confirm" and verdict.policy == "sensitive"
    assert verdict.reason.startswith(f'sensitive: "{keyword}" in {field} "')


def test_sensitive_reason_names_keyword_field_and_value():
    verdict = sandbox().review(ctx(tap("Send button")))
    assert verdict.reason == 'sensitive: "send" in element "Send button"'


@pytest.mark.parametrize("element", [
    "Display", "Sender", "Display & brightness", "Paypal-less settings", "Deleted items folder",
    "Transferable", "Bluetooth toggle", "Spinner", "显示", "蓝牙开关",
])
def test_word_boundaries_keep_ordinary_elements_allowed(element):
    assert sandbox().review(ctx(tap(element))).decision == "allow"


def test_done_and_ask_user_are_not_sensitive():
    box = sandbox()
    assert box.review(ctx(Done(confidence=0.9, text="Payment sent, 已转账"))).decision == "allow"
    assert box.review(ctx(AskUser(confidence=0.9, text="Type your password"))).decision == "allow"


def test_text_the_device_says_lands_in_a_password_field_asks_to_confirm():
    from dataclasses import replace

    from actions import Type
    from devices import Effect
    from devices.primitives import Text

    action = Type(confidence=0.9, text="hunter22", element="Field", coordinates=(500, 400))
    text = replace(ctx(action), primitive=Text("hunter22"), index=1)
    box = sandbox()
    plain = Effect("Name", "text_field", False, "types into a text field")
    assert box.review(replace(text, effect=plain)).decision == "allow"
    password = Effect("Password", "password_field", True, "types into a password field")
    verdict = box.review(replace(text, effect=password))
    assert verdict.decision == "confirm" and "password field" in verdict.reason


def test_keyword_matcher_spaces_and_case():
    matcher = KeywordMatcher(["factory reset", "支付"])
    assert matcher.find("FACTORY   Reset phone") == "factory reset"
    assert matcher.find("factoryreset") is None
    assert matcher.find("微信支付") == "支付"
    assert matcher.find("nothing here") is None


def test_sensitive_keywords_from_the_config_are_used():
    box = sandbox(sensitive_keywords=["launch"])
    assert box.review(ctx(tap("Launch rocket"))).decision == "confirm"
    assert box.review(ctx(tap("Send"))).decision == "allow"  # the list was replaced


def test_confirm_is_resolved_by_the_confirmer():
    action = tap("Send button")
    yes = sandbox(ScriptedConfirmer([True]))
    verdict = yes.resolve(ctx(action), yes.review(ctx(action)))
    assert verdict == Verdict("allow", "confirmed by the user", "sensitive", confirmed=True)
    asker = ScriptedConfirmer([False])
    no = sandbox(asker)
    verdict = no.resolve(ctx(action), no.review(ctx(action)))
    assert verdict.decision == "deny" and verdict.confirmed is False
    assert verdict.reason == 'declined: sensitive: "send" in element "Send button"'
    assert asker.asked == [(action, 'sensitive: "send" in element "Send button"')]
    stop = verdict.stop()
    assert exit_code(stop) == 3 and stop.outcome == "declined"


def test_resolve_passes_other_verdicts_unchanged_without_asking():
    asker = ScriptedConfirmer()
    box = sandbox(asker)
    for verdict in (Verdict("allow"), Verdict("retry", "x", "confidence"),
                    Verdict("deny", "y", "kinds")):
        assert box.resolve(ctx(tap()), verdict) is verdict
    assert asker.asked == []


def test_auto_confirm_allows():
    box = sandbox(AutoConfirm())
    assert box.resolve(ctx(tap("Delete")), box.review(ctx(tap("Delete")))).decision == "allow"


# --- confirm_actions ----------------------------------------------------------------------------

def test_confirm_actions_empty_by_default_allows():
    assert sandbox().review(ctx(Type(confidence=0.9, text="hello"))).decision == "allow"


def test_confirm_actions_asks_for_listed_kinds_only():
    box = sandbox(confirm_actions=["type"])
    verdict = box.review(ctx(Type(confidence=0.9, text="hello")))
    assert verdict == Verdict("confirm", "'type' actions need a yes (confirm_actions)",
                              "confirm_actions")
    assert box.review(ctx(tap())).decision == "allow"


def test_confirm_actions_declined_denies():
    box = sandbox(ScriptedConfirmer([False]), confirm_actions=["open_app"])
    action = OpenApp(confidence=0.9, app="Maps")
    assert box.resolve(ctx(action), box.review(ctx(action))).decision == "deny"


def test_sensitive_reason_comes_before_confirm_actions():
    verdict = sandbox(confirm_actions=["tap"]).review(ctx(tap("Pay")))
    assert verdict.policy == "sensitive"


def test_config_is_frozen():
    config = load_policy()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.max_steps = 3  # type: ignore[misc]
    assert isinstance(config, PolicyConfig)
