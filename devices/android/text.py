"""Typing on a phone: `input text` for ASCII, the ADBKeyBoard IME for everything else.

`input text` only types ASCII, turns "%s" into a space and goes through the phone's shell, so the
text is split and quoted here. Unicode (Chinese) needs ADBKeyBoard (github.com/senzhk/ADBKeyBoard):
while it is the active keyboard it types whatever arrives in a base64 broadcast. The user's own
keyboard is put back afterwards, even when the broadcast fails.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

from devices.errors import ActionFailed, SetupRequired

ADB_IME = "com.android.adbkeyboard/.AdbIME"
INSTALL_HINT = ("install the ADBKeyBoard keyboard: download ADBKeyboard.apk from "
                "https://github.com/senzhk/ADBKeyBoard/releases and run `adb install ADBKeyboard.apk`")
KEY_ENTER, KEY_TAB = 66, 61

Shell = Callable[[str], str]


class KeyboardMissing(SetupRequired):
    """Non-ASCII text was asked for and the phone has no ADBKeyBoard. The message says how to
    install it; the run ends on it, since no later step could type that text either."""


def quote(text: str) -> str:
    """Single-quote for the phone's sh (mksh/toybox): nothing inside is special but the quote."""
    return "'" + text.replace("'", "'\\''") + "'"


def input_text_commands(text: str) -> list[str]:
    """Shell commands that type ASCII `text` with `input text`/`input keyevent`.

    Spaces become "%s" (input's own escape). A literal "%s" in the text cannot be said to `input`,
    so it is typed as "%" then "s". Newlines and tabs are key presses.
    """
    commands: list[str] = []
    for i, line in enumerate(text.replace("\r\n", "\n").split("\n")):
        if i:
            commands.append(f"input keyevent {KEY_ENTER}")
        for j, cell in enumerate(line.split("\t")):
            if j:
                commands.append(f"input keyevent {KEY_TAB}")
            for k, piece in enumerate(cell.split("%s")):
                if k:
                    commands += ["input text '%'", "input text s"]
                if piece:
                    commands.append("input text " + quote(piece.replace(" ", "%s")))
    return commands


def has_adb_keyboard(shell: Shell) -> bool:
    return ADB_IME in shell("ime list -s -a").split()


def type_with_adb_keyboard(shell: Shell, text: str, settle: float) -> None:
    """Switch to ADBKeyBoard, broadcast `text`, switch back to the user's keyboard."""
    previous = shell("settings get secure default_input_method").strip()
    switched = previous != ADB_IME
    if switched:
        shell(f"ime enable {ADB_IME} >/dev/null 2>&1; ime set {ADB_IME}")
        time.sleep(settle)  # the IME must bind to the focused field before it can type
    try:
        payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
        out = shell(f"am broadcast -a ADB_INPUT_B64 --es msg {payload}")
        if "Broadcast completed" not in out:
            raise ActionFailed(f"ADBKeyBoard did not take the text: {out.strip()[:120] or 'no answer'}")
    finally:
        if switched and previous and previous != "null":
            shell(f"ime set {quote(previous)}")


def type_text(shell: Shell, text: str, *, ime_settle: float = 0.5) -> str:
    """Type `text` into the focused field; returns how ("input" or "adbkeyboard")."""
    if text.isascii():
        commands = input_text_commands(text)
        if commands:
            shell("; ".join(commands))
        return "input"
    if not has_adb_keyboard(shell):
        raise KeyboardMissing(f"typing {text[:20]!r} needs a Unicode keyboard on the phone: {INSTALL_HINT}")
    type_with_adb_keyboard(shell, text, ime_settle)
    return "adbkeyboard"
