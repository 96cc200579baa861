"""Recording from the `getevent` touch stream of the FAKE adb server (backed by the simulated
phone), in both orientations; the recording replays, verified, to the same end state."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions import LongPress, Swipe, Tap, Type, grid_to_pixels
from agent.demonstration import write_scenario
from agent.engine.loop import LoopOptions
from agent.engine.session import RunPlan, execute
from agent.imaging import DEFAULT_MAX_PIXELS
from agent.replay_verified import VerifiedReplayModel, load_frames
from agent.scenario import load
from devices.android import AndroidDevice
from devices.android.record import TouchDecoder, natural_to_display, parse_ranges, record_touches
from devices.base import execute as run_action
from devices.sim import SimPhone
from policies import load_policy
from tests.fake_adb import FakeAdbServer, FakePhone
from tests.fake_getevent import describe_devices

# Grid points of the simulated phone (portrait): Settings icon, Connected devices, Bluetooth, its switch row.
PATH = [(125, 455), (500, 401), (500, 557), (500, 245)]


def display_px(phone: FakePhone, grid: tuple[int, int]) -> tuple[int, int]:
    return phone.from_natural(*grid_to_pixels(grid, phone.natural))


def fake_phone(rotation: int) -> FakePhone:
    return FakePhone("SIM01", backing=SimPhone(screen="home", state={"bluetooth": True}),
                     hierarchy=False, rotation=rotation)


@pytest.mark.parametrize("rotation", [0, 1])
def test_getevent_recording_replays_to_the_same_end_state(rotation: int, tmp_path: Path) -> None:
    phone = fake_phone(rotation)
    phone.person = [("tap", *display_px(phone, point)) for point in PATH]
    server = FakeAdbServer(phone)
    try:
        events = record_touches("SIM01", host="127.0.0.1", port=server.port, settle=0.0, seconds=60)
    finally:
        server.stop()
    assert phone.backing.state()["bluetooth"] is False  # the person's touches really landed
    assert [type(e.action) for e in events] == [Tap] * 4
    width, height = phone.display_size()
    assert all(e.frame is not None and e.frame.size == (width, height) for e in events)
    folder = write_scenario(tmp_path / "bt-adb", name="bt-adb", goal="Turn off Bluetooth",
                            device={"kind": "adb", "serial": "SIM01"}, events=events)

    again = fake_phone(rotation)
    server = FakeAdbServer(again)
    try:
        scenario = load(folder)
        model = VerifiedReplayModel(scenario.steps, load_frames(scenario.frames), scenario.goal)
        device = AndroidDevice("SIM01", host="127.0.0.1", port=server.port, geometry_ttl=0.0, ime_settle=0.0)
        plan = RunPlan(goal=scenario.goal, device_spec="adb:SIM01", device_options={}, json=True,
                       policy=load_policy(), runs_dir=str(tmp_path / "runs"), interactive=False,
                       loop=LoopOptions(max_pixels=DEFAULT_MAX_PIXELS, settle=None))
        result = execute(plan, model, device)
    finally:
        server.stop()
    assert result.exit_code == 0, result.message
    assert [c["status"] for c in model.checks] == ["match"] * 4 + ["unchecked"]
    assert again.backing.state()["bluetooth"] is False and again.backing.state()["screen"] == "settings/bluetooth"


def test_decoder_long_press_swipe_and_back_in_landscape() -> None:
    ranges = parse_ranges(describe_devices())
    assert ranges == {"/dev/input/event2": (0, 4095, 0, 4095)}
    decoder = TouchDecoder(ranges, (1080, 2400))
    lines = """[ 10.000000] /dev/input/event2: EV_ABS       ABS_MT_TRACKING_ID   00000007
