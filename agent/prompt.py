"""The prompt: what the model is told each step, built from the schema file.

A prompt is a constant system message (the task, the 0-1000 grid, the action space rendered from
`actions/action.schema.json`) and one user turn (the goal, the screen size, the last few steps as
text, at most a few earlier screenshots, the current screenshot). Keeping the system message
identical across steps and runs lets servers with prefix caching (vLLM, SGLang) reuse it.

History is bounded -- the last `history_steps` steps as text and at most `history_images` earlier
screenshots -- so a step's prompt costs the same at step 30 as at step 5. Backends turn a
`Prompt` into their own wire format (chat-template parts for transformers, data URLs for
OpenAI-compatible servers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from PIL import Image

from actions.schema import action_kinds, action_schema, describe_kind, fields_of
from agent.engine.model import DecideRequest, StepNote

DEFAULT_HISTORY_STEPS = 6
DEFAULT_HISTORY_IMAGES = 0
MAX_OUTCOME_CHARS = 160  # an outcome line is a hint, not a log; long errors are cut

# One worked example per shape; the tests validate every one against the schema.
EXAMPLES: tuple[dict[str, Any], ...] = (
    {"action": "tap", "element": "Bluetooth toggle", "coordinates": [880, 312], "confidence": 0.9},
    {"action": "scroll", "direction": "down", "confidence": 0.7},
    {"action": "done", "text": "Bluetooth is off", "confidence": 0.95},
)


@dataclass(frozen=True)
class ImagePart:
    image: Image.Image  # its caption is the text part just before it


@dataclass(frozen=True)
class Prompt:
    system: str
    # The user turn, in order: text strings and images.
    parts: tuple[str | ImagePart, ...]

    def text(self) -> str:
        """The user turn's text alone (images left out), e.g. for logs."""
        return "".join(p if isinstance(p, str) else "[image]" for p in self.parts)

    def images(self) -> list[Image.Image]:
        return [p.image for p in self.parts if isinstance(p, ImagePart)]


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
) -> Prompt:
    """The prompt for one step. Earlier screenshots come from `StepNote.image` when present."""
    width, height = request.screen
    parts: list[str | ImagePart] = []
    head = [f"Goal: {request.goal}"]
    if request.language == "zh":
        head.append("(The goal is in Chinese; you may think in Chinese.)")
    head.append(
        f"Screen: {width}x{height} pixels ({_orientation(width, height)}). Step {request.step}."
    )
    parts.append("\n".join(head) + "\n")

    notes = request.history[-history_steps:] if history_steps > 0 else ()
    if notes:
        skipped = len(request.history) - len(notes)
        lines = ["", "Previous steps" + (f" (the last {len(notes)}; {skipped} earlier not shown)" if skipped else "") + ":"]
        lines += [_note_line(note) for note in notes]
        parts.append("\n".join(lines) + "\n")
    with_images = [n for n in notes if n.image is not None][-history_images:] if history_images > 0 else []
    for note in with_images:
        assert note.image is not None
        parts += [f"\nThe screen before step {note.index}:\n", ImagePart(note.image)]

    if request.feedback:
        parts.append(f"\nYour last reply was not accepted: {_clip(request.feedback)}\nFix this now.\n")
    parts += ["\nThe screen now:\n", ImagePart(request.image), "\nWhat is the next action?"]
    return Prompt(system=system_prompt(), parts=tuple(_merge_text(parts)))


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
    return f"{note.index}. {action} -> {_clip(note.outcome)}"


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_OUTCOME_CHARS else text[: MAX_OUTCOME_CHARS - 3] + "..."


def _orientation(width: int, height: int) -> str:
    return "portrait" if height > width else "landscape" if width > height else "square"


def _merge_text(parts: list[str | ImagePart]) -> list[str | ImagePart]:
    out: list[str | ImagePart] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        else:
            out.append(part)
    return out
