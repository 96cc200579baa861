"""The fast paths of `agent.imaging`: the shrink to the model's budget keeps every thin stroke, and
frames written with fpng decode to exactly the pixels written (as Pillow's PNGs do)."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest
from PIL import Image

from agent.imaging import DEFAULT_MAX_PIXELS, budget_size, fit_pixel_budget, png_bytes, shrink


def lines_image(size: tuple[int, int], every: int = 7) -> np.ndarray:
    """White, with a 1-px black vertical line every `every` pixels and a horizontal one likewise."""
    width, height = size
    array = np.full((height, width, 3), 255, np.uint8)
    array[:, ::every] = 0
    array[::every, :] = 0
    return array


def darkest_near(column_or_row: np.ndarray, positions: np.ndarray, scale: float) -> np.ndarray:
    """For each source line position, the darkest value of the output within a pixel of it."""
    out = []
    for pos in positions:
        centre = (pos + 0.5) / scale - 0.5
        lo, hi = max(0, int(np.floor(centre)) - 1), min(len(column_or_row), int(np.ceil(centre)) + 2)
        out.append(column_or_row[lo:hi].min())
    return np.array(out)


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 2400), (3840, 2160)])
def test_every_one_pixel_line_survives_the_shrink(size: tuple[int, int]) -> None:
    source = lines_image(size)
    target = budget_size(size, DEFAULT_MAX_PIXELS)
    assert target != size and target[0] * target[1] <= DEFAULT_MAX_PIXELS
    small = shrink(source, target)
    assert (small.shape[1], small.shape[0]) == target
    import cv2

    scale_x = size[0] / target[0]

    def faintest_line(array: np.ndarray) -> int:
        """The contrast left of the faintest vertical line, on a row between horizontal ones."""
        row = array[array.shape[0] // 2 + 1, :, 0]
        return 255 - int(darkest_near(row, np.arange(0, size[0], 7), scale_x).max())

    # Every line stays about as visible as under OpenCV's area average (the reference for
    # shrinking), which it approximates at a fraction of the cost.
    area = faintest_line(cv2.resize(source, target, interpolation=cv2.INTER_AREA))
    assert faintest_line(small) >= 0.8 * area > 0, (faintest_line(small), area)
    # The same check fails for a shrink that drops pixels, so it can tell.
    assert faintest_line(cv2.resize(source, target, interpolation=cv2.INTER_NEAREST)) == 0


def test_fit_pixel_budget_keeps_small_images_and_converts_modes() -> None:
    small = Image.new("RGB", (640, 480))
    assert fit_pixel_budget(small) is small
    rgba = Image.new("RGBA", (1920, 1080), (10, 20, 30, 255))
    out = fit_pixel_budget(rgba)
    assert out.mode == "RGB" and out.size == budget_size((1920, 1080)) and out.getpixel((5, 5)) == (10, 20, 30)


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "P"])
def test_png_bytes_decode_to_the_same_pixels(mode: str) -> None:
    rng = np.random.default_rng(7)
    image = Image.fromarray(rng.integers(0, 256, (83, 121, 3), dtype=np.uint8)).convert(mode)
    data = png_bytes(image)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    back = Image.open(io.BytesIO(data))
    expected = image.convert("RGBA" if mode == "RGBA" else "RGB")
    assert np.array_equal(np.asarray(back.convert(expected.mode)), np.asarray(expected))


def test_png_bytes_uses_fpng_and_falls_back_to_pillow(monkeypatch: pytest.MonkeyPatch) -> None:
    import fpng

    image = Image.fromarray(np.random.default_rng(3).integers(0, 256, (64, 64, 3), dtype=np.uint8))
    assert png_bytes(image) == fpng.from_pil(image)  # the fast writer is the one in use
    monkeypatch.setitem(sys.modules, "fpng", None)  # as if it were not installed
    fallback = png_bytes(image)
    assert fallback != fpng.from_pil(image)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(fallback))), np.asarray(image))
