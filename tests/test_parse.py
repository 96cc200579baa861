"""The reply parser: well-formed replies in every accepted shape, malformed ones rejected clearly."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actions import ActionFormatError, Tap, action_kinds, parse_reply, validate_action
from actions.schema import validator

TAP = {"action": "tap", "element": "Bluetooth toggle", "coordinates": [870, 233], "confidence": 0.92}


@pytest.mark.parametrize(
    "reply",
    [
        json.dumps(TAP),
        "<think>The toggle is on the right.</think>\n" + json.dumps(TAP),
        "I will tap it.\n```json\n" + json.dumps(TAP, indent=2) + "\n```\n",
        "<think>a</think>\n```\n" + json.dumps(TAP) + "\n```",
        "Thinking first.\n</think>\n\n" + json.dumps(TAP) + "\nThat should do it.",
    ],
)
def test_well_formed_replies_give_the_same_action(reply: str) -> None:
    parsed = parse_reply(reply)
    assert parsed.action == Tap(confidence=0.92, element="Bluetooth toggle", coordinates=(870, 233))
    assert parsed.action.to_dict() == TAP


def test_thinking_is_kept_and_only_the_text_after_the_last_close_tag_is_parsed() -> None:
    reply = '<think>maybe {"action": "back"}?</think> no </think>' + json.dumps(TAP)
    parsed = parse_reply(reply)
    assert parsed.thinking is not None and "maybe" in parsed.thinking
    assert parsed.action.kind == "tap"


def test_mobile_use_tool_call_is_normalised() -> None:
    reply = ('<think>Tap Bluetooth.</think>\n<tool_call>\n{"name": "mobile_use", "arguments": '
             '{"action": "click", "coordinate": [870, 233]}}\n</tool_call>')
    parsed = parse_reply(reply)
    assert parsed.source == "tool_call"
    assert parsed.action.to_dict() == {"action": "tap", "element": "unnamed element",
                                       "coordinates": [870, 233], "confidence": 1.0}
    assert set(parsed.assumed) == {"confidence", "element"}


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"action": "swipe", "coordinate": [500, 800], "coordinate2": [500, 200]},
         {"action": "swipe", "coordinates": [500, 800], "to": [500, 200]}),
        ({"action": "long_press", "coordinate": [10, 20], "time": 2}, {"action": "long_press", "seconds": 2}),
        ({"action": "type", "text": "你好"}, {"action": "type", "text": "你好"}),
        ({"action": "system_button", "button": "Back"}, {"action": "back"}),
        ({"action": "system_button", "button": "Home"}, {"action": "home"}),
        ({"action": "system_button", "button": "Enter"}, {"action": "key", "key": "enter"}),
        ({"action": "open", "text": "Settings"}, {"action": "open_app", "app": "Settings"}),
        ({"action": "wait", "time": 2}, {"action": "wait", "seconds": 2}),
        ({"action": "terminate", "status": "success"}, {"action": "done"}),
        ({"action": "terminate", "status": "failure"}, {"action": "ask_user"}),
        ({"action": "answer", "text": "42"}, {"action": "done", "text": "42"}),
        ({"action": "key", "text": "enter", "confidence": 0.7}, {"action": "key", "confidence": 0.7}),
    ],
)
def test_mobile_use_actions(arguments: dict, expected: dict) -> None:
    reply = "<tool_call>" + json.dumps({"name": "mobile_use", "arguments": arguments}) + "</tool_call>"
    got = parse_reply(reply).action.to_dict()
    assert {k: got[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"action": "left_click", "coordinate": [100, 900]}, {"action": "tap", "coordinates": [100, 900]}),
        ({"action": "double_click", "coordinate": [1, 2]}, {"action": "double_tap"}),
        ({"action": "key", "keys": ["ctrl", "c"]}, {"action": "key", "key": "ctrl+c"}),
        ({"action": "scroll", "pixels": -300}, {"action": "scroll", "direction": "down"}),
        ({"action": "scroll", "pixels": 300}, {"action": "scroll", "direction": "up"}),
        ({"action": "hscroll", "pixels": 300}, {"action": "scroll", "direction": "right"}),
        ({"action": "right_click", "coordinate": [10, 20]}, {"action": "right_click", "coordinates": [10, 20]}),
        ({"action": "middle_click", "coordinate": [10, 20]}, {"action": "middle_click", "coordinates": [10, 20]}),
        ({"action": "triple_click", "coordinate": [10, 20]}, {"action": "triple_click", "coordinates": [10, 20]}),
        ({"action": "mouse_move", "coordinate": [10, 20], "element": "File menu"},
         {"action": "mouse_move", "element": "File menu"}),
        ({"action": "left_click_drag", "coordinate": [100, 500], "coordinate2": [300, 500]},
         {"action": "swipe", "coordinates": [100, 500], "to": [300, 500]}),
        ({"action": "answer", "text": "42"}, {"action": "done", "text": "42"}),
        ({"action": "terminate", "status": "failure"}, {"action": "ask_user"}),
    ],
)
def test_computer_use_actions(arguments: dict, expected: dict) -> None:
    reply = "<tool_call>" + json.dumps({"name": "computer_use", "arguments": arguments}) + "</tool_call>"
    got = parse_reply(reply).action.to_dict()
    assert {k: got[k] for k in expected} == expected


@pytest.mark.parametrize("kind", ["right_click", "middle_click", "triple_click", "mouse_move"])
def test_the_desktop_kinds_name_their_element_and_point(kind: str) -> None:
    """New kinds from Qwen's computer_use vocabulary: like a tap, they act on a named point."""
    from actions import POINTER_KINDS

    action = parse_reply(json.dumps({**TAP, "action": kind})).action
    assert action.kind == kind and action.target == (870, 233) and kind in POINTER_KINDS
    assert kind in action.describe() and '"Bluetooth toggle"' in action.describe()
    with pytest.raises(ActionFormatError, match="'element' is a required property"):
        parse_reply(json.dumps({"action": kind, "coordinates": [1, 2], "confidence": 0.9}))
    # A computer_use call without our element is taken as Qwen wrote it, the element marked assumed.
    call = {"name": "computer_use", "arguments": {"action": kind, "coordinate": [1, 2]}}
    parsed = parse_reply("<tool_call>" + json.dumps(call) + "</tool_call>")
    assert parsed.action.kind == kind and set(parsed.assumed) == {"element", "confidence"}


