"""Recording a person on an X desktop: every client's pointer and key events, through the X RECORD
extension (python-xlib, already installed with pyautogui), with the screen before each action.

Button 1 press -> release is a tap, long press or swipe (`devices.recording.touch_action`, in
screen pixels, which on X are the pointer's); wheel buttons are scrolls; printable keys typed in a
row become one `type`; Return, BackSpace, Tab, Escape and arrows are `key`s. The Pause key (or
Ctrl-C, or `stop()`) ends the recording. An X desktop has no UI tree saying which field takes a
password, so the person says so: what is typed between two presses of Scroll Lock (or up to the
next Return, Tab or click) becomes one hand-over step, its text never kept. RECORD sees input from any source — a hand, xdotool —
without grabbing it, so the person's desktop works as usual while being recorded.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any

from PIL import Image

from actions import Action, Key, Scroll, Type
from devices.recording import DemoEvent, secret_event, touch_action

STOP_KEY = "Pause"
PRIVATE_KEY = "Scroll_Lock"  # pressed before and after typing a password
KEY_NAMES = {"Return": "enter", "KP_Enter": "enter", "BackSpace": "delete", "Tab": "tab",
             "Escape": "escape", "Up": "up", "Down": "down", "Left": "left", "Right": "right"}
WHEEL = {4: "up", 5: "down"}
MODIFIERS = {"Shift_L", "Shift_R", "Control_L", "Control_R", "Alt_L", "Alt_R", "Super_L", "Super_R",
             "Caps_Lock", "ISO_Level3_Shift", "Meta_L", "Meta_R"}


class DesktopRecorder:
    """`run()` records until the stop key, `stop()` or Ctrl-C and returns the events. `captures`
    counts screenshots taken (one after each action, once `settle` has passed): a caller driving
    the desktop can wait for it before its next action, like a person looking at the screen."""

    def __init__(self, display: str | None = None, settle: float = 0.3) -> None:
        from devices.desktop import DesktopDevice

        self.device = DesktopDevice(display=display, settle=0.0, app_settle=0.0)
        self.display_name = display
        self.settle = settle
        self.captures = 0
        self.ready = threading.Event()
        self._queue: queue.Queue[tuple[Any, ...] | None] = queue.Queue()
        self._stopped = threading.Event()
        self._ctx: Any = None
        self._control: Any = None

    def stop(self) -> None:
        self._stopped.set()
        self._queue.put(None)

    def run(self, seconds: float | None = None) -> list[DemoEvent]:
        from Xlib import display as xdisplay

        from devices.desktop.xdisplay import ensure_xauthority

        ensure_xauthority()
        name = self.device_display()
        self._control = xdisplay.Display(name)
        listener = threading.Thread(target=self._listen, args=(name,), daemon=True)
        listener.start()
        events: list[DemoEvent] = []
        try:
            events = self._consume(seconds)
        except KeyboardInterrupt:
            pass  # Ctrl-C ends the demonstration; what was done so far is the recording
        finally:
            if self._ctx is not None:
                self._control.record_disable_context(self._ctx)
                self._control.flush()
            listener.join(timeout=5)
            self._control.close()
            self.device.close()
        return events

    def device_display(self) -> str:
        import os

        return self.display_name or os.environ.get("DISPLAY", ":0")

    # --- the listener thread: X events -> queue ----------------------------------------------------

    def _listen(self, name: str) -> None:
        from Xlib import X
        from Xlib import display as xdisplay
        from Xlib.ext import record
        from Xlib.protocol import rq

        conn = xdisplay.Display(name)
        self._ctx = conn.record_create_context(0, [record.AllClients], [{
            "core_requests": (0, 0), "core_replies": (0, 0), "ext_requests": (0, 0, 0, 0),
            "ext_replies": (0, 0, 0, 0), "delivered_events": (0, 0),
            "device_events": (X.KeyPress, X.ButtonRelease), "errors": (0, 0),
            "client_started": False, "client_died": False}])

        def on_reply(reply: Any) -> None:
            if reply.category != record.FromServer or reply.client_swapped or not reply.data:
                return
            data = reply.data
            while data:
                event, data = rq.EventField(None).parse_binary_value(data, conn.display, None, None)
                if event.type in (X.KeyPress, X.KeyRelease):
                    shifted = 1 if event.state & X.ShiftMask else 0
                    keysym = conn.keycode_to_keysym(event.detail, shifted)
                    self._queue.put(("key", event.type == X.KeyPress, keysym, conn.lookup_string(keysym)))
                else:
                    self._queue.put(("button", event.type == X.ButtonPress, event.detail,
                                     (event.root_x, event.root_y), event.time / 1000))

        self.ready.set()
        try:
            conn.record_enable_context(self._ctx, on_reply)  # blocks until disabled
            conn.record_free_context(self._ctx)
        finally:
            conn.close()
            self._queue.put(None)

    # --- the main thread: queue -> actions, with frames ------------------------------------------

    def _consume(self, seconds: float | None) -> list[DemoEvent]:
        from Xlib import XK

        self.ready.wait(timeout=10)
        frame = self._capture()
        events: list[DemoEvent] = []
        text, text_frame = "", frame
        # Between two presses of the private key, typing is a password: one hand-over, no text.
        private, typed_private, withhold = False, False, False
        pressed: tuple[tuple[int, int], float, Image.Image] | None = None
        deadline = None if seconds is None else time.monotonic() + seconds

        def flush() -> None:
            nonlocal text, private, typed_private, withhold
            if text:
                events.append(DemoEvent(Type(text=text, confidence=1.0), text_frame))
                text = ""
            if typed_private:  # the screen after a password is not kept either
                events.append(secret_event(text_frame))
                withhold = True
            private = typed_private = False

        def emit(action: Action, before: Image.Image) -> Image.Image:
            nonlocal withhold
            flush()
            events.append(DemoEvent(action, None if withhold else before))
            withhold = False
            time.sleep(self.settle)
            return self._capture()

        while not self._stopped.is_set() and (deadline is None or time.monotonic() < deadline):
            try:
                item = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            if item is None:
                break
            size = self.device.size()
            if item[0] == "button":
                _, down, button, point, stamp = item
                if button in WHEEL and down:
                    frame = emit(Scroll(direction=WHEEL[button], confidence=1.0), frame)  # type: ignore[arg-type]
                elif button == 1 and down:
                    pressed = (point, stamp, frame)
                elif button == 1 and pressed is not None:
                    (start, t0, before), pressed = pressed, None
                    frame = emit(touch_action(start, point, stamp - t0, (size.width, size.height)), before)
                continue
            _, down, keysym, char = item
            name = _keysym_name(XK, keysym)
            if not down or name in MODIFIERS:
                continue
            if name == STOP_KEY:
                break
            if name == PRIVATE_KEY:  # the first press starts a password, the second ends it
                starting = not private
                flush()
                if starting:
                    private, text_frame = True, frame
                continue
            if private and (name == "BackSpace" or (char and char.isprintable())):
                typed_private = True
            elif name in KEY_NAMES:  # Return, Tab ... end a password as they end any typing
                frame = emit(Key(key=KEY_NAMES[name], confidence=1.0), frame)
            elif char and char.isprintable():
                if not text:
                    text_frame = frame
                text += char
        flush()
        return events

    def _capture(self) -> Image.Image:
        image = self.device.screenshot()
        self.captures += 1
        return image


def _keysym_name(xk: Any, keysym: int) -> str:
    """"Return", "Pause", "a": python-xlib has the names only as XK_ constants."""
    names = getattr(_keysym_name, "names", None)
    if names is None:
        names = {getattr(xk, n): n[3:] for n in dir(xk) if n.startswith("XK_")}
        _keysym_name.names = names  # type: ignore[attr-defined]
    return names.get(keysym, "")


def record_desktop(display: str | None = None, seconds: float | None = None) -> list[DemoEvent]:
    return DesktopRecorder(display).run(seconds)
