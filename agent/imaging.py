"""Screenshots to the model's pixel budget.

Qwen3-VL turns every 32x32 block of pixels into one visual token, so the budget is a pixel count:
the image is shrunk (never enlarged) to fit it, keeping the aspect ratio, with sides that are
multiples of 32 so no partial patch is padded.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

PATCH = 32  # pixels per visual token side (16 px patches merged 2x2)
DEFAULT_MAX_PIXELS = 1280 * PATCH * PATCH  # ~1,280 visual tokens


def fit_pixel_budget(image: Image.Image, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    width, height = image.size
    scale = min(1.0, math.sqrt(max_pixels / (width * height)))
    new_w = max(PATCH, int(width * scale) // PATCH * PATCH)
    new_h = max(PATCH, int(height * scale) // PATCH * PATCH)
    if (new_w, new_h) == (width, height):
        return image
    # OpenCV's area filter is made for shrinking (each output pixel averages the input pixels it
    # covers, so thin text strokes survive) and is about twice as fast as Pillow's Lanczos here.
    import cv2  # here, not at the top: `qwen-agent parse` should not pay for loading OpenCV

    array = cv2.resize(np.asarray(image.convert("RGB")), (new_w, new_h), interpolation=cv2.INTER_AREA)
    return Image.fromarray(array)


def visual_tokens(size: tuple[int, int]) -> int:
    width, height = size
    return math.ceil(width / PATCH) * math.ceil(height / PATCH)
