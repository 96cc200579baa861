"""Screenshot pixels -> pointer coordinates, and phone orientations.

`actions.grid_to_pixels` is the one conversion from the model's 0-1000 grid to *screenshot*
pixels. What the input system wants can differ from the screenshot:

- on a scaled desktop (HiDPI / Retina, Windows 125 %), the screenshot has more pixels than the
  pointer has points: a 2880x1800 capture of a 1440x900-point screen;
- with several monitors, monitor 2 starts at an offset in the pointer's virtual screen;
- a phone that captures its framebuffer in its natural (portrait) orientation while the display is
  rotated needs the frame turned before the model sees it, and input in the rotated space.

`ScreenMap.to_pointer` is the second, named conversion (screenshot pixel -> pointer point); the
rotation helpers are the phone's. Both are tested with a few hundred synthetic targets per scale
factor and orientation (tests/test_screen_map.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from actions import Size


@dataclass(frozen=True)
class ScreenMap:
    """Where a screenshot lies in pointer space.

    `frame` is the screenshot in pixels; `left, top, width, height` the rectangle it covers in
    pointer units (points on macOS, pixels on X11 and DPI-aware Windows).
    """

    frame: Size
    left: float
    top: float
    width: float
    height: float

    @classmethod
    def for_monitor(cls, frame: tuple[int, int], monitor: dict, scale: float | None = None) -> ScreenMap:
        """The map for an mss monitor dict and the frame grabbed from it.

        mss reports monitors in pointer units and grabs in physical pixels, so the ratio of the two
        is the scale. `scale` overrides it where the system misreports (fractional XWayland).
        """
        fw, fh = frame
        if scale:
            width, height = fw / scale, fh / scale
        else:
            width, height = float(monitor["width"]), float(monitor["height"])
        return cls(Size(fw, fh), float(monitor["left"]), float(monitor["top"]), width, height)

    @property
    def scale(self) -> tuple[float, float]:
        """Screenshot pixels per pointer unit (2.0 on Retina, 1.25 on a 125 % display)."""
        return self.frame.width / self.width, self.frame.height / self.height

    def to_pointer(self, pixel: tuple[int, int]) -> tuple[int, int]:
        """The pointer point that covers the centre of screenshot pixel `pixel`.

        The pixel's centre (px + 0.5) is mapped, then floored: rounding the pixel's corner instead
        would push points at 1.5x scale half a point toward the top-left, out of small targets.
        The result is clamped into the monitor so an edge pixel stays on this monitor.
        """
        px, py = pixel
        sx, sy = self.scale
        x = math.floor((px + 0.5) / sx)
        y = math.floor((py + 0.5) / sy)
        x = min(max(x, 0), math.ceil(self.width) - 1)
        y = min(max(y, 0), math.ceil(self.height) - 1)
        return int(self.left) + x, int(self.top) + y

    def to_pixel(self, point: tuple[int, int]) -> tuple[int, int]:
        """The inverse: the screenshot pixel under pointer point `point` (for recording a person)."""
        sx, sy = self.scale
        x = math.floor((point[0] - self.left + 0.5) * sx)
        y = math.floor((point[1] - self.top + 0.5) * sy)
        return min(max(x, 0), self.frame.width - 1), min(max(y, 0), self.frame.height - 1)


# Android's Surface.ROTATION_* values: 0 natural, 1 = 90 degrees, 2 = 180, 3 = 270.
ROTATIONS = (0, 1, 2, 3)


def rotated_size(natural: tuple[int, int], rotation: int) -> Size:
    """The display size in the current orientation (`wm size` always reports the natural one)."""
    w, h = natural
    return Size(h, w) if rotation % 2 else Size(w, h)


def natural_to_display(point: tuple[int, int], natural: tuple[int, int], rotation: int) -> tuple[int, int]:
    """A pixel of the natural-orientation framebuffer -> the same pixel on the rotated display.

    Matches `numpy.rot90(frame, k=rotation)`: ROTATION_90 turns the picture a quarter turn
    counter-clockwise, so the natural top-right corner becomes the display's top-left.
    """
    x, y = point
    w, h = natural
    match rotation % 4:
        case 0:
            return x, y
        case 1:
            return y, w - 1 - x
        case 2:
            return w - 1 - x, h - 1 - y
        case _:
            return h - 1 - y, x


def display_to_natural(point: tuple[int, int], natural: tuple[int, int], rotation: int) -> tuple[int, int]:
    """The inverse of `natural_to_display`."""
    x, y = point
    w, h = natural
    match rotation % 4:
        case 0:
            return x, y
        case 1:
            return w - 1 - y, x
        case 2:
            return w - 1 - x, h - 1 - y
        case _:
            return y, h - 1 - x
