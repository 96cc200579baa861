"""What a screen is made of: frozen widgets that know their bounds and what touching them does.

A screen is one ordered tuple of widgets, bottom to top. The renderer draws exactly that tuple and
`hit` reads exactly that tuple, so what the model sees and what a tap reaches cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

Color = str | tuple[int, int, int]  # a palette role name or a literal RGB


@dataclass(frozen=True)
class Rect:
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def center(self) -> tuple[int, int]:
        return (self.x0 + self.x1) // 2, (self.y0 + self.y1) // 2

    @property
    def empty(self) -> bool:
        return self.x1 <= self.x0 or self.y1 <= self.y0

    def contains(self, x: int, y: int) -> bool:
        return self.x0 <= x < self.x1 and self.y0 <= y < self.y1

    def intersect(self, other: Rect) -> Rect:
        return Rect(max(self.x0, other.x0), max(self.y0, other.y0),
                    min(self.x1, other.x1), min(self.y1, other.y1))

    def shift(self, dx: int = 0, dy: int = 0) -> Rect:
        return Rect(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)

    def inset(self, d: int) -> Rect:
        return Rect(self.x0 + d, self.y0 + d, self.x1 - d, self.y1 - d)


@dataclass(frozen=True)
class Intent:
    """What a touch does, as data (applied by `interact.apply`): e.g. Intent("toggle", "wifi")."""

    kind: str
    arg: Any = None


@dataclass(frozen=True)
class Slide:
    """A drag along `axis` that does something once it travels `distance` pixels: a "slide to
    pay" thumb (rightwards only) or a swipe-to-delete card (`both_ways`). A shorter drag, or one
    across the axis (a scroll that merely starts on it), does nothing to it."""

    intent: Intent
    distance: int
    axis: str = "x"
    both_ways: bool = False

    def fires(self, dx: int, dy: int) -> bool:
        along, across = (dx, dy) if self.axis == "x" else (dy, dx)
        if abs(across) >= abs(along):
            return False
        return (abs(along) if self.both_ways else along) >= self.distance


@dataclass(frozen=True, kw_only=True)
class Widget:
    rect: Rect
    label: str | None = None  # what a person would call it; `SimPhone.locate` finds it by this
    tap: Intent | None = None
    long_press: Intent | None = None
    slide: Slide | None = None  # what a drag starting on it does
    blocks: bool = False  # swallows touches that miss every tappable widget above it
    clip: Rect | None = None  # the scrolling viewport it is drawn inside, if any

    @property
    def visible(self) -> Rect:
        return self.rect.intersect(self.clip) if self.clip else self.rect

    @property
    def touchable(self) -> bool:
        return self.tap is not None or self.long_press is not None or self.slide is not None


@dataclass(frozen=True, kw_only=True)
class Box(Widget):
    """A filled (rounded) rectangle or circle; with no fill, just a touch target."""

    fill: Color | None = None
    radius: int = 0
    outline: Color | None = None
    outline_width: int = 0
    circle: bool = False
    alpha: int = 255  # < 255 only for scrims (plain rectangles)


@dataclass(frozen=True, kw_only=True)
class Text(Widget):
    """Lines of text drawn from the rect's top-left (or centred / right-aligned in it)."""

    lines: tuple[str, ...]
    px: int
    color: Color = "on_surface"
    bold: bool = False
    align: str = "left"  # left | center | right
    line_h: int = 0  # 0: single line, vertically centred in rect
    shadow: bool = False  # launcher labels sit on a wallpaper


@dataclass(frozen=True, kw_only=True)
class Glyph(Widget):
    """A vector icon drawn by `glyphs.draw_glyph` in the rect (optionally on a coloured disc)."""

    name: str
    color: Color = "on_surface_variant"
    disc: Color | None = None
    letter: str = ""  # fallback glyph for app icons without a drawing


@dataclass(frozen=True, kw_only=True)
class Switch(Widget):
    on: bool
    enabled: bool = True


@dataclass(frozen=True, kw_only=True)
class Slider(Widget):
    """A track the finger can drag: `key` is the state setting, `steps` the allowed values."""

    key: str
    value: float
    lo: float
    hi: float
    steps: tuple[float, ...] = ()
    dark_track: bool = False  # on the quick settings shade

    @property
    def touchable(self) -> bool:
        return True

    def value_at(self, x: int) -> float:
        pad = self.rect.height // 2
        span = max(1, self.rect.width - 2 * pad)
        frac = min(1.0, max(0.0, (x - self.rect.x0 - pad) / span))
        raw = self.lo + frac * (self.hi - self.lo)
        if self.steps:
            return min(self.steps, key=lambda s: abs(s - raw))
        return round(raw)


@dataclass(frozen=True, kw_only=True)
class Field(Widget):
    """A text field: hint when empty, a cursor when focused."""

    field_id: str
    text: str
    hint: str
    focused: bool
    px: int
    multiline: bool = False
    fill: Color = "surface_high"
    radius: int = 0


@dataclass(frozen=True, kw_only=True)
class Image(Widget):
    """A pre-rendered picture keyed by name (the wallpaper), drawn by the renderer's cache."""

    name: str
    params: tuple[Any, ...] = field(default_factory=tuple)


def clipped(widgets: list[Widget], viewport: Rect, dy: int) -> list[Widget]:
    """Move content widgets by the scroll offset and clip them to the viewport, dropping hidden ones."""
    out: list[Widget] = []
    for w in widgets:
        moved = replace(w, rect=w.rect.shift(dy=dy), clip=viewport)
        if not moved.visible.empty:
            out.append(moved)
    return out


def hit(widgets: tuple[Widget, ...], x: int, y: int) -> Widget | None:
    """The topmost touchable widget at (x, y), unless something opaque above it is in the way."""
    for w in reversed(widgets):
        if not w.visible.contains(x, y):
            continue
        if w.touchable:
            return w
        if w.blocks:
            return None
    return None
