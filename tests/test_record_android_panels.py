"""Older touch panels: REAL `getevent` captures (multitouch protocol type A, a single-touch pad),
played through the FAKE adb's `getevent -lt` as the phone would print them, recorded into exact
taps and swipes; and a recording with no gesture says so and writes nothing.

Sources and the axis ranges chosen for each capture: tests/fixtures/android/SOURCES.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions import LongPress, Swipe, Tap, UsageError
from devices.android.record import Panel, TouchDecoder, parse_panels, record_touches
from devices.sim import SimPhone
from tests.fake_adb import FakeAdbServer, FakePhone
from tests.fake_getevent import Capture

GETEVENT = Path(__file__).parent / "fixtures" / "android" / "getevent"


def axes(name_x: str, name_y: str, max_x: int, max_y: int) -> tuple[str, str]:
    return (f"{name_x:<22}: value 0, min 0, max {max_x}, fuzz 0, flat 0, resolution 0",
            f"{name_y:<22}: value 0, min 0, max {max_y}, fuzz 0, flat 0, resolution 0")


MT = ("ABS_MT_POSITION_X", "ABS_MT_POSITION_Y")
CARTUCHO = Capture(GETEVENT / "cartucho_type_a_tap.txt", "/dev/input/event7", axes(*MT, 1079, 2399))
EMPTY_FRAME = Capture(GETEVENT / "type_a_tap_empty_frame_lift.txt", "/dev/input/event1", axes(*MT, 1079, 1919))
TINY210 = Capture(GETEVENT / "tiny210_type_a_two_taps.txt", "/dev/input/event3", axes(*MT, 999, 999))
EWD500 = Capture(GETEVENT / "ewd500_single_touch_tap_and_motion.txt", "/dev/input/event0",
                 axes("ABS_X", "ABS_Y", 1023, 1023))


def record(capture: Capture, rotation: int = 0) -> tuple[list, FakePhone]:
    phone = FakePhone("OLD01", backing=SimPhone(screen="home"), hierarchy=False, rotation=rotation,
                      capture=capture)
    server = FakeAdbServer(phone)
    try:
        return record_touches("OLD01", host="127.0.0.1", port=server.port, settle=0.0, seconds=60), phone
    finally:
        server.stop()


def actions(events: list) -> list[tuple]:
    out = []
    for e in events:
        a = e.action
        out.append((a.kind, tuple(a.coordinates), tuple(a.to)) if isinstance(a, Swipe) else (a.kind, tuple(a.coordinates)))
    return out


def test_type_a_whose_lift_is_an_empty_frame() -> None:
    """Contacts end in SYN_MT_REPORT, tracking id 0 never goes to -1: the finger is lifted by a
    frame with no contact (SYN_MT_REPORT alone). This stream used to record nothing."""
    events, _ = record(EMPTY_FRAME)
    # raw (0x203, 0x40b) of 1080 x 1920 -> (515, 1293.75) of the 1080 x 2400 screen -> grid
    assert actions(events) == [("tap", (477, 539))]
    assert all(e.frame is not None for e in events)


def test_type_a_two_taps_without_timestamps() -> None:
    events, _ = record(TINY210)
    assert actions(events) == [("tap", (466, 240)), ("tap", (512, 233))]  # raw of 0-999: the per mille


def test_type_a_lifted_by_btn_touch_and_a_frame_without_contacts() -> None:
    events, _ = record(CARTUCHO)
    assert actions(events) == [("tap", (413, 250))]  # raw (0x1be, 0x258) of 1080 x 2400


def test_a_single_touch_pad_taps_and_swipes() -> None:
    events, _ = record(EWD500)
    assert actions(events) == [("tap", (50, 68)), ("swipe", (125, 70), (1, 83))]


def test_type_a_in_landscape_is_turned_with_the_display() -> None:
    events, phone = record(TINY210, rotation=1)
    # The panel reports in natural (portrait) pixels; the display is turned a quarter.
    assert phone.display_size() == (2400, 1080)
    assert actions(events) == [("tap", (240, 533)), ("tap", (233, 487))]  # (576, 576) and (559, 526) px


def test_the_decoder_reads_each_dialect_frame_by_frame() -> None:
    panels = parse_panels(EWD500.describe() + CARTUCHO.describe().replace("add device 1", "add device 3")
                          .replace("add device 2", "add device 4"))
    assert panels["/dev/input/event0"] == Panel(st=(0, 1023, 0, 1023))
    assert panels["/dev/input/event7"] == Panel(mt=(0, 1079, 0, 2399))
    # A sensor's ABS_X/ABS_Y without BTN_TOUCH is no touch panel.
    sensor = 'add device 5: /dev/input/event9\n  name:     "accel"\n  events:\n    ABS (0003): ' + axes("ABS_X", "ABS_Y", 255, 255)[0]
    assert parse_panels(sensor) == {}
    decoder = TouchDecoder(panels, (1080, 2400))
    # A type-A contact reported with pressure 0 is a hovering finger, not a touch (Android's reader).
    lines = ["[ 1.000000] /dev/input/event7: EV_ABS ABS_MT_PRESSURE 00000000",
             "[ 1.000000] /dev/input/event7: EV_ABS ABS_MT_POSITION_X 00000010",
             "[ 1.000000] /dev/input/event7: EV_ABS ABS_MT_POSITION_Y 00000010",
             "[ 1.000000] /dev/input/event7: EV_SYN SYN_MT_REPORT 00000000",
             "[ 1.000000] /dev/input/event7: EV_SYN SYN_REPORT 00000000",
             "[ 1.700000] /dev/input/event7: EV_ABS ABS_MT_POSITION_X 00000100",
             "[ 1.700000] /dev/input/event7: EV_ABS ABS_MT_POSITION_Y 00000200",
             "[ 1.700000] /dev/input/event7: EV_SYN SYN_MT_REPORT 00000000",
             "[ 1.700000] /dev/input/event7: EV_SYN SYN_REPORT 00000000",
             "[ 2.500000] /dev/input/event7: EV_SYN SYN_MT_REPORT 00000000",
             "[ 2.500000] /dev/input/event7: EV_SYN SYN_REPORT 00000000"]
    got = [x for x in map(decoder.feed, lines) if x is not None]
    assert len(got) == 1 and got[0].down == (256.0, 512.0) and abs(got[0].seconds - 0.8) < 1e-6
    from devices.recording import touch_action

    assert isinstance(touch_action((256, 512), (256, 512), 0.8, (1080, 2400)), LongPress)
    assert isinstance(touch_action((256, 512), (256, 512), 0.1, (1080, 2400)), Tap)


def test_a_recording_with_no_gesture_says_so() -> None:
    silent = Capture(GETEVENT / "does-not-exist.txt", "/dev/input/event1", axes(*MT, 1079, 1919))
    with pytest.raises(UsageError, match=r"reported no touch; no scenario was written"):
        record(_Empty(silent))
    # A panel that spoke, but never a whole touch (the finger is still down when it ends).
    half = _Lines(EMPTY_FRAME, keep=7)
    with pytest.raises(UsageError, match=r"sent 7 events but none made a complete touch"):
        record(half)


def test_the_cli_exits_2_with_one_line_and_writes_no_scenario(tmp_path: Path, monkeypatch, capsys) -> None:
    """`qwen-agent record NAME --device adb`, in process (the adb server is found through
    $ANDROID_ADB_SERVER_PORT, as adbutils does for a user)."""
    from agent.commands import main

    phone = FakePhone("OLD01", backing=SimPhone(screen="home"), hierarchy=False, capture=_Lines(EMPTY_FRAME, keep=7))
    server = FakeAdbServer(phone)
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(server.port))
    try:
        code = main(["record", "nothing", "--device", "adb:OLD01", "--out", str(tmp_path), "--seconds", "30"])
    finally:
        server.stop()
    err = capsys.readouterr().err
    assert code == 2, err
    errors = [line for line in err.splitlines() if line.startswith("qwen-agent")]
    assert errors == ["qwen-agent: error: nothing was recorded on adb:OLD01: its touchscreen "
                      "(/dev/input/event1) sent 7 events but none made a complete touch; no scenario was written"]
    assert "Traceback" not in err
    assert not (tmp_path / "nothing").exists()


class _Empty(Capture):
    """The capture's panel, silent."""

    def __init__(self, capture: Capture) -> None:
        object.__setattr__(self, "path", capture.path)
        object.__setattr__(self, "device", capture.device)
        object.__setattr__(self, "axes", capture.axes)
        object.__setattr__(self, "key", capture.key)

    def lines(self) -> list[str]:
        return []


class _Lines(_Empty):
    """The first `keep` lines of a real capture: a finger put down and never lifted."""

    def __init__(self, capture: Capture, keep: int) -> None:
        super().__init__(capture)
        object.__setattr__(self, "_all", capture.lines()[:keep])

    def lines(self) -> list[str]:
        return list(self._all)  # type: ignore[attr-defined]
