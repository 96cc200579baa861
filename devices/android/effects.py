"""What one primitive really does on an Android phone, from what the phone itself says: the UI
tree (`uiautomator dump`, read the way TalkBack reads it), the focused editor and the soft
keyboard's place (`dumpsys input_method`, `dumpsys window InputMethod`).

The tree gives an element's own words and role, not what touching it does, so an element is
`UNKNOWN_ROLE` with its real label (the sandbox reads that label for sensitive words). What the
phone does know for sure is reported as such: a field takes a password; Enter performs the
focused editor's action (send, go); a tap on the keyboard types into the focused editor; a drag
along a scrolling list scrolls it. None where nothing can tell (no tree; a WebView or a game draws
its own content).
"""

from __future__ import annotations

from dataclasses import dataclass

from devices import primitives as p
from devices.android import apps, hierarchy, ime
from devices.base import UNKNOWN_ROLE, Effect
from devices.errors import ActionFailed

Pixel = tuple[int, int]


@dataclass(frozen=True)
class Screen:
    """What the phone said about its screen now; each part None where it could not be read."""

    nodes: list[hierarchy.Node] | None
    editor: ime.EditorInfo | None
    keyboard: ime.KeyboardRegion | None
    tolerance: float  # a fingertip's slack in pixels (24 dp)


def effect(screen: Screen, primitive: p.Primitive, px: dict[p.Point, Pixel]) -> Effect | None:
    """The effect of `primitive`; `px` maps its grid points to screen pixels."""
    match primitive:
        case p.Press(button=button) if button != "left":
            return Effect(None, "nothing", False, "a phone has no such button", inert=True)
        case p.Press(point=point) | p.Hold(point=point):
            return _touch(screen, px[point])
        case p.Drag(start=a, end=b):
            return _drag(screen, px[a], px[b])
        case p.Wheel():
            return Effect(None, "scroll", False, "scrolls the content")
        case p.Text():
            return _typing(screen)
        case p.KeyPress(key=key):
            return _key(screen, key)
        case p.SystemButton(name=name):
            return Effect(None, name, False, f"the {name} button")
        case p.Launch(app=app):
            return Effect(app, "open_app", False, f"opens {app}")
    return None


# Key codes by what they do, not by the name they were asked by ("enter", "ENTER", "return",
# "keycode_enter", "66" and "ctrl+enter" all send KEYCODE_ENTER): android.view.KeyEvent.
_ENTER_CODES = {66, 160}  # ENTER, NUMPAD_ENTER: the focused editor's action
_CLICK_CODES = {23}  # DPAD_CENTER: clicks the view that has focus
_CALL_CODES = {5}  # CALL: dials the number in the dialer
_SPACE = 62


def _key(screen: Screen, key: str) -> Effect | None:
    try:
        codes = set(apps.keycodes(key))
    except ActionFailed:
        return Effect(None, "key", False, f"the {key} key (unknown: it will not be sent)")
    if codes & _CALL_CODES:
        return Effect(None, "call", True, "places a phone call")
    if codes & _ENTER_CODES:
        return ime.enter_effect(screen.editor)
    if codes & _CLICK_CODES:
        return _focused(screen)
    if codes == {_SPACE}:
        return _typing(screen)
    return Effect(None, "key", False, f"the {key} key")


def _focused(screen: Screen) -> Effect:
    """DPAD_CENTER presses the focused view: judged as a press on it; where none can be found it
    may press anything, and needs a yes."""
    node = next((n for n in screen.nodes or () if n.focused and not n.editable), None)
    if node is None:
        return Effect(None, "key", True, "presses whatever has focus (the phone does not say what)")
    desc = hierarchy.describe(screen.nodes or [], node)
    label = desc.label or desc.context or hierarchy.id_words(desc.resource_id)
    return Effect(label or None, UNKNOWN_ROLE, False, f"presses the focused {desc.spoken() or 'element'}")


def _touch(screen: Screen, pixel: Pixel) -> Effect | None:
    if screen.keyboard is not None and screen.keyboard.contains(*pixel):
        return ime.keyboard_effect(screen.editor)
    if screen.nodes is None:
        return None
    node = hierarchy.element_at(screen.nodes, *pixel, tolerance=screen.tolerance)
    if node is None:
        return None
    if node.editable or node.password:
        label = hierarchy.describe(screen.nodes, node).label or node.hint or None
        role = "password_field" if node.password else "text_field"
        return Effect(label, role, False, f"focuses a {role.replace('_', ' ')}")
    desc = hierarchy.describe(screen.nodes, node)
    label = desc.label or desc.context or hierarchy.id_words(desc.resource_id)
    return Effect(label, UNKNOWN_ROLE, False, desc.spoken() or label) if label else None


def _drag(screen: Screen, a: Pixel, b: Pixel) -> Effect | None:
    if screen.nodes is not None and hierarchy.scrolls(screen.nodes, *a, b[0] - a[0], b[1] - a[1]):
        return Effect(None, "scroll", False, "scrolls the list it starts on")
    return _touch(screen, a)  # a slider, a "slide to pay" control: what it starts on is read


def _typing(screen: Screen) -> Effect | None:
    """Text goes to the focused field: the tree's, else the keyboard's own editor (a WebView)."""
    if screen.nodes is not None:
        field = hierarchy.field_effect(screen.nodes, hierarchy.focused_field(screen.nodes))
        if field is not None:
            return field
    return ime.editor_effect(screen.editor)
