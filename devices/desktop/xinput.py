"""The pointer through XTest directly, and the screen layout's change notifications (X11 only).

pyautogui (built on the same python-xlib) spends a dozen X round trips per click: a fail-safe
position query per call, a position query to fill in defaults, and a `sync` after every fake
event. Here a click is one position query (the fail-safe: the person's pointer resting in a
corner stops the run) and one `sync` after all its events, so the server has applied them before
`perform` returns.

The same connection listens for RandR notifications, so a capture re-reads the monitor layout only
after the server said it changed, instead of asking the server (several round trips) every frame.
"""

from __future__ import annotations

import contextlib
from typing import Any

from actions.errors import UsageError

WHEEL = {"up": 4, "down": 5, "left": 6, "right": 7}  # X's wheel buttons
BUTTONS = {"left": 1, "middle": 2, "right": 3}  # physical buttons, as pyautogui numbers them


class XInput:
    """One X connection: fake pointer input (XTest) and layout-change notifications (RandR)."""

    def __init__(self, display: str) -> None:
        from Xlib import X
        from Xlib.display import Display

        try:
            self._x: Any = Display(display)
        except Exception as err:  # python-xlib's DisplayError family and socket errors
            raise UsageError(f"cannot connect to the X display {display}: {err}") from None
        if not self._x.has_extension("XTEST"):
            self._x.close()
            raise UsageError(f"the X display {display} has no XTEST extension: pointer input "
                             "cannot be sent to it")
        self._X = X
        self._root = self._x.screen().root
        self._watching = self._x.has_extension("RANDR")
        if self._watching:
            from Xlib.ext import randr

            self._root.xrandr_select_input(randr.RRScreenChangeNotifyMask | randr.RRCrtcChangeNotifyMask
                                           | randr.RROutputChangeNotifyMask)
            self._x.sync()

    def layout_changed(self) -> bool:
        """Did the server announce a layout change since the last call? Reads what already
        arrived on the socket, without a round trip. Without RandR nobody announces anything, so
        the answer is always yes (the caller re-reads)."""
        if not self._watching:
            return True
        changed = False
        while self._x.pending_events():
            self._x.next_event()
            changed = True
        return changed

    def position(self) -> tuple[int, int]:
        reply = self._root.query_pointer()
        return reply.root_x, reply.root_y

    def move(self, x: int, y: int) -> None:
        self._fake(self._X.MotionNotify, x=x, y=y)

    def press(self, button: int) -> None:
        self._fake(self._X.ButtonPress, button)

    def release(self, button: int) -> None:
        self._fake(self._X.ButtonRelease, button)

    def click(self, button: int, count: int = 1) -> None:
        for _ in range(count):
            self.press(button)
            self.release(button)

    def flush(self) -> None:
        """Send what is queued without waiting (between the steps of a drag)."""
        self._x.flush()

    def sync(self) -> None:
        """Wait until the server has processed every event sent so far (one round trip)."""
        self._x.sync()

    def close(self) -> None:
        with contextlib.suppress(Exception):  # the server may be gone already: nothing to release
            self._x.close()

    def _fake(self, event: int, detail: int = 0, x: int = 0, y: int = 0) -> None:
        self._x.xtest_fake_input(event, detail, x=x, y=y)
