"""`SimPhone`: the built-in simulated Android phone, a `Device` whose state can be read."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PIL import Image

from actions import (
    Action,
    Back,
    DoubleTap,
    Home,
    Key,
    LongPress,
    OpenApp,
    Scroll,
    Swipe,
    Tap,
    Type,
    grid_to_pixels,
    pixels_to_grid,
)
from actions.coords import Size
from actions.errors import DeviceError, UsageError
from devices.base import Target, reject_kind
from devices.sim import interact, truth
from devices.sim.drift import Drift
from devices.sim.render import render
from devices.sim.screens import build, theme_for
from devices.sim.state import PhoneState, build_state, is_password_field
from devices.sim.ui import Layout
from devices.sim.widgets import Field, Slider, Text, Widget, hit


class SimPhone:
    """A 1080x2400 Android 14-like phone drawn with Pillow, in English or Chinese.

    `state` overrides any key of `state()` at start (unknown keys raise `UsageError`); `screen`
    is the starting screen id (e.g. "settings/bluetooth"). Screenshots are deterministic: the clock
    is fixed and nothing animates.
    """

    name = "sim"

    def __init__(self, lang: str = "en", screen: str = "home", state: dict[str, Any] | None = None,
                 size: tuple[int, int] = (1080, 2400), clock: str = "9:41") -> None:
        if (len(size) != 2 or not all(isinstance(v, int) and v >= 320 for v in size)
                or size[1] < size[0]):
            raise UsageError(f"bad sim screen size {size!r}; use a portrait (width, height) in pixels")
        self._size = Size(*size)
        self._clock = clock
        self._state: PhoneState = build_state(lang, screen, state)
        if "focused_field" not in (state or {}):
            interact.autofocus(self._state)
        self._layout: Layout | None = None
        self._frame: Image.Image | None = None
        self._closed = False
        self.drift: Drift | None = None  # a changed layout, for verified-replay tests

    # --- Device -------------------------------------------------------------------------------

    def size(self) -> Size:
        return self._size

    def screenshot(self) -> Image.Image:
        self._check_open()
        if self._frame is None:
            self._frame = render(self.layout().widgets, theme_for(self._state, self._size))
        return self._frame.copy()

    def execute(self, action: Action) -> None:
        self._check_open()
        try:
            self._execute(action)
        finally:
            self._layout = None
            self._frame = None

    def close(self) -> None:
        self._closed = True

    # --- Stateful and helpers for tests and scenarios -----------------------------------------

    def state(self) -> dict[str, Any]:
        return self._state.public()

    def layout(self) -> Layout:
        """The widgets of the current frame (what is drawn and what touches reach)."""
        if self._layout is None:
            self._layout = build(self._state, self._size, self._clock)
            if self.drift is not None:
                self._layout = replace(self._layout, widgets=self.drift.apply(self._layout.widgets))
        return self._layout

    def locate(self, label: str) -> tuple[int, int]:
        """The 0-1000 grid point of the visible widget labelled `label` (any case)."""
        wanted = label.casefold()
        for w, point in self._reachable():
            if w.label is not None and w.label.casefold() == wanted:
                return point
        raise LookupError(f"no visible widget labelled {label!r} on {self._state.screen!r}; "
                          f"visible: {', '.join(self.labels())}")

    def describe_target(self, point: tuple[int, int] | None, kind: str = "tap") -> Target | None:
        """What an action of `kind` at `point` really reaches (see `devices.base.Device`)."""
        return truth.describe(self._state, self.layout().widgets,
                              None if point is None else self._px(point), kind)

    def password_regions(self) -> list[tuple[int, int, int, int]]:
        """Pixel boxes (x0, y0, x1, y1) of the password fields on screen now: what `--redact`
        blacks out of saved frames (see `devices.base.Device`)."""
        out = []
        for w in self.layout().widgets:
            if isinstance(w, Field) and is_password_field(w.field_id) and not w.visible.empty:
                r = w.visible
                out.append((r.x0, r.y0, r.x1, r.y1))
        return out

    def screen_texts(self) -> list[str]:
        """The text drawn on the screen now, top to bottom: what `expect.text` looks for (see
        `devices.base.Device`). Password fields are left out."""
        found = []
        for w in self.layout().widgets:
            if w.visible.empty:
                continue
            if isinstance(w, Text):
                found.append((w.rect.y0, w.rect.x0, " ".join(w.lines)))
            elif isinstance(w, Field) and not is_password_field(w.field_id):
                found.append((w.rect.y0, w.rect.x0, w.text or w.hint))
        return [text for _, _, text in sorted(found, key=lambda t: (t[0], t[1])) if text]

    def labels(self) -> list[str]:
        """Labels of the widgets a tap can reach now, top to bottom."""
        seen: dict[str, tuple[int, int]] = {}
        for w, point in self._reachable():
            if w.label is not None and w.label not in seen:
                seen[w.label] = point
        return sorted(seen, key=lambda k: (seen[k][1], seen[k][0]))

    def _reachable(self) -> list[tuple[Widget, tuple[int, int]]]:
        """Labelled widgets whose centre, as a grid point, hits the widget itself."""
        widgets = self.layout().widgets
        out = []
        for w in reversed(widgets):
            if w.label is None or not w.touchable or w.visible.empty:
                continue
            point = pixels_to_grid(w.visible.center, self._size)
            if hit(widgets, *grid_to_pixels(point, self._size)) is w:
                out.append((w, point))
        return out

    # --- actions ------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise DeviceError("the simulated phone is closed")

    def _px(self, point: tuple[int, int]) -> tuple[int, int]:
        return tuple(grid_to_pixels(point, self.size()))  # type: ignore[return-value]

    def _execute(self, action: Action) -> None:
        st = self._state
        match action:
            case Tap(coordinates=point):
                self._tap(self._px(point))
            case DoubleTap(coordinates=point):
                self._tap(self._px(point))
                self._layout = None
                self._tap(self._px(point))
            case LongPress(coordinates=point):
                w = hit(self.layout().widgets, *self._px(point))
                if w is not None and w.long_press is not None:
                    interact.apply(st, w.long_press)
            case Swipe(coordinates=start, to=end):
                self._swipe(self._px(start), self._px(end))
            case Scroll(direction=direction):
                if direction in ("up", "down") and st.popup is None:
                    step = round(self._size.height * 0.45)
                    self._scroll_by(step if direction == "down" else -step)
            case Type(text=text, coordinates=point):
                if point is not None:
                    self._tap(self._px(point))
                interact.insert(st, text)
            case Key(key=key):
                interact.press_key(st, key)
            case Back():
                interact.back(st)
            case Home():
                interact.home(st)
            case OpenApp(app=app):
                interact.open_app(st, app)
            case _:
                reject_kind(action)

    def _tap(self, p: tuple[int, int]) -> None:
        w = hit(self.layout().widgets, *p)
        if isinstance(w, Slider):
            interact.set_value(self._state, w.key, w.value_at(p[0]))
        elif w is not None and w.tap is not None:
            interact.apply(self._state, w.tap)

    def _swipe(self, a: tuple[int, int], b: tuple[int, int]) -> None:
        st = self._state
        edge = round(self._size.width * 0.045)  # a finger's width
        dy, dx = b[1] - a[1], b[0] - a[0]
        pulled_down = dy > edge and abs(dy) > abs(dx)
        if a[1] <= theme_for(st, self._size).status_h + edge and pulled_down and st.popup is None:
            st.popup = {"kind": "quick_settings"}
            st.focused_field = None
            return
        w = hit(self.layout().widgets, *a)
        if isinstance(w, Slider):
            interact.set_value(st, w.key, w.value_at(b[0]))
        elif st.popup is not None:
            if st.popup.get("kind") == "quick_settings" and -dy > edge:
                st.popup = None  # pushing the shade back up
        elif abs(dy) > abs(dx):
            self._scroll_by(-dy)  # content follows the finger

    def _scroll_by(self, delta: int) -> None:
        layout = self.layout()
        offset = max(0, min(layout.max_scroll, layout.scroll + delta))
        self._state.scroll[self._state.screen] = offset
