"""Noto Sans CJK from the pip packages (never a system font), cached per size and weight."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from PIL import ImageFont

_PACKAGES = {
    False: ("cvttf_NotoSansCJK_Regular", "NotoSansCJKtc-Regular.otf"),
    True: ("cvttf_NotoSansCJK_Medium", "NotoSansCJKtc-Medium.otf"),
}

# Line height as a multiple of the font size, close to Android's default line spacing.
LINE = 1.32


@cache
def font_path(bold: bool) -> Path:
    package, filename = _PACKAGES[bold]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"font package {package} is not installed (pip install qwen-agent)")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / filename
        if path.is_file():
            return path
    raise RuntimeError(f"{filename} not found in {package}")


@cache
def font(px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """Opening a 16 MB OTF costs milliseconds, so each size is opened once per process."""
    return ImageFont.truetype(str(font_path(bold)), max(6, px))


def width(text: str, px: int, bold: bool = False) -> float:
    return font(px, bold).getlength(text)


def line_height(px: int) -> int:
    return round(px * LINE)


def ellipsize(text: str, px: int, bold: bool, max_width: float) -> str:
    """Cut `text` to fit `max_width`, ending in an ellipsis like a single-line TextView."""
    if max_width <= 0 or width(text, px, bold) <= max_width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if width(text[:mid] + "…", px, bold) <= max_width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"


def wrap(text: str, px: int, bold: bool, max_width: float) -> list[str]:
    """Break text into lines that fit; words stay whole in Latin text, CJK breaks anywhere."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _tokens(paragraph):
            candidate = line + token
            if line and width(candidate, px, bold) > max_width:
                lines.append(line.rstrip())
                line = token.lstrip()
                # A single word wider than the line is cut by characters.
                while width(line, px, bold) > max_width and len(line) > 1:
                    cut = len(line) - 1
                    while cut > 1 and width(line[:cut], px, bold) > max_width:
                        cut -= 1
                    lines.append(line[:cut])
                    line = line[cut:]
            else:
                line = candidate
        lines.append(line)
    return lines


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    word = ""
    for ch in text:
        if ord(ch) > 0x2E7F:  # CJK: every character is its own break opportunity
            if word:
                out.append(word)
                word = ""
            out.append(ch)
        elif ch == " ":
            out.append(word + " ")
            word = ""
        else:
            word += ch
    if word:
        out.append(word)
    return out
