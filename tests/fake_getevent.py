"""`getevent` for the FAKE adb server (test code only): a person's touches as a touch panel reports
them — labelled, timestamped, in the panel's own 0-4095 units and the phone's natural orientation.

Each touch is also carried out on the backing phone (as the finger really would) before the
finger-up report, and the next touch waits until the screen has been captured since: the person
looks at the screen before touching again, which keeps the recording deterministic.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actions import Back, Home, LongPress, Swipe, Tap, pixels_to_grid

PANEL = "/dev/input/event2"
KEYS = "/dev/input/event0"
PANEL_MAX = 4095  # the panel's axis range, unlike the display's pixels


def describe_devices() -> str:
    return (f'add device 1: {KEYS}\n  name:     "gpio-keys"\n  events:\n'
            "    KEY (0001): KEY_VOLUMEDOWN KEY_VOLUMEUP KEY_POWER\n"
            f'add device 2: {PANEL}\n  name:     "fts_ts"\n  events:\n'
            "    KEY (0001): BTN_TOUCH\n"
            "    ABS (0003): ABS_MT_SLOT           : value 0, min 0, max 9, fuzz 0, flat 0, resolution 0\n"
            f"                ABS_MT_POSITION_X     : value 0, min 0, max {PANEL_MAX}, fuzz 0, flat 0, resolution 0\n"
            f"                ABS_MT_POSITION_Y     : value 0, min 0, max {PANEL_MAX}, fuzz 0, flat 0, resolution 0\n"
            "                ABS_MT_TRACKING_ID    : value 0, min 0, max 65535, fuzz 0, flat 0, resolution 0\n"
            '  input props:\n    INPUT_PROP_DIRECT\n')


def stream_touches(phone: Any, sock: Any, lock: threading.RLock, wait: float = 20.0) -> None:
    """Play `phone.person` (or a real `phone.capture`) as `getevent -lt` lines on `sock`, then end
    the stream."""
    if phone.capture is not None:
        _await_capture(phone, lock, wait)  # the recorder looks at the screen first
        sock.sendall("".join(line + "\r\n" for line in phone.capture.lines()).encode())
        return
    clock = [1000.0]

    def line(device: str, kind: str, code: str, value: str, dt: float = 0.0) -> bytes:
        clock[0] += dt
        return f"[{clock[0]:14.6f}] {device}: {kind:<12} {code:<20} {value}\r\n".encode()

    def raw(point: tuple[int, int]) -> tuple[int, int]:
        nx, ny = phone.to_natural(*point)
        w, h = phone.natural
        return round(nx * (PANEL_MAX + 1) / w), round(ny * (PANEL_MAX + 1) / h)

    def moved(point: tuple[int, int], dt: float) -> bytes:
        x, y = raw(point)
        return (line(PANEL, "EV_ABS", "ABS_MT_POSITION_X", f"{x:08x}", dt)
                + line(PANEL, "EV_ABS", "ABS_MT_POSITION_Y", f"{y:08x}")
                + line(PANEL, "EV_SYN", "SYN_REPORT", "00000000"))

    for n, touch in enumerate(phone.person):
        _await_capture(phone, lock, wait)
        kind, args = touch[0], touch[1:]
        if kind == "key":
            with lock:
                phone.act(Back(confidence=1) if args[0] == "KEY_BACK" else Home(confidence=1))
            sock.sendall(line(KEYS, "EV_KEY", args[0], "DOWN", 1.0) + line(KEYS, "EV_KEY", args[0], "UP", 0.1))
            continue
        start = (args[0], args[1])
        end = (args[2], args[3]) if kind == "swipe" else start
        held = args[2] if kind == "hold" else 0.08
        down = (line(PANEL, "EV_ABS", "ABS_MT_TRACKING_ID", f"{n + 1:08x}", 1.0)
                + line(PANEL, "EV_KEY", "BTN_TOUCH", "DOWN") + moved(start, 0.0))
        path = b"".join(moved((start[0] + (end[0] - start[0]) * i // 4, start[1] + (end[1] - start[1]) * i // 4),
                              held / 4) for i in range(1, 5)) if kind == "swipe" else b""
        grid = pixels_to_grid(phone.to_natural(*start), phone.natural)
        with lock:  # the finger acts on the phone before it is lifted
            if kind == "swipe":
                phone.act(Swipe(confidence=1, element="finger", coordinates=grid,
                                to=pixels_to_grid(phone.to_natural(*end), phone.natural)))
            elif kind == "hold":
                phone.act(LongPress(confidence=1, element="finger", coordinates=grid))
            else:
                phone.act(Tap(confidence=1, element="finger", coordinates=grid))
        up = (line(PANEL, "EV_ABS", "ABS_MT_TRACKING_ID", "ffffffff", 0.0 if kind == "swipe" else held)
              + line(PANEL, "EV_KEY", "BTN_TOUCH", "UP") + line(PANEL, "EV_SYN", "SYN_REPORT", "00000000"))
        sock.sendall(down + path + up)
    _await_capture(phone, lock, wait)  # let the recorder see the end state before the stream ends


def _await_capture(phone: Any, lock: threading.RLock, wait: float) -> None:
    """Wait until a screenshot was taken since the last touch (the person looks before acting)."""
    with lock:
        seen = getattr(phone, "_captures_seen", 0)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        with lock:
            captures = sum(c.startswith("screencap") for c in phone.commands)
            if captures > seen:
                phone._captures_seen = captures
                return
        time.sleep(0.01)


# --- real captures --------------------------------------------------------------------------------

# The labels `getevent -l` prints for the codes touch panels use (linux/input-event-codes.h), so a
# capture taken with plain `getevent -t` (numbers) plays back as `getevent -lt` would print it.
_TYPES = {0x0: "EV_SYN", 0x1: "EV_KEY", 0x3: "EV_ABS"}
_CODES = {"EV_SYN": {0x0: "SYN_REPORT", 0x2: "SYN_MT_REPORT"},
          "EV_KEY": {0x14A: "BTN_TOUCH", 0x145: "BTN_TOOL_FINGER", 0x9E: "KEY_BACK", 0x66: "KEY_HOME"},
          "EV_ABS": {0x00: "ABS_X", 0x01: "ABS_Y", 0x18: "ABS_PRESSURE", 0x2F: "ABS_MT_SLOT",
                     0x30: "ABS_MT_TOUCH_MAJOR", 0x31: "ABS_MT_TOUCH_MINOR", 0x32: "ABS_MT_WIDTH_MAJOR",
                     0x35: "ABS_MT_POSITION_X", 0x36: "ABS_MT_POSITION_Y", 0x39: "ABS_MT_TRACKING_ID",
                     0x3A: "ABS_MT_PRESSURE"}}
_LINE = re.compile(r"^\s*(?:\[\s*([\d.]+)\]\s*)?(?:(/dev/input/\S+):\s*)?(\w+)\s+(\w+)\s+(\w+)\s*$")


@dataclass(frozen=True)
class Capture:
    """A real `getevent` capture of one touch panel, kept as its source printed it.

    `device`: the panel's node (a capture of one device prints no node: it is added, as
    `getevent -lt` with no argument prints it); `axes`: the `getevent -lp` lines of its axes
    (the sources published none: chosen for the test, see tests/fixtures/android/SOURCES.md).
    Missing timestamps (`getevent -l`) are filled in at 100 frames a second."""

    path: Path
    device: str
    axes: tuple[str, ...]
    key: str = "BTN_TOUCH"

    def describe(self) -> str:
        axes = "".join(f"{'    ABS (0003): ' if i == 0 else '                '}{line}\n"
                       for i, line in enumerate(self.axes))
        return (f'add device 1: {KEYS}\n  name:     "gpio-keys"\n  events:\n'
                "    KEY (0001): KEY_VOLUMEDOWN KEY_VOLUMEUP KEY_POWER\n"
                f'add device 2: {self.device}\n  name:     "touchscreen"\n  events:\n'
                f"    KEY (0001): {self.key}\n" + axes + "  input props:\n    INPUT_PROP_DIRECT\n")

    def lines(self) -> list[str]:
        out, clock = [], 1000.0
        for raw in self.path.read_text(encoding="utf-8").splitlines():
            m = _LINE.match(raw)
            if not m:
                continue
            stamp, device, kind, code, value = m.groups()
            kind, code, value = _label(kind, code, value)
            t = float(stamp) if stamp else clock
            out.append(f"[{t:14.6f}] {device or self.device}: {kind:<12} {code:<20} {value}")
            if code == "SYN_REPORT":
                clock += 0.01
        return out


def _label(kind: str, code: str, value: str) -> tuple[str, str, str]:
    """Numbers (`getevent -t`) -> labels (`getevent -lt`); labels are kept."""
    if re.fullmatch(r"[0-9a-fA-F]{4}", kind):
        kind = _TYPES.get(int(kind, 16), kind)
        code = _CODES.get(kind, {}).get(int(code, 16), code)
        if kind == "EV_KEY":
            value = {0: "UP", 1: "DOWN", 2: "REPEAT"}.get(int(value, 16), value)
    return kind, code, value
