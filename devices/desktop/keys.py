"""Key names of the action schema ("enter", "ctrl+c", "page_down") -> pyautogui key names."""

from __future__ import annotations

from devices.errors import ActionFailed

# The schema spells keys in lower case with underscores; pyautogui has its own names. Phone words
# the model may carry over to a desktop are mapped to their desktop meaning ("delete" on a phone's
# keyboard erases backwards, but on a desktop the Delete key is what a person means).
ALIASES = {
    "return": "enter", "esc": "escape", "control": "ctrl", "cmd": "command", "super": "win",
    "meta": "win", "windows": "win", "option": "alt", "page_up": "pageup", "page_down": "pagedown",
    "pgup": "pageup", "pgdn": "pagedown", "arrow_up": "up", "arrow_down": "down",
    "arrow_left": "left", "arrow_right": "right", "del": "delete", "ins": "insert",
    "caps_lock": "capslock", "num_lock": "numlock", "print_screen": "printscreen",
    "volume_up": "volumeup", "volume_down": "volumedown", "volume_mute": "volumemute",
    "spacebar": "space", "plus": "+", "minus": "-", "equal": "=", "equals": "=", "comma": ",",
    "period": ".", "slash": "/", "backslash": "\\", "semicolon": ";", "quote": "'",
    "backquote": "`", "grave": "`", "bracketleft": "[", "bracketright": "]",
}


def pyautogui_keys(key: str, known: frozenset[str] | set[str] | list[str]) -> list[str]:
    """Split "ctrl+shift+t" into pyautogui names; ActionFailed naming an unknown key."""
    names = []
    for part in key.strip().lower().split("+"):
        part = part.strip()
        name = ALIASES.get(part, part)
        if name not in known:
            raise ActionFailed(f"unknown key {part!r} in {key!r}; use names like enter, escape, "
                               "tab, backspace, ctrl+c, alt+f4, page_down, f5")
        names.append(name)
    return names
