"""The reply a training example teaches: thinking, `</think>`, then the action in the prompt's format.

The text is exactly what the local backend's grammar accepts after the generation prompt's
`<think>\\n` (`agent/backends/grammar.py`): the reasoning, `</think>`, a blank line, then one JSON
object (`--prompt json`, keys in the schema's order) or `<tool_call>\\n{...}\\n</tool_call>`
(`--prompt native`, arguments in the order of Qwen's function), both written with `json.dumps`'
separators. A model trained on it therefore writes, greedily, a reply the grammar never has to bend.

Some actions have no counterpart in a native function: a phone's `mobile_use` has no scroll (a
finger swipes) and no tap-then-type (`type` writes into the focused field). `translate` rewrites
such an action into the steps the function can express; `NoEquivalent` says when there are none.
"""

from __future__ import annotations

import json
from typing import Any

from actions.schema import action_schema
from actions.toolcall import COMPUTER, MOBILE, arguments_schema, to_arguments
from agent.engine.model import StepNote
from agent.prompt_parts import JSON, NATIVE

# How far a phone scroll moves the content, on the 0-1000 grid: the simulated phone's `Wheel`
# moves it 0.45 of the screen height, so the swipe that replaces it spans as much.
SCROLL_SPAN = 450
THINK_CLOSE = "</think>"
AFTER_THINK = "\n\n"  # what the grammar and Qwen's template put between </think> and the answer


class NoEquivalent(ValueError):
    """The action cannot be written in the chosen prompt format's function."""


def translate(action: dict[str, Any], format: str, tool: str | None) -> list[dict[str, Any]]:
    """`action` as the actions a model prompted in `format` can write (usually itself)."""
    if format == JSON:
        return [action]
    kind = action.get("action")
    if tool == MOBILE and kind == "scroll":
        return [_scroll_as_swipe(action)]
    if tool == MOBILE and kind == "type" and action.get("coordinates") is not None:
        # mobile_use types into the focused field: tap the field first, then type.
        tap = {"action": "tap", "element": action.get("element") or "text field",
               "coordinates": action["coordinates"], "confidence": action["confidence"]}
        text = {k: v for k, v in action.items() if k not in ("coordinates", "element")}
        return [tap, text]
    tool_arguments(action, tool or MOBILE)  # raises NoEquivalent
    return [action]


def reply_text(thinking: str, action: dict[str, Any], format: str, tool: str | None) -> str:
    """The reply after the prompt's `<think>\\n`: reasoning, `</think>`, blank line, the action."""
    return thinking.strip() + "\n" + THINK_CLOSE + AFTER_THINK + answer_text(action, format, tool)


def answer_text(action: dict[str, Any], format: str, tool: str | None) -> str:
    if format == JSON:
        return json.dumps(_ordered(action, _json_order(action)), ensure_ascii=False)
    if format != NATIVE:
        raise ValueError(f"unknown prompt format {format!r}")
    call = {"name": tool or MOBILE, "arguments": tool_arguments(action, tool or MOBILE)}
    return "<tool_call>\n" + json.dumps(call, ensure_ascii=False) + "\n</tool_call>"


def tool_arguments(action: dict[str, Any], tool: str) -> dict[str, Any]:
    """The function's arguments for `action`, in the order its schema lists them. The end of a
    task is `terminate`, as the native prompt's rules ask: success when done, failure to hand
    over to the person."""
    kind = action.get("action")
    if kind in ("done", "ask_user"):
        status = "success" if kind == "done" else "failure"
        args: dict[str, Any] | None = {"action": "terminate", "status": status,
                                       "confidence": action.get("confidence", 1.0)}
    else:
        args = to_arguments(action, tool)
    if args is None:
        raise NoEquivalent(f"a {kind!r} action has no {tool} equivalent")
    branch = _branch(tool, args["action"])
    missing = [k for k in branch["required"] if k not in args]
    if missing:
        raise NoEquivalent(f"a {kind!r} action lacks {', '.join(missing)} for {tool}")
    return _ordered(args, list(branch["properties"]))


def rationale(goal: str, language: str, action: dict[str, Any], last: StepNote | None = None) -> str:
    """A short thinking for steps recorded without one, written from the goal, the step before
    (`last`, as the history shows it) and the element acted on: "Goal: Turn off Bluetooth. Last
    step: tap "Connected devices". Next: tap "Bluetooth"." Saying where the task stands before
    saying what comes next is what a person would think, and it puts what decides the next action
    right before it."""
    goal = goal.strip().rstrip(".。")
    done = action.get("action") == "done"
    if language == "zh":
        before = _zh(last.action) + _zh_outcome(last.outcome) if last and last.action else "无"
        return f"目标：{goal}。上一步：{before}。" + ("目标已达成。" if done else f"下一步：{_zh(action)}。")
    before = _en(last.action) + _en_outcome(last.outcome) if last and last.action else "none"
    return f"Goal: {goal}. Last step: {before}. " + ("The goal is reached." if done else f"Next: {_en(action)}.")


