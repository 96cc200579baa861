"""Grid -> screenshot pixel -> pointer point, on scaled desktops and rotated phones.

Every synthetic target is a point a model would name inside an element of the screenshot; after
the two conversions it must land inside that same element where the input system acts.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from actions import grid_to_pixels, pixels_to_grid
from devices.screen_map import (
    ROTATIONS,
    ScreenMap,
    display_to_natural,
    natural_to_display,
    rotated_size,
)

TARGETS = 300
POINTS = (1440, 900)  # the desktop in pointer units


def random_elements(rng: random.Random, width: int, height: int, n: int, smallest: int = 16):
    for _ in range(n):
        w, h = rng.randint(smallest, 200), rng.randint(smallest, 120)
        x, y = rng.randint(0, width - w), rng.randint(0, height - h)
        yield x, y, w, h


def inside(point, rect) -> bool:
    x, y, w, h = rect
    return x <= point[0] < x + w and y <= point[1] < y + h


@pytest.mark.parametrize("scale", [1, 1.25, 1.5, 2])
@pytest.mark.parametrize("offset", [(0, 0), (1920, 0), (-1440, 240)])  # monitors left/right/below
def test_scaled_desktop_targets_land_in_their_element(scale: float, offset) -> None:
    rng = random.Random(f"{scale}{offset}")
    frame = (round(POINTS[0] * scale), round(POINTS[1] * scale))
    monitor = {"left": offset[0], "top": offset[1], "width": POINTS[0], "height": POINTS[1]}
    screen = ScreenMap.for_monitor(frame, monitor)
    assert screen.scale == pytest.approx((scale, scale), rel=1e-3)
    for ex, ey, ew, eh in random_elements(rng, *POINTS, TARGETS):
        # The model sees the element scaled in the screenshot and names a point in its middle half.
        tx = rng.uniform(ex + ew / 4, ex + 3 * ew / 4) * scale
        ty = rng.uniform(ey + eh / 4, ey + 3 * eh / 4) * scale
        grid = pixels_to_grid((int(tx), int(ty)), frame)
        pointer = screen.to_pointer(grid_to_pixels(grid, frame))
        element = (ex + offset[0], ey + offset[1], ew, eh)
        assert inside(pointer, element), (scale, offset, grid, pointer, element)


@pytest.mark.parametrize("scale", [1, 1.25, 1.5, 2])
def test_every_pixel_maps_into_the_monitor_and_back(scale: float) -> None:
    frame = (round(320 * scale), round(200 * scale))
    screen = ScreenMap.for_monitor(frame, {"left": 100, "top": 50, "width": 320, "height": 200})
    for px in range(frame[0]):
        x, _ = screen.to_pointer((px, 0))
        assert 100 <= x < 420
        # The pixel under that point is the same pixel, or its neighbour sharing the point.
        back, _ = screen.to_pixel((x, 50))
        assert abs(back - px) < scale
    assert screen.to_pointer((frame[0] - 1, frame[1] - 1)) == (419, 249)


def test_scale_override_for_misreporting_systems() -> None:
    screen = ScreenMap.for_monitor((2880, 1800), {"left": 0, "top": 0, "width": 2880, "height": 1800},
                                   scale=2)
    assert screen.to_pointer((2879, 1799)) == (1439, 899)


@pytest.mark.parametrize("rotation", ROTATIONS)
def test_rotation_helpers_match_numpy_rot90(rotation: int) -> None:
    natural = (6, 10)  # width, height
    index = np.arange(natural[0] * natural[1]).reshape(natural[1], natural[0])
    shown = np.rot90(index, k=rotation)
    assert shown.shape[::-1] == rotated_size(natural, rotation)
    for ny in range(natural[1]):
        for nx in range(natural[0]):
            dx, dy = natural_to_display((nx, ny), natural, rotation)
            assert shown[dy, dx] == index[ny, nx]
            assert display_to_natural((dx, dy), natural, rotation) == (nx, ny)


@pytest.mark.parametrize("rotation", [0, 1, 3])  # portrait and both landscapes
def test_phone_targets_land_in_their_element_in_both_orientations(rotation: int) -> None:
    rng = random.Random(rotation)
    natural = (1080, 2400)
    display = rotated_size(natural, rotation)
    for ex, ey, ew, eh in random_elements(rng, *natural, TARGETS, smallest=40):
        corners = [natural_to_display(p, natural, rotation)
                   for p in ((ex, ey), (ex + ew - 1, ey + eh - 1))]
        left, top = min(c[0] for c in corners), min(c[1] for c in corners)
        right, bottom = max(c[0] for c in corners), max(c[1] for c in corners)
        # The model names a point in the middle half of the element as the rotated screen shows it.
        tx = rng.uniform(left + (right - left) / 4, right - (right - left) / 4)
        ty = rng.uniform(top + (bottom - top) / 4, bottom - (bottom - top) / 4)
        grid = pixels_to_grid((int(tx), int(ty)), display)
        tap = grid_to_pixels(grid, display)  # `input tap` takes display coordinates
        assert inside(tap, (left, top, right - left + 1, bottom - top + 1))
        assert inside(display_to_natural(tap, natural, rotation), (ex, ey, ew, eh))
