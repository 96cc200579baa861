"""One small frozen type per action kind, built only from schema-valid dicts.

`Action` is the union; code dispatches on it with `match` and rejects unknown kinds loudly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar, Literal

Point = tuple[int, int]
Direction = Literal["up", "down", "left", "right"]


@dataclass(frozen=True)
class _Base:
    kind: ClassVar[str]
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        """The action as the schema spells it (optional fields left out when unset)."""
        out: dict[str, Any] = {"action": self.kind}
        for key, value in asdict(self).items():
            if value is None:
                continue
            out[key] = list(value) if isinstance(value, tuple) else value
        # Keep the schema's field order stable and readable: action first, confidence last.
        conf = out.pop("confidence")
        out["confidence"] = conf
        return out

    @property
    def target(self) -> Point | None:
        """The grid point the action acts on, if any."""
        return getattr(self, "coordinates", None)

    def describe(self) -> str:
        """A short human line, e.g. `tap "Bluetooth toggle" @ (870, 233)`."""
        parts = [self.kind]
        element = getattr(self, "element", None)
        if element:
            parts.append(f'"{element}"')
        for name in ("direction", "app", "key"):
            value = getattr(self, name, None)
            if value:
                parts.append(str(value))
        text = getattr(self, "text", None)
        if text:
            parts.append(repr(text if len(text) <= 40 else text[:37] + "..."))
        if self.target is not None:
            parts.append(f"@ ({self.target[0]}, {self.target[1]})")
        to = getattr(self, "to", None)
        if to is not None:
            parts.append(f"-> ({to[0]}, {to[1]})")
        seconds = getattr(self, "seconds", None)
        if seconds is not None:
            parts.append(f"{seconds:g}s")
        return " ".join(parts)


@dataclass(frozen=True)
class Tap(_Base):
    kind: ClassVar[str] = "tap"
    element: str
    coordinates: Point


@dataclass(frozen=True)
class DoubleTap(_Base):
    kind: ClassVar[str] = "double_tap"
    element: str
    coordinates: Point


@dataclass(frozen=True)
class TripleClick(_Base):
    kind: ClassVar[str] = "triple_click"
    element: str
    coordinates: Point


@dataclass(frozen=True)
class RightClick(_Base):
    kind: ClassVar[str] = "right_click"
    element: str
    coordinates: Point


@dataclass(frozen=True)
class MiddleClick(_Base):
    kind: ClassVar[str] = "middle_click"
    element: str
    coordinates: Point


@dataclass(frozen=True)
class MouseMove(_Base):
    """Hover: the pointer moves onto the element, nothing is clicked."""

    kind: ClassVar[str] = "mouse_move"
    element: str
    coordinates: Point


@dataclass(frozen=True)
class LongPress(_Base):
    kind: ClassVar[str] = "long_press"
    element: str
    coordinates: Point
    seconds: float | None = None


@dataclass(frozen=True)
class Swipe(_Base):
    kind: ClassVar[str] = "swipe"
    element: str
    coordinates: Point
    to: Point


@dataclass(frozen=True)
class Scroll(_Base):
    kind: ClassVar[str] = "scroll"
    direction: Direction
    element: str | None = None
    coordinates: Point | None = None


@dataclass(frozen=True)
class Type(_Base):
    kind: ClassVar[str] = "type"
    text: str
    element: str | None = None
    coordinates: Point | None = None


@dataclass(frozen=True)
class Key(_Base):
    kind: ClassVar[str] = "key"
    key: str


@dataclass(frozen=True)
class Back(_Base):
    kind: ClassVar[str] = "back"


@dataclass(frozen=True)
class Home(_Base):
    kind: ClassVar[str] = "home"


@dataclass(frozen=True)
class OpenApp(_Base):
    kind: ClassVar[str] = "open_app"
    app: str


@dataclass(frozen=True)
class Wait(_Base):
    kind: ClassVar[str] = "wait"
    seconds: float


@dataclass(frozen=True)
class AskUser(_Base):
    kind: ClassVar[str] = "ask_user"
    text: str


@dataclass(frozen=True)
class Done(_Base):
    kind: ClassVar[str] = "done"
    text: str


Action = (
    Tap | DoubleTap | TripleClick | RightClick | MiddleClick | MouseMove | LongPress | Swipe | Scroll
    | Type | Key | Back | Home | OpenApp | Wait | AskUser | Done
)

ACTION_TYPES: dict[str, type[_Base]] = {
    cls.kind: cls
    for cls in (Tap, DoubleTap, TripleClick, RightClick, MiddleClick, MouseMove, LongPress, Swipe,
                Scroll, Type, Key, Back, Home, OpenApp, Wait, AskUser, Done)
}

# Kinds that act on a point and name it (element and coordinates required).
POINTER_KINDS = frozenset({"tap", "double_tap", "triple_click", "right_click", "middle_click", "mouse_move",
                           "long_press", "swipe"})


def from_dict(data: dict[str, Any]) -> Action:
    """Build the typed action from a dict that already passed schema validation."""
    cls = ACTION_TYPES[data["action"]]
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name in data:
            value = data[f.name]
            kwargs[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**kwargs)  # type: ignore[return-value]
