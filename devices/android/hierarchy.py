"""The phone's UI tree (`uiautomator dump`): what a tap reaches, described the way TalkBack reads it.

A dump is a tree, and on real apps the words of a tappable row, tab or toolbar button are usually
in non-clickable children (a TextView inside a clickable LinearLayout). The tree is kept: nodes
are in document order (pre-order) with their depth, so a node's descendants are the contiguous run
after it with a greater depth, in reading order.

`describe(nodes, node)` follows TalkBack (talkback/.../AccessibilityNodeInfoUtils and its
compositor): the node's own words; when it has none, the words of its descendants in reading
order, skipping descendants that TalkBack focuses separately (clickable, long-clickable or
focusable ones, with their subtrees); never a password field's text; plus the role from the class
and the checked/selected state. One deliberate difference: TalkBack speaks a content description
*instead of* the text; both are kept here, because the sandbox must see every word a person sees.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from devices.base import Effect

_BOUNDS = re.compile(r"\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]")

# Class name (its last dotted part, without an outer class) -> the role TalkBack announces.
_ROLES = {
    "Button": "button", "AppCompatButton": "button", "MaterialButton": "button",
    "ImageButton": "button", "AppCompatImageButton": "button", "FloatingActionButton": "button",
    "ExtendedFloatingActionButton": "button", "Chip": "button",
    "CheckBox": "checkbox", "AppCompatCheckBox": "checkbox", "MaterialCheckBox": "checkbox",
    "CheckedTextView": "checkbox",
    "Switch": "switch", "SwitchCompat": "switch", "SwitchMaterial": "switch", "MaterialSwitch": "switch",
    "ToggleButton": "toggle button", "RadioButton": "radio button", "AppCompatRadioButton": "radio button",
    "EditText": "edit box", "AppCompatEditText": "edit box", "TextInputEditText": "edit box",
    "AutoCompleteTextView": "edit box", "MultiAutoCompleteTextView": "edit box",
    "SearchAutoComplete": "edit box",
    "SeekBar": "slider", "RatingBar": "slider", "Spinner": "drop down list",
    "ImageView": "image", "AppCompatImageView": "image",
    "TabView": "tab",
}
_TAB_PARENTS = ("TabWidget", "TabLayout", "SlidingTabStrip")


@dataclass(frozen=True)
class Node:
    left: int
    top: int
    right: int
    bottom: int
    clickable: bool  # a finger here is handled by this node (clickable, long-clickable, an editor)
    password: bool
    focused: bool
    label: str  # own text, else content-desc, else resource-id (see `describe` for real words)
    editable: bool = False  # an EditText: typing goes there
    texts: tuple[str, ...] = ()  # its text and content-desc: what it shows or says (not passwords)
    index: int = 0  # position in document order
    depth: int = 0  # 0 for the root; descendants follow a node with greater depths
    cls: str = ""
    resource_id: str = ""
    package: str = ""
    checkable: bool = False
    checked: bool = False
    selected: bool = False
    enabled: bool = True
    focusable: bool = False
    hint: str = ""  # Android 8+ dumps print a field's hint (`hint=`); empty when absent
    scrollable: bool = False  # a list or scroll view: a drag along it scrolls instead of pressing

    def contains(self, x: int, y: int) -> bool:
        return self.left <= x < self.right and self.top <= y < self.bottom

    @property
    def area(self) -> int:
        return max(0, self.right - self.left) * max(0, self.bottom - self.top)

    @property
    def center(self) -> tuple[int, int]:
        return (self.left + self.right) // 2, (self.top + self.bottom) // 2

    @property
    def box(self) -> tuple[int, int, int, int]:
        return self.left, self.top, self.right, self.bottom

    @property
    def actionable(self) -> bool:
        """TalkBack focuses this node on its own (isActionableForAccessibility): its words are not
        read as part of an ancestor's."""
        return self.clickable or self.focusable

    def distance(self, x: int, y: int) -> float:
        dx = max(self.left - x, 0, x - (self.right - 1))
        dy = max(self.top - y, 0, y - (self.bottom - 1))
        return float((dx * dx + dy * dy) ** 0.5)


@dataclass(frozen=True)
class Description:
    """A tap target as TalkBack would announce it.

    `label`: the words ("" when the element has none); `role`: what kind of control ("button",
    "switch", "checkbox", "tab", "edit box", ... or "" for a plain clickable container);
    `resource_id`: the app's id for it; `state`: "checked", "not checked", "selected",
    "disabled" (comma-joined); `from_children`: the words came from descendants.
    `context`: only for an element without words (an icon beside its caption): the words of the
    small clickable group it belongs to, which TalkBack reads as a separate item. Not TalkBack's;
    the sandbox uses it because a tap on the icon does what the caption says.
    """

    label: str
    role: str
    resource_id: str
    state: str = ""
    from_children: bool = False
    context: str = ""

    def spoken(self) -> str:
        """One line as TalkBack says it: words, role, state."""
        return ", ".join(part for part in (self.label, self.role, self.state) if part)


