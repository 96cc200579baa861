"""Blacking out parts of a screenshot (password fields) before it is written anywhere."""

from __future__ import annotations

from PIL import Image, ImageDraw

MASK = "•••"  # what stands for typed text that must not be kept (a password)
Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels, x1/y1 exclusive


def black_out(image: Image.Image, boxes: tuple[Box, ...] | list[Box]) -> Image.Image:
    """A copy of `image` with every box filled solid black: nothing of what was in it survives."""
    out = image.convert("RGB").copy()
    draw = ImageDraw.Draw(out)
    for x0, y0, x1, y1 in boxes:
        if x1 > x0 and y1 > y0:
            draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=(0, 0, 0))
    return out
