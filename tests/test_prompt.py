"""The prompt: built from the schema file, bounded history, English and Chinese goals."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from actions import action_kinds, validate_action
from actions.schema import action_schema
from agent.engine.model import DecideRequest, StepNote
from agent.prompt import EXAMPLES, ImagePart, build_prompt, system_prompt


def note(i: int, image: Image.Image | None = None) -> StepNote:
    action = {"action": "tap", "element": "Settings", "coordinates": [100 + i, 200], "confidence": 0.8}
    return StepNote(i, action, "done: the screen changed", image)


def request(step: int, goal: str = "turn off Bluetooth", language: str = "en", images: bool = False,
            feedback: str | None = None) -> DecideRequest:
    shot = Image.new("RGB", (64, 128))
    history = tuple(note(i, Image.new("RGB", (32, 64)) if images else None) for i in range(1, step))
    return DecideRequest(goal=goal, image=shot, screen=(1080, 2400), step=step, history=history,
                         feedback=feedback, language=language)


def test_system_prompt_lists_every_kind_with_its_schema_description():
    text = system_prompt()
    defs = action_schema()["$defs"]
    for kind in action_kinds():
        assert f"- {kind}: {defs[kind]['description']}" in text
    assert "0-1000 grid" in text and "</think>" in text
    assert defs["confidence"]["description"] in text


def test_examples_are_valid_actions():
    for example in EXAMPLES:
        validate_action(example)
    assert all(json.dumps(e, ensure_ascii=False) in system_prompt() for e in EXAMPLES)


def test_user_turn_has_goal_orientation_and_the_screenshot_last():
    prompt = build_prompt(request(1))
    assert "Goal: turn off Bluetooth" in prompt.parts[0]
    assert "portrait" in prompt.parts[0]
    assert isinstance(prompt.parts[-2], ImagePart)
    assert len(prompt.images()) == 1


@pytest.mark.parametrize("fmt", ["json", "native"])
@pytest.mark.parametrize("screen", [(1080, 2400), (1920, 1080), (1440, 3120)])
def test_nothing_sent_to_the_model_holds_the_device_size(fmt, screen):
    """Qwen3-VL answers on a relative grid; a pixel size in the prompt invites pixel answers."""
    req = DecideRequest(goal="turn off Bluetooth", image=Image.new("RGB", (64, 128)), screen=screen, step=4,
                        history=tuple(note(i) for i in range(1, 4)), feedback="tap was off screen")
    prompt = build_prompt(req, format=fmt)
    text = prompt.system + prompt.text()
    width, height = screen
    for number in (width, height):
        assert str(number) not in text
    assert f"{width}x{height}" not in text and f"{width}×{height}" not in text


def test_chinese_goal_kept_verbatim():
    prompt = build_prompt(request(1, goal="把字体调大", language="zh"))
    assert "Goal: 把字体调大" in prompt.text()
    assert "Chinese" in prompt.text()


def test_history_is_bounded_in_steps_and_images():
    prompt = build_prompt(request(30, images=True), history_steps=4, history_images=2)
    text = prompt.text()
    assert "29. " in text and "26. " in text and "25. " not in text
    assert "25 earlier not shown" in text
    assert len(prompt.images()) == 3  # two earlier screens + the current one


def test_prompt_length_is_flat_over_a_long_run():
    lengths = {step: len(build_prompt(request(step)).text()) for step in (10, 30, 100)}
    # Only the step numbers' digits differ.
    assert max(lengths.values()) - min(lengths.values()) <= 2 * 7


def test_feedback_is_shown_once_and_clipped():
    prompt = build_prompt(request(2, feedback="bad " * 200))
    assert "not accepted" in prompt.text()
    assert len(prompt.text()) < len(build_prompt(request(2)).text()) + 250


@pytest.mark.parametrize("steps", [0, 1])
def test_history_can_be_turned_off(steps):
    prompt = build_prompt(request(5), history_steps=steps)
    assert ("Previous steps" in prompt.text()) is bool(steps)
