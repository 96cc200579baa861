"""Which extra brings a missing module, so that a command that needs one says so in one line.

The commands import optional packages lazily, deep inside devices and backends; wherever one is
missing, `main` turns the `ModuleNotFoundError` into `pip install 'qwen-agent[EXTRA]'` instead of
a traceback. A module that no extra brings is a real bug and is not hidden.
"""

from __future__ import annotations

import importlib.util

from actions.errors import UsageError

# top-level module -> (extra, what it is for)
EXTRA_OF: dict[str, tuple[str, str]] = {
    "adbutils": ("android", "Android phones"),
    "mss": ("desktop", "the desktop device"),
    "pyautogui": ("desktop", "the desktop device"),
    "pyscreeze": ("desktop", "the desktop device"),
    "Xlib": ("desktop", "the desktop device"),
    "gradio": ("ui", "the web page"),
    "torch": ("model", "the local model"),
    "transformers": ("model", "the local model"),
    "accelerate": ("model", "the local model"),
    "huggingface_hub": ("model", "the local model"),
    "llguidance": ("model", "constrained decoding"),
    "bitsandbytes": ("quant", "--quantize"),
    "rapidocr_onnxruntime": ("ocr", "reading text on screens (OCR)"),
    "onnxruntime": ("ocr", "reading text on screens (OCR)"),
    "ray": ("scale", "eval --ray"),
}


def install_hint(err: ImportError) -> str | None:
    """One line naming the extra that brings the missing module, or None if no extra does."""
    name = (getattr(err, "name", None) or "").split(".")[0]
    if name not in EXTRA_OF:
        return None
    extra, purpose = EXTRA_OF[name]
    return f"{name} is not installed ({purpose}): pip install 'qwen-agent[{extra}]'"


def require(extra: str, what: str) -> None:
    """UsageError naming `extra` when a module it brings is missing: for a command to say so
    before it does anything else (e.g. before "no X display")."""
    missing = [m for m, (e, _) in EXTRA_OF.items()
               if e == extra and m in _CHECKED and importlib.util.find_spec(m) is None]
    if missing:
        raise UsageError(f"{what}: {' and '.join(missing)} not installed; pip install 'qwen-agent[{extra}]'")


# The modules `require` looks for (the rest of EXTRA_OF come with these).
_CHECKED = {"adbutils", "mss", "pyautogui", "gradio", "torch", "transformers", "accelerate"}
