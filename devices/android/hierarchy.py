"""The phone's UI tree (`uiautomator dump`): snap taps onto elements, spot password fields."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

_BOUNDS = re.compile(r"\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]")


@dataclass(frozen=True)
class Node:
    left: int
    top: int
    right: int
    bottom: int
    clickable: bool
    password: bool
    focused: bool
    label: str  # text, else content-desc, else resource-id
    editable: bool = False  # an EditText: typing goes there
    texts: tuple[str, ...] = ()  # its text and content-desc: what it shows or says (not passwords)

    def contains(self, x: int, y: int) -> bool:
        return self.left <= x < self.right and self.top <= y < self.bottom

    @property
    def area(self) -> int:
        return max(0, self.right - self.left) * max(0, self.bottom - self.top)

    @property
    def center(self) -> tuple[int, int]:
        return (self.left + self.right) // 2, (self.top + self.bottom) // 2

    def distance(self, x: int, y: int) -> float:
        dx = max(self.left - x, 0, x - (self.right - 1))
        dy = max(self.top - y, 0, y - (self.bottom - 1))
        return float((dx * dx + dy * dy) ** 0.5)


def parse(xml: str) -> list[Node]:
    """Nodes of a dump, in document order. ValueError when it is not a dump."""
    start = xml.find("<?xml")
    if start < 0 or "<hierarchy" not in xml:
        raise ValueError("not a uiautomator dump")
    end = xml.rfind("</hierarchy>")
    root = ET.fromstring(xml[start: end + len("</hierarchy>")] if end > 0 else xml[start:])
    nodes = []
    for el in root.iter("node"):
        m = _BOUNDS.fullmatch(el.get("bounds", ""))
        if not m:
            continue
        left, top, right, bottom = map(int, m.groups())
        password = el.get("password") == "true"
        editable = "EditText" in el.get("class", "")
        # A password field's text is dots or the password itself: never a label or a text to show.
        text = "" if password else el.get("text") or ""
        desc = el.get("content-desc") or ""
        nodes.append(Node(
            left, top, right, bottom,
            clickable=el.get("clickable") == "true" or el.get("long-clickable") == "true"
            or el.get("checkable") == "true" or (el.get("focusable") == "true" and editable),
            password=password,
            focused=el.get("focused") == "true",
            label=text or desc or el.get("resource-id") or "",
            editable=editable,
            texts=tuple(t for t in (text, desc) if t),
        ))
    return nodes


def element_at(nodes: list[Node], x: int, y: int) -> Node | None:
    """The smallest clickable node under (x, y): the thing a finger there would press."""
    under = [n for n in nodes if n.clickable and n.area > 0 and n.contains(x, y)]
    return min(under, key=lambda n: n.area) if under else None


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


def is_password(nodes: list[Node], point: tuple[int, int] | None) -> bool:
    """Is the field at `point` (or, with None, the focused field) a password field?"""
    if point is None:
        return any(n.focused and n.password for n in nodes)
    x, y = point
    return any(n.password and n.contains(x, y) for n in nodes)


def password_boxes(nodes: list[Node]) -> list[tuple[int, int, int, int]]:
    """Pixel boxes of the password fields (what `--redact` blacks out of saved frames)."""
    return [(n.left, n.top, n.right, n.bottom) for n in nodes if n.password and n.area > 0]


def field_at(nodes: list[Node], point: tuple[int, int] | None) -> Node | None:
    """The text field typing at `point` (None: the focused field) goes into."""
    if point is None:
        return next((n for n in nodes if n.focused and (n.editable or n.password)), None)
    under = [n for n in nodes if (n.editable or n.password) and n.area > 0 and n.contains(*point)]
    return min(under, key=lambda n: n.area) if under else None