def test_hover_is_a_mouse_move() -> None:
    assert parse_reply('{"action": "hover", "element": "Help", "coordinates": [5, 5], "confidence": 0.7}').action.kind \
        == "mouse_move"


def test_aliases_and_spelling_variants_are_normalised() -> None:
    got = parse_reply('{"action": "Click", "element": "OK", "coordinate": {"x": 500.0, "y": 20}, '
                      '"confidence": "0.8"}').action
    assert got == Tap(confidence=0.8, element="OK", coordinates=(500, 20))


@pytest.mark.parametrize(
    ("reply", "fragment"),
    [
        ("", "no action"),
        ("<think>still thinking", "ended inside <think>"),
        ("I think we should tap", "no JSON object"),
        ('{"action": "tap", "element": "x", "coordinates": [1, 2], "confidence": 0.5', "malformed"),
        ('{"action": "fly", "confidence": 1}', "unknown action 'fly'"),
        ('{"element": "x", "confidence": 1}', 'missing "action"'),
        ('{"action": "tap", "element": "x", "confidence": 0.5}', "'coordinates' is a required property"),
        ('{"action": "tap", "coordinates": [1, 2], "confidence": 0.5}', "'element' is a required property"),
        ('{"action": "tap", "element": "x", "coordinates": [1, 1001], "confidence": 0.5}', "1001 is off the relative 0-1000 grid"),
        ('{"action": "tap", "element": "x", "coordinates": [-1, 5], "confidence": 0.5}', "-1 is off the relative 0-1000 grid"),
        ('{"action": "tap", "element": "x", "coordinates": [1], "confidence": 0.5}', "must be [x, y]"),
        ('{"action": "tap", "element": "x", "coordinates": [0.5, 0.5], "confidence": 0.5}', "not of type 'integer'"),
        ('{"action": "tap", "element": "x", "coordinates": [1, 2], "confidence": 1.5}', "greater than the maximum"),
        ('{"action": "tap", "element": "x", "coordinates": [1, 2], "confidence": -0.1}', "less than the minimum"),
        ('{"action": "tap", "element": "x", "coordinates": [1, 2]}', "'confidence' is a required property"),
        ('{"action": "back", "confidence": NaN}', "NaN is not a valid JSON number"),
        ('{"action": "type", "confidence": 0.9}', "'text' is a required property"),
        ('{"action": "type", "text": "", "confidence": 0.9}', "should be non-empty"),
        ('{"action": "scroll", "direction": "sideways", "confidence": 0.9}', "is not one of"),
        ('{"action": "back", "confidence": 0.9, "why": "x"}', "Additional properties"),
        ('{"action": "back", "confidence": 1} {"action": "home", "confidence": 1}', "more than one action"),
        ('[{"action": "back", "confidence": 1}]', "not an array"),
        ('<tool_call>{"name": "browser", "arguments": {}}</tool_call>', "unknown tool"),
        ('<tool_call>{"name": "computer_use", "arguments": {"action": "interact", "text": "?"}}</tool_call>', "not supported"),
        ('<tool_call>{"name": "computer_use", "arguments": {"action": "left_click_drag", "coordinate": [1, 2]}}</tool_call>',
         "left_click_drag needs both ends"),
        ('<tool_call>{"name": "computer_use", "arguments": {"action": "scroll", "pixels": 0}}</tool_call>', "non-zero"),
    ],
)
def test_malformed_replies_raise_one_clear_line(reply: str, fragment: str) -> None:
    with pytest.raises(ActionFormatError) as info:
        parse_reply(reply)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message


