"""Reading text off a screenshot, offline: RapidOCR (PP-OCR models for Chinese and English, shipped
inside the `rapidocr-onnxruntime` wheel, run on onnxruntime). Optional: `pip install
'qwen-agent[ocr]'`. Used where a device has no UI tree to read text from (a desktop), and where
the text may be drawn rather than in the tree (a WebView, a game)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from PIL import Image

from agent.imaging import DEFAULT_MAX_PIXELS, fit_pixel_budget

_engine: Any = None
_lock = threading.Lock()


def available() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


# Around a point, the words of the control it reaches: a window wide enough for a button's
# label, read at twice its size (PP-OCR keeps the spaces of small UI text then: "Buy now", not
# "Buynow"), and a label counts if its box lies within REACH screen pixels of the point.
AROUND = (480, 120)
REACH = 24
UPSCALE = 2


def read_text(image: Image.Image, max_pixels: int = DEFAULT_MAX_PIXELS) -> list[str]:
    """The lines of text found on `image`, top to bottom. The image is first brought to the
    model's pixel budget: a 4K desktop costs what a phone does, and text the model can read
    stays readable."""
    return [str(line[1]) for line in _read(np.asarray(fit_pixel_budget(image.convert("RGB"), max_pixels)))]


def words_at(image: Image.Image, point: tuple[int, int]) -> str | None:
    """The words nearest `point` on `image` (a full-resolution screenshot), within REACH pixels of
    their box; None where no text is that close (an icon, an empty area)."""
    x, y = point
    width, height = image.size
    left = max(0, min(x - AROUND[0] // 2, width - AROUND[0]))
    top = max(0, min(y - AROUND[1] // 2, height - AROUND[1]))
    crop = image.crop((left, top, min(width, left + AROUND[0]), min(height, top + AROUND[1]))).convert("RGB")
    crop = crop.resize((crop.width * UPSCALE, crop.height * UPSCALE), Image.BICUBIC)
    best: tuple[float, str] | None = None
    for box, text, *_ in _read(np.asarray(crop)):
        xs = [left + px / UPSCALE for px, _ in box]
        ys = [top + py / UPSCALE for _, py in box]
        distance = max(min(xs) - x, 0, x - max(xs)) + max(min(ys) - y, 0, y - max(ys))
        if distance <= REACH and str(text).strip() and (best is None or distance < best[0]):
            best = (distance, str(text).strip())
    return best[1] if best else None


def _read(array: np.ndarray) -> list[Any]:
    """RapidOCR's [box, text, score] lines for an RGB array."""
    global _engine
    with _lock:  # one engine (about a second to load), used by one thread at a time
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR

            _engine = RapidOCR()
        result, _ = _engine(array)
    return list(result or [])
