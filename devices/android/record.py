"""Recording a person on an Android phone: the touchscreen's `getevent` stream turned into taps,
long presses and swipes in screen pixels (rotation-aware), each with the screen just before it.
Key taps while a password field has the keyboard (`devices.android.ime`) become one secret event.

`getevent -lp` gives each input device's axis ranges (a touch panel rarely reports in display
pixels: 0-4095 is common); `getevent -lt` streams labelled, timestamped events. One finger (slot 0)
is followed: down at the first SYN_REPORT after BTN_TOUCH DOWN / a tracking id, up at the SYN_REPORT
after the id -1. The panel reports in the phone's natural (portrait) orientation, so a point is
turned by the current rotation before it becomes a 0-1000 grid point of the screenshot.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from actions import Action, Back, Home, Key
from devices.android import ime
from devices.errors import DeviceError
from devices.recording import DemoEvent, secret_event, touch_action

_EVENT = re.compile(r"^\s*(?:\[\s*([\d.]+)\]\s*)?(/dev/input/\S+):\s+(\w+)\s+(\w+)\s+(\w+)")
_DEVICE = re.compile(r"^add device \d+: (\S+)")
_RANGE = re.compile(r"(ABS_MT_POSITION_[XY])\s*:\s*value -?\d+, min (-?\d+), max (-?\d+)")
KEYS: dict[str, Action] = {"KEY_BACK": Back(confidence=1.0), "KEY_HOME": Home(confidence=1.0),
                           "KEY_HOMEPAGE": Home(confidence=1.0), "KEY_ENTER": Key(key="enter", confidence=1.0)}
RELEASED = 0xFFFFFFFF


def parse_ranges(text: str) -> dict[str, tuple[int, int, int, int]]:
    """`getevent -lp` -> {device: (min_x, max_x, min_y, max_y)} for devices with touch axes."""
    out: dict[str, tuple[int, int, int, int]] = {}
    device, axes = "", {}
    for line in text.splitlines() + ["add device 0: END"]:
        found = _DEVICE.match(line)
        if found:
            if "ABS_MT_POSITION_X" in axes and "ABS_MT_POSITION_Y" in axes:
                out[device] = (*axes["ABS_MT_POSITION_X"], *axes["ABS_MT_POSITION_Y"])
            device, axes = found[1], {}
            continue
        for axis, lo, hi in _RANGE.findall(line):
            axes[axis] = (int(lo), int(hi))
    return out


def natural_to_display(point: tuple[float, float], natural: tuple[int, int], rotation: int) -> tuple[int, int]:
    """A natural-orientation pixel -> the pixel of the display as rotated (0-3, quarter turns)."""
    x, y = round(point[0]), round(point[1])
    w, h = natural
    return {0: (x, y), 1: (y, w - 1 - x), 2: (w - 1 - x, h - 1 - y), 3: (h - 1 - y, x)}[rotation % 4]


@dataclass(frozen=True)
class Touch:
    down: tuple[float, float]  # natural pixels
    up: tuple[float, float]
    seconds: float


@dataclass
class TouchDecoder:
    """Feeds on `getevent -lt` lines; yields a `Touch` per finger lifted and an action per key."""

    ranges: dict[str, tuple[int, int, int, int]]
    natural: tuple[int, int]
    _raw: list[float] = field(default_factory=lambda: [0.0, 0.0])
    _slot: int = 0
    _state: str = "up"  # up | going_down | down | going_up
    _down: tuple[tuple[float, float], float] | None = None

    def feed(self, line: str) -> Touch | Action | None:
        found = _EVENT.match(line)
        if not found:
            return None
        stamp, device, kind, code, value = found.groups()
        t = float(stamp) if stamp else time.monotonic()
        if kind == "EV_KEY" and code in KEYS and value == "UP":
            return KEYS[code]
        if device not in self.ranges:
            return None
        if kind == "EV_ABS" and code == "ABS_MT_SLOT":
            self._slot = int(value, 16)
        elif self._slot != 0:
            return None  # a second finger: followed no further (pinches are not recorded)
        elif kind == "EV_ABS" and code in ("ABS_MT_POSITION_X", "ABS_MT_POSITION_Y"):
            self._raw[code.endswith("Y")] = int(value, 16)
        elif (kind == "EV_ABS" and code == "ABS_MT_TRACKING_ID") or (kind == "EV_KEY" and code == "BTN_TOUCH"):
            lifted = value == "UP" or (value not in ("DOWN",) and int(value, 16) == RELEASED)
            if lifted and self._state in ("down", "going_down"):
                self._state = "going_up"
            elif not lifted and self._state == "up":
                self._state = "going_down"
        elif kind == "EV_SYN" and code == "SYN_REPORT":
            return self._sync(t)
        return None

    def _sync(self, t: float) -> Touch | None:
        here = self._pixel()
        if self._state == "going_down":
            self._state, self._down = "down", (here, t)
        elif self._state == "going_up" and self._down is not None:
            (down, t0), self._down, self._state = self._down, None, "up"
            return Touch(down, here, max(0.0, t - t0))
        return None

    def _pixel(self) -> tuple[float, float]:
        x0, x1, y0, y1 = next(iter(self.ranges.values()))
        w, h = self.natural
        return ((self._raw[0] - x0) * w / (x1 - x0 + 1), (self._raw[1] - y0) * h / (y1 - y0 + 1))


def record_touches(serial: str | None = None, *, seconds: float | None = None, host: str | None = None,
                   port: int | None = None, settle: float = 0.3) -> list[DemoEvent]:
    """Record until the stream ends, `seconds` pass, or Ctrl-C. The screen is captured after every
    touch (once it had `settle` seconds to react): that frame is the one before the next touch."""
    from devices.android import AndroidDevice

    device = AndroidDevice(serial, host=host, port=port, geometry_ttl=0.0)
    try:
        ranges = parse_ranges(device._shell("getevent -lp"))
        if not ranges:
            from actions import UsageError

            raise UsageError(f"{device.name} reports no touchscreen in `getevent -lp`")
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(target=_stream, args=(device, lines), daemon=True)
        reader.start()
        events: list[DemoEvent] = []
        # Touches while a password field has the keyboard are its keys: they spell the password.
        typing, withhold = _typing_password(device), False
        frame = device.screenshot()
        decoder = TouchDecoder(ranges, tuple(device.geometry().natural))  # type: ignore[arg-type]
        deadline = None if seconds is None else time.monotonic() + seconds
        try:
            while deadline is None or time.monotonic() < deadline:
                try:
                    line = lines.get(timeout=0.2)
                except queue.Empty:
                    continue
                if line is None:
                    break
                got = decoder.feed(line)
                if got is None:
                    continue
                touched = isinstance(got, Touch)
                if isinstance(got, Touch):
                    geo = device.geometry(fresh=True)
                    natural = (geo.natural.width, geo.natural.height)
                    size = (geo.size.width, geo.size.height)
                    got = touch_action(natural_to_display(got.down, natural, geo.rotation),
                                       natural_to_display(got.up, natural, geo.rotation), got.seconds, size)
                time.sleep(settle)
                after = _typing_password(device)
                if touched and typing and after:
                    # One hand-over for the whole password, no key positions; and the screen after
                    # it (the last character may still show) is not kept either.
                    if not (events and events[-1].secret):
                        events.append(secret_event(frame))
                    withhold = True
                else:
                    events.append(DemoEvent(got, None if withhold else frame))
                    withhold = False
                typing = after
                frame = device.screenshot()
        except KeyboardInterrupt:
            pass  # Ctrl-C ends the demonstration; what was done so far is the recording
        return events
    finally:
        device.close()


def _typing_password(device: Any) -> bool:
    """Is the soft keyboard up for a password field? False when the phone will not say."""
    try:
        keyboard = ime.read(device._shell)
    except DeviceError:
        return False
    return keyboard is not None and keyboard.typing_password


def _stream(device: Any, lines: queue.Queue[str | None]) -> None:
    """Read `getevent -lt` line by line into the queue; None when the stream ends."""
    try:
        conn = device._dev.open_transport(timeout=None)
        conn.send_command("shell:getevent -lt")
        conn.check_okay()
        buffer = b""
        while True:
            chunk = conn.conn.recv(65536)
            if not chunk:
                break
            buffer += chunk
            *complete, buffer = buffer.split(b"\n")
            for raw in complete:
                lines.put(raw.decode("utf-8", "replace"))
    except OSError:
        pass
    finally:
        lines.put(None)
