"""A tiny stand-in phone for the FAKE adb server (test code only): labelled elements with state.

The simulated phone (`devices.sim.SimPhone`) backs the fake too; this one exists for what the
simulated phone does not model: a password field and a uiautomator-style element list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from actions import Size, grid_to_pixels
from devices import primitives as p


@dataclass
class Element:
    label: str
    rect: tuple[int, int, int, int]  # left, top, width, height in natural pixels
    kind: str = "button"  # button | toggle | field | password
    text: str = ""
    on: bool = False


class CanvasPhone:
    """A tiny stand-in phone (1080x2400) with labelled elements whose state can be read."""

    name = "canvas"

    def __init__(self) -> None:
        self.elements = [
            Element("Wi-Fi toggle", (80, 300, 920, 160), "toggle"),
            Element("Search field", (80, 600, 920, 140), "field"),
            Element("Password field", (80, 800, 920, 140), "password"),
            Element("OK button", (390, 1100, 300, 150)),
        ]
        self.screen = "home"
        self.focused: Element | None = None
        self.actions: list[str] = []

    def size(self) -> Size:
        return Size(1080, 2400)

    def screenshot(self) -> Image.Image:
        image = Image.new("RGB", self.size(), (245, 245, 250))
        draw = ImageDraw.Draw(image)
        for i, e in enumerate(self.elements):
            x, y, w, h = e.rect
            draw.rectangle([x, y, x + w - 1, y + h - 1], fill=(40 * i + 60, 120, 200 if e.on else 90))
        return image

    def perform(self, primitive: p.Primitive) -> None:
        self.actions.append(p.describe(primitive))
        match primitive:
            case p.Press(point=point) | p.Hold(point=point):
                element = self.element_at(grid_to_pixels(point, self.size()))
                if element is not None and element.kind == "toggle" and isinstance(primitive, p.Press):
                    element.on = not element.on
                self.focused = element if element is not None and element.kind in ("field", "password") else None
            case p.Text(text=text):
                if self.focused is not None:  # like a phone: typing with no field focused is lost
                    self.focused.text += text
            case p.KeyPress(key="delete") if self.focused is not None:
                self.focused.text = self.focused.text[:-1]
            case p.SystemButton():
                self.screen, self.focused = "home", None
            case p.Launch(app=app):
                self.screen = app
            case p.Drag() | p.KeyPress() | p.Wheel():
                pass
            case _:
                raise ValueError(f"not a primitive: {primitive!r}")

    def element_at(self, pixel: tuple[int, int]) -> Element | None:
        for e in self.elements:
            x, y, w, h = e.rect
            if x <= pixel[0] < x + w and y <= pixel[1] < y + h:
                return e
        return None

    def state(self) -> dict[str, Any]:
        return {"screen": self.screen, **{e.label: (e.text if e.kind != "toggle" else e.on) for e in self.elements}}

    def close(self) -> None:
        pass
