"""Qwen's own function-calling prompt for GUI agents (`--prompt native`).

Qwen3-VL was trained to operate screens through two functions, `mobile_use` (phones) and
`computer_use` (desktops), declared in a `<tools>` block and called as
`<tool_call>{"name": ..., "arguments": {...}}</tool_call>`. This module writes that prompt the way
Qwen's cookbooks do (QwenLM/Qwen3-VL: cookbooks/utils/agent_function_call.py for the functions,
the computer_use cookbook for the system message, which qwen-agent's NousFnCallPrompt renders,
and the mobile_agent cookbook for the user turn "The user query: ... Task progress ..."):

- the screen is declared as 999x999 (mobile cookbook) or 1000x1000 (computer-use cookbook): the
  relative grid Qwen3-VL answers on, never the device's size in pixels;
- two arguments are added to each function, `element` (what is acted on) and `confidence`, so a
  reply carries the whole action of ARCHITECTURE.md, "The action" and the sandbox can judge it as usual;
- `left_click_drag` takes both ends (`coordinate`, `coordinate2`): Qwen's version drags from
  wherever the pointer is, which this agent does not track.
"""

from __future__ import annotations

import json
from typing import Any

from actions.schema import action_schema
from actions.toolcall import COMPUTER, MOBILE, POINTER, to_arguments, tool_actions
from agent.engine.model import DecideRequest, StepNote
from agent.prompt_parts import (
    NATIVE,
    ImagePart,
    Prompt,
    clip,
    earlier_screens,
    merge_text,
    recent_notes,
)

# The grid each function declares, as Qwen's cookbooks declare it.
GRID = {MOBILE: "999x999", COMPUTER: "1000x1000"}
DESKTOP_KINDS = ("desktop",)

_DESCRIPTIONS = {
    MOBILE: (
        "Use a touchscreen to interact with a mobile device, and take screenshots.\n"
        "* This is an interface to a mobile device with touchscreen. You can perform actions like "
        "clicking, typing, swiping, etc.\n"
        "* Some applications may take time to start or process actions, so you may need to wait "
        "and take successive screenshots to see the results of your actions.\n"
        "* The screen's resolution is {grid}.\n"
        "* Make sure to click any buttons, links, icons, etc with the cursor tip in the center of "
        "the element. Don't click boxes on their edges unless asked."
    ),
    COMPUTER: (
        "Use a mouse and keyboard to interact with a computer, and take screenshots.\n"
        "* This is an interface to a desktop GUI. You do not have access to a terminal or "
        "applications menu. You must click on desktop icons to start applications.\n"
        "* Some applications may take time to start or process actions, so you may need to wait "
        "and take successive screenshots to see the results of your actions. E.g. if you click on "
        "Firefox and a window doesn't open, try wait and taking another screenshot.\n"
        "* The screen's resolution is {grid}.\n"
        "* Whenever you intend to move the cursor to click on an element like an icon, you should "
        "consult a screenshot to determine the coordinates of the element before moving the cursor.\n"
        "* If you tried clicking on a program or link but it failed to load, even after waiting, "
        "try adjusting your cursor position so that the tip of the cursor visually falls on the "
        "element that you want to click.\n"
        "* Make sure to click any buttons, links, icons, etc with the cursor tip in the center of "
        "the element. Don't click boxes on their edges."
    ),
}

