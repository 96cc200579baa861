"""What a press reaches, read off the screen, where the device cannot say (a desktop has no UI
tree): the words under the point, by OCR, as the `Effect` of a device that knows only labels.

The sandbox then reads those words as it reads an Android node's text (`policies.effects`): a
button that says "Pay now" needs a yes whatever the model called it. It is one more look, not
the only one — the model's own words are still read — and it needs the `[ocr]` extra; without
it a desktop press is judged by the model's words alone, as `doctor` says.
"""

from __future__ import annotations

from typing import Any

from actions import grid_to_pixels
from devices import primitives as p
from devices.base import UNKNOWN_ROLE, Effect
from devices.errors import DeviceError


def point_of(primitive: p.Primitive) -> tuple[int, int] | None:
    """Where, on the 0-1000 grid, a primitive that acts on an element touches the screen (a
    press, a hold, the start of a drag); None for the rest (a wheel turn, text, a key: nothing
    under a point decides)."""
    if isinstance(primitive, p.Press | p.Hold):
        return primitive.point
    if isinstance(primitive, p.Drag):
        return primitive.start
    return None


def read_effect(device: Any, primitive: p.Primitive) -> Effect | None:
    """The words at the primitive's point on the screen as it is now; None where there is no
    point, no OCR, no text there, or no screenshot to be had."""
    from agent import ocr

    point = point_of(primitive)
    if point is None or not ocr.available():
        return None
    try:
        image = device.screenshot()
    except DeviceError:
        return None
    words = ocr.words_at(image, grid_to_pixels(point, image.size))  # the screenshot is the screen
    return Effect(label=words, role=UNKNOWN_ROLE, sensitive=False) if words else None
