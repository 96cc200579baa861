"""The one place where the model's 0-1000 grid becomes device pixels (and back)."""

from __future__ import annotations

from typing import NamedTuple

GRID = 1000


class Size(NamedTuple):
    width: int
    height: int


class Pixel(NamedTuple):
    x: int
    y: int


def grid_to_pixels(point: tuple[int, int], size: tuple[int, int]) -> Pixel:
    """Map a point on the 0-1000 grid of a screenshot to a pixel of a screen of `size`.

    Qwen3-VL's grid is relative: x = 1000 is the right edge. Rounding to the nearest pixel and
    clamping to the last row/column keeps 1000 on the screen (pixel `width - 1`), so a model that
    points at the very edge still hits something.
    """
    width, height = size
    if width <= 0 or height <= 0:
        raise ValueError(f"screen size must be positive, got {width}x{height}")
    gx, gy = point
    x = min(width - 1, max(0, round(gx * width / GRID)))
    y = min(height - 1, max(0, round(gy * height / GRID)))
    return Pixel(x, y)


def pixels_to_grid(pixel: tuple[int, int], size: tuple[int, int]) -> tuple[int, int]:
    """The inverse of `grid_to_pixels` (used when recording a person's taps as actions)."""
    width, height = size
    px, py = pixel
    gx = min(GRID, max(0, round(px * GRID / width)))
    gy = min(GRID, max(0, round(py * GRID / height)))
    return gx, gy