# Qwen's one-line description of each action (agent_function_call.py; `answer` from the cookbook).
_ACTION_LINES = {
    MOBILE: {
        "key": "Perform a key event on the mobile device.\n    - This supports adb's `keyevent` "
               "syntax.\n    - Examples: \"volume_up\", \"volume_down\", \"power\", \"camera\", \"clear\".",
        "click": "Click the point on the screen with coordinate (x, y).",
        "long_press": "Press the point on the screen with coordinate (x, y) for specified seconds.",
        "swipe": "Swipe from the starting point with coordinate (x, y) to the end point with "
                 "coordinates2 (x2, y2).",
        "type": "Input the specified text into the activated input box.",
        "answer": "Output the answer.",
        "system_button": "Press the system button.",
        "open": "Open an app on the device.",
        "wait": "Wait specified seconds for the change to happen.",
        "terminate": "Terminate the current task and report its completion status.",
    },
    COMPUTER: {
        "key": "Performs key down presses on the arguments passed in order, then performs key "
               "releases in reverse order.",
        "type": "Type a string of text on the keyboard.",
        "mouse_move": "Move the cursor to a specified (x, y) pixel coordinate on the screen.",
        "left_click": "Click the left mouse button at a specified (x, y) pixel coordinate on the screen.",
        "left_click_drag": "Click at coordinate (x, y) and drag the cursor to coordinate2 (x2, y2).",
        "right_click": "Click the right mouse button at a specified (x, y) pixel coordinate on the screen.",
        "middle_click": "Click the middle mouse button at a specified (x, y) pixel coordinate on the screen.",
        "double_click": "Double-click the left mouse button at a specified (x, y) pixel coordinate on "
                        "the screen.",
        "triple_click": "Triple-click the left mouse button at a specified (x, y) pixel coordinate on "
                        "the screen.",
        "scroll": "Performs a scroll of the mouse scroll wheel.",
        "hscroll": "Performs a horizontal scroll.",
        "wait": "Wait specified seconds for the change to happen.",
        "terminate": "Terminate the current task and report its completion status.",
        "answer": "Answer a question.",
    },
}

_COORDINATE = ("(x, y): The x (pixels from the left edge) and y (pixels from the top edge) "
               "coordinates to move the mouse to.")

RULES = (
    "# Rules\n"
    "Call {tool} exactly once per turn, after your thinking. Give every call a \"confidence\" "
    "(how sure you are that it moves toward the goal, 0 to 1), and every call that acts on a "
    "point an \"element\" (the short name of what is there, e.g. \"Bluetooth toggle\"). Act only "
    "on what the screenshot shows; if a step did not change the screen, try something else. When "
    "the goal is reached, call terminate with status success (or answer, if the user asked a "
    "question). Passwords, payments, captchas and choices only the user can make are theirs: "
    "call terminate with status failure to hand over."
)

SYSTEM_HEAD = (
    "You are a helpful assistant.\n\n# Tools\n\nYou may call one or more functions to assist with "
    "the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n"
    "<tools>\n"
)
SYSTEM_TAIL = (
    "\n</tools>\n\nFor each function call, return a json object with function name and arguments "
    "within <tool_call></tool_call> XML tags:\n<tool_call>\n"
    "{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>"
)


def tool_for(request: DecideRequest, default: str = MOBILE) -> str:
    """computer_use for a desktop, mobile_use for phones and the simulated phone.

    The loop says which device a request comes from (`DecideRequest.device_kind`); where it is
    empty (a request built outside the loop) the backend's own default (set from `--device` when
    the backend is built) decides."""
    kind = request.device_kind
    if isinstance(kind, str) and kind:
        return COMPUTER if kind.split(":", 1)[0] in DESKTOP_KINDS else MOBILE
    return default


def tool_for_device(spec: Any) -> str:
    """The function for a `--device` value (sim, adb[:SERIAL], desktop[:N]); mobile_use when it
    is not one device (absent, or eval's list of devices)."""
    if not isinstance(spec, str):
        return MOBILE
    return COMPUTER if spec.split(":", 1)[0] in DESKTOP_KINDS else MOBILE


def function_json(tool: str) -> dict[str, Any]:
    """The `<tools>` entry for `tool`: Qwen's definition plus `element` and `confidence`."""
    defs = action_schema()["$defs"]
    actions = tool_actions(tool)
    lines = _ACTION_LINES[tool]
    props: dict[str, Any] = {
        "action": {
            "description": "The action to perform. The available actions are:\n"
            + "\n".join(f"* `{a}`: {lines[a]}" for a in actions),
            "enum": list(actions),
            "type": "string",
        },
    }
    props.update(_parameters(tool, actions))
    props["element"] = {
        "description": defs["element"]["description"][0].upper() + defs["element"]["description"][1:]
        + ". Required by every action that takes a coordinate.",
        "type": "string",
    }
    props["confidence"] = {
        "description": defs["confidence"]["description"][0].upper() + defs["confidence"]["description"][1:]
        + ". Required by every action.",
        "type": "number",
    }
    description = _DESCRIPTIONS[tool].format(grid=GRID[tool])
    return {"type": "function", "function": {"name": tool, "description": description, "parameters": {
        "properties": props, "required": ["action", "confidence"], "type": "object"}}}


