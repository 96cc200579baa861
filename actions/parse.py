"""Turn a raw model reply into one validated action, or a one-line `ActionFormatError`.

Accepted shapes, after the last `</think>` (the reasoning before it is kept, not parsed):
plain JSON, JSON in a ``` fence, and Qwen's own `<tool_call>{"name": "mobile_use" |
"computer_use", "arguments": {...}}</tool_call>` function calls. Everything is normalised to the
schema's spelling and validated with jsonschema against the one schema file.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import best_match

from actions.errors import ActionFormatError
from actions.schema import action_kinds, kind_validator
from actions.toolcall import from_tool_call
from actions.types import Action, from_dict

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"
_FENCE = re.compile(r"```[a-zA-Z0-9_-]*\s*\n?(.*?)```", re.S)
_TOOL_CALL = re.compile(r"<tool_call>(.*?)(?:</tool_call>|$)", re.S)

# Spellings models use for our kinds and fields; anything else is rejected, not guessed.
KIND_ALIASES = {
    "click": "tap", "left_click": "tap", "press": "tap",
    "doubletap": "double_tap", "double_click": "double_tap",
    "hover": "mouse_move", "rightclick": "right_click", "tripleclick": "triple_click",
    "longpress": "long_press", "long_click": "long_press",
    "input": "type", "type_text": "type", "input_text": "type",
    "press_key": "key", "keypress": "key", "hotkey": "key",
    "go_back": "back", "press_back": "back", "go_home": "home", "press_home": "home",
    "open": "open_app", "launch": "open_app", "launch_app": "open_app",
    "finish": "done", "finished": "done", "complete": "done",
    "ask": "ask_user", "call_user": "ask_user",
}
FIELD_ALIASES = {
    "coordinate": "coordinates", "point": "coordinates", "position": "coordinates",
    "coordinate2": "to", "end": "to", "end_coordinates": "to",
    "content": "text", "app_name": "app", "package": "app", "duration": "seconds",
    "time": "seconds",
}
POINT_FIELDS = ("coordinates", "to")


@dataclass(frozen=True)
class ParsedReply:
    action: Action
    thinking: str | None
    source: str  # "json" | "fenced" | "tool_call"
    assumed: tuple[str, ...] = ()  # fields filled in because the format has no place for them


def split_thinking(reply: str) -> tuple[str | None, str]:
    """(reasoning, answer): the answer is what follows the last `</think>`."""
    if THINK_CLOSE in reply:
        thinking, _, answer = reply.rpartition(THINK_CLOSE)
        thinking = thinking.replace(THINK_OPEN, "", 1).strip()
        return thinking, answer.strip()
    if THINK_OPEN in reply:
        raise ActionFormatError(
            "the reply ended inside <think> without </think> (thinking budget used up); "
            "think briefly, then write </think> and the JSON action"
        )
    return None, reply.strip()


def parse_reply(reply: str) -> ParsedReply:
    """Parse one whole reply. Raises `ActionFormatError` with a message fit to feed back."""
    if not isinstance(reply, str):
        raise ActionFormatError("the reply is not text")
    thinking, answer = split_thinking(reply)
    if not answer:
        raise ActionFormatError("the reply has no action after </think>; write one JSON object")
    assumed: tuple[str, ...] = ()
    call = _TOOL_CALL.search(answer)
    if call:
        source = "tool_call"
        payload = _load_object(_strip_fence(call.group(1)))
        data, assumed = from_tool_call(payload)
    else:
        fence = _FENCE.search(answer)
        source = "fenced" if fence else "json"
        data = _load_object(fence.group(1) if fence else answer)
    action = validate_action(data)
    return ParsedReply(action=action, thinking=thinking, source=source, assumed=assumed)


def validate_action(data: Any) -> Action:
    """Normalise and validate one action dict against the schema; return the typed action."""
    if not isinstance(data, dict):
        raise ActionFormatError(f"the action must be a JSON object, got {_json_type(data)}")
    data = normalise(data)
    kind = data.get("action")
    if not isinstance(kind, str):
        raise ActionFormatError(
            "missing \"action\": it must be one of " + ", ".join(action_kinds())
        )
    if kind not in action_kinds():
        raise ActionFormatError(
            f"unknown action {kind!r}; use one of " + ", ".join(action_kinds())
        )
    error = best_match(kind_validator(kind).iter_errors(data))
    if error is not None:
        raise ActionFormatError(f"invalid {kind!r} action: {_explain(error)}")
    return from_dict(data)


def normalise(data: dict[str, Any]) -> dict[str, Any]:
    """Schema spelling for common variants; never invents a value."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = FIELD_ALIASES.get(key, key) if isinstance(key, str) else key
        if name in out and name != key:
            continue  # the canonical field wins over an alias
        out[name] = value
    kind = out.get("action")
    if isinstance(kind, str):
        kind = kind.strip().lower().replace("-", "_").replace(" ", "_")
        out["action"] = KIND_ALIASES.get(kind, kind)
    for name in POINT_FIELDS:
        if name in out:
            out[name] = _normalise_point(out[name])
    for name in ("direction", "key"):
        if isinstance(out.get(name), str):
            out[name] = out[name].strip().lower().replace(" ", "")
    conf = out.get("confidence")
    if isinstance(conf, str):
        with contextlib.suppress(ValueError):
            value = float(conf)
            if math.isfinite(value):
                out["confidence"] = value
    return out


