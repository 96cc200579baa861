"""Is the person typing a password? Read from `dumpsys input_method`.

Recording a demonstration on a phone sees only touches; a password typed on the soft keyboard is
a run of key taps whose positions spell it out. The input method service knows whether its
keyboard is up (`mInputShown=`) and the current editor's `inputType` (the last `inputType=0x..`
of the dump: the current editor, or the newest entry of the start-input history).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_SHOWN = re.compile(r"\bmInputShown=(true|false)\b")
_TYPE = re.compile(r"\binputType=0x([0-9a-fA-F]+)")

# android.text.InputType: the class in the low 4 bits, the variation in the next 8.
_CLASS_MASK, _VARIATION_MASK = 0x0000000F, 0x00000FF0
_PASSWORD = {0x1: {0x80, 0x90, 0xE0},  # TEXT: PASSWORD, VISIBLE_PASSWORD, WEB_PASSWORD
             0x2: {0x10}}  # NUMBER: NUMBER_PASSWORD (PINs)


def is_password_type(input_type: int) -> bool:
    return (input_type & _VARIATION_MASK) in _PASSWORD.get(input_type & _CLASS_MASK, set())


@dataclass(frozen=True)
class Keyboard:
    shown: bool
    password: bool  # the editor the keyboard types into takes a password

    @property
    def typing_password(self) -> bool:
        return self.shown and self.password


def parse(dump: str) -> Keyboard | None:
    """None when the dump says nothing of the keyboard (then nobody knows)."""
    shown = _SHOWN.findall(dump)
    if not shown:
        return None
    types = _TYPE.findall(dump)
    return Keyboard(shown[-1] == "true", bool(types) and is_password_type(int(types[-1], 16)))


def read(shell: Callable[[str], str]) -> Keyboard | None:
    return parse(shell("dumpsys input_method"))