def _parameters(tool: str, actions: tuple[str, ...]) -> dict[str, Any]:
    if tool == MOBILE:
        return {
            "coordinate": {"description": _COORDINATE + " Required only by `action=click`, "
                           "`action=long_press`, and `action=swipe`.", "type": "array"},
            "coordinate2": {"description": _COORDINATE + " Required only by `action=swipe`.", "type": "array"},
            "text": {"description": "Required only by `action=key`, `action=type`, `action=answer` and "
                     "`action=open`.", "type": "string"},
            "time": {"description": "The seconds to wait. Required only by `action=long_press` and "
                     "`action=wait`.", "type": "number"},
            "button": {"description": "Back means returning to the previous interface, Home means "
                       "returning to the desktop, Menu means opening the application background menu, "
                       "and Enter means pressing the enter. Required only by `action=system_button`",
                       "enum": ["Back", "Home", "Menu", "Enter"], "type": "string"},
            "status": _STATUS,
        }
    pointer = ", ".join(f"`action={a}`" for a in actions if a in POINTER)
    return {
        "keys": {"description": "Required only by `action=key`.", "type": "array"},
        "text": {"description": "Required only by `action=type` and `action=answer`.", "type": "string"},
        "coordinate": {"description": _COORDINATE + f" Required by {pointer}.", "type": "array"},
        "coordinate2": {"description": "(x2, y2): where the drag ends. Required only by "
                        "`action=left_click_drag`.", "type": "array"},
        "pixels": {"description": "The amount of scrolling to perform. Positive values scroll up, "
                   "negative values scroll down. Required only by `action=scroll` and `action=hscroll`.",
                   "type": "number"},
        "time": {"description": "The seconds to wait. Required only by `action=wait`.", "type": "number"},
        "status": _STATUS,
    }


_STATUS = {"description": "The status of the task. Required only by `action=terminate`.",
           "type": "string", "enum": ["success", "failure"]}


def native_system_prompt(tool: str) -> str:
    return SYSTEM_HEAD + json.dumps(function_json(tool), ensure_ascii=False) + SYSTEM_TAIL + "\n\n" + RULES.format(tool=tool)


def build_native_prompt(request: DecideRequest, history_steps: int, history_images: int,
                        tool: str | None = None) -> Prompt:
    tool = tool or tool_for(request)
    notes = recent_notes(request, history_steps)
    skipped = len(request.history) - len(notes)
    progress = "; ".join(_step_text(note, tool) for note in notes)
    if skipped:
        progress = f"({skipped} earlier steps not shown) " + progress
    text = f"The user query: {request.goal}.\n"
    if request.language == "zh":
        text += "(The query is in Chinese; you may think in Chinese.)\n"
    text += ("Task progress (You have done the following operation on the current device): "
             f"{progress or 'nothing yet'}.\n")
    parts: list[str | ImagePart] = [text]
    parts += earlier_screens(notes, history_images)
    if request.feedback:
        parts.append(f"\nYour last reply was not accepted: {clip(request.feedback)}\nFix this now.\n")
    parts += ["\n", ImagePart(request.image)]
    return Prompt(system=native_system_prompt(tool), parts=tuple(merge_text(parts)), format=NATIVE, tool=tool)


def _step_text(note: StepNote, tool: str) -> str:
    """'Step 3: {"action": "click", ...} (done)': the call as the model would write it."""
    if note.action is None:
        call = "no valid call"
    else:
        arguments = to_arguments(note.action, tool)
        call = json.dumps(arguments if arguments is not None else note.action, ensure_ascii=False)
    return f"Step {note.index}: {call} ({clip(note.outcome)})"
