"""`StepRecord`: one line of trajectory.jsonl, the one schema every reader and writer shares.

The run-folder writer, the report, resume, scenario loading, the privacy filter and the tests all
read steps through this type; `to_dict` / `from_dict` are the only place the JSON keys are named.
A line written by an older version (or cut by a crash) reads back with defaults, never a crash.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any


@dataclass(frozen=True)
class PrimitiveRecord:
    """One primitive of an action as it was judged and carried out."""

    primitive: str  # `devices.primitives.describe`, e.g. "press (870, 233)"
    effect: dict[str, Any] | None  # the device's `Effect` as data; None: it could not tell
    verdict: dict[str, Any]  # `Verdict.to_dict()`
    executed: bool = False


@dataclass(frozen=True)
class StepRecord:
    step: int
    attempt: int = 1
    time: float = 0.0
    screen: tuple[int, int] | None = None  # device pixels
    model_image: tuple[int, int] | None = None  # what the model saw, in pixels
    frame_hash: str | None = None
    raw_reply: str | None = None
    thinking: str | None = None
    action: dict[str, Any] | None = None  # as the schema spells it
    action_text: str | None = None
    reply_format: str | None = None  # json | fenced | tool_call ...
    assumed: tuple[str, ...] = ()  # fields the reply lacked (tool-call replies)
    pixel: tuple[int, int] | None = None
    verdict: dict[str, Any] | None = None  # the decisive verdict of the step
    primitives: tuple[PrimitiveRecord, ...] = ()
    executed: bool = False  # every primitive of the action was carried out
    error: str | None = None
    note: str | None = None  # what the model is told about how the step went
    timings: dict[str, float] = field(default_factory=dict)  # capture, model, act (seconds)
    tokens: dict[str, int | None] = field(default_factory=dict)  # prompt, completion, image
    model_notes: dict[str, Any] = field(default_factory=dict)  # the backend's: thinking_cut, prompt...
    frame: str | None = None  # frames/0001.png, relative to the run folder
    frame_marked: str | None = None
    frame_withheld: str | None = None  # why no frame was written
    redacted: bool = False  # text typed into a password field was masked in this line

    @property
    def kind(self) -> str | None:
        return (self.action or {}).get("action")

    def with_(self, **changes: Any) -> StepRecord:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the line: empty optional fields are left out."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "primitives":
                value = [asdict(p) for p in value]
            elif isinstance(value, tuple):
                value = list(value)
            if value in (None, (), [], {}) and f.name not in _ALWAYS:
                continue
            if f.name == "redacted" and not value:
                continue
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StepRecord:
        """A line read back; unknown keys are ignored, wrong types replaced by defaults."""
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = _coerce(f.name, data[f.name])
            if value is not _BAD:
                kwargs[f.name] = value
        if not isinstance(kwargs.get("step"), int):
            kwargs["step"] = 0
        return cls(**kwargs)


# Written even when empty: readers (and people) look for them on every line.
_ALWAYS = frozenset({"step", "action", "verdict", "executed", "error", "raw_reply", "frame", "frame_marked"})
_BAD = object()


def _coerce(name: str, value: Any) -> Any:
    """A JSON value as the field's type, or _BAD (then the field keeps its default)."""
    match name:
        case "step" | "attempt":
            return value if isinstance(value, int) and not isinstance(value, bool) else _BAD
        case "time":
            return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else _BAD
        case "screen" | "model_image" | "pixel":
            ok = isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)
            return tuple(value) if ok else _BAD
        case "action" | "verdict":
            return value if isinstance(value, dict) else _BAD
        case "timings" | "tokens" | "model_notes":
            return dict(value) if isinstance(value, dict) else _BAD
        case "assumed":
            return tuple(str(v) for v in value) if isinstance(value, list) else _BAD
        case "primitives":
            if not isinstance(value, list):
                return _BAD
            return tuple(PrimitiveRecord(str(p.get("primitive", "")),
                                         p["effect"] if isinstance(p.get("effect"), dict) else None,
                                         p["verdict"] if isinstance(p.get("verdict"), dict) else {},
                                         bool(p.get("executed")))
                         for p in value if isinstance(p, dict))
        case "executed" | "redacted":
            return bool(value)
    return value if isinstance(value, str) else _BAD