def parse(xml: str) -> list[Node]:
    """Nodes of a dump, in document order. ValueError when it is not a dump."""
    start = xml.find("<?xml")
    if start < 0 or "<hierarchy" not in xml:
        raise ValueError("not a uiautomator dump")
    end = xml.rfind("</hierarchy>")
    root = ET.fromstring(xml[start: end + len("</hierarchy>")] if end > 0 else xml[start:])
    nodes: list[Node] = []
    _walk(root, 0, nodes)
    return nodes


def _walk(element: ET.Element, depth: int, out: list[Node]) -> None:
    """Pre-order over <node> elements; a node without usable bounds is skipped, its subtree kept."""
    for child in element:
        if child.tag != "node":
            continue
        node = _node(child, len(out), depth)
        if node is not None:
            out.append(node)
        _walk(child, depth + 1 if node is not None else depth, out)


def _node(el: ET.Element, index: int, depth: int) -> Node | None:
    m = _BOUNDS.fullmatch(el.get("bounds", ""))
    if not m:
        return None
    left, top, right, bottom = map(int, m.groups())
    flag = lambda name: el.get(name) == "true"  # noqa: E731 - a one-line reader of the dump's flags
    password = flag("password")
    cls = el.get("class", "")
    editable = "EditText" in cls or cls.endswith("AutoCompleteTextView")
    # A password field's text is dots or the password itself: never a label or a text to show.
    text = "" if password else el.get("text") or ""
    desc = el.get("content-desc") or ""
    return Node(
        left, top, right, bottom,
        # A view that is neither clickable nor long-clickable does not take the touch: its nearest
        # clickable ancestor does (a Switch in a settings row). An editor takes taps to focus.
        clickable=flag("clickable") or flag("long-clickable") or (flag("focusable") and editable),
        password=password,
        focused=flag("focused"),
        label=text or desc or el.get("resource-id") or "",
        editable=editable,
        texts=tuple(t for t in (text, desc) if t),
        index=index, depth=depth, cls=cls,
        resource_id=el.get("resource-id") or "",
        package=el.get("package") or "",
        checkable=flag("checkable"), checked=flag("checked"), selected=flag("selected"),
        enabled=el.get("enabled") != "false", focusable=flag("focusable"),
        hint=el.get("hint") or "",
        scrollable=flag("scrollable"),
    )


# --- reading the tree ------------------------------------------------------------------------------


def descendants(nodes: list[Node], node: Node) -> list[Node]:
    """Every node under `node`, in reading (document) order."""
    out = []
    for other in nodes[node.index + 1:]:
        if other.depth <= node.depth:
            break
        out.append(other)
    return out


def parent(nodes: list[Node], node: Node) -> Node | None:
    for other in reversed(nodes[: node.index]):
        if other.depth < node.depth:
            return other
    return None


def _own_words(node: Node) -> list[str]:
    return _unique(list(node.texts))


def _child_words(nodes: list[Node], node: Node) -> list[str]:
    """Words of the descendants TalkBack reads as part of `node`: not those it focuses on their
    own, nor anything under them."""
    words: list[str] = []
    skip_below: int | None = None
    for other in descendants(nodes, node):
        if skip_below is not None and other.depth > skip_below:
            continue
        skip_below = None
        if other.actionable:
            skip_below = other.depth
            continue
        words.extend(other.texts)
    return _unique(words)


