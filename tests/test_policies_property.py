"""Whatever the model proposes, reviewing it never raises: a bad action is a verdict, not a crash."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions import ACTION_TYPES, Pixel, Size, action_kinds, grid_to_pixels
from policies import LimitReached, Sandbox, ScriptedConfirmer, StepContext, load_policy
from policies.verdict import STRENGTH

WORDS = ["Send", "pay", "Display", "删除", "支付", "Password", "Sender", "OK", "Wi-Fi", "卸载"]
text = st.one_of(
    st.text(min_size=1, max_size=80),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join),
)
point = st.tuples(st.integers(0, 1000), st.integers(0, 1000))
confidence = st.one_of(st.floats(0, 1), st.just(float("nan")), st.floats(-1, 2))

FIELDS = {
    "element": text, "text": text, "app": text, "coordinates": point, "to": point,
    "direction": st.sampled_from(["up", "down", "left", "right"]),
    "key": st.sampled_from(["enter", "ctrl+a", "volume_up"]), "seconds": st.floats(0, 30),
}


@st.composite
def actions(draw):
    """Any kind, its required fields always set, its optional ones sometimes (the schema's own
    bounds aside: confidence may be NaN or out of range, as from a buggy model or parser)."""
    cls = ACTION_TYPES[draw(st.sampled_from(action_kinds()))]
    kwargs = {"confidence": draw(confidence)}
    for f in dataclasses.fields(cls):
        required = f.default is dataclasses.MISSING
        if f.name in FIELDS and (required or draw(st.booleans())):
            kwargs[f.name] = draw(FIELDS[f.name])
    return cls(**kwargs)


screens = st.builds(Size, st.integers(1, 4000), st.integers(1, 4000))


@st.composite
def contexts(draw):
    action = draw(actions())
    screen = draw(screens)
    if action.target is None:
        pixel = None
    else:
        pixel = draw(st.one_of(
            st.just(grid_to_pixels(action.target, screen)),
            st.builds(Pixel, st.integers(-10, 5000), st.integers(-10, 5000)),
            st.none(),
        ))
    return StepContext(step=draw(st.integers(1, 50)), action=action, pixel=pixel, screen=screen,
                       frame_hash=draw(st.sampled_from(["a", "b"])),
                       elapsed=draw(st.floats(0, 1e6)))


policies = st.fixed_dictionaries({}, optional={
    "min_confidence": st.floats(0, 1),
    "deny_actions": st.lists(st.sampled_from(action_kinds()), max_size=3),
    "confirm_actions": st.lists(st.sampled_from(action_kinds()), max_size=3),
    "allow_actions": st.lists(st.sampled_from(action_kinds()), max_size=6),
    "loop_repeats": st.integers(1, 4),
    "sensitive_keywords_extra": st.lists(text.filter(str.strip), max_size=3),
})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides=policies, steps=st.lists(st.tuples(contexts(), st.booleans()), min_size=1,
                                          max_size=12))
def test_review_never_raises(overrides, steps):
    box = Sandbox(load_policy().with_overrides(**overrides),
                  ScriptedConfirmer([True, False] * 10))
    for ctx, executed in steps:
        verdict = box.review(ctx)
        assert verdict.decision in STRENGTH
        assert "\n" not in verdict.reason
        resolved = box.resolve(ctx, verdict)
        assert resolved.decision != "confirm"
        try:
            box.record(ctx, resolved, executed and resolved.decision == "allow")
        except LimitReached:  # a legitimate end of the run, not a crash
            return