def _en_outcome(outcome: str) -> str:
    word = outcome.split(":", 1)[0].strip()
    return "" if word == "done" else f" ({word})"


def _zh_outcome(outcome: str) -> str:
    word = outcome.split(":", 1)[0].strip()
    return "" if word == "done" else f"（{word}）"


def _en(a: dict[str, Any]) -> str:
    element = f'"{a["element"]}"' if a.get("element") else "the screen"
    match a.get("action"):
        case "tap" | "double_tap" | "long_press" | "triple_click" | "right_click" | "middle_click":
            return f"{a['action'].replace('_', ' ')} {element}"
        case "swipe" | "mouse_move":
            return f"{a['action'].replace('_', ' ')} {element}"
        case "scroll":
            return f"scroll {a.get('direction', 'down')} {element}"
        case "type":
            return f'type "{a.get("text", "")}"'
        case "key":
            return f"press {a.get('key')}"
        case "open_app":
            return f'open the app "{a.get("app")}"'
        case "back" | "home" | "wait":
            return {"back": "go back", "home": "go to the home screen", "wait": "wait"}[a["action"]]
        case "ask_user":
            return "hand over to the person"
    return str(a.get("action"))


_ZH_VERBS = {"tap": "点击", "double_tap": "双击", "long_press": "长按", "swipe": "滑动",
             "triple_click": "三击", "right_click": "右键点击", "middle_click": "中键点击",
             "mouse_move": "移到"}
_ZH_DIRECTIONS = {"down": "向下", "up": "向上", "left": "向左", "right": "向右"}


def _zh(a: dict[str, Any]) -> str:
    element = f"“{a['element']}”" if a.get("element") else "屏幕"
    kind = a.get("action")
    if kind in _ZH_VERBS:
        return _ZH_VERBS[kind] + element
    match kind:
        case "scroll":
            return f"{_ZH_DIRECTIONS.get(a.get('direction', 'down'), '')}滚动{element}"
        case "type":
            return f"输入“{a.get('text', '')}”"
        case "key":
            return f"按 {a.get('key')}"
        case "open_app":
            return f"打开“{a.get('app')}”"
        case "back" | "home" | "wait":
            return {"back": "返回", "home": "回到主屏幕", "wait": "等待"}[kind]
        case "ask_user":
            return "交给用户处理"
    return str(kind)


def _scroll_as_swipe(action: dict[str, Any]) -> dict[str, Any]:
    """A phone scroll as the finger swipe that moves the content as far (content follows the
    finger: scrolling down is a swipe up). Kept clear of the status bar and the bottom edge."""
    x, y = action.get("coordinates") or (500, 500)
    half = SCROLL_SPAN // 2
    direction = action.get("direction", "down")
    if direction in ("up", "down"):
        y = min(max(y, 100 + half), 900 - half)
        start, end = (x, y + half), (x, y - half)
    else:
        x = min(max(x, 100 + half), 900 - half)
        start, end = (x + half, y), (x - half, y)
    if direction in ("up", "left"):
        start, end = end, start
    return {"action": "swipe", "element": action.get("element") or "screen",
            "coordinates": list(start), "to": list(end), "confidence": action["confidence"]}


def _branch(tool: str, name: str) -> dict[str, Any]:
    for branch in arguments_schema(tool)["anyOf"]:
        if branch["properties"]["action"].get("const") == name:
            return branch
    raise NoEquivalent(f"{tool} has no action {name!r}")


def _json_order(action: dict[str, Any]) -> list[str]:
    kind = action.get("action")
    props = action_schema()["$defs"].get(str(kind), {}).get("properties", {})
    return list(props) or list(action)


def _ordered(data: dict[str, Any], order: list[str]) -> dict[str, Any]:
    """`data` with its keys in `order` (keys not listed dropped): llguidance writes an object's
    properties in the order its schema lists them, so a target must too."""
    return {k: data[k] for k in order if k in data}


__all__ = ["COMPUTER", "MOBILE", "NoEquivalent", "answer_text", "rationale", "reply_text",
           "tool_arguments", "translate"]
