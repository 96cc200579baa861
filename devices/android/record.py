"""Recording a person on an Android phone: the touchscreen's `getevent` stream turned into taps,
long presses and swipes in screen pixels (rotation-aware), each with the screen just before it.
Key taps while a password field has the keyboard (`devices.android.ime`) become one secret event.

`getevent -lp` gives each input device's axis ranges (a touch panel rarely reports in display
pixels: 0-4095 is common); `getevent -lt` streams labelled, timestamped events. Panels speak one of
three dialects of the kernel's input protocol (Documentation/input/multi-touch-protocol.rst), and
every one is read frame by frame (a frame ends at SYN_REPORT):

- multitouch type B: slots (`ABS_MT_SLOT`) and tracking ids; slot 0's id of -1 lifts the finger;
- multitouch type A: each contact's `ABS_MT_POSITION_X/Y` then `SYN_MT_REPORT`, no slots; a frame
  with no contact (`SYN_MT_REPORT` alone, or `SYN_REPORT` with no contact data) lifts the finger;
- single touch: `ABS_X/ABS_Y` with `BTN_TOUCH DOWN/UP`.

One finger is followed (the first contact); pinches are not recorded. The panel reports in the
phone's natural (portrait) orientation, so a point is turned by the current rotation before it
becomes a 0-1000 grid point of the screenshot.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from actions import Action, Back, Home, Key, UsageError
from devices.android import ime
from devices.errors import DeviceError
from devices.recording import DemoEvent, secret_event, touch_action

_EVENT = re.compile(r"^\s*(?:\[\s*([\d.]+)\]\s*)?(/dev/input/\S+):\s+(\w+)\s+(\w+)\s+(\w+)")
_DEVICE = re.compile(r"^add device \d+: (\S+)")
_RANGE = re.compile(r"\b(ABS_MT_POSITION_[XY]|ABS_[XY])\s*:\s*value -?\d+, min (-?\d+), max (-?\d+)")
KEYS: dict[str, Action] = {"KEY_BACK": Back(confidence=1.0), "KEY_HOME": Home(confidence=1.0),
                           "KEY_HOMEPAGE": Home(confidence=1.0), "KEY_ENTER": Key(key="enter", confidence=1.0)}
RELEASED = 0xFFFFFFFF
Range = tuple[int, int, int, int]  # min_x, max_x, min_y, max_y


@dataclass(frozen=True)
class Panel:
    """A touch device of `getevent -lp`: its multitouch and single-touch axis ranges."""

    mt: Range | None = None
    st: Range | None = None


def parse_panels(text: str) -> dict[str, Panel]:
    """`getevent -lp` -> {device: Panel} for every device with touch axes. A device with only
    ABS_X/ABS_Y counts when it also has BTN_TOUCH (sensors report ABS_X/Y too)."""
    out: dict[str, Panel] = {}
    device, axes, touch = "", {}, False
    for line in text.splitlines() + ["add device 0: END"]:
        found = _DEVICE.match(line)
        if found:
            mt = (*axes["ABS_MT_POSITION_X"], *axes["ABS_MT_POSITION_Y"]) \
                if "ABS_MT_POSITION_X" in axes and "ABS_MT_POSITION_Y" in axes else None
            st = (*axes["ABS_X"], *axes["ABS_Y"]) if "ABS_X" in axes and "ABS_Y" in axes and touch else None
            if mt or st:
                out[device] = Panel(mt, st)  # type: ignore[arg-type]
            device, axes, touch = found[1], {}, False
            continue
        touch = touch or "BTN_TOUCH" in line
        for axis, lo, hi in _RANGE.findall(line):
            axes[axis] = (int(lo), int(hi))
    return out


def parse_ranges(text: str) -> dict[str, Range]:
    """`getevent -lp` -> {device: (min_x, max_x, min_y, max_y)} of the multitouch devices."""
    return {device: panel.mt for device, panel in parse_panels(text).items() if panel.mt}


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
class _Finger:
    """One panel's state across frames, and the frame being read."""

    panel: Panel
    type_a: bool = False  # has sent SYN_MT_REPORT: contacts are counted per frame
    slot: int = 0
    tracking: dict[int, int] = field(default_factory=dict)  # slot -> tracking id (type B)
    mt: dict[int, list[int]] = field(default_factory=dict)  # slot -> raw [x, y] (type B)
    st: list[int] = field(default_factory=lambda: [0, 0])  # raw ABS_X, ABS_Y
    button: bool | None = None  # BTN_TOUCH
    contact: dict[str, int] = field(default_factory=dict)  # the type-A contact being reported
    contacts: list[tuple[int, int]] = field(default_factory=list)  # this frame's type-A contacts
    last_a: tuple[int, int] | None = None  # the followed type-A contact, raw
    down: tuple[tuple[float, float], float] | None = None  # where and when the finger went down
    at: tuple[float, float] = (0.0, 0.0)  # where it is now, natural pixels


