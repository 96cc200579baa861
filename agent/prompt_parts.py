"""What both prompt formats are made of: the `Prompt` value a backend turns into its wire format,
the format names, and the bounded history (the last steps as text, a few earlier screenshots)."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from agent.engine.model import DecideRequest, StepNote

JSON, NATIVE = "json", "native"
PROMPT_FORMATS = (NATIVE, JSON)
DEFAULT_HISTORY_STEPS = 6
DEFAULT_HISTORY_IMAGES = 0
MAX_OUTCOME_CHARS = 160  # an outcome line is a hint, not a log; long errors are cut


@dataclass(frozen=True)
class ImagePart:
    image: Image.Image  # its caption is the text part just before it


@dataclass(frozen=True)
class Prompt:
    system: str
    # The user turn, in order: text strings and images.
    parts: tuple[str | ImagePart, ...]
    format: str = JSON  # how the reply is shaped: JSON (one object) or NATIVE (a <tool_call>)
    tool: str | None = None  # NATIVE: the function the reply calls (mobile_use / computer_use)

    def text(self) -> str:
        """The user turn's text alone (images left out), e.g. for logs."""
        return "".join(p if isinstance(p, str) else "[image]" for p in self.parts)

    def images(self) -> list[Image.Image]:
        return [p.image for p in self.parts if isinstance(p, ImagePart)]


def recent_notes(request: DecideRequest, history_steps: int) -> tuple[StepNote, ...]:
    """The last `history_steps` steps (none when 0)."""
    return request.history[-history_steps:] if history_steps > 0 else ()


def earlier_screens(notes: tuple[StepNote, ...], history_images: int) -> list[str | ImagePart]:
    """Caption + image parts for at most `history_images` of the notes' screenshots."""
    with_images = [n for n in notes if n.image is not None][-history_images:] if history_images > 0 else []
    parts: list[str | ImagePart] = []
    for note in with_images:
        assert note.image is not None
        parts += [f"\nThe screen before step {note.index}:\n", ImagePart(note.image)]
    return parts


def clip(text: str) -> str:
    """One line of at most MAX_OUTCOME_CHARS characters."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_OUTCOME_CHARS else text[: MAX_OUTCOME_CHARS - 3] + "..."


def merge_text(parts: list[str | ImagePart]) -> list[str | ImagePart]:
    """Adjacent text parts joined into one."""
    out: list[str | ImagePart] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        else:
            out.append(part)
    return out
