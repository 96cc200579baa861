"""adb shell round trips per step, counted by the protocol-level FAKE adb (tests/fake_adb.py
records every command a phone receives): the geometry is probed once per frame, the UI tree and
the keyboard's state are read only for primitives whose effect depends on them, and nothing is
probed again between a frame and its action.

On the six steps below, before these rules: 36 round trips, or 56 once the geometry's 1-second
TTL expired between a frame and its action (as with any real model); now 24 either way. A settled
frame (two captures) after `back`: 8 before, 4 now."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from agent.engine.loop import LoopOptions
from agent.engine.perceive import Settle
from agent.engine.session import RunPlan, execute
from agent.imaging import DEFAULT_MAX_PIXELS
from agent.replay import ReplayModel
from devices.android import AndroidDevice
from policies import load_policy
from tests.fake_adb import FakeAdbServer, FakePhone
from tests.test_loop_android import centre

PROBE = "wm size; wm density; dumpsys display | grep -E 'mCurrentOrientation|orientation='"
FRAME = [PROBE, "screencap"]
DUMP = "uiautomator dump"


def kinds(commands: list[str]) -> list[str]:
    """Commands with the UI dump's long line shortened to its name."""
    return [DUMP if c.startswith(DUMP) else c for c in commands]


def run_counting(tmp_path: Path, steps: list[dict], settle: Settle | None = None,
                 ttl: float = 0.0) -> tuple[list[list[str]], FakePhone]:
    """Run `steps` through the loop on a fake phone; the commands the phone received before each
    decision (the previous step's action, then this step's frame), and the phone."""
    phone = FakePhone("FAKE01")
    server = FakeAdbServer(phone)
    marks: list[int] = []
    model = ReplayModel(steps)
    decide = model.decide

    def counting(request, on_text=None):
        marks.append(len(phone.commands))
        return decide(request, on_text)

    model.decide = counting  # type: ignore[method-assign]
    plan = RunPlan(goal="count", device_spec="adb:FAKE01", device_options={}, json=True,
                   policy=load_policy(), runs_dir=str(tmp_path), interactive=False,
                   loop=LoopOptions(max_pixels=DEFAULT_MAX_PIXELS, settle=settle))
    try:
        device = AndroidDevice("FAKE01", host="127.0.0.1", port=server.port, ime_settle=0.0,
                               geometry_ttl=ttl)
        with contextlib.redirect_stdout(io.StringIO()):
            result = execute(plan, model, device)
    finally:
        server.stop()
    assert result.exit_code == 0, result.message
    bounds = [0, *marks, len(phone.commands)]
    return [kinds(phone.commands[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)], phone


def test_each_step_makes_only_the_round_trips_its_action_needs(tmp_path: Path) -> None:
    phone = FakePhone("FAKE01")
    steps = [
        {"action": "tap", "element": "OK", "coordinates": centre(phone, "OK button"), "confidence": 0.9},
        {"action": "type", "text": "hello", "element": "field", "coordinates": centre(phone, "Search field"),
         "confidence": 0.9},
        {"action": "key", "key": "enter", "confidence": 0.9},
        {"action": "scroll", "direction": "down", "coordinates": [500, 500], "confidence": 0.9},
        {"action": "back", "confidence": 0.9},
        {"action": "done", "text": "ok", "confidence": 0.9},
    ]
    per_step, _ = run_counting(tmp_path, steps)
    first, tap, typing, enter, scroll, back, done = per_step
    assert first == FRAME  # the first frame: one probe, one capture
    # A tap: is it on the keyboard? which element? then the tap; then the next frame.
    assert tap == ["dumpsys window InputMethod", DUMP, "input tap 540 1176", *FRAME]
    # A tap then text: the text's field is read again after the tap changed the screen.
    assert typing == ["dumpsys window InputMethod", DUMP, "input tap 540 670", DUMP,
                      "input text 'hello'", *FRAME]
    assert enter == ["dumpsys input_method", "input keyevent 66", *FRAME]  # Enter: the editor's action
    assert scroll == ["input swipe 540 1680 540 720 300", *FRAME]  # nothing to read for a scroll
    assert back == ["input keyevent 4", *FRAME]
    assert done == []
    assert sum(map(len, per_step)) == 24  # for 6 steps


def test_a_settling_frame_probes_the_geometry_once(tmp_path: Path) -> None:
    """Settling captures until two frames match; the geometry cannot have changed between them."""
    per_step, _ = run_counting(tmp_path, [{"action": "back", "confidence": 0.9},
                                          {"action": "done", "text": "ok", "confidence": 0.9}],
                               settle=Settle(interval=0.0, timeout=5.0), ttl=60.0)
    first, back, _done = per_step
    assert first == [PROBE, "screencap", "screencap"]
    assert back == ["input keyevent 4", PROBE, "screencap", "screencap"]


def test_a_turned_phone_is_noticed_from_the_frame_within_the_ttl(tmp_path: Path) -> None:
    """Within the TTL and with no action since, a turn still shows in the frame's size."""
    from tests.test_android import open_phone

    phone = FakePhone("FAKE01")
    server = FakeAdbServer(phone)
    try:
        device = open_phone(server, geometry_ttl=60.0)
        assert device.screenshot().size == (1080, 2400)
        before = len(phone.commands)
        assert device.screenshot().size == (1080, 2400)
        assert phone.commands[before:] == ["screencap"]  # nothing could have changed: no probe
        phone.rotation = 1
        before = len(phone.commands)
        assert device.screenshot().size == (2400, 1080) == device.size()
        assert phone.commands[before:] == ["screencap", PROBE]
    finally:
        server.stop()
