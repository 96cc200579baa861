"""The simulated phone, driven only through its public API (`execute`, `state`, `locate`)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from actions import (
    Back,
    Done,
    DoubleTap,
    Home,
    Key,
    LongPress,
    OpenApp,
    Scroll,
    Swipe,
    Tap,
    Type,
    grid_to_pixels,
)
from actions.errors import UsageError
from devices import ActionFailed, Stateful
from devices.base import execute
from devices.sim import SimPhone

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "sim"


def tap(phone: SimPhone, label: str) -> None:
    execute(phone, Tap(confidence=1.0, element=label, coordinates=phone.locate(label)))


def crop_at(phone: SimPhone, label: str, half: int = 40) -> np.ndarray:
    x, y = grid_to_pixels(phone.locate(label), phone.size())
    img = np.asarray(phone.screenshot(), dtype=np.float32)
    return img[y - half:y + half, x - half:x + half]


def luminance(img: Image.Image) -> float:
    return float(np.asarray(img.convert("L"), dtype=np.float32).mean())


def ink_height(img: Image.Image, box: tuple[int, int, int, int]) -> int:
    """Rows in `box` that hold dark text pixels on the light background."""
    region = np.asarray(img.crop(box).convert("L")) < 110
    rows = np.nonzero(region.any(axis=1))[0]
    return int(rows[-1] - rows[0] + 1) if rows.size else 0


def test_is_stateful_and_default_state() -> None:
    phone = SimPhone()
    assert isinstance(phone, Stateful)
    st = phone.state()
    assert st["screen"] == "home" and st["wifi"] and st["bluetooth"] and not st["dark_theme"]
    assert st["font_scale"] == 1.0 and st["focused_field"] is None and st["popup"] is None
    assert {"Settings", "Messages", "Notes", "Phone", "Camera", "Chrome"} <= set(st["apps"])
    assert set(st["accessibility"]) == {"magnification", "talkback", "select_to_speak",
                                        "bold_text", "high_contrast_text"}
    st["wifi"] = False  # a copy: changing it does not change the phone
    assert phone.state()["wifi"] is True


def test_bluetooth_toggle_turns_off_and_switch_pixels_change() -> None:
    phone = SimPhone(screen="settings/bluetooth")
    before = crop_at(phone, "Use Bluetooth toggle")
    tap(phone, "Use Bluetooth toggle")
    assert phone.state()["bluetooth"] is False
    after = crop_at(phone, "Use Bluetooth toggle")
    assert np.abs(before - after).mean() > 20
    # The paired devices disappear and the status bar loses its Bluetooth icon.
    assert "Pair new device" not in " ".join(phone.labels())
    tap(phone, "Use Bluetooth")
    assert phone.state()["bluetooth"] is True


def test_reach_bluetooth_from_home_by_taps_and_summary_follows() -> None:
    phone = SimPhone()
    tap(phone, "Settings")
    tap(phone, "Connected devices")
    tap(phone, "Bluetooth")
    assert phone.state()["screen"] == "settings/bluetooth"
    tap(phone, "Use Bluetooth toggle")
    execute(phone, Back(confidence=1.0))
    execute(phone, Back(confidence=1.0))
    assert phone.state()["screen"] == "settings"
    before = phone.screenshot()
    phone2 = SimPhone(screen="settings")
    assert before.tobytes() != phone2.screenshot().tobytes()  # the row now says "Bluetooth off"


def test_wifi_page_lists_networks_only_when_on() -> None:
    phone = SimPhone(screen="settings/wifi")
    assert "HomeNet" in phone.labels()
    tap(phone, "Wi-Fi toggle")
    assert phone.state()["wifi"] is False
    assert "HomeNet" not in phone.labels()
    zh = SimPhone(lang="zh", screen="settings/wifi", state={"wifi": False})
    tap(zh, "WLAN开关")
    assert zh.state()["wifi"] is True


def test_scrolling_settings_reveals_rows_below() -> None:
    phone = SimPhone(screen="settings")
    assert "About phone" not in phone.labels()
    with pytest.raises(LookupError, match="Network & internet"):
        phone.locate("About phone")
    execute(phone, Scroll(confidence=1.0, direction="down"))
    execute(phone, Scroll(confidence=1.0, direction="down"))
    assert "About phone" in phone.labels()
    assert "Network & internet" not in phone.labels()
    tap(phone, "About phone")
    assert phone.state()["screen"] == "settings/about"
    execute(phone, Back(confidence=1.0))
    execute(phone, Scroll(confidence=1.0, direction="up", coordinates=(500, 500)))
    execute(phone, Scroll(confidence=1.0, direction="up"))
    assert "Network & internet" in phone.labels()


def test_swipe_up_scrolls_like_a_finger() -> None:
    phone = SimPhone(screen="settings")
    execute(phone, Swipe(confidence=1.0, element="list", coordinates=(500, 850), to=(500, 250)))
    assert "System" in phone.labels()


def test_font_size_page_changes_scale_and_text_grows() -> None:
    phone = SimPhone(screen="settings/display")
    tap(phone, "Font size")
    assert phone.state()["screen"] == "settings/font_size"
    x, y = grid_to_pixels(phone.locate("Largest"), phone.size())
    box = (200, y - 60, 700, y + 60)
    small = ink_height(phone.screenshot(), box)
    tap(phone, "Largest")
    assert phone.state()["font_scale"] == pytest.approx(1.3)
    x, y = grid_to_pixels(phone.locate("Largest"), phone.size())
    large = ink_height(phone.screenshot(), (200, y - 60, 700, y + 60))
    assert large > small * 1.2
    # The slider: drag its thumb to the left end.
    sx, sy = phone.locate("Font size slider")
    execute(phone, Swipe(confidence=1.0, element="Font size slider", coordinates=(sx, sy),
                        to=(20, sy)))
    assert phone.state()["font_scale"] == pytest.approx(0.85)


def test_brightness_and_volume_sliders() -> None:
    phone = SimPhone(screen="settings/sound")
    _, y = phone.locate("Media volume slider")
    execute(phone, Tap(confidence=1.0, element="Media volume slider", coordinates=(965, y)))
    assert phone.state()["media_volume"] == 100
    execute(phone, Swipe(confidence=1.0, element="Ring volume", coordinates=phone.locate(
        "Ring volume slider"), to=(40, y)))
    assert phone.state()["ring_volume"] == 0
    tap(phone, "Do Not Disturb toggle")
    assert phone.state()["do_not_disturb"] is True


def test_dark_theme_renders_dark() -> None:
    phone = SimPhone(screen="settings/display")
    light = luminance(phone.screenshot())
    tap(phone, "Dark theme toggle")
    assert phone.state()["dark_theme"] is True
    assert luminance(phone.screenshot()) < 60 < light


def test_accessibility_toggles() -> None:
    phone = SimPhone(screen="settings/accessibility")
    tap(phone, "Bold text toggle")
    tap(phone, "TalkBack")
    assert phone.state()["accessibility"]["bold_text"] is True
    assert phone.state()["accessibility"]["talkback"] is True


def test_notes_type_and_save() -> None:
    phone = SimPhone()
    execute(phone, OpenApp(confidence=1.0, app="Notes"))
    tap(phone, "New note")
    assert phone.state()["focused_field"] is not None  # the editor opens with the keyboard up
    execute(phone, Type(confidence=1.0, text="Buy milk"))
    execute(phone, Key(confidence=1.0, key="backspace"))
    execute(phone, Type(confidence=1.0, text="k 买牛奶"))
    tap(phone, "Save")
    st = phone.state()
    assert st["notes"][-1] == "Buy milk 买牛奶"
    assert st["screen"] == "notes" and st["focused_field"] is None


def test_messages_send_appends_and_shows() -> None:
    phone = SimPhone()
    tap(phone, "Messages")
    tap(phone, "Mom")
    assert phone.state()["screen"] == "messages/mom"
    before = phone.screenshot()
    execute(phone, Type(confidence=1.0, text="See you Sunday", element="Text message",
                       coordinates=phone.locate("Text message")))
    tap(phone, "Send")
    assert phone.state()["messages"] == [{"to": "Mom", "text": "See you Sunday"}]
    assert phone.state()["drafts"]["messages/mom:compose"] == ""
    tap(phone, "Send")  # an empty field sends nothing
    assert len(phone.state()["messages"]) == 1
    execute(phone, Type(confidence=1.0, text="Bring dessert?"))
    execute(phone, Key(confidence=1.0, key="enter"))
    assert phone.state()["messages"][-1]["text"] == "Bring dessert?"
    assert before.tobytes() != phone.screenshot().tobytes()


def test_keyboard_keys_type() -> None:
    phone = SimPhone(screen="notes/new")
    layout = phone.layout()
    keys = {w.tap.arg: w for w in layout.widgets if w.tap is not None and w.tap.kind == "insert"}
    for ch in "hi":
        x, y = keys[ch].rect.center
        execute(phone, Tap(confidence=1.0, element=ch, coordinates=(
            round(x * 1000 / 1080), round(y * 1000 / 2400))))
    assert phone.state()["drafts"]["notes/new:body"] == "hi"


def test_back_and_home_navigation() -> None:
    phone = SimPhone()
    execute(phone, Back(confidence=1.0))
    assert phone.state()["screen"] == "home"  # back on home does nothing
    tap(phone, "Settings")
    tap(phone, "Display")
    tap(phone, "Font size")
    execute(phone, Key(confidence=1.0, key="back"))
    assert phone.state()["screen"] == "settings/display"
    tap(phone, "Navigate up")
    assert phone.state()["screen"] == "settings"
    execute(phone, Home(confidence=1.0))
    assert phone.state()["screen"] == "home"
    # Started deep, back goes up a level.
    deep = SimPhone(screen="settings/font_size")
    execute(deep, Back(confidence=1.0))
    assert deep.state()["screen"] == "settings/display"
    # Back first hides the keyboard, then leaves the thread.
    chat = SimPhone(screen="messages/alex")
    tap(chat, "Text message")
    execute(chat, Back(confidence=1.0))
    assert chat.state()["focused_field"] is None and chat.state()["screen"] == "messages/alex"
    tap(chat, "Back")  # the navigation bar button
    assert chat.state()["screen"] == "messages"


@pytest.mark.parametrize(("lang", "name", "screen"), [
    ("en", "Settings", "settings"), ("en", "settings", "settings"), ("en", "设置", "settings"),
    ("zh", "信息", "messages"), ("zh", "Notes", "notes"), ("zh", "笔记", "notes"),
    ("en", "YouTube", "app/youtube"),
])
def test_open_app_by_name(lang: str, name: str, screen: str) -> None:
    phone = SimPhone(lang=lang)
    execute(phone, OpenApp(confidence=1.0, app=name))
    assert phone.state()["screen"] == screen
    execute(phone, Back(confidence=1.0))
    assert phone.state()["screen"] == "home"


def test_failures_are_action_failed_with_a_reason() -> None:
    phone = SimPhone()
    with pytest.raises(ActionFailed, match="Settings"):
        execute(phone, OpenApp(confidence=1.0, app="Setings"))
    with pytest.raises(ActionFailed, match="unknown key"):
        execute(phone, Key(confidence=1.0, key="ctrl+c"))
    with pytest.raises(ActionFailed, match="no text field is focused"):
        execute(phone, Type(confidence=1.0, text="hello"))
    execute(phone, Done(confidence=1.0, text="done"))  # the loop's own kind: nothing to perform
    with pytest.raises(ValueError):
        phone.perform("done")  # type: ignore[arg-type]
    assert phone.state()["screen"] == "home"


def test_quick_settings_swipe_and_tiles() -> None:
    phone = SimPhone(screen="settings")
    execute(phone, Swipe(confidence=1.0, element="status bar", coordinates=(500, 3), to=(500, 500)))
    assert phone.state()["popup"] == {"kind": "quick_settings"}
    tap(phone, "Bluetooth")
    tap(phone, "Wi-Fi")
    st = phone.state()
    assert st["bluetooth"] is False and st["wifi"] is False
    execute(phone, Swipe(confidence=1.0, element="shade", coordinates=(500, 400), to=(500, 50)))
    assert phone.state()["popup"] is None and phone.state()["screen"] == "settings"
    zh = SimPhone(lang="zh")
    execute(zh, Swipe(confidence=1.0, element="状态栏", coordinates=(300, 10), to=(300, 600)))
    tap(zh, "蓝牙")
    assert zh.state()["bluetooth"] is False
    execute(zh, Back(confidence=1.0))
    assert zh.state()["popup"] is None


def test_uninstall_flow() -> None:
    phone = SimPhone()
    execute(phone, LongPress(confidence=1.0, element="YouTube", coordinates=phone.locate("YouTube")))
    assert phone.state()["popup"] == {"kind": "app_menu", "app": "YouTube"}
    tap(phone, "Uninstall")
    assert phone.state()["popup"]["kind"] == "uninstall"
    tap(phone, "Cancel")
    assert "YouTube" in phone.state()["apps"]
    execute(phone, LongPress(confidence=1.0, element="YouTube", coordinates=phone.locate("YouTube")))
    tap(phone, "Uninstall")
    tap(phone, "Uninstall")
    st = phone.state()
    assert "YouTube" not in st["apps"] and st["popup"] is None
    assert "YouTube" not in phone.labels()
    with pytest.raises(ActionFailed):
        execute(phone, OpenApp(confidence=1.0, app="YouTube"))
    # Settings offers App info only.
    execute(phone, LongPress(confidence=1.0, element="Settings", coordinates=phone.locate("Settings")))
    assert "Uninstall" not in phone.labels()
    tap(phone, "App info")
    assert phone.state()["screen"] == "settings/app_info/settings"


def test_double_tap_toggles_twice() -> None:
    phone = SimPhone(screen="settings/display")
    execute(phone, DoubleTap(confidence=1.0, element="Dark theme",
                            coordinates=phone.locate("Dark theme toggle")))
    assert phone.state()["dark_theme"] is False


def test_state_overrides_and_bad_input() -> None:
    phone = SimPhone(state={"bluetooth": False, "font_scale": 1.15, "apps": ["settings", "Notes"],
                            "accessibility": {"magnification": True}}, screen="settings")
    st = phone.state()
    assert st["bluetooth"] is False and st["font_scale"] == 1.15
    assert st["apps"] == ["Settings", "Notes"] and st["accessibility"]["magnification"] is True
    assert st["accessibility"]["talkback"] is False
    with pytest.raises(UsageError, match="unknown sim state key 'bluetoth'"):
        SimPhone(state={"bluetoth": False})
    with pytest.raises(UsageError, match="screen"):
        SimPhone(screen="settings/nope")
    with pytest.raises(UsageError):
        SimPhone(state={"wifi": "yes"})
    with pytest.raises(UsageError):
        SimPhone(lang="fr")
    with pytest.raises(UsageError):
        SimPhone(screen="app/youtube", state={"apps": ["Settings"]})
    with pytest.raises(UsageError) as err:
        SimPhone(state={"x": 1})
    assert "\n" not in str(err.value)


def test_screenshots_are_deterministic_and_sized() -> None:
    a, b = SimPhone(screen="settings"), SimPhone(screen="settings")
    ia, ib = a.screenshot(), b.screenshot()
    assert ia.mode == "RGB" and ia.size == (1080, 2400)
    assert ia.tobytes() == ib.tobytes()
    tap(a, "Display")
    tap(b, "Display")
    assert a.screenshot().tobytes() == b.screenshot().tobytes()
    small = SimPhone(size=(720, 1600))
    assert small.screenshot().size == (720, 1600)
    execute(small, OpenApp(confidence=1.0, app="Settings"))
    tap(small, "Display")
    assert small.state()["screen"] == "settings/display"


def test_render_is_fast() -> None:
    phone = SimPhone(screen="settings")
    phone.screenshot()  # fonts and caches warm
    start = time.perf_counter()
    for _ in range(5):
        execute(phone, Scroll(confidence=1.0, direction="down"))
        execute(phone, Scroll(confidence=1.0, direction="up"))
        phone.screenshot()
    per_frame = (time.perf_counter() - start) / 5
    assert per_frame < 0.5, f"{per_frame * 1000:.0f} ms per frame"


def test_every_visible_label_is_locatable_on_every_screen() -> None:
    screens = ["home", "settings", "settings/network", "settings/wifi", "settings/connected",
               "settings/bluetooth", "settings/display", "settings/font_size", "settings/sound",
               "settings/accessibility", "settings/apps", "settings/about", "messages",
               "messages/sam", "notes", "notes/new", "app/clock", "settings/app_info/notes"]
    for lang in ("en", "zh"):
        for screen in screens:
            phone = SimPhone(lang=lang, screen=screen)
            labels = phone.labels()
            assert labels, screen
            for label in labels:
                point = phone.locate(label)
                assert all(0 <= v <= 1000 for v in point)


def test_save_renders_for_review() -> None:
    """Renders a person (or a VLM) can look at: test-artifacts/sim/*.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shots = {
        "home": SimPhone(),
        "settings": SimPhone(screen="settings"),
        "bluetooth": SimPhone(screen="settings/bluetooth"),
        "display": SimPhone(screen="settings/display"),
        "font_size": SimPhone(screen="settings/font_size", state={"font_scale": 1.15}),
        "thread": SimPhone(screen="messages/alex"),
        "zh_settings": SimPhone(lang="zh", screen="settings"),
        "zh_bluetooth": SimPhone(lang="zh", screen="settings/bluetooth"),
        "dark_settings": SimPhone(screen="settings", state={"dark_theme": True}),
    }
    for name, phone in shots.items():
        img = phone.screenshot()
        img.save(ARTIFACTS / f"{name}.png")
        assert luminance(img) > 5
