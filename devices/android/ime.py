"""The keyboard and the editor it types into, from `dumpsys input_method` and `dumpsys window`.

What Enter does is the focused editor's business: its `EditorInfo` says (an action in the low bits
of `imeOptions`, or a new line in a multi-line field). `dumpsys input_method` prints that editor
(AOSP `EditorInfo.dump`) in several places, depending on the Android version:

- the app's side (`InputMethodManager.dump`): `mCurrentTextBoxAttribute:` up to Android 13,
  `mCurrentEditorInfo:` from Android 14;
- the keyboard's side (`InputMethodService.dump`): `mInputEditorInfo:`;
- the start-input history of the system service: one line per editor, newest last.

Whether the keyboard is up: `mInputShown=` (on the `mShowRequested=` line up to Android 13, on its
own line from Android 14, printed before the history); the first one printed is the current state.

Where the keyboard is: the `InputMethod` window of `dumpsys window InputMethod`. Its frame covers the
whole screen below the status bar on Android 11+, so it says nothing; its `touchable region`
(`SkRegion((l,t,r,b)(l,t,r,b)...)`) is where touches go to the keyboard. A hidden keyboard keeps a
stale region, so visibility is read from the same block (`mViewVisibility`, `isVisible`,
`isOnScreen`, `mHasSurface`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from devices.base import Effect

# android.text.InputType: the class in the low 4 bits, the variation in the next 8, flags above.
_CLASS_MASK, _VARIATION_MASK = 0x0000000F, 0x00000FF0
CLASSES = {0x0: "null", 0x1: "text", 0x2: "number", 0x3: "phone", 0x4: "datetime"}
TYPE_TEXT_FLAG_MULTI_LINE = 0x00020000
TYPE_TEXT_FLAG_IME_MULTI_LINE = 0x00040000
_PASSWORD = {0x1: {0x80, 0x90, 0xE0},  # TEXT: PASSWORD, VISIBLE_PASSWORD, WEB_PASSWORD
             0x2: {0x10}}  # NUMBER: NUMBER_PASSWORD (PINs)

# android.view.inputmethod.EditorInfo: the action in the low byte of imeOptions, flags above.
IME_MASK_ACTION = 0x000000FF
ACTIONS = {0: "unspecified", 1: "none", 2: "go", 3: "search", 4: "send", 5: "next", 6: "done",
           7: "previous"}
IME_FLAG_NO_ENTER_ACTION = 0x40000000

_SHOWN = re.compile(r"\bmInputShown=(true|false)\b")
_VIEW_SHOWN = re.compile(r"\bmIsInputViewShown=(true|false)\b")
# Headers of an EditorInfo.dump block, the app's own view first (see the module docstring).
_HEADERS = ("mCurrentEditorInfo", "mCurrentTextBoxAttribute", "mInputEditorInfo", "mCurEditorInfo",
            "mCurAttribute", "curEditorInfo")
_HISTORY_EDITOR = re.compile(r"^\s*(?:editorInfo:\s*)?inputType=0x([0-9a-fA-F]+) imeOptions=0x([0-9a-fA-F]+)"
                             r"(?: fieldId=(\S+))?(?: fieldName=(\S*))?(?: actionId=(-?\d+))?"
                             r"(?: actionLabel=(.*))?$")


def is_password_type(input_type: int) -> bool:
    return (input_type & _VARIATION_MASK) in _PASSWORD.get(input_type & _CLASS_MASK, set())


@dataclass(frozen=True)
class EditorInfo:
    """The editor the keyboard types into, as `dumpsys input_method` prints it.

    `shown`: the keyboard is up (`mInputShown`); None when the dump does not say.
    """

    input_type: int
    ime_options: int
    package: str | None = None
    hint: str | None = None
    label: str | None = None
    field_id: int | None = None
    field_name: str | None = None
    action_label: str | None = None
    action_id: int | None = None
    shown: bool | None = None

    @property
    def input_class(self) -> str:
        return CLASSES.get(self.input_type & _CLASS_MASK, "unknown")

    @property
    def variation(self) -> int:
        return self.input_type & _VARIATION_MASK

    @property
    def password(self) -> bool:
        """Text, visible or web password, or a numeric password (a PIN)."""
        return is_password_type(self.input_type)

    @property
    def multi_line(self) -> bool:
        return self.input_class == "text" and bool(self.input_type & TYPE_TEXT_FLAG_MULTI_LINE)

    @property
    def action(self) -> str:
        """The editor's action (`imeOptions & IME_MASK_ACTION`): unspecified, none, go, search,
        send, next, done or previous."""
        return ACTIONS.get(self.ime_options & IME_MASK_ACTION, "unspecified")

    @property
    def no_enter_action(self) -> bool:
        return bool(self.ime_options & IME_FLAG_NO_ENTER_ACTION)

    def enter_action(self) -> str:
        """What Enter does here: "newline", "send", "go", "search", "done", "next", "previous",
        "custom" (the app named its own action, `actionLabel`) or "none".

        A multi-line field gets a new line unless it asks for an action key (TextView sets
        IME_FLAG_NO_ENTER_ACTION on every multi-line editor, so a real action there is a
        deliberate one). A single-line field performs its action; with NO_ENTER_ACTION the
        keyboard sends a plain Enter, which the app still handles as the declared action.
        """
        if self.multi_line and (self.no_enter_action or self.action in ("unspecified", "none")):
            return "newline"
        if self.action_label and not self.no_enter_action:
            return "custom"
        if self.action in ("unspecified", "none"):
            return "none"
        return self.action


def parse_shown(dump: str) -> bool | None:
    """Is the keyboard up? The first `mInputShown=` is the current state (history comes later);
    None when the dump does not say."""
    found = _SHOWN.search(dump)
    if found is None:
        found = _VIEW_SHOWN.search(dump)  # only the keyboard's own dump was printed
    return None if found is None else found[1] == "true"


def parse_editor(dump: str) -> EditorInfo | None:
    """The current editor of a `dumpsys input_method` output; None when none is printed (no field
    has focus: `mCurrentTextBoxAttribute: null`, or an output that says nothing of editors)."""
    lines = dump.splitlines()
    shown = parse_shown(dump)
    for header in _HEADERS:
        for i, line in enumerate(lines):
            if line.strip() == header + ": null":
                return None  # the app says no editor has focus
            if line.strip() == header + ":":
                editor = _editor_block(lines, i, shown)
                if editor is not None:
                    return _real(editor)
    history = [m for m in map(_HISTORY_EDITOR.match, lines) if m]
    if not history:
        return None
    m = history[-1]  # newest last (StartInputHistory.dump walks from the oldest entry)
    return _real(EditorInfo(int(m[1], 16), int(m[2], 16), field_id=_int(m[3]), field_name=_none(m[4]),
                            action_id=_int(m[5]), action_label=_none(m[6]), shown=shown))


def _real(editor: EditorInfo) -> EditorInfo | None:
    """TYPE_NULL is what a window without a text editor reports (a launcher): no editor."""
    return None if editor.input_type == 0 else editor


def _editor_block(lines: list[str], start: int, shown: bool | None) -> EditorInfo | None:
    """The EditorInfo.dump lines under the header at `start` (indented deeper than it)."""
    indent = len(lines[start]) - len(lines[start].lstrip())
    block = []
    for line in lines[start + 1:]:
        if not line.strip() or len(line) - len(line.lstrip()) <= indent:
            break
        block.append(line.strip())
    fields: dict[str, str] = {}
    for line in block:
        for key, value in _pairs(line):
            fields.setdefault(key, value)
    if "inputType" not in fields:
        return None
    return EditorInfo(
        int(fields["inputType"].removeprefix("0x"), 16),
        int(fields.get("imeOptions", "0x0").removeprefix("0x"), 16),
        package=_none(fields.get("packageName")), hint=_none(fields.get("hintText")),
        label=_none(fields.get("label")), field_id=_int(fields.get("fieldId")),
        field_name=_none(fields.get("fieldName")), action_label=_none(fields.get("actionLabel")),
        action_id=_int(fields.get("actionId")), shown=shown)


_KEY = re.compile(r"(?:^| )([A-Za-z]+)=")
# Values that may hold spaces (hint and label text, an action label): they run to the next key.
_FREE = {"hintText", "label", "actionLabel"}


def _pairs(line: str) -> list[tuple[str, str]]:
    """`key=value key2=value two` -> pairs; free-text values run up to the next known key."""
    keys = list(_KEY.finditer(line))
    out = []
    for k, m in enumerate(keys):
        end = keys[k + 1].start() if k + 1 < len(keys) else len(line)
        value = line[m.end():end]
        out.append((m[1], value if m[1] in _FREE else value.split(" ", 1)[0]))
    return out


def _none(value: str | None) -> str | None:
    return None if value is None or value in ("null", "") else value


def _int(value: str | None) -> int | None:
    try:
        return None if value is None else int(value, 0)
    except ValueError:
        return None


# --- where the keyboard is ------------------------------------------------------------------------

Box = tuple[int, int, int, int]
_WINDOW = re.compile(r"^\s*Window #\d+ Window\{\S+ \S+ (.*)\}:\s*$")
_REGION = re.compile(r"^\s*touchable region=SkRegion\((.*)\)\s*$")
_RECT = re.compile(r"\((-?\d+),(-?\d+),(-?\d+),(-?\d+)\)")
_FRAME = re.compile(r"\bmFrame=\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]")
_CONTENT_INSETS = re.compile(r"\bmGivenContentInsets=\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]")
_HIDDEN = ("mViewVisibility=0x8", "mViewVisibility=0x4", "isVisible=false", "isOnScreen=false",
           "mHasSurface=false")


@dataclass(frozen=True)
class KeyboardRegion:
    """Where a touch goes to the soft keyboard: one or more screen-pixel boxes (Gboard's floating
    toolbar can be one box, its keys another)."""

    boxes: tuple[Box, ...]

    def contains(self, x: int, y: int) -> bool:
        return any(left <= x < right and top <= y < bottom for left, top, right, bottom in self.boxes)

    @property
    def bounds(self) -> Box:
        return (min(b[0] for b in self.boxes), min(b[1] for b in self.boxes),
                max(b[2] for b in self.boxes), max(b[3] for b in self.boxes))


def parse_keyboard_region(dump: str) -> KeyboardRegion | None:
    """The keyboard's touchable area from `dumpsys window InputMethod` (or `dumpsys window
    windows`); None when the InputMethod window is absent or not visible."""
    block = _input_method_block(dump.splitlines())
    if block is None or any(flag in line for line in block for flag in _HIDDEN):
        return None
    for line in block:
        region = _REGION.match(line)
        if region:
            boxes = tuple(b for b in (tuple(map(int, r)) for r in _RECT.findall(region[1]))
                          if b[2] > b[0] and b[3] > b[1])
            return KeyboardRegion(boxes) if boxes else None  # type: ignore[arg-type]
    # Without a touchable region (older releases), the keys start at the content inset of the frame.
    text = "\n".join(block)
    frame, insets = _FRAME.search(text), _CONTENT_INSETS.search(text)
    if frame is None:
        return None
    left, top, right, bottom = map(int, frame.groups())
    top += int(insets[2]) if insets else 0
    return KeyboardRegion(((left, top, right, bottom),)) if bottom > top and right > left else None


def _input_method_block(lines: list[str]) -> list[str] | None:
    """The lines of the `InputMethod` window's block (up to the next window)."""
    for i, line in enumerate(lines):
        m = _WINDOW.match(line)
        if m and m[1] == "InputMethod":
            indent = len(line) - len(line.lstrip())
            block = []
            for rest in lines[i + 1:]:
                if rest.strip() and len(rest) - len(rest.lstrip()) <= indent:
                    break
                block.append(rest)
            return block
    return None


# --- the keyboard while recording (used by devices.android.record) --------------------------------


@dataclass(frozen=True)
class Keyboard:
    shown: bool
    password: bool  # the editor the keyboard types into takes a password

    @property
    def typing_password(self) -> bool:
        return self.shown and self.password


def parse(dump: str) -> Keyboard | None:
    """None when the dump says nothing of the keyboard (then nobody knows)."""
    shown = parse_shown(dump)
    if shown is None:
        return None
    editor = parse_editor(dump)
    return Keyboard(shown, editor is not None and editor.password)


def read(shell: Callable[[str], str]) -> Keyboard | None:
    return parse(shell("dumpsys input_method"))


# --- what Enter and the keyboard do, for the sandbox ----------------------------------------------

_SENSITIVE_ENTER = {"send": "sends", "go": "submits", "custom": "runs the app's own action"}


def enter_effect(editor: EditorInfo | None) -> Effect | None:
    """Enter performs the focused editor's action."""
    if editor is None:
        return None
    action = editor.enter_action()
    label = editor.action_label or editor.hint or editor.label
    if editor.password:  # as on the simulated phone: what reaches a password field needs a yes
        return Effect(label, "password_field", True, f"Enter ({action}) in a password field")
    if action in _SENSITIVE_ENTER:
        return Effect(label, action, True, f"Enter {_SENSITIVE_ENTER[action]} ({action} action of "
                                           f"{editor.package or 'the focused field'})")
    return Effect(label, "text_field", False, f"Enter: {action} in the focused field")


def editor_effect(editor: EditorInfo | None) -> Effect | None:
    """Typing into the focused editor when the UI tree shows no field (a WebView, a game)."""
    if editor is None or not editor.shown:
        return None
    label = editor.hint or editor.label
    if editor.password:
        return Effect(label, "password_field", True, "types into a password field")
    return Effect(label, "text_field", False, "types into a text field")


def keyboard_effect(editor: EditorInfo | None) -> Effect:
    """A tap on the soft keyboard types into the focused editor; which key it is, the screen does
    not say, so the Enter key's action counts."""
    if editor is not None and editor.password:
        return Effect("on-screen keyboard", "password_field", True, "types into a password field")
    action = editor.enter_action() if editor is not None else "none"
    if action in _SENSITIVE_ENTER:
        return Effect("on-screen keyboard", "key", True,
                      f"a key of the keyboard; its Enter key {_SENSITIVE_ENTER[action]}")
    return Effect("on-screen keyboard", "key", False, "a key of the keyboard: types into the focused field")
