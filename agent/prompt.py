"""The prompt: what the model is told each step, in one of two formats.

    native  Qwen's own function-calling prompt (`mobile_use` / `computer_use` in `<tools>`, the
            reply a `<tool_call>`), the format Qwen3-VL was trained on; see `native_prompt.py`
    json    our own prompt: the action space rendered from `actions/action.schema.json`, the
            reply one JSON object

Either is a constant system message and one user turn (the goal, the last few steps as text, at
most a few earlier screenshots, the current screenshot). Keeping the system message identical
across steps and runs lets servers with prefix caching (vLLM, SGLang) reuse it. Nothing in a
prompt depends on the device's size in pixels: coordinates are on Qwen3-VL's relative grid, and
a pixel size would nudge the model into answering in pixels, which the grid cannot catch.

History is bounded -- the last `history_steps` steps as text and at most `history_images` earlier
screenshots -- so a step's prompt costs the same at step 30 as at step 5. Backends turn a
`Prompt` into their own wire format (chat-template parts for transformers, data URLs for
OpenAI-compatible servers).
"""

from __future__ import annotations

import json
from typing import Any

from actions.schema import action_kinds, action_schema, describe_kind, fields_of
from agent.engine.model import DecideRequest, StepNote
from agent.prompt_parts import (
    DEFAULT_HISTORY_IMAGES,
    DEFAULT_HISTORY_STEPS,
    JSON,
    NATIVE,
    PROMPT_FORMATS,
    ImagePart,
    Prompt,
    clip,
    earlier_screens,
    merge_text,
    recent_notes,
)

# One worked example per shape; the tests validate every one against the schema.
EXAMPLES: tuple[dict[str, Any], ...] = (
    {"action": "tap", "element": "Bluetooth toggle", "coordinates": [880, 312], "confidence": 0.9},
    {"action": "scroll", "direction": "down", "confidence": 0.7},
    {"action": "done", "text": "Bluetooth is off", "confidence": 0.95},
)


def system_prompt() -> str:
    """The constant instructions: the task, the grid, the reply format, the actions."""
    lines = [
        "You operate a device's screen (a phone or a computer) to reach the user's goal. Each "
        "turn you get the goal, the steps taken so far and a screenshot of the screen now, and "
        "you choose exactly ONE next action.",
        "",
        "Think first: what is on the screen, what has been done, what moves toward the goal. "
        "Then close your thinking with </think> and write the action as one JSON object on one "
        "line, with nothing before or after it.",
        "",
        "Coordinates are integers on a 0-1000 grid over the screenshot, whatever its size in "
        "pixels: [0, 0] is the top-left corner, [1000, 1000] the bottom-right, x grows to the "
        "right and y downwards; [500, 500] is the centre. Point at the centre of the element.",
        "",
        "Actions (fields marked ? are optional):",
    ]
    lines += [f"- {_kind_line(kind)}" for kind in action_kinds()]
    lines += ["", "Fields:"]
    defs = action_schema()["$defs"]
    for name, key in (("element", "element"), ("coordinates", "point"), ("confidence", "confidence")):
        lines.append(f"- {name}: {defs[key]['description']}")
    lines += [
        "",
        "Examples:",
        *(json.dumps(example, ensure_ascii=False) for example in EXAMPLES),
        "",
        "Rules: act only on what the screenshot shows; if a step did not change the screen, try "
        "something else; use ask_user for passwords, payments, captchas or choices only the user "
        "can make; reply done as soon as the goal is reached. Keep JSON keys and action names in "
        "English even when the goal or the screen is in another language.",
    ]
    return "\n".join(lines)


def build_prompt(
    request: DecideRequest,
    history_steps: int = DEFAULT_HISTORY_STEPS,
    history_images: int = DEFAULT_HISTORY_IMAGES,
    format: str = JSON,
    tool: str | None = None,
) -> Prompt:
    """The prompt for one step. Earlier screenshots come from `StepNote.image` when present.

    `format` NATIVE uses Qwen's function-calling prompt with `tool` (default: the one the request's
    device calls for, see `native_prompt.tool_for`)."""
    if format == NATIVE:
        from agent.native_prompt import build_native_prompt

        return build_native_prompt(request, history_steps, history_images, tool)
    if format != JSON:
        raise ValueError(f"unknown prompt format {format!r}")
    width, height = request.screen
    parts: list[str | ImagePart] = []
    head = [f"Goal: {request.goal}"]
    if request.language == "zh":
        head.append("(The goal is in Chinese; you may think in Chinese.)")
    # The orientation, not the size: the size in pixels would invite pixel coordinates.
    head.append(f"The screen is {_orientation(width, height)}. Step {request.step}.")
    parts.append("\n".join(head) + "\n")

    notes = recent_notes(request, history_steps)
    if notes:
        skipped = len(request.history) - len(notes)
        lines = ["", "Previous steps" + (f" (the last {len(notes)}; {skipped} earlier not shown)" if skipped else "") + ":"]
        lines += [_note_line(note) for note in notes]
        parts.append("\n".join(lines) + "\n")
    parts += earlier_screens(notes, history_images)
    if request.feedback:
        parts.append(f"\nYour last reply was not accepted: {clip(request.feedback)}\nFix this now.\n")
    parts += ["\nThe screen now:\n", ImagePart(request.image), "\nWhat is the next action?"]
    return Prompt(system=system_prompt(), parts=tuple(merge_text(parts)))


def _kind_line(kind: str) -> str:
    required, optional = fields_of(kind)
    props = action_schema()["$defs"][kind]["properties"]
    fields = [f'"action": "{kind}"']
    for name in list(required) + list(optional):
        mark = "" if name in required else "?"
        fields.append(f'"{name}{mark}": {_type_hint(props[name])}')
    return f"{kind}: {describe_kind(kind)}. {{{', '.join(fields)}}}"


def _type_hint(prop: dict[str, Any]) -> str:
    """A few words for a property's type, read from the schema (refs resolved)."""
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[1]
        if name == "point":
            return "[x, y]"
        prop = action_schema()["$defs"][name]
    if "enum" in prop:
        return "|".join(json.dumps(v) for v in prop["enum"])
    kind = prop.get("type", "value")
    if kind == "number" and "minimum" in prop and "maximum" in prop:
        return f"number {prop['minimum']:g}-{prop['maximum']:g}"
    return str(kind)


def _note_line(note: StepNote) -> str:
    action = json.dumps(note.action, ensure_ascii=False) if note.action else "(no valid action)"
    return f"{note.index}. {action} -> {clip(note.outcome)}"


def _orientation(width: int, height: int) -> str:
    return "portrait" if height > width else "landscape" if width > height else "square"


__all__ = ["DEFAULT_HISTORY_IMAGES", "DEFAULT_HISTORY_STEPS", "EXAMPLES", "JSON", "NATIVE",
           "PROMPT_FORMATS", "ImagePart", "Prompt", "build_prompt", "system_prompt"]
