"""AndroidDevice through the real adbutils client against a FAKE adb server (tests/fake_adb.py).

Only the phone is fake; the adb host protocol, adbutils and our device code are the real ones.
"""

from __future__ import annotations

import numpy as np
import pytest

from actions import (
    Back,
    DoubleTap,
    Home,
    Key,
    LongPress,
    OpenApp,
    Scroll,
    Swipe,
    Tap,
    Type,
    pixels_to_grid,
)
from actions.errors import UsageError
from devices import ActionFailed
from devices.android import AndroidDevice, KeyboardMissing, SecureScreen
from devices.android.capture import decode_raw
from devices.base import execute
from devices.conformance import check_device
from devices.errors import DeviceDisconnected
from devices.primitives import Press, Text
from tests.fake_adb import ADB_IME, GBOARD, CanvasPhone, FakeAdbServer, FakePhone


def open_phone(server: FakeAdbServer, serial: str | None = None, **options) -> AndroidDevice:
    options = {"ime_settle": 0.0, "geometry_ttl": 0.0, **options}
    return AndroidDevice(serial, host="127.0.0.1", port=server.port, **options)


def target(phone: FakePhone, label: str, dx: int = 0, dy: int = 0) -> tuple[int, int]:
    """Where a model would point at `label` on the phone's current (rotated) screenshot."""
    e = next(e for e in phone.backing.elements if e.label == label)
    x, y, w, h = e.rect
    cx, cy = phone.from_natural(x + w // 2 + dx, y + h // 2 + dy)
    return pixels_to_grid((cx, cy), phone.display_size())


def test_conformance_through_adbutils(server: FakeAdbServer, phone: FakePhone) -> None:
    device = open_phone(server)
    assert device.name == "adb:FAKE01"
    check_device(device, app="Settings", point=(500, 500))
    assert phone.errors == []


def test_capture_raw_and_png_match_the_phone(server: FakeAdbServer, phone: FakePhone) -> None:
    expected = np.asarray(phone.backing.screenshot())
    raw = open_phone(server)
    assert raw.size() == (1080, 2400)
    assert np.array_equal(np.asarray(raw.screenshot()), expected)
    assert any(c == "screencap" for c in phone.commands)
    png = open_phone(server, capture="png")
    assert np.array_equal(np.asarray(png.screenshot()), expected)
    assert any(c == "screencap -p" for c in phone.commands)


@pytest.mark.parametrize("fmt", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("header", [12, 16])
def test_raw_decoding_of_every_pixel_format(fmt: int, header: int) -> None:
    rgb = np.random.default_rng(fmt).integers(0, 256, (7, 5, 3), dtype=np.uint8)
    if fmt in (1, 2):
        body = np.dstack([rgb, np.full((7, 5), 255, np.uint8)]).tobytes()
    elif fmt == 3:
        body = rgb.tobytes()
    elif fmt == 5:
        body = np.dstack([rgb[:, :, ::-1], np.full((7, 5), 255, np.uint8)]).tobytes()
    else:
        rgb = (rgb & np.array([0xF8, 0xFC, 0xF8], np.uint8)) | (rgb >> np.array([5, 6, 5], np.uint8))
        r, g, b = (rgb[..., i].astype(np.uint16) for i in range(3))
        body = (((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3)).astype("<u2").tobytes()
    data = np.array([5, 7, fmt, 0][: header // 4], "<u4").tobytes() + body
    assert np.array_equal(decode_raw(data), rgb)
    with pytest.raises(ValueError):
        decode_raw(data[:-3])


def test_taps_swipes_and_scrolls_reach_the_phone(server: FakeAdbServer, phone: FakePhone) -> None:
    device = open_phone(server)
    device.screenshot()
    execute(device, Tap(confidence=1, element="Wi-Fi", coordinates=target(phone, "Wi-Fi toggle")))
    assert phone.backing.state()["Wi-Fi toggle"] is True
    execute(device, DoubleTap(confidence=1, element="Wi-Fi", coordinates=target(phone, "Wi-Fi toggle")))
    assert phone.backing.state()["Wi-Fi toggle"] is True  # toggled twice
    execute(device, LongPress(confidence=1, element="OK", coordinates=target(phone, "OK button"), seconds=0.7))
    assert any(c.endswith(" 700") and "input swipe" in c for c in phone.commands)
    execute(device, Swipe(confidence=1, element="list", coordinates=(500, 800), to=(500, 200)))
    execute(device, Scroll(confidence=1, direction="down"))
    x0, y0, x1, y1 = map(int, phone.commands[-1].split()[2:6])
    assert x0 == x1 and y1 < y0, "scrolling down moves the finger up"
    assert sum(a.startswith("drag") for a in phone.backing.actions) == 2
    execute(device, Back(confidence=1))
    execute(device, Home(confidence=1))
    execute(device, Key(confidence=1, key="recents"))
    assert [c for c in phone.commands if "keyevent" in c][-3:] == [
        "input keyevent 4", "input keyevent 3", "input keyevent 187"]
    execute(device, Key(confidence=1, key="ctrl+a"))
    assert phone.commands[-1] == "input keycombination 113 29"
    with pytest.raises(ActionFailed, match="unknown phone key"):
        execute(device, Key(confidence=1, key="hyper"))


def test_unicode_typing_goes_through_adbkeyboard_and_restores_the_keyboard(server, phone) -> None:
    device = open_phone(server)
    text = "你好，世界 hello"
    execute(device, Type(confidence=1, text=text, coordinates=target(phone, "Search field")))
    assert phone.backing.state()["Search field"] == text
    assert device.last_typing == "adbkeyboard"
    assert f"ime set {ADB_IME}" in " ".join(phone.commands)
    assert phone.ime == GBOARD, "the user's keyboard must be put back"


def test_ascii_typing_is_escaped_for_input_text(server, phone) -> None:
    device = open_phone(server)
    text = "it's 50%s off & more; $HOME `x` \"q\"\tend"
    execute(device, Type(confidence=1, text=text, coordinates=target(phone, "Search field")))
    assert device.last_typing == "input"
    assert phone.typed and phone.ime == GBOARD
    # The tab is a key press (the canvas ignores it); everything else arrives verbatim.
    assert phone.backing.state()["Search field"] == text.replace("\t", "")


def test_chinese_without_adbkeyboard_says_how_to_install_it(server, phone) -> None:
    phone.adb_keyboard = False
    device = open_phone(server)
    with pytest.raises(KeyboardMissing, match="ADBKeyBoard") as err:
        execute(device, Type(confidence=1, text="你好"))
    assert "adb install" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("rotates_capture", [True, False])
@pytest.mark.parametrize("rotation", [1, 3])
def test_rotation_is_reread_each_capture(server, phone, rotation: int, rotates_capture: bool) -> None:
    device = open_phone(server)
    assert device.screenshot().size == (1080, 2400)
    phone.rotation, phone.rotates_capture = rotation, rotates_capture
    image = device.screenshot()
    assert image.size == (2400, 1080) == device.size()
    expected = np.rot90(np.asarray(phone.backing.screenshot()), k=rotation)
    assert np.array_equal(np.asarray(image), expected)
    execute(device, Tap(confidence=1, element="Wi-Fi", coordinates=target(phone, "Wi-Fi toggle")))
    assert phone.backing.state()["Wi-Fi toggle"] is True


def test_secure_black_screen_raises_secure_screen(server, phone) -> None:
    device = open_phone(server)
    phone.secure = True
    with pytest.raises(SecureScreen, match="take over") as err:
        device.screenshot()
    assert err.value.image is not None and err.value.image.size == (1080, 2400)
    phone.secure = False
    device.screenshot()


def test_unplugged_mid_run_is_a_clear_disconnect(server, phone) -> None:
    device = open_phone(server)
    device.screenshot()
    server.unplug("FAKE01")
    with pytest.raises(DeviceDisconnected, match="FAKE01 disconnected") as err:
        execute(device, Tap(confidence=1, element="OK", coordinates=(500, 500)))
    assert "\n" not in str(err.value)


def test_cable_pulled_during_a_screenshot(server, phone) -> None:
    device = open_phone(server)
    phone.cut_next = "screencap"
    with pytest.raises(DeviceDisconnected, match="FAKE01"):
        device.screenshot()


def test_password_fields_and_tap_snapping(server, phone) -> None:
    device = open_phone(server)
    device.screenshot()
    assert device.effect(Press(target(phone, "Password field"))).role == "password_field"
    assert device.effect(Press(target(phone, "Search field"))).role == "text_field"
    execute(device, Tap(confidence=1, element="password", coordinates=target(phone, "Password field")))
    typed = device.effect(Text("x"))  # into the focused field
    assert typed.role == "password_field" and typed.sensitive
    # A tap 40 px below the OK button (within 24 dp at 420 dpi = 63 px) is moved onto it.
    ok = next(e for e in phone.backing.elements if e.label == "OK button")
    x, y, w, h = ok.rect
    execute(device, Tap(confidence=1, element="OK", coordinates=pixels_to_grid((x + w // 2, y + h + 40), (1080, 2400))))
    assert phone.taps[-1] == (x + w // 2, y + h // 2)


def test_without_a_ui_tree_taps_are_left_alone(server, phone) -> None:
    phone.hierarchy = False
    device = open_phone(server)
    assert device.effect(Press((500, 500))) is None
    execute(device, Tap(confidence=1, element="spot", coordinates=(500, 100)))
    assert phone.taps[-1] == (540, 240)


def test_open_app_by_label_or_chinese_name(server, phone) -> None:
    device = open_phone(server)
    execute(device, OpenApp(confidence=1, app="settings"))
    assert phone.backing.state()["screen"] == "Settings"
    execute(device, OpenApp(confidence=1, app="微信"))
    assert phone.backing.state()["screen"] == "WeChat"
    with pytest.raises(ActionFailed, match="no app named"):
        execute(device, OpenApp(confidence=1, app="Nonexistent Game"))


def test_choosing_among_phones(monkeypatch) -> None:
    a, b = FakePhone("AAA", model="Pixel_8"), FakePhone("BBB", model="SM-S918B", backing=CanvasPhone())
    locked = FakePhone("CCC", state="unauthorized")
    server = FakeAdbServer(a, b, locked)
    try:
        monkeypatch.delenv("ANDROID_SERIAL", raising=False)
        with pytest.raises(UsageError, match="2 phones attached") as err:
            open_phone(server)
        assert "adb:AAA (Pixel 8)" in str(err.value) and "adb:BBB (SM-S918B)" in str(err.value)
        assert open_phone(server, "BBB").name == "adb:BBB"
        monkeypatch.setenv("ANDROID_SERIAL", "AAA")
        assert open_phone(server).name == "adb:AAA"
        with pytest.raises(UsageError, match="no phone with serial 'ZZZ'"):
            open_phone(server, "ZZZ")
        with pytest.raises(UsageError, match="unauthorized: unlock the phone"):
            open_phone(server, "CCC")
    finally:
        server.stop()


def test_no_phone_attached_is_a_usage_error() -> None:
    server = FakeAdbServer()
    try:
        with pytest.raises(UsageError, match="no Android phone found"):
            open_phone(server)
    finally:
        server.stop()
