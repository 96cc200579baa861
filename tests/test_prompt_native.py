"""The native prompt: Qwen's mobile_use / computer_use function-calling format, and its vocabulary
mapped onto our actions both ways."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator
from PIL import Image

from actions import parse_reply, validate_action
from actions.toolcall import (
    COMPUTER,
    MOBILE,
    POINTER,
    arguments_schema,
    from_tool_call,
    to_arguments,
    tool_actions,
)
from agent.engine.model import DecideRequest, StepNote
from agent.native_prompt import function_json, native_system_prompt, tool_for, tool_for_device
from agent.prompt import NATIVE, ImagePart, build_prompt


def request(step: int = 1, **kw) -> DecideRequest:
    history = tuple(StepNote(i, {"action": "tap", "element": "Settings", "coordinates": [100 + i, 200],
                                 "confidence": 0.8}, "done") for i in range(1, step))
    return DecideRequest(goal="turn off Bluetooth", image=Image.new("RGB", (64, 128)), screen=(1080, 2400),
                         step=step, history=history, **kw)


def test_system_message_is_qwens_nous_function_call_format():
    text = native_system_prompt(MOBILE)
    assert text.startswith("You are a helpful assistant.\n\n# Tools\n\nYou may call one or more functions")
    assert "<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"mobile_use\"" in text
    assert text.count("<tool_call>") == 2 and "{\"name\": <function-name>, \"arguments\": <args-json-object>}" in text
    assert "The screen's resolution is 999x999." in text  # the mobile cookbook's relative grid
    assert "The screen's resolution is 1000x1000." in native_system_prompt(COMPUTER)


@pytest.mark.parametrize("tool", [MOBILE, COMPUTER])
def test_function_adds_element_and_confidence_to_qwens_arguments(tool):
    parameters = function_json(tool)["function"]["parameters"]
    assert {"element", "confidence"} <= set(parameters["properties"])
    assert parameters["required"] == ["action", "confidence"]
    assert parameters["properties"]["action"]["enum"] == list(tool_actions(tool))


def test_user_turn_follows_the_mobile_cookbook_and_history_is_written_as_calls():
    prompt = build_prompt(request(3), format=NATIVE)
    assert prompt.format == NATIVE and prompt.tool == MOBILE
    text = prompt.text()
    assert text.startswith("The user query: turn off Bluetooth.\nTask progress (You have done the following "
                           "operation on the current device): Step 1: {\"action\": \"click\"")
    assert "Step 2: {\"action\": \"click\", \"coordinate\": [102, 200]" in text
    assert isinstance(prompt.parts[-1], ImagePart)


def test_first_step_and_feedback():
    text = build_prompt(request(1, feedback="the JSON is malformed"), format=NATIVE).text()
    assert "nothing yet" in text and "not accepted: the JSON is malformed" in text


def test_the_function_follows_the_device():
    assert tool_for(request()) == MOBILE and tool_for(request(), COMPUTER) == COMPUTER
    assert tool_for_device("desktop:1") == COMPUTER and tool_for_device("adb:emulator-5554") == MOBILE
    assert tool_for_device("sim") == MOBILE and tool_for_device(None) == MOBILE
    assert tool_for_device(["sim", "desktop"]) == MOBILE  # eval's list: the loop must say per request

    with_kind = DecideRequest(goal="g", image=Image.new("RGB", (8, 8)), screen=(8, 8), step=1,
                              device_kind="desktop")
    assert tool_for(with_kind) == COMPUTER  # the loop says which device; that wins over the default


def example(branch: dict) -> dict:
    """The smallest arguments one branch of the schema accepts."""
    values = {"coordinate": [500, 400], "coordinate2": [500, 900], "text": "hello", "time": 2,
              "keys": ["ctrl", "c"], "pixels": -300, "element": "Wi-Fi row", "confidence": 0.7}
    out = {}
    for name in branch["required"]:
        prop = branch["properties"][name]
        if "const" in prop:
            out[name] = prop["const"]
        elif "enum" in prop:
            out[name] = prop["enum"][0]
        else:
            out[name] = values[name]
    return out


@pytest.mark.parametrize("tool", [MOBILE, COMPUTER])
def test_every_action_the_grammar_allows_becomes_a_valid_action(tool):
    schema = arguments_schema(tool)
    validator = Draft202012Validator(schema)
    assert [b["properties"]["action"]["const"] for b in schema["anyOf"]] == list(tool_actions(tool))
    for branch in schema["anyOf"]:
        arguments = example(branch)
        assert validator.is_valid(arguments), arguments
        data, assumed = from_tool_call({"name": tool, "arguments": arguments})
        action = validate_action(data)
        assert assumed == ()  # element and confidence came from the model
        name = arguments["action"]
        assert ("element" in branch["required"]) is (name in POINTER)
        reply = "<think>ok</think>\n\n<tool_call>\n" + json.dumps({"name": tool, "arguments": arguments}) + "\n</tool_call>"
        assert parse_reply(reply).action == action


@pytest.mark.parametrize("action", [
    {"action": "tap", "element": "OK", "coordinates": [1, 2], "confidence": 0.9},
    {"action": "long_press", "element": "icon", "coordinates": [5, 6], "seconds": 2, "confidence": 0.9},
    {"action": "swipe", "element": "list", "coordinates": [500, 800], "to": [500, 200], "confidence": 0.9},
    {"action": "type", "text": "hi", "confidence": 0.9},
    {"action": "key", "key": "enter", "confidence": 0.9},
    {"action": "back", "confidence": 0.9},
    {"action": "home", "confidence": 0.9},
    {"action": "open_app", "app": "Settings", "confidence": 0.9},
    {"action": "wait", "seconds": 2, "confidence": 0.9},
    {"action": "done", "text": "Bluetooth is off", "confidence": 0.9},
])
def test_history_round_trip_mobile(action):
    arguments = to_arguments(action, MOBILE)
    assert arguments is not None
    back, _ = from_tool_call({"name": MOBILE, "arguments": arguments})
    assert validate_action(back) == validate_action(action)


@pytest.mark.parametrize("action", [
    {"action": "tap", "element": "OK", "coordinates": [1, 2], "confidence": 0.9},
    {"action": "double_tap", "element": "file", "coordinates": [1, 2], "confidence": 0.9},
    {"action": "swipe", "element": "slider", "coordinates": [100, 500], "to": [300, 500], "confidence": 0.9},
    {"action": "scroll", "direction": "down", "confidence": 0.9},
    {"action": "scroll", "direction": "left", "coordinates": [500, 500], "confidence": 0.9},
    {"action": "right_click", "element": "file", "coordinates": [1, 2], "confidence": 0.9},
    {"action": "middle_click", "element": "link", "coordinates": [1, 2], "confidence": 0.9},
    {"action": "triple_click", "element": "line", "coordinates": [1, 2], "confidence": 0.9},
    {"action": "mouse_move", "element": "menu", "coordinates": [1, 2], "confidence": 0.9},
    {"action": "key", "key": "ctrl+c", "confidence": 0.9},
    {"action": "done", "text": "42", "confidence": 0.9},
])
def test_history_round_trip_computer(action):
    arguments = to_arguments(action, COMPUTER)
    assert arguments is not None
    back, _ = from_tool_call({"name": COMPUTER, "arguments": arguments})
    assert validate_action(back) == validate_action(action)


def test_the_whole_official_vocabulary_is_offered():
    assert "mouse_move" in tool_actions(COMPUTER) and "triple_click" in tool_actions(COMPUTER)
    assert len(tool_actions(COMPUTER)) == 14 and len(tool_actions(MOBILE)) == 10


def test_kinds_a_tool_has_no_action_for_stay_in_our_spelling():
    assert to_arguments({"action": "scroll", "direction": "down", "confidence": 1}, MOBILE) is None
    assert to_arguments({"action": "right_click", "element": "x", "coordinates": [1, 2], "confidence": 1}, MOBILE) is None
    assert to_arguments({"action": "back", "confidence": 1}, COMPUTER) is None
    text = build_prompt(DecideRequest(goal="g", image=Image.new("RGB", (8, 8)), screen=(8, 8), step=2, history=(
        StepNote(1, {"action": "scroll", "direction": "down", "confidence": 0.7}, "done"),)), format=NATIVE).text()
    assert 'Step 1: {"action": "scroll", "direction": "down"' in text
