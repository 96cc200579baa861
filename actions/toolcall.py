"""Qwen's native function calls (`mobile_use`, `computer_use`) mapped onto our action kinds.

Qwen3-VL's GUI prompts make it answer `<tool_call>{"name": ..., "arguments": {...}}</tool_call>`
with coordinates already on the 0-1000 grid. These formats have no `confidence` and no `element`;
when absent, confidence is taken as 1.0 and the element as "unnamed element", and the fields
filled in are reported so the trajectory shows they were not the model's.
"""

from __future__ import annotations

from typing import Any

from actions.errors import ActionFormatError

TOOL_NAMES = ("mobile_use", "computer_use")
UNNAMED = "unnamed element"

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
        import json

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
    elif "coordinates" in data and data["action"] in ("tap", "double_tap", "long_press", "swipe"):
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
        case "long_press":
            out = {"action": "long_press", "coordinates": point}
            if "time" in a:
                out["seconds"] = a["time"]
            return out
        case "swipe":
            return {"action": "swipe", "coordinates": point, "to": a.get("coordinate2")}
        case "type":
            return {"action": "type", "text": a.get("text")}
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
            pixels = a.get("pixels")
            if not isinstance(pixels, (int, float)) or pixels == 0:
                raise ActionFormatError(f"{kind} needs a non-zero number of \"pixels\"")
            # computer_use: positive pixels scroll up (or right for hscroll).
            if kind == "scroll":
                direction = "up" if pixels > 0 else "down"
            else:
                direction = "right" if pixels > 0 else "left"
            out = {"action": "scroll", "direction": direction}
            if point is not None:
                out["coordinates"] = point
            return out
        case "answer":
            return {"action": "done", "text": a.get("text")}
        case "terminate":
            status = str(a.get("status", "")).lower()
            if status == "success":
                return {"action": "done", "text": "Task completed."}
            # The model gives up: hand over to the person rather than count it as done.
            return {"action": "ask_user", "text": "I could not finish this task; please take over."}
        case _:
            raise ActionFormatError(
                f"the {kind!r} tool action is not supported; use tap, long_press, swipe, type, "
                "key, scroll, system_button, open, wait, answer or terminate"
            )