def _unique(words: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for word in (w.strip() for w in words):
        if word and word not in seen:
            seen.add(word)
            out.append(word)
    return out


def role(nodes: list[Node], node: Node) -> str:
    name = node.cls.rsplit(".", 1)[-1].rsplit("$", 1)[-1]
    if name in _ROLES:
        return _ROLES[name]
    up = parent(nodes, node)
    if up is not None and any(t in up.cls for t in _TAB_PARENTS):
        return "tab"
    if node.checkable:
        return "checkbox"
    return ""


def _state(nodes: list[Node], node: Node, kind: str) -> str:
    states = []
    checkable = node if node.checkable else next(
        (d for d in descendants(nodes, node) if d.checkable and not d.actionable), None)
    if checkable is not None:
        on_off = kind == "switch" or "Switch" in checkable.cls or "Toggle" in checkable.cls
        states.append(("on" if checkable.checked else "off") if on_off
                      else ("checked" if checkable.checked else "not checked"))
    if node.selected:
        states.append("selected")
    if not node.enabled:
        states.append("disabled")
    return ", ".join(states)


def describe(nodes: list[Node], node: Node) -> Description:
    """`node` as TalkBack would announce it (see the module docstring)."""
    words = _own_words(node)
    from_children = False
    if not words:
        words = _child_words(nodes, node)
        from_children = bool(words)
    if not words and node.editable and node.hint and not node.password:
        words = [node.hint]  # an empty field is announced by its hint
    kind = role(nodes, node)
    if not kind:
        # A row whose only non-focusable check box or switch it toggles (a settings row).
        inner = next((d for d in descendants(nodes, node) if d.checkable and not d.actionable), None)
        kind = role(nodes, inner) if inner is not None else ""
    return Description(", ".join(words), kind, node.resource_id, _state(nodes, node, kind), from_children,
                       "" if words else _context(nodes, node))


_GROUP_SHARE = 0.25  # a "group" larger than this share of the screen is a page, not a control


def _context(nodes: list[Node], node: Node) -> str:
    """Every word inside the element, focusable ones included; else inside the nearest clickable
    ancestor; nothing when that is a page-sized container."""
    screen = nodes[0].area if nodes else 0
    group: Node | None = node
    while group is not None:
        if group.clickable and group.area <= _GROUP_SHARE * screen:
            words = _unique([t for d in descendants(nodes, group) if not d.password for t in d.texts])
            if words:
                return ", ".join(words)
        group = parent(nodes, group)
    return ""


# --- what a finger reaches ---------------------------------------------------------------------------


_HORIZONTAL = ("HorizontalScrollView", "ViewPager", "TabLayout", "HorizontalGridView")


def scrolls(nodes: list[Node], x: int, y: int, dx: int, dy: int) -> bool:
    """Does a drag from (x, y) by (dx, dy) scroll a container instead of working the element it
    starts on? Android hands a drag along a scrolling container's axis to the container (the
    touch slop cancels the press), so a scroll that merely starts on a "Pay" button pays nothing."""
    under = [n for n in nodes if n.scrollable and n.area > 0 and n.contains(x, y)]
    if not under or dx == dy == 0:
        return False
    container = min(under, key=lambda n: n.area)
    horizontal = any(name in container.cls for name in _HORIZONTAL)
    return abs(dx) > abs(dy) if horizontal else abs(dy) > abs(dx)


def element_at(nodes: list[Node], x: int, y: int, tolerance: float = 0.0) -> Node | None:
    """The clickable node a tap at (x, y) reaches: the smallest clickable node under the point,
    after snapping a tap that just missed (within `tolerance` pixels) onto the nearest one."""
    if tolerance > 0:
        x, y = snap(nodes, x, y, tolerance)
    under = [n for n in nodes if n.clickable and n.area > 0 and n.contains(x, y)]
    # Android dispatches a touch to the deepest clickable view under it: of equal boxes, the child.
    return min(under, key=lambda n: (n.area, -n.depth)) if under else None


def snap(nodes: list[Node], x: int, y: int, tolerance: float) -> tuple[int, int]:
    """Keep a tap that is on a clickable element; move one that just missed to the nearest
    clickable element's centre (within `tolerance` pixels); leave any other tap alone."""
    if element_at(nodes, x, y) is not None:
        return x, y
    near = [(n.distance(x, y), n.area, n) for n in nodes if n.clickable and n.area > 0]
    near = [t for t in near if t[0] <= tolerance]
    if not near:
        return x, y
    return min(near, key=lambda t: (t[0], t[1]))[2].center


def focused_field(nodes: list[Node]) -> Node | None:
    """The text field that has input focus (where typed text goes), if the tree shows one."""
    return next((n for n in nodes if n.focused and (n.editable or n.password)), None)


def is_password(nodes: list[Node], point: tuple[int, int] | None) -> bool:
    """Is the field at `point` (or, with None, the focused field) a password field?"""
    if point is None:
        return any(n.focused and n.password for n in nodes)
    x, y = point
    return any(n.password and n.contains(x, y) for n in nodes)


def password_boxes(nodes: list[Node]) -> list[tuple[int, int, int, int]]:
    """Pixel boxes of the password fields (what `--redact` blacks out of saved frames)."""
    return [n.box for n in nodes if n.password and n.area > 0]


def field_at(nodes: list[Node], point: tuple[int, int] | None) -> Node | None:
    """The text field typing at `point` (None: the focused field) goes into."""
    if point is None:
        return focused_field(nodes)
    under = [n for n in nodes if (n.editable or n.password) and n.area > 0 and n.contains(*point)]
    return min(under, key=lambda n: n.area) if under else None


def id_words(resource_id: str) -> str:
    """`com.app:id/btn_pay_now` -> "btn pay now": an id is the app's name for an element with no
    words, and may still say what it does."""
    name = resource_id.rsplit("/", 1)[-1]
    return name.replace("_", " ").strip() if "/" in resource_id else ""


def field_effect(nodes: list[Node], node: Node | None) -> Effect | None:
    if node is None:
        return None
    label = describe(nodes, node).label or None
    if node.password:
        return Effect(label, "password_field", True, "types into a password field")
    return Effect(label, "text_field", False, "types into a text field")