[ 10.000000] /dev/input/event2: EV_ABS       ABS_MT_POSITION_X    00000800
[ 10.000000] /dev/input/event2: EV_ABS       ABS_MT_POSITION_Y    00000400
[ 10.000000] /dev/input/event2: EV_SYN       SYN_REPORT           00000000
[ 10.900000] /dev/input/event2: EV_ABS       ABS_MT_TRACKING_ID   ffffffff
[ 10.900000] /dev/input/event2: EV_SYN       SYN_REPORT           00000000
[ 12.000000] /dev/input/event0: EV_KEY       KEY_BACK             DOWN
[ 12.100000] /dev/input/event0: EV_KEY       KEY_BACK             UP""".splitlines()
    got = [x for x in map(decoder.feed, lines) if x is not None]
    touch, back = got
    assert abs(touch.seconds - 0.9) < 1e-6 and touch.down == touch.up == (540.0, 600.0)
    assert back.kind == "back"
    # Landscape (rotation 1): the natural point (540, 600) is at display (600, 1080 - 1 - 540).
    assert natural_to_display(touch.down, (1080, 2400), 1) == (600, 539)
    from devices.recording import touch_action

    assert isinstance(touch_action((10, 10), (12, 11), 0.9, (1080, 2400)), LongPress)
    assert isinstance(touch_action((500, 1800), (500, 600), 0.3, (1080, 2400)), Swipe)


def _key_centre(sim: SimPhone, ch: str) -> tuple[int, int]:
    """Where the simulated keyboard's key for `ch` is (keys have no label to `locate`)."""
    from devices.sim.widgets import Intent

    return next(w.rect.center for w in sim.layout().widgets if w.tap == Intent("insert", ch))


def test_a_password_typed_on_the_keyboard_is_not_recorded(tmp_path: Path) -> None:
    """The person joins a Wi-Fi network: taps it, types the password on the soft keyboard, taps
    Connect. `dumpsys input_method` says a password field has the keyboard, so the key taps become
    one hand-over: no key position (which would spell the password) and no frame showing it."""
    from actions import Tap as TapAction
    from agent.demonstration import PASSWORD_STEP
    from agent.engine.person import ScriptedPerson

    password, net = "password", "NETGEAR-42"
    guide = SimPhone(screen="settings/wifi")
    net_at = guide.locate(net)
    run_action(guide, TapAction(confidence=1.0, element=net, coordinates=net_at))
    keys = [_key_centre(guide, ch) for ch in password]
    run_action(guide, Type(confidence=1.0, text=password))
    connect_at = grid_to_pixels(guide.locate("Connect"), guide.size())
    phone = FakePhone("SIM01", backing=SimPhone(screen="settings/wifi"), hierarchy=False)
    phone.person = [("tap", *grid_to_pixels(net_at, phone.natural)), *[("tap", *k) for k in keys],
                    ("tap", *connect_at)]
    server = FakeAdbServer(phone)
    try:
        events = record_touches("SIM01", host="127.0.0.1", port=server.port, settle=0.0, seconds=60)
    finally:
        server.stop()
    assert phone.backing.state()["wifi_network"] == net  # the person really joined
    assert [e.secret for e in events] == [False, True, False]
    assert events[2].frame is None  # the screen right after the password is not kept
    folder = write_scenario(tmp_path / "wifi", name="wifi", goal=f"Join {net}",
                            device={"kind": "adb", "serial": "SIM01"}, events=events)
    scenario = load(folder)
    assert [s["action"] for s in scenario.steps] == ["tap", "ask_user", "tap", "done"]
    assert scenario.steps[1]["text"] == PASSWORD_STEP

    again = FakePhone("SIM01", backing=SimPhone(screen="settings/wifi"), hierarchy=False)
    server = FakeAdbServer(again)
    person = ScriptedPerson([""], act=lambda q: run_action(again.backing, Type(confidence=1.0, text=password)))
    try:
        model = VerifiedReplayModel(scenario.steps, load_frames(scenario.frames), scenario.goal)
        device = AndroidDevice("SIM01", host="127.0.0.1", port=server.port, geometry_ttl=0.0, ime_settle=0.0)
        plan = RunPlan(goal=scenario.goal, device_spec="adb:SIM01", device_options={}, json=True,
                       policy=load_policy(), runs_dir=str(tmp_path / "runs"), interactive=False,
                       loop=LoopOptions(max_pixels=DEFAULT_MAX_PIXELS, settle=None))
        result = execute(plan, model, device, person=person)
    finally:
        server.stop()
    assert result.exit_code == 0, result.message
    assert person.asked == [PASSWORD_STEP] and again.backing.state()["wifi_network"] == net