@dataclass
class TouchDecoder:
    """Feeds on `getevent -lt` lines; yields a `Touch` per finger lifted and an action per key.

    `ranges`: {device: Panel} (or {device: (min_x, max_x, min_y, max_y)} for multitouch panels);
    `natural`: the screen in natural pixels. `panel_events` counts what the panels sent."""

    ranges: dict[str, Any]
    natural: tuple[int, int]
    panel_events: int = 0
    _fingers: dict[str, _Finger] = field(default_factory=dict)

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
        self.panel_events += 1
        finger = self._fingers.get(device)
        if finger is None:
            panel = self.ranges[device]
            finger = self._fingers[device] = _Finger(panel if isinstance(panel, Panel) else Panel(mt=panel))
        if kind == "EV_SYN" and code == "SYN_REPORT":
            return self._frame(finger, t)
        _event(finger, kind, code, value)
        return None

    def _frame(self, finger: _Finger, t: float) -> Touch | None:
        """A frame is complete: is the followed finger on the panel now, and where?"""
        touching, raw, axes = _state(finger)
        finger.contacts = []
        if touching and raw is not None and axes is not None:
            finger.at = _scale(raw, axes, self.natural)
        if touching and finger.down is None:
            finger.down = (finger.at, t)
        elif not touching and finger.down is not None:
            (start, t0), finger.down = finger.down, None
            return Touch(start, finger.at, max(0.0, t - t0))
        return None


def _event(finger: _Finger, kind: str, code: str, value: str) -> None:
    """One event of a frame into the panel's state."""
    if kind == "EV_SYN" and code == "SYN_MT_REPORT":
        finger.type_a = True
        pressed = finger.contact.get("ABS_MT_PRESSURE", 1) > 0  # Android's reader: pressure 0 hovers
        if "ABS_MT_POSITION_X" in finger.contact and pressed:
            finger.contacts.append((finger.contact["ABS_MT_POSITION_X"],
                                    finger.contact.get("ABS_MT_POSITION_Y", 0)))
        finger.contact = {}
    elif kind == "EV_KEY" and code == "BTN_TOUCH":
        finger.button = value == "DOWN" or (value not in ("UP", "DOWN") and _hex(value) != 0)
    elif kind == "EV_ABS" and code == "ABS_MT_SLOT":
        finger.slot = _hex(value)
    elif kind == "EV_ABS" and code == "ABS_MT_TRACKING_ID":
        finger.contact[code] = _hex(value)
        finger.tracking[finger.slot] = -1 if _hex(value) == RELEASED else _hex(value)
    elif kind == "EV_ABS" and code in ("ABS_MT_POSITION_X", "ABS_MT_POSITION_Y", "ABS_MT_PRESSURE"):
        finger.contact[code] = _hex(value)
        if code != "ABS_MT_PRESSURE":
            finger.mt.setdefault(finger.slot, [0, 0])[code.endswith("Y")] = _hex(value)
    elif kind == "EV_ABS" and code in ("ABS_X", "ABS_Y"):
        finger.st[code.endswith("Y")] = _hex(value)


