"""Perceive: capture the screen, wait until it stops changing, shrink it to the model's budget."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from actions import Size
from agent.engine.privacy import Privacy
from agent.imaging import DEFAULT_MAX_PIXELS, fit_pixel_budget
from devices.base import Box, Device, FindsPasswords
from devices.errors import DeviceError
from devices.redact import black_out

NO_PRIVACY = Privacy()


@dataclass(frozen=True)
class Frame:
    """One settled screen, through the privacy filter: no image here shows a password field once
    the run must hide them (`agent.engine.privacy`)."""

    image: Image.Image  # full resolution, as captured (password fields blacked out if need be)
    model_image: Image.Image  # what the model sees (pixel budget applied; a blank when hidden)
    size: Size  # device screen size at capture time (what the 0-1000 grid maps onto)
    digest: str  # coarse hash: equal for screens a person would call unchanged
    capture_s: float  # time spent capturing and settling
    withheld: str | None = None  # why no image of this screen may be written to disk
    hidden: str | None = None  # why the model does not get to see this screen

    @property
    def writable(self) -> bool:
        return self.withheld is None


@dataclass(frozen=True)
class Settle:
    """Capture until two frames in a row match, or `timeout` seconds pass (animations, loading)."""

    interval: float = 0.25
    timeout: float = 3.0
    tolerance: float = 0.002  # share of thumbnail cells allowed to differ (a blinking cursor)


def screen_digest(image: Image.Image) -> str:
    """A hash that ignores what does not matter to "has the screen changed": fine detail, noise."""
    thumb = gray_thumbnail(image, (36, 80))
    return hashlib.sha1((thumb // 16).astype(np.uint8).tobytes()).hexdigest()[:16]


def gray_thumbnail(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    """Cell averages of `image` in grey, `size` cells. Whole-pixel blocks are averaged first
    (`reduce`, cheap), then the small rest of the way with a box filter: ~2x faster than one box
    resize from full size, and the same averages to within rounding."""
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGB")
    whole = (max(1, image.width // size[0]), max(1, image.height // size[1]))
    small = image.reduce(whole) if whole != (1, 1) else image
    return np.asarray(small.resize(size, Image.Resampling.BOX).convert("L"))


def _thumb(image: Image.Image) -> np.ndarray:
    return gray_thumbnail(image, (90, 200)).astype(np.int16)


def capture(
    device: Device,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    settle: Settle | None = Settle(),
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    privacy: Privacy = NO_PRIVACY,
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
    image, withheld, hidden = privacy_filter(device, image, privacy)
    small = fit_pixel_budget(image, max_pixels)
    return Frame(
        image=image,
        model_image=small if hidden is None else Image.new("RGB", small.size, (128, 128, 128)),
        size=size,
        digest=screen_digest(small),  # the same screen either way; the small one is cheaper
        capture_s=clock() - start,
        withheld=withheld,
        hidden=hidden,
    )


def privacy_filter(device: Device, image: Image.Image,
                   privacy: Privacy) -> tuple[Image.Image, str | None, str | None]:
    """(the image with password fields blacked out, why it may not be written, why the model may
    not see it) for a run under `privacy`."""
    if privacy.secret_in_view:
        why = "a secret was typed into a field that shows it"
        return image, why, why
    if not privacy.hides_passwords:
        return image, None, None
    boxes = password_regions(device)
    if boxes is None:
        why = "the password fields on this screen could not be located"
        # The model typed what --redact masks itself; a --secret it must never see.
        return image, why, why if privacy.secret_typed else None
    return (black_out(image, boxes) if boxes else image), None, None


def password_regions(device: Device) -> tuple[Box, ...] | None:
    """The device's password fields now; None when it cannot say where they are (no UI tree, or
    a tree it cannot read just now)."""
    if not isinstance(device, FindsPasswords):
        return None
    try:
        return tuple(tuple(box) for box in device.password_regions())  # type: ignore[misc]
    except DeviceError:
        return None


def settle_for(device_spec: str, seconds: float | None) -> Settle | None:
    """How long to wait for a screen to stop changing: the simulated phone never animates; a real
    screen gets 3 s unless told otherwise."""
    if seconds is None:
        seconds = 0.0 if device_spec.startswith("sim") else 3.0
    return Settle(timeout=seconds) if seconds > 0 else None
