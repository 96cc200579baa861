"""Qwen's native function calls (`mobile_use`, `computer_use`) mapped onto our action kinds.

Qwen3-VL's GUI prompts (QwenLM/Qwen3-VL cookbooks/utils/agent_function_call.py, the mobile_agent
and computer_use cookbooks) make it answer `<tool_call>{"name": ..., "arguments": {...}}</tool_call>`
with coordinates on a relative grid. Our native prompt adds two arguments, `element` and
`confidence`, so a native reply carries the whole action of ARCHITECTURE.md, "The action". Replies without them
(any other Qwen agent prompt) are still accepted: confidence is then taken as 1.0 and the element
as "unnamed element", and the fields filled in are reported so the trajectory shows they were not
the model's.

    from_tool_call(payload)        a parsed <tool_call> object -> our action dict (+ assumed fields)
    to_arguments(action, tool)     our action dict -> the tool's arguments (for the prompt's history)
    tool_actions(tool)             the official action names of one tool, in Qwen's order
    arguments_schema(tool)         JSON Schema of the arguments, per action (constrained decoding)
"""

from __future__ import annotations

import copy
import json
from typing import Any

from actions.errors import ActionFormatError
from actions.schema import action_schema
from actions.types import POINTER_KINDS

MOBILE, COMPUTER = "mobile_use", "computer_use"
TOOL_NAMES = (MOBILE, COMPUTER)
UNNAMED = "unnamed element"

# The official vocabularies in Qwen's order: mobile_use as agent_function_call.py defines it plus
# the cookbook prompt's `answer`; computer_use exactly as agent_function_call.py defines it.
ACTIONS: dict[str, tuple[str, ...]] = {
    MOBILE: ("key", "click", "long_press", "swipe", "type", "answer", "system_button", "open", "wait",
             "terminate"),
    COMPUTER: ("key", "type", "mouse_move", "left_click", "left_click_drag", "right_click",
               "middle_click", "double_click", "triple_click", "scroll", "hscroll", "wait",
               "terminate", "answer"),
}
# Tool actions that act on a point: they take `element` (what is there) besides `coordinate`.
POINTER = frozenset({"click", "long_press", "swipe", "mouse_move", "left_click", "left_click_drag",
                     "right_click", "middle_click", "double_click", "triple_click"})
# Tool actions we do not offer (none: every official action maps onto one of our kinds).
UNSUPPORTED: frozenset[str] = frozenset()

_SYSTEM_BUTTONS = {"back": {"action": "back"}, "home": {"action": "home"},
                   "menu": {"action": "key", "key": "menu"},
                   "enter": {"action": "key", "key": "enter"}}


def from_tool_call(payload: Any) -> tuple[dict[str, Any], tuple[str, ...]]:
    """(action dict in our schema's spelling, names of fields filled in)."""
    if not isinstance(payload, dict):
        raise ActionFormatError("a <tool_call> must hold one JSON object")
    name = payload.get("name")
    args = payload.get("arguments")
    if isinstance(args, str):  # some servers send arguments JSON-encoded
        try:
            args = json.loads(args)
        except json.JSONDecodeError:
            raise ActionFormatError("the <tool_call> arguments are not valid JSON") from None
    if name not in TOOL_NAMES:
        raise ActionFormatError(f"unknown tool {name!r}; call mobile_use or computer_use")
    if not isinstance(args, dict) or not isinstance(args.get("action"), str):
        raise ActionFormatError("the <tool_call> needs \"arguments\" with an \"action\"")
    data = _convert(args["action"].strip().lower(), args)
    assumed: list[str] = []
    if "confidence" in args:
        data["confidence"] = args["confidence"]
    else:
        data["confidence"] = 1.0
        assumed.append("confidence")
    if "element" in args:
        data["element"] = args["element"]
    elif "coordinates" in data and data["action"] in POINTER_KINDS:
        data["element"] = UNNAMED
        assumed.append("element")
    return data, tuple(assumed)