def _state(finger: _Finger) -> tuple[bool, tuple[int, int] | None, Range | None]:
    """(touching, raw point, its axis ranges) after a frame, in the panel's dialect."""
    mt_axes = finger.panel.mt or finger.panel.st
    if finger.type_a:
        if finger.contacts:
            finger.last_a = finger.contacts[0]
        return bool(finger.contacts), finger.last_a, mt_axes
    if finger.tracking:  # type B: slot 0's tracking id
        raw = finger.mt.get(0)
        return finger.tracking.get(0, -1) != -1, tuple(raw) if raw else None, mt_axes  # type: ignore[return-value]
    if finger.mt and finger.panel.mt:  # positions without ids: BTN_TOUCH says when
        return bool(finger.button), tuple(finger.mt.get(0, [0, 0])), finger.panel.mt  # type: ignore[return-value]
    return bool(finger.button), (finger.st[0], finger.st[1]), finger.panel.st or finger.panel.mt


def _scale(raw: tuple[int, int], axes: Range, natural: tuple[int, int]) -> tuple[float, float]:
    x0, x1, y0, y1 = axes
    w, h = natural
    return (raw[0] - x0) * w / (x1 - x0 + 1), (raw[1] - y0) * h / (y1 - y0 + 1)


def _hex(value: str) -> int:
    try:
        return int(value, 16)
    except ValueError:
        return 0


def record_touches(serial: str | None = None, *, seconds: float | None = None, host: str | None = None,
                   port: int | None = None, settle: float = 0.3) -> list[DemoEvent]:
    """Record until the stream ends, `seconds` pass, or Ctrl-C. The screen is captured after every
    touch (once it had `settle` seconds to react): that frame is the one before the next touch.

    A recording with no gesture at all is a UsageError (exit 2, ARCHITECTURE.md, "Exit codes": there is nothing to
    make a scenario of, as for an empty recording on the other devices), saying whether the panel
    was silent or spoke a stream no touch could be read from."""
    from devices.android import AndroidDevice

    device = AndroidDevice(serial, host=host, port=port, geometry_ttl=0.0)
    try:
        panels = parse_panels(device._shell("getevent -lp"))
        if not panels:
            raise UsageError(f"{device.name} reports no touchscreen in `getevent -lp`")
        decoder = TouchDecoder(panels, tuple(device.geometry().natural))  # type: ignore[arg-type]
        events = _Session(device, settle).run(decoder, seconds)
        if not events:
            names = ", ".join(sorted(panels))
            heard = (f"its touchscreen ({names}) sent {decoder.panel_events} events but none made a "
                     "complete touch" if decoder.panel_events else f"its touchscreen ({names}) reported no touch")
            raise UsageError(f"nothing was recorded on {device.name}: {heard}; no scenario was written")
        return events
    finally:
        device.close()


class _Session:
    """The recording loop: touches become actions, each with the screen before it."""

    def __init__(self, device: Any, settle: float) -> None:
        self.device, self.settle = device, settle
        self.events: list[DemoEvent] = []
        self.withhold = False

    def run(self, decoder: TouchDecoder, seconds: float | None) -> list[DemoEvent]:
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_stream, args=(self.device, lines), daemon=True).start()
        # Touches while a password field has the keyboard are its keys: they spell the password.
        self.typing = _typing_password(self.device)
        self.frame = self.device.screenshot()
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
                if got is not None:
                    self.add(got)
        except KeyboardInterrupt:
            pass  # Ctrl-C ends the demonstration; what was done so far is the recording
        return self.events

    def add(self, got: Touch | Action) -> None:
        touched = isinstance(got, Touch)
        if isinstance(got, Touch):
            geo = self.device.geometry(fresh=True)
            natural = (geo.natural.width, geo.natural.height)
            got = touch_action(natural_to_display(got.down, natural, geo.rotation),
                               natural_to_display(got.up, natural, geo.rotation), got.seconds,
                               (geo.size.width, geo.size.height))
        time.sleep(self.settle)
        after = _typing_password(self.device)
        if touched and self.typing and after:
            # One hand-over for the whole password, no key positions; and the screen after it
            # (the last character may still show) is not kept either.
            if not (self.events and self.events[-1].secret):
                self.events.append(secret_event(self.frame))
            self.withhold = True
        else:
            self.events.append(DemoEvent(got, None if self.withhold else self.frame))
            self.withhold = False
        self.typing = after
        self.frame = self.device.screenshot()


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
