"""The focused editor (what Enter does) and where the soft keyboard is, from `dumpsys input_method`
and `dumpsys window InputMethod`: parsed from fixtures in the layouts of Android 9-14 (one real
window dump of an Xperia; the others follow AOSP's dump code, see fixtures/android/SOURCES.md),
then read through the real adbutils client and the FAKE adb server."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions import pixels_to_grid
from devices.android import ime
from devices.primitives import KeyPress, Press, Text
from devices.sim import SimPhone
from tests.fake_adb import FakeAdbServer, FakePhone
from tests.test_android import open_phone

DUMPSYS = Path(__file__).parent / "fixtures" / "android" / "dumpsys"


def fixture(name: str) -> str:
    return (DUMPSYS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "expected"), [
    # Android 9: the app's editor (mCurrentTextBoxAttribute), a chat's multi-line field with a
    # send action: Enter sends.
    ("input_method_android9_send.txt",
     (0x24001, 0x4, "com.google.android.apps.messaging", "Text message", "text", False, True, "send", "send")),
    # Android 12: a note (multi-line; TextView's IME_FLAG_NO_ENTER_ACTION): Enter is a new line.
    ("input_method_android12_note.txt",
     (0x2C001, 0x48000006, "com.google.android.keep", "Note", "text", False, True, "done", "newline")),
    # Android 13: a PIN (NUMBER_PASSWORD).
    ("input_method_android13_pin.txt",
     (0x12, 0x6, "com.example.bank", "Enter PIN", "number", True, False, "done", "done")),
    # Android 14: mCurrentEditorInfo, mInputShown on its own line; a search field.
    ("input_method_android14_search.txt",
     (0x1, 0x2000003, "com.android.settings", "搜索设置", "text", False, False, "search", "search")),
])
def test_the_focused_editor_in_each_layout(name: str, expected: tuple) -> None:
    editor = ime.parse_editor(fixture(name))
    assert editor is not None and editor.shown is True
    got = (editor.input_type, editor.ime_options, editor.package, editor.hint, editor.input_class,
           editor.password, editor.multi_line, editor.action, editor.enter_action())
    assert got == expected


def test_no_editor_and_the_keyboard_down() -> None:
    dump = fixture("input_method_android11_no_editor.txt")
    assert ime.parse_shown(dump) is False
    assert ime.parse_editor(dump) is None  # "mCurrentTextBoxAttribute: null" (the launcher)
    assert ime.parse("nothing about keyboards") is None and ime.parse_editor("") is None


def test_the_start_input_history_is_the_last_resort_newest_last() -> None:
    history = ("  mShowRequested=true mShowExplicitlyRequested=false mShowForced=false mInputShown=true\n"
               "  mStartInputHistory:\n"
               "      inputType=0x81 imeOptions=0x6 fieldId=0x7f0a0101 fieldName=null actionId=0 actionLabel=null\n"
               "      inputType=0x1 imeOptions=0x4 fieldId=0x7f0a0102 fieldName=null actionId=0 actionLabel=null\n")
    editor = ime.parse_editor(history)
    assert editor is not None and (editor.input_type, editor.field_id, editor.enter_action()) == (0x1, 0x7F0A0102, "send")


@pytest.mark.parametrize(("input_type", "ime_options", "action_label", "enter"), [
    (0x1, 0x2, None, "go"), (0x1, 0x5, None, "next"), (0x1, 0x7, None, "previous"),
    (0x1, 0x0, None, "none"), (0x1, 0x1, None, "none"), (0x20001, 0x0, None, "newline"),
    (0x20001, 0x4, None, "send"),  # a multi-line editor that asks for a send key gets one
    (0x20001, 0x40000004, None, "newline"),  # ... unless Enter is forced to be Enter
    (0x1, 0x40000004, None, "send"),  # single line: the app still takes Enter as its action
    (0x1, 0x0, "Pay", "custom"),  # an app-named action (actionLabel)
])
def test_what_enter_does(input_type: int, ime_options: int, action_label: str | None, enter: str) -> None:
    assert ime.EditorInfo(input_type, ime_options, action_label=action_label).enter_action() == enter


@pytest.mark.parametrize(("input_type", "password"), [
    (0x81, True), (0x91, True), (0xE1, True), (0x12, True), (0x1, False), (0x21, False), (0x2, False)])
def test_password_variations(input_type: int, password: bool) -> None:
    assert ime.EditorInfo(input_type, 0).password is password


def test_where_the_keyboard_is() -> None:
    a10 = ime.parse_keyboard_region(fixture("window_input_method_android10_shown.txt"))
    assert a10 is not None and a10.boxes == ((0, 1276, 1080, 2154),)  # not the next window's region
    a14 = ime.parse_keyboard_region(fixture("window_input_method_android14_floating.txt"))
    assert a14 is not None and a14.boxes == ((21, 965, 169, 1525), (0, 1595, 1080, 2400))
    assert a14.contains(100, 1000) and a14.contains(540, 2000)
    assert not a14.contains(540, 1200)  # between the floating toolbar and the keys: the app's
    assert a14.bounds == (0, 965, 1080, 2400)
    # A real dump of a hidden keyboard (Xperia, Android 9): its stale region must not count.
    assert ime.parse_keyboard_region(fixture("window_input_method_hidden_xperia.txt")) is None
    # Without a touchable region (older layouts): the frame below the content inset.
    old = "  Window #3 Window{1 u0 InputMethod}:\n    mGivenContentInsets=[0,800][0,0]\n    mFrame=[0,63][1080,1920]\n"
    assert ime.parse_keyboard_region(old) == ime.KeyboardRegion(((0, 863, 1080, 1920),))
    assert ime.parse_keyboard_region("WINDOW MANAGER WINDOWS (dumpsys window windows)\n") is None


def test_the_recorder_reads_a_pin_as_a_password() -> None:
    assert ime.parse(fixture("input_method_android13_pin.txt")) == ime.Keyboard(shown=True, password=True)
    assert ime.parse(fixture("input_method_android14_search.txt")).typing_password is False


# --- through adb ----------------------------------------------------------------------------------


def test_focused_editor_and_keyboard_region_from_real_format_outputs(server, phone) -> None:
    phone.ime_dump = fixture("input_method_android9_send.txt")
    phone.window_dump = fixture("window_input_method_android10_shown.txt")
    device = open_phone(server)
    device.screenshot()
    editor = device.focused_editor()
    assert editor is not None and editor.enter_action() == "send"
    assert device.focused_editor() is editor and device.keyboard_region() is device.keyboard_region()
    assert device.keyboard_region().boxes == ((0, 1276, 1080, 2154),)
    assert sum(c == "dumpsys input_method" for c in phone.commands) == 1  # once per screen
    assert sum(c == "dumpsys window InputMethod" for c in phone.commands) == 1
    enter = device.effect(KeyPress("enter"))
    assert (enter.role, enter.sensitive) == ("send", True) and "sends" in enter.effect
    key = device.effect(Press(pixels_to_grid((540, 1800), phone.display_size())))
    assert (key.label, key.role, key.sensitive) == ("on-screen keyboard", "key", True)
    device.screenshot()  # the screen may have changed: both are read again
    phone.ime_dump = fixture("input_method_android12_note.txt")
    assert device.focused_editor().enter_action() == "newline"
    assert sum(c == "dumpsys input_method" for c in phone.commands) == 2
    assert device.effect(KeyPress("enter")).sensitive is False


def test_a_webview_password_counts_though_the_tree_shows_no_field(server, phone) -> None:
    """A PIN in a WebView or a game: no EditText in the tree, but the keyboard's editor says."""
    phone.ime_dump = fixture("input_method_android13_pin.txt")
    device = open_phone(server)
    assert device.effect(KeyPress("enter")).sensitive is True
    typed = device.effect(Text("1234"))
    assert (typed.label, typed.role, typed.sensitive) == ("Enter PIN", "password_field", True)
    phone.ime_dump = fixture("input_method_android14_search.txt")
    device.screenshot()
    assert device.effect(Text("cats")).role == "text_field"


