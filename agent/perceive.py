"""Perceive: capture the screen, wait until it stops changing, shrink it to the model's budget."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from actions import Size
from actions.errors import DeviceError
from agent.imaging import DEFAULT_MAX_PIXELS, fit_pixel_budget
from devices.base import Device


@dataclass(frozen=True)
class Frame:
    image: Image.Image  # full resolution, as captured
    model_image: Image.Image  # what the model sees (pixel budget applied)
    size: Size  # device screen size at capture time (what the 0-1000 grid maps onto)
    digest: str  # coarse hash: equal for screens a person would call unchanged
    capture_s: float  # time spent capturing and settling
    # Password fields on screen, as pixel boxes of `image`: blacked out of saved frames under
    # --redact or with a --secret. None when the device has a UI tree but could not read it (then
    # no frame is saved).
    hidden: tuple[tuple[int, int, int, int], ...] | None = ()

    def hidden_in(self, image: Image.Image) -> tuple[tuple[int, int, int, int], ...] | None:
        """`hidden` scaled to `image` (the model's copy is smaller), rounded outwards."""
        if not self.hidden:
            return self.hidden
        sx, sy = image.width / self.image.width, image.height / self.image.height
        return tuple((math.floor(x0 * sx), math.floor(y0 * sy), math.ceil(x1 * sx), math.ceil(y1 * sy))
                     for x0, y0, x1, y1 in self.hidden)


@dataclass(frozen=True)
class Settle:
    """Capture until two frames in a row match, or `timeout` seconds pass (animations, loading)."""

    interval: float = 0.25
    timeout: float = 3.0
    tolerance: float = 0.002  # share of thumbnail cells allowed to differ (a blinking cursor)


def screen_digest(image: Image.Image) -> str:
    """A hash that ignores what does not matter to "has the screen changed": fine detail, noise."""
    thumb = np.asarray(image.resize((36, 80), Image.Resampling.BOX).convert("L"))
    return hashlib.sha1((thumb // 16).astype(np.uint8).tobytes()).hexdigest()[:16]


def _thumb(image: Image.Image) -> np.ndarray:
    return np.asarray(image.resize((90, 200), Image.Resampling.BOX).convert("L"), dtype=np.int16)


def capture(
    device: Device,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    settle: Settle | None = Settle(),
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    find_passwords: bool = False,
) -> Frame:
    start = clock()
    image = device.screenshot()
    if settle is not None:
        previous = _thumb(image)
        while clock() - start < settle.timeout:
            sleep(settle.interval)
            image = device.screenshot()
            current = _thumb(image)
            if current.shape == previous.shape:
                changed = np.mean(np.abs(current - previous) > 12)
                if changed <= settle.tolerance:
                    break
            previous = current
    size = Size(*image.size)
    hidden = password_regions(device) if find_passwords else ()
    model_image = fit_pixel_budget(image, max_pixels)
    return Frame(
        image=image,
        model_image=model_image,
        size=size,
        digest=screen_digest(model_image),  # the same screen either way; the small one is cheaper
        capture_s=clock() - start,
        hidden=hidden,
    )


def password_regions(device: Device) -> tuple[tuple[int, int, int, int], ...] | None:
    """The device's password fields now; () for a device without a UI tree (a desktop), None when
    it has one but cannot read it."""
    probe = getattr(device, "password_regions", None)
    if probe is None:
        return ()
    try:
        return tuple(tuple(box) for box in probe())  # type: ignore[misc]
    except DeviceError:
        return None
