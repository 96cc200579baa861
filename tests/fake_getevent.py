"""`getevent` for the FAKE adb server (test code only): a person's touches as a touch panel reports
them — labelled, timestamped, in the panel's own 0-4095 units and the phone's natural orientation.

Each touch is also carried out on the backing phone (as the finger really would) before the
finger-up report, and the next touch waits until the screen has been captured since: the person
looks at the screen before touching again, which keeps the recording deterministic.
"""

from __future__ import annotations

import threading
import time
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
    """Play `phone.person` as `getevent -lt` lines on `sock`, then end the stream."""
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
