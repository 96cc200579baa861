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


def read_text(image: Image.Image, max_pixels: int = DEFAULT_MAX_PIXELS) -> list[str]:
    """The lines of text found on `image`, top to bottom. The image is first brought to the
    model's pixel budget: a 4K desktop costs what a phone does, and text the model can read
    stays readable."""
    global _engine
    with _lock:  # one engine (about a second to load), used by one thread at a time
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR

            _engine = RapidOCR()
        result, _ = _engine(np.asarray(fit_pixel_budget(image.convert("RGB"), max_pixels)))
    return [str(line[1]) for line in result or []]