def test_the_simulated_phone_behind_adb_reports_its_field_and_keyboard() -> None:
    """The FAKE adb answers from the simulated phone: its focused message field sends on Enter, a
    new note's body takes new lines, and the keyboard's region is where the sim draws its keyboard,
    turned with the display."""
    for rotation in (0, 1):
        sim = SimPhone(screen="messages/alex", state={"focused_field": "messages/alex:compose"})
        phone = FakePhone("SIM01", backing=sim, hierarchy=False, rotation=rotation)
        server = FakeAdbServer(phone)
        try:
            device = open_phone(server, "SIM01")
            editor = device.focused_editor()
            assert editor is not None and editor.shown and editor.enter_action() == "send"
            keys = next(w.rect for w in sim.layout().widgets if getattr(w, "fill", None) == "keyboard")
            region = device.keyboard_region()
            assert region is not None and len(region.boxes) == 1
            inside = phone.from_natural((keys.x0 + keys.x1) // 2, (keys.y0 + keys.y1) // 2)
            above = phone.from_natural((keys.x0 + keys.x1) // 2, keys.y0 - 10)
            assert region.contains(*inside) and not region.contains(*above)
            key = device.effect(Press(pixels_to_grid(inside, phone.display_size())))
            assert (key.role, key.sensitive) == ("key", True)  # its Enter key would send
        finally:
            server.stop()
    note = FakePhone("SIM02", backing=SimPhone(screen="notes/new"), hierarchy=False)
    server = FakeAdbServer(note)
    try:
        device = open_phone(server, "SIM02")
        assert device.focused_editor().enter_action() == "newline"
        home = FakePhone("SIM03", backing=SimPhone(screen="home"), hierarchy=False)
    finally:
        server.stop()
    server = FakeAdbServer(home)
    try:
        device = open_phone(server, "SIM03")
        assert device.focused_editor() is None and device.keyboard_region() is None
    finally:
        server.stop()


@pytest.mark.parametrize("key", ["enter", "ENTER", "return", "keycode_enter", "KEYCODE_ENTER", "66", "160",
                                 "ctrl+enter", "shift+Return"])
def test_enter_is_judged_by_its_key_code_not_its_name(server, phone, key: str) -> None:
    """Every way of asking for KEYCODE_ENTER (or NUMPAD_ENTER) performs the editor's action."""
    phone.ime_dump = fixture("input_method_android9_send.txt")
    device = open_phone(server)
    device.screenshot()
    enter = device.effect(KeyPress(key))
    assert (enter.role, enter.sensitive) == ("send", True), key


def test_call_and_the_centre_key_need_a_yes(server, phone) -> None:
    """KEYCODE_CALL dials; DPAD_CENTER presses whatever has focus, which the phone may not say."""
    device = open_phone(server)
    device.screenshot()
    for key in ("call", "CALL", "keycode_call"):  # ("5" is the digit key)
        assert device.effect(KeyPress(key)).sensitive is True, key
    assert device.effect(KeyPress("volume_up")).sensitive is False
    node = ('<node index="0" text="Pay $20" content-desc="" class="android.widget.Button" clickable="true" '
            'password="false" focusable="true" focused="{}" bounds="[100,800][980,960]" />')
    xml = ("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">"
           '<node class="android.widget.FrameLayout" clickable="false" bounds="[0,0][1080,2400]">{}</node></hierarchy>')
    phone.ui_xml = xml.format(node.format("true"))
    device.screenshot()
    centre = device.effect(KeyPress("23"))  # the focused button's own words, read like a tap's
    assert (centre.label, centre.sensitive) == ("Pay $20", False) and not centre.known
    phone.ui_xml = xml.format(node.format("false"))
    device.screenshot()
    assert device.effect(KeyPress("dpad_center")).sensitive is True  # nothing says what it presses