def _convert(kind: str, a: dict[str, Any]) -> dict[str, Any]:
    point = a.get("coordinate")
    match kind:
        case "click" | "left_click":
            return {"action": "tap", "coordinates": point}
        case "double_click":
            return {"action": "double_tap", "coordinates": point}
        case "triple_click" | "right_click" | "middle_click" | "mouse_move":
            return {"action": kind, "coordinates": point}
        case "long_press":
            out = {"action": "long_press", "coordinates": point}
            if "time" in a:
                out["seconds"] = a["time"]
            return out
        case "swipe":
            return {"action": "swipe", "coordinates": point, "to": a.get("coordinate2")}
        case "left_click_drag":
            return _drag(a)
        case "type":
            out = {"action": "type", "text": a.get("text")}
            if point is not None:
                out["coordinates"] = point
            return out
        case "key":
            keys = a.get("keys", a.get("text"))
            if isinstance(keys, list):
                keys = "+".join(str(k) for k in keys)
            return {"action": "key", "key": keys}
        case "system_button":
            button = str(a.get("button", "")).strip().lower()
            if button not in _SYSTEM_BUTTONS:
                raise ActionFormatError(
                    f"unknown system_button {a.get('button')!r}; use Back, Home, Menu or Enter"
                )
            return dict(_SYSTEM_BUTTONS[button])
        case "open":
            return {"action": "open_app", "app": a.get("text")}
        case "wait":
            return {"action": "wait", "seconds": a.get("time", 1)}
        case "scroll" | "hscroll":
            return _scroll(kind, a)
        case "answer":
            return {"action": "done", "text": a.get("text")}
        case "terminate":
            status = str(a.get("status", "")).lower()
            if status == "success":
                return {"action": "done", "text": "Task completed."}
            # The model gives up: hand over to the person rather than count it as done.
            return {"action": "ask_user", "text": "I could not finish this task; please take over."}
        case _:
            supported = sorted(set(ACTIONS[MOBILE] + ACTIONS[COMPUTER]) - UNSUPPORTED)
            raise ActionFormatError(f"the {kind!r} tool action is not supported; use " + ", ".join(supported))


def _drag(a: dict[str, Any]) -> dict[str, Any]:
    """`left_click_drag` is a swipe. Qwen's definition drags from wherever the pointer is to
    `coordinate`; we cannot know where the pointer is, so our prompt asks for both ends."""
    if "coordinate2" not in a:
        raise ActionFormatError(
            "left_click_drag needs both ends: \"coordinate\" (where the drag starts) and "
            "\"coordinate2\" (where it ends)"
        )
    return {"action": "swipe", "coordinates": a.get("coordinate"), "to": a.get("coordinate2")}


def _scroll(kind: str, a: dict[str, Any]) -> dict[str, Any]:
    pixels = a.get("pixels")
    if isinstance(pixels, bool) or not isinstance(pixels, (int, float)) or pixels == 0:
        raise ActionFormatError(f"{kind} needs a non-zero number of \"pixels\"")
    # computer_use: positive pixels scroll up (hscroll: right), i.e. reveal what is above.
    if kind == "scroll":
        direction = "up" if pixels > 0 else "down"
    else:
        direction = "right" if pixels > 0 else "left"
    out = {"action": "scroll", "direction": direction}
    if a.get("coordinate") is not None:
        out["coordinates"] = a["coordinate"]
    return out


# --- the other way: our action as the tool's arguments ------------------------------------------

# How far one `scroll` moves when our action is written back as computer_use arguments.
SCROLL_PIXELS = 500


def to_arguments(action: dict[str, Any], tool: str) -> dict[str, Any] | None:
    """Our action (schema spelling) as `tool`'s arguments, or None when the tool has no such
    action (e.g. a scroll for mobile_use, a step recorded in another format)."""
    kind = action.get("action")
    point = action.get("coordinates")
    mobile = tool == MOBILE
    out: dict[str, Any] | None
    match kind:
        case "tap":
            out = {"action": "click" if mobile else "left_click", "coordinate": point}
        case "double_tap":
            out = None if mobile else {"action": "double_click", "coordinate": point}
        case "triple_click" | "right_click" | "middle_click" | "mouse_move":
            out = None if mobile else {"action": kind, "coordinate": point}
        case "long_press":
            out = {"action": "long_press", "coordinate": point, "time": action.get("seconds", 1)} if mobile else None
        case "swipe":
            name = "swipe" if mobile else "left_click_drag"
            out = {"action": name, "coordinate": point, "coordinate2": action.get("to")}
        case "scroll":
            out = None if mobile else _scroll_arguments(action)
        case "type":
            out = {"action": "type", "text": action.get("text")}
        case "key":
            key = str(action.get("key", ""))
            out = {"action": "key", "text": key} if mobile else {"action": "key", "keys": key.split("+")}
        case "back" | "home":
            out = {"action": "system_button", "button": kind.title()} if mobile else None
        case "open_app":
            out = {"action": "open", "text": action.get("app")} if mobile else None
        case "wait":
            out = {"action": "wait", "time": action.get("seconds")}
        case "done":
            out = {"action": "answer", "text": action.get("text")}
        case _:
            out = None
    if out is None:
        return None
    if action.get("element") and kind not in ("type", "scroll"):
        out["element"] = action["element"]
    if "confidence" in action:
        out["confidence"] = action["confidence"]
    return out