def _normalise_point(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"x", "y"}:
        value = [value["x"], value["y"]]
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return value
    if isinstance(value, (list, tuple)):
        # 500.0 is the integer 500; 0.5 stays a float and fails validation (not the 0-1000 grid).
        return [int(v) if isinstance(v, float) and v.is_integer() else v for v in value]
    return value


def _strip_fence(text: str) -> str:
    fence = _FENCE.search(text)
    return fence.group(1) if fence else text


def _load_object(text: str) -> Any:
    text = text.strip()
    start = text.find("{")
    if text[:start].rstrip().endswith("[") or (start < 0 and "[" in text):
        raise ActionFormatError("the action must be one JSON object, not an array")
    if start < 0:
        raise ActionFormatError("no JSON object found; reply with one JSON object after </think>")
    decoder = json.JSONDecoder(parse_constant=_reject_constant)
    try:
        obj, end = decoder.raw_decode(text, start)
    except json.JSONDecodeError as err:
        raise ActionFormatError(f"the JSON is malformed: {err.msg} (line {err.lineno} column {err.colno})") from None
    rest = text[end:]
    if rest.lstrip().startswith("{"):
        try:
            decoder.raw_decode(rest.lstrip())
        except json.JSONDecodeError:
            pass
        else:
            raise ActionFormatError("the reply holds more than one action; give exactly one")
    return obj


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN and Infinity, which would slip past the schema's range checks.
    raise ActionFormatError(f"{name} is not a valid JSON number")


def _explain(error: Any) -> str:
    path = ".".join(str(p) for p in error.absolute_path)
    where = f"{path!r} " if path else ""
    if error.validator == "additionalProperties":
        return f"{error.message} (allowed: {', '.join(error.schema.get('properties', {}))})"
    if error.validator in ("minItems", "maxItems") and path in POINT_FIELDS:
        return f"{where}must be [x, y] (two integers from 0 to 1000)"
    if error.validator in ("maximum", "minimum") and path.split(".")[0] in POINT_FIELDS:
        # Qwen2.5-VL (and servers that scale back) answer in pixels of the image they saw.
        point = path.split(".")[0]
        return (f"{point!r} {error.instance} is off the relative 0-1000 grid (a pixel coordinate?); "
                "give x and y from 0 to 1000 across the screenshot")
    message = error.message
    if len(message) > 160:
        message = message[:157] + "..."
    return f"{where}{message}".strip()


def _json_type(value: Any) -> str:
    return {list: "an array", str: "a string", int: "a number", float: "a number",
            bool: "a boolean", type(None): "null"}.get(type(value), type(value).__name__)
