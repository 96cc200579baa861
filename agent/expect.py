"""`expect` (ARCHITECTURE.md, "Scenario"): what must hold when a scenario's run ends.

- `state`: simulated-phone state, compared key by key (a subset: other keys may differ).
- `text`: strings that must be on the screen. Read from the device's UI tree where it has one
  (`screen_texts`: the simulated phone, Android) and by OCR (`agent.ocr`) where it has none or
  the text is not in the tree. Case, spaces and line breaks do not matter.
- `template`: image files (cut from a recorded frame) that must appear on the screen, found by
  OpenCV template matching at the device's scale or the frames' (model budget) scale.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from actions import UsageError
from actions.safe_files import open_image
from agent import ocr
from agent.imaging import DEFAULT_MAX_PIXELS, fit_pixel_budget
from devices.base import Device, ReadsText, Stateful

EXPECT_KEYS = {"state", "text", "template"}
MATCH = 0.9  # normalised correlation a template must reach


def normalize(expect: Any, folder: Path, where: str) -> dict[str, Any]:
    """A scenario's `expect`, checked and made absolute (template paths). UsageError, one line,
    before anything runs."""
    if not expect:
        return {}
    if not isinstance(expect, dict) or not set(expect) <= EXPECT_KEYS:
        raise UsageError(f"{where}: expect must be a mapping with keys from {sorted(EXPECT_KEYS)}")
    out = dict(expect)
    if "state" in out and not isinstance(out["state"], dict):
        raise UsageError(f"{where}: expect.state must be a mapping")
    for key in ("text", "template"):
        if key in out:
            out[key] = _strings(out[key], f"{where}: expect.{key}")
    if "template" in out:
        out["template"] = [_template_path(folder / t, where) for t in out["template"]]
    return out


def _strings(value: Any, what: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(v, str) and v.strip() for v in items):
        raise UsageError(f"{what} must be a string or a list of non-empty strings")
    return list(items)


def _template_path(path: Path, where: str) -> str:
    """Decoded now (a template is small), so a FIFO, a bomb or a broken file is refused before
    anything runs; the check at the end reads it again."""
    open_image(path, f"{where}: expect.template {path} is not a readable image")
    return str(path.resolve())


def check_expect(expect: dict[str, Any], device: Device) -> list[str]:
    """Each unmet expectation, as one readable line ([] = all hold)."""
    problems: list[str] = []
    wanted = expect.get("state")
    if wanted:
        if not isinstance(device, Stateful):
            return [f"expect.state needs a device with readable state; {device.name} has none"]
        problems += _compare("state", wanted, device.state())
    texts, templates = (_listed(expect.get(k)) for k in ("text", "template"))
    screen = device.screenshot() if texts or templates else None
    if texts:
        problems += _check_text(texts, device, screen)
    problems += [p for t in templates if (p := _check_template(t, screen))]
    return problems


def _listed(value: Any) -> list[str]:
    """One string or a list of them (a run.json's expect is read back as it was written)."""
    return [value] if isinstance(value, str) else [str(v) for v in value or []]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def _found(wanted: str, texts: list[str]) -> bool:
    needle = _squash(wanted)
    return any(needle in _squash(t) for t in texts) or needle in _squash("".join(texts))


def _check_text(wanted: list[str], device: Device, screen: Image.Image) -> list[str]:
    tree = _tree_texts(device)
    missing = [w for w in wanted if not _found(w, tree or [])]
    if missing and ocr.available():
        seen = ocr.read_text(screen)
        missing = [w for w in missing if not _found(w, seen)]
    elif missing and tree is None:
        return [f"expect.text: cannot read the text on {device.name}: it has no UI tree and OCR is "
                "not installed (pip install 'qwen-agent[ocr]')"]
    return [f"expect.text: {w!r} is not on the screen" for w in missing]


def _tree_texts(device: Device) -> list[str] | None:
    return device.screen_texts() if isinstance(device, ReadsText) else None


def _check_template(path: str, screen: Image.Image) -> str | None:
    import cv2  # not at import time: every command builds the parser that imports this module

    try:
        template = cv2.cvtColor(np.asarray(open_image(path, f"expect.template {path}")), cv2.COLOR_RGB2GRAY)
    except UsageError as err:  # gone or changed since the scenario was loaded
        return str(err)
    best = -1.0
    for image in (screen, fit_pixel_budget(screen, DEFAULT_MAX_PIXELS)):
        gray = cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2GRAY)
        if gray.shape[0] >= template.shape[0] and gray.shape[1] >= template.shape[1]:
            best = max(best, float(cv2.minMaxLoc(cv2.matchTemplate(gray, template, cv2.TM_CCOEFF_NORMED))[1]))
    if best >= MATCH:
        return None
    return f"expect.template: {Path(path).name} is not on the screen (best match {max(best, 0):.2f} < {MATCH})"


def _compare(path: str, wanted: Any, actual: Any) -> list[str]:
    if isinstance(wanted, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected a mapping, found {actual!r}"]
        out = []
        for key, value in wanted.items():
            if key not in actual:
                out.append(f"{path}.{key}: missing")
            else:
                out += _compare(f"{path}.{key}", value, actual[key])
        return out
    if wanted != actual:
        return [f"{path}: expected {wanted!r}, found {actual!r}"]
    return []
