"""The desktop as a `Device`: capture with mss, the pointer through XTest, keys with pyautogui
(and xdotool for Unicode).

Mapping of the phone-shaped actions onto a desktop (documented for users in `DesktopDevice`):
tap = left click, double_tap = double click, long_press = press and hold the left button,
swipe = drag with the left button, scroll = mouse wheel (horizontal wheel for left/right),
back = alt+left (the "back" of browsers and file managers), home = not available (ActionFailed:
desktops have no single home screen), open_app = launch an installed application by its menu name.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from typing import Any

from PIL import Image

from actions import Size, grid_to_pixels
from actions.errors import UsageError
from devices import primitives as p
from devices.desktop import apps
from devices.desktop.keys import pyautogui_keys
from devices.desktop.xdisplay import use_display
from devices.desktop.xinput import BUTTONS, WHEEL, XInput
from devices.errors import ActionFailed, DeviceDisconnected, DeviceError, FailSafe
from devices.screen_map import ScreenMap

IS_X11 = sys.platform.startswith("linux")
BACK_KEYS = ("alt", "left")
DRAG_SECONDS = 0.3
DRAG_STEPS = 20
FAILSAFE = "fail-safe: the mouse was moved into a screen corner; run stopped"


class DesktopDevice:
    """One monitor of a desktop.

    `monitor`: None or "1" the first monitor, "2" the second, "all" (or "0") every monitor as one
    picture. `display`: an X display such as ":99" (default $DISPLAY), e.g. a sandbox started with
    `start_virtual_display`. `scale`: screenshot pixels per pointer point, only where the system
    misreports it (it is otherwise measured). `settle`: seconds to wait after each action so the
    next capture shows its effect (pyautogui's own 0.1 s pause per call is turned off); the time
    spent so is added up in `settled_s`. The fail-safe stays on: a pointer the person parked in a
    screen corner stops the run (exit 3).
    """

    def __init__(self, monitor: str | int | None = None, *, display: str | None = None,
                 scale: float | None = None, settle: float = 0.05, app_settle: float = 1.0,
                 scroll_clicks: int = 5, hold_seconds: float = 1.0) -> None:
        self._display = use_display(display) if IS_X11 else None
        self._pg = _import_pyautogui(self._display)
        self._xinput = XInput(self._display) if IS_X11 else None
        import mss

        make = getattr(mss, "MSS", None) or mss.mss
        try:
            self._sct: Any = make(display=self._display) if IS_X11 else make()
        except Exception as err:  # mss raises its own ScreenShotError and ctypes errors
            raise UsageError(f"cannot capture the screen of {self._display or 'this desktop'}: {err}") from None
        self._lock = threading.RLock()
        self._monitor_index = _monitor_index(monitor, len(self._sct.monitors))
        self.name = "desktop" if monitor in (None, "", "1", 1) else f"desktop:{monitor}"
        self.scale = scale
        self.settle = settle
        self.app_settle = app_settle
        self.scroll_clicks = scroll_clicks
        self.hold_seconds = hold_seconds
        self.settled_s = 0.0  # seconds slept in `settle` / `app_settle` so far
        self._frame: Size | None = None  # size of the last grab; on Retina it is not the monitor's
        self._closed = False

    # --- the Device protocol -------------------------------------------------------------------

    def size(self) -> Size:
        with self._lock:
            if self._frame is None:
                self.screenshot()
            assert self._frame is not None
            return self._frame

    def screenshot(self) -> Image.Image:
        with self._lock:
            self._check_open()
            monitor = self._refresh_monitor()
            try:
                shot = self._sct.grab(monitor)
            except Exception as err:
                raise self._capture_error(err) from None
            # Decoded straight from mss's own buffer: `shot.bgra` would copy all of it first.
            image = Image.frombuffer("RGB", shot.size, shot.raw, "raw", "BGRX", 0, 1)
            self._frame = Size(*image.size)
            return image

    def perform(self, primitive: p.Primitive) -> None:
        with self._lock:
            self._check_open()
            try:
                self._perform(primitive)
            except self._pg.FailSafeException:
                raise FailSafe(FAILSAFE) from None
            except _x_errors() as err:
                raise DeviceDisconnected(f"the X display {self._display} went away: {err}") from None
        self._settle(self.app_settle if isinstance(primitive, p.Launch) else self.settle)

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._sct.close()
                if self._xinput is not None:
                    self._xinput.close()

    # --- helpers the agent may use -------------------------------------------------------------

    def screen_map(self) -> ScreenMap:
        """Where the current screenshot lies in pointer space (offset and scale)."""
        with self._lock:
            return ScreenMap.for_monitor(self.size(), self._sct.monitors[self._monitor_index], self.scale)

    def pointer_point(self, grid_point: tuple[int, int]) -> tuple[int, int]:
        """Grid point -> screenshot pixel (the one grid conversion) -> pointer point."""
        pixel = grid_to_pixels(grid_point, self.size())
        return self._avoid_failsafe(self.screen_map().to_pointer(pixel))

    # --- internals -------------------------------------------------------------------------------

    def _perform(self, primitive: p.Primitive) -> None:
        pg = self._pg
        match primitive:
            case p.Press() | p.Hold() | p.Drag() | p.Wheel() | p.Hover() if self._xinput is not None:
                self._pointer(self._xinput, primitive)
            case p.Press(point=point, button=button, count=count):
                pg.click(*self.pointer_point(point), clicks=count, button=button)
            case p.Hold(point=point, seconds=seconds):
                pg.moveTo(*self.pointer_point(point))
                pg.mouseDown()
                time.sleep(self.hold_seconds if seconds is None else seconds)
                pg.mouseUp()
            case p.Drag(start=start, end=end):
                pg.moveTo(*self.pointer_point(start))
                pg.mouseDown()
                # Moving in steps (not one jump) lets the app see a drag, not a click elsewhere.
                pg.moveTo(*self.pointer_point(end), duration=DRAG_SECONDS)
                pg.mouseUp()
            case p.Wheel(point=point, direction=direction):
                pg.moveTo(*self.pointer_point(point or (500, 500)))
                clicks = self.scroll_clicks
                # "down" means: show what is below, which is the wheel turned toward the user.
                match direction:
                    case "up":
                        pg.scroll(clicks)
                    case "down":
                        pg.scroll(-clicks)
                    case "left":
                        pg.hscroll(-clicks)
                    case _:
                        pg.hscroll(clicks)
            case p.Hover(point=point):
                pg.moveTo(*self.pointer_point(point))
            case p.Text(text=text):
                self._type(text)
            case p.KeyPress(key=key):
                pg.hotkey(*pyautogui_keys(key, pg.KEYBOARD_KEYS))
            case p.SystemButton(name="back"):
                pg.hotkey(*BACK_KEYS)
            case p.SystemButton(name="home"):
                raise ActionFailed("a desktop has no home screen; open the app with open_app or "
                                   "use its window instead")
            case p.Launch(app=app):
                apps.launch(app, dict(os.environ))
            case _:
                raise ValueError(f"not a primitive: {primitive!r}")

    def _pointer(self, x: XInput, primitive: p.Primitive) -> None:
        """A pointer primitive as XTest events, sent together and synced once (X11)."""
        width, height = self._root_size()
        if x.position() in {(0, 0), (0, height - 1), (width - 1, 0), (width - 1, height - 1)}:
            raise FailSafe(FAILSAFE)
        match primitive:
            case p.Press(point=point, button=button, count=count):
                x.move(*self.pointer_point(point))
                x.click(BUTTONS[button], count)
            case p.Hold(point=point, seconds=seconds):
                x.move(*self.pointer_point(point))
                x.press(1)
                x.sync()
                time.sleep(self.hold_seconds if seconds is None else seconds)
                x.release(1)
            case p.Drag(start=start, end=end):
                (x0, y0), (x1, y1) = self.pointer_point(start), self.pointer_point(end)
                x.move(x0, y0)
                x.press(1)
                # Moving in steps (not one jump) lets the app see a drag, not a click elsewhere.
                for i in range(1, DRAG_STEPS + 1):
                    x.flush()
                    time.sleep(DRAG_SECONDS / DRAG_STEPS)
                    x.move(round(x0 + (x1 - x0) * i / DRAG_STEPS), round(y0 + (y1 - y0) * i / DRAG_STEPS))
                x.release(1)
            case p.Wheel(point=point, direction=direction):
                # "down" means: show what is below, which is the wheel turned toward the user.
                x.move(*self.pointer_point(point or (500, 500)))
                x.click(WHEEL[direction], self.scroll_clicks)
            case p.Hover(point=point):
                x.move(*self.pointer_point(point))
        x.sync()

    def _type(self, text: str) -> None:
        """Type `text` into the focused window, Unicode included.

        pyautogui's `write` only knows ASCII keys. On X11, `xdotool type` maps each other character
        onto a spare key code; a pause between keys lets the app see the new mapping (with no delay
        Tk dropped every Chinese character; with 12 ms, on a loaded machine, the first one). The clipboard (xclip/xsel + ctrl+v) is the fallback:
        it works in most apps but replaces what the person had copied.
        """
        if text.isascii():
            self._pg.write(text)
            return
        if IS_X11 and shutil.which("xdotool"):
            _run(["xdotool", "type", "--delay", "30", "--", text], text)
            return
        clip = _clipboard_command()
        if IS_X11 and clip:
            _run(clip, text, stdin=text)
            self._pg.hotkey("ctrl", "v")
            return
        raise ActionFailed("typing non-ASCII text needs xdotool or xclip on this desktop "
                           "(Debian/Ubuntu: sudo apt install xdotool)")

    def _avoid_failsafe(self, point: tuple[int, int]) -> tuple[int, int]:
        """Keep the agent's own pointer off the four corner pixels.

        pyautogui stops when the pointer *rests* in a corner; if the agent itself parked it there
        (grid 1000,0 is the top-right pixel) its next action would be refused. One pixel inward
        keeps the fail-safe for the person alone.
        """
        width, height = self._root_size()
        x, y = point
        if (x, y) in {(0, 0), (0, height - 1), (width - 1, 0), (width - 1, height - 1)}:
            x += 1 if x == 0 else -1
        return x, y

    def _settle(self, seconds: float) -> None:
        if seconds > 0:
            t0 = time.monotonic()
            time.sleep(seconds)
            self.settled_s += time.monotonic() - t0

    def _root_size(self) -> tuple[int, int]:
        """The whole screen in pointer points: on X11 mss's monitor 0, kept current with the
        layout (pyautogui's figure is read once, when it connects)."""
        if self._xinput is None:
            return tuple(self._pg.size())  # type: ignore[return-value]
        root = self._sct.monitors[0]
        return root["width"], root["height"]

    def _refresh_monitor(self) -> dict:
        # Resolution or monitor layout may change between steps (xrandr, a plugged screen). mss
        # caches the layout; it is dropped (and re-read: several round trips) only when the X
        # server announced a change, or on every frame where nothing announces changes.
        # A new mss instance would cost ~50 ms.
        if hasattr(self._sct, "_monitors") and (self._xinput is None or self._xinput.layout_changed()):
            self._sct._monitors = None
        monitors = self._sct.monitors
        if self._monitor_index >= len(monitors):
            raise DeviceError(f"monitor {self._monitor_index} is gone; {len(monitors) - 1} left")
        return monitors[self._monitor_index]

    def _capture_error(self, err: Exception) -> DeviceError:
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        if "connection" in message.lower() or "display" in message.lower():
            return DeviceDisconnected(f"the X display {self._display} went away: {message}")
        return DeviceError(f"screen capture failed: {message}")

    def _check_open(self) -> None:
        if self._closed:
            raise DeviceError("the desktop device was closed")


def _x_errors() -> tuple[type[BaseException], ...]:
    """What python-xlib raises when the X server is gone (a dead connection)."""
    if not IS_X11:
        return ()
    from Xlib.error import ConnectionClosedError

    return (ConnectionClosedError, BrokenPipeError, ConnectionResetError)


def _import_pyautogui(display: str | None) -> Any:
    try:
        import pyautogui
    except ImportError:
        raise
    except Exception as err:  # python-xlib raises its own errors at import when X is unreachable
        raise UsageError(f"cannot connect to the X display {display}: {str(err).strip() or type(err).__name__}"
                         " (is it running? start a sandbox with `qwen-agent sandbox`)") from None
    pyautogui.PAUSE = 0  # explicit settle waits instead of 100 ms after every call
    pyautogui.FAILSAFE = True
    return pyautogui


def _monitor_index(monitor: str | int | None, count: int) -> int:
    """mss numbering: 0 is every monitor together, 1.. each monitor."""
    if monitor in (None, ""):
        return 1
    text = str(monitor).strip().lower()
    index = 0 if text == "all" else int(text) if text.isdigit() else -1
    if not 0 <= index < count:
        raise UsageError(f"no monitor {monitor!r}: use desktop:1 .. desktop:{count - 1} or desktop:all")
    return index


def _clipboard_command() -> list[str] | None:
    if shutil.which("xclip"):
        return ["xclip", "-selection", "clipboard", "-in"]
    if shutil.which("xsel"):
        return ["xsel", "--clipboard", "--input"]
    return None


def _run(command: list[str], text: str, stdin: str | None = None) -> None:
    # xclip stays alive to serve the clipboard: it must not inherit a pipe we wait on.
    errors = subprocess.DEVNULL if stdin is not None else subprocess.PIPE
    try:
        result = subprocess.run(command, input=stdin.encode() if stdin is not None else None,
                                stdout=subprocess.DEVNULL, stderr=errors,
                                timeout=10 + 0.05 * len(text), env=dict(os.environ))
    except subprocess.TimeoutExpired:
        raise ActionFailed(f"{command[0]} did not finish typing {len(text)} characters") from None
    if result.returncode != 0:
        reason = (result.stderr or b"").decode(errors="replace").strip().splitlines()
        raise ActionFailed(f"{command[0]} failed: {reason[-1] if reason else result.returncode}")