def test_every_kind_in_the_schema_has_a_type_and_round_trips() -> None:
    from actions import ACTION_TYPES

    assert set(ACTION_TYPES) == set(action_kinds())
    samples = {
        "tap": TAP, "double_tap": {**TAP, "action": "double_tap"},
        "long_press": {**TAP, "action": "long_press", "seconds": 1.5},
        "triple_click": {**TAP, "action": "triple_click"}, "right_click": {**TAP, "action": "right_click"},
        "middle_click": {**TAP, "action": "middle_click"}, "mouse_move": {**TAP, "action": "mouse_move"},
        "swipe": {"action": "swipe", "element": "list", "coordinates": [500, 800], "to": [500, 200], "confidence": 0.8},
        "scroll": {"action": "scroll", "direction": "down", "confidence": 0.8},
        "type": {"action": "type", "text": "你好 world", "confidence": 0.8},
        "key": {"action": "key", "key": "ctrl+shift+t", "confidence": 0.8},
        "back": {"action": "back", "confidence": 0.8}, "home": {"action": "home", "confidence": 0.8},
        "open_app": {"action": "open_app", "app": "Settings", "confidence": 0.8},
        "wait": {"action": "wait", "seconds": 2, "confidence": 0.8},
        "ask_user": {"action": "ask_user", "text": "Enter your PIN", "confidence": 0.8},
        "done": {"action": "done", "text": "Bluetooth is off", "confidence": 0.8},
    }
    assert set(samples) == set(action_kinds())
    for kind, data in samples.items():
        action = validate_action(dict(data))
        assert action.kind == kind
        assert action.to_dict() == data
        assert validator().is_valid(action.to_dict())


# --- property-based: thousands of random replies, never a crash -------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2000, 2000) | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=12,
)
field_names = st.sampled_from(["action", "element", "coordinates", "coordinate", "to", "confidence", "text",
                               "key", "app", "seconds", "direction", "extra"])
kinds = st.sampled_from([*action_kinds(), "click", "fly", "", "TAP", "long-press"])
action_like = st.fixed_dictionaries({"action": kinds}, optional={"confidence": json_values}).flatmap(
    lambda base: st.dictionaries(field_names, json_values, max_size=5).map(lambda extra: {**extra, **base}))


def _wrap(obj: object, how: int, thinking: str) -> str:
    body = json.dumps(obj, ensure_ascii=False)
    return [
        body,
        f"<think>{thinking}</think>{body}",
        f"```json\n{body}\n```",
        f'<tool_call>{{"name": "mobile_use", "arguments": {body}}}</tool_call>',
        f"{thinking}</think>\n{body[: len(body) // 2]}",
    ][how]


@settings(max_examples=3000, deadline=None)
@given(obj=action_like | json_values, how=st.integers(0, 4), thinking=st.text(max_size=30))
def test_random_replies_never_crash(obj: object, how: int, thinking: str) -> None:
    reply = _wrap(obj, how, thinking)
    try:
        parsed = parse_reply(reply)
    except ActionFormatError as err:
        assert str(err) and "\n" not in str(err)
    else:
        # Whatever is accepted is valid against the one schema file.
        assert validator().is_valid(parsed.action.to_dict())


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=200))
def test_random_text_never_crashes(text: str) -> None:
    try:
        parse_reply(text)
    except ActionFormatError as err:
        assert "\n" not in str(err)
