"""`SimPhone`: the built-in simulated Android phone, a `Device` whose state can be read."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from PIL import Image

from actions import grid_to_pixels, pixels_to_grid
from actions.coords import Size
from actions.errors import UsageError
from devices import primitives as p
from devices.base import Effect
from devices.errors import ActionFailed, DeviceError
from devices.sim import interact, truth
from devices.sim.drift import Drift
from devices.sim.render import render
from devices.sim.screens import build, theme_for
from devices.sim.state import PhoneState, build_state, is_password_field
from devices.sim.ui import Layout
from devices.sim.widgets import Field, Intent, Slider, Text, Widget, hit


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

    def perform(self, primitive: p.Primitive) -> None:
        self._check_open()
        try:
            self._perform(primitive)
        finally:
            self._layout = None
            self._frame = None

    def close(self) -> None:
        self._closed = True

    # --- Stateful and helpers for tests and scenarios -----------------------------------------

    def state(self) -> dict[str, Any]:
        return self._state.public()

    def clone(self) -> SimPhone:
        """An independent phone in the same state (for searching many actions from one state):
        the state is copied; the current layout, frozen, is shared until either phone acts."""
        twin = copy.copy(self)
        twin._state = copy.deepcopy(self._state)
        return twin

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

    def effect(self, primitive: p.Primitive) -> Effect:
        """What `primitive` would really do on the screen now (see `devices.base.KnowsEffects`)."""
        self._check_open()
        px = {point: self._px(point) for point in p.points(primitive)}
        return truth.effect(self._state, self.layout().widgets, primitive, px,
                            theme_for(self._state, self._size).status_h, self._edge())

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

    def _edge(self) -> int:
        return round(self._size.width * 0.045)  # a finger's width

    def _perform(self, primitive: p.Primitive) -> None:
        st = self._state
        match primitive:
            case p.Press(button=button) if button != "left":
                raise ActionFailed(f"a phone has no {button} mouse button; tap or long-press instead")
            case p.Press(point=point, count=count):
                for _ in range(count):
                    self._tap(self._px(point))
                    self._layout = None  # a repeated tap lands on what the first one left
            case p.Hold(point=point):
                w = hit(self.layout().widgets, *self._px(point))
                if w is not None and w.long_press is not None:
                    interact.apply(st, w.long_press)
            case p.Drag(start=start, end=end):
                self._drag(self._px(start), self._px(end))
            case p.Wheel(direction=direction):
                if direction in ("up", "down") and st.popup is None:
                    step = round(self._size.height * 0.45)
                    self._scroll_by(step if direction == "down" else -step)
            case p.Hover():
                raise ActionFailed("a phone's touch screen has no pointer to move; tap instead")
            case p.Text(text=text):
                interact.insert(st, text)
            case p.KeyPress(key=key):
                interact.press_key(st, key)
            case p.SystemButton(name="back"):
                interact.back(st)
            case p.SystemButton(name="home"):
                interact.home(st)
            case p.Launch(app=app):
                interact.open_app(st, app)
            case _:
                raise ValueError(f"not a primitive: {primitive!r}")

    def _tap(self, px: tuple[int, int]) -> None:
        w = hit(self.layout().widgets, *px)
        if isinstance(w, Slider):
            interact.set_value(self._state, w.key, w.value_at(px[0]))
        elif w is not None and w.tap is not None:
            interact.apply(self._state, w.tap)

    def _drag(self, a: tuple[int, int], b: tuple[int, int]) -> None:
        st = self._state
        what, arg = truth.gesture(st, self.layout().widgets, a, b,
                                  theme_for(st, self._size).status_h, self._edge())
        if what == "shade":
            st.popup = {"kind": "quick_settings"}
            st.focused_field = None
        elif what == "slider" and isinstance(arg, Slider):
            interact.set_value(st, arg.key, arg.value_at(b[0]))
        elif what == "slide" and isinstance(arg, Intent):
            interact.apply(st, arg)
        elif what == "close_shade":
            st.popup = None  # pushing the shade back up
        elif what == "scroll":
            self._scroll_by(a[1] - b[1])  # content follows the finger

    def _scroll_by(self, delta: int) -> None:
        layout = self.layout()
        offset = max(0, min(layout.max_scroll, layout.scroll + delta))
        self._state.scroll[self._state.screen] = offset