def _scroll_arguments(action: dict[str, Any]) -> dict[str, Any]:
    direction = action.get("direction")
    name = "scroll" if direction in ("up", "down") else "hscroll"
    pixels = SCROLL_PIXELS if direction in ("up", "right") else -SCROLL_PIXELS
    out: dict[str, Any] = {"action": name, "pixels": pixels}
    if action.get("coordinates") is not None:
        out["coordinate"] = action["coordinates"]
    return out


# --- the arguments' schema, for constrained decoding ---------------------------------------------


def tool_actions(tool: str) -> tuple[str, ...]:
    """The actions the native prompt offers for `tool` (Qwen's order, unsupported ones left out)."""
    return tuple(a for a in ACTIONS[tool] if a not in UNSUPPORTED)


def arguments_schema(tool: str) -> dict[str, Any]:
    """JSON Schema of `tool`'s arguments: one branch per action with exactly the arguments that
    action takes (Qwen's "Required only by ..." notes made strict), plus `element` for pointer
    actions and `confidence` last. Value ranges come from our action schema, so whatever this
    schema accepts converts to an action that passes validation."""
    # A copy: callers lower string caps in place (grammar.tool_call_schema), and the cached schema
    # every reply is validated against must never change with them.
    defs = copy.deepcopy(action_schema()["$defs"])
    branches = [_branch(tool, name, defs) for name in tool_actions(tool)]
    return {"anyOf": branches}


def _branch(tool: str, name: str, defs: dict[str, Any]) -> dict[str, Any]:
    point = copy.deepcopy(defs["point"])
    props: dict[str, Any] = {"action": {"const": name}}
    extra: dict[str, Any] = {}
    if name in POINTER or (name in ("scroll", "hscroll")):
        extra["coordinate"] = point
    if name in ("swipe", "left_click_drag"):
        extra["coordinate2"] = point
    match name:
        case "long_press":
            extra["time"] = defs["long_press"]["properties"]["seconds"]
        case "wait":
            extra["time"] = defs["wait"]["properties"]["seconds"]
        case "type":
            extra["text"] = defs["type"]["properties"]["text"]
        case "answer":
            extra["text"] = defs["done"]["properties"]["text"]
        case "open":
            extra["text"] = defs["open_app"]["properties"]["app"]
        case "key" if tool == MOBILE:
            extra["text"] = defs["key"]["properties"]["key"]
        case "key":
            extra["keys"] = {"type": "array", "minItems": 1, "maxItems": 4,
                             "items": {"type": "string", "pattern": "^[a-z0-9_]+$", "maxLength": 20}}
        case "system_button":
            extra["button"] = {"enum": ["Back", "Home", "Menu", "Enter"]}
        case "terminate":
            extra["status"] = {"enum": ["success", "failure"]}
        case "scroll" | "hscroll":
            # Non-zero: a scroll of 0 pixels is no action (the parser rejects it).
            extra["pixels"] = {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 5000},
                                         {"type": "integer", "minimum": -5000, "maximum": -1}]}
    props.update(extra)
    required = ["action", *(k for k in extra if not (name in ("scroll", "hscroll") and k == "coordinate"))]
    if name in POINTER:
        props["element"] = copy.deepcopy(defs["element"])
        required.append("element")
    props["confidence"] = copy.deepcopy(defs["confidence"])
    required.append("confidence")
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}
