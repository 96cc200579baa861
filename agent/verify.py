"""Does the live screen still look like the recording around a step's target? (OpenCV)

Verified replay compares the frame the model would see now with the frame recorded before the same
step, only around the step's target: a patch of the recorded frame centred on the target is searched
for in the live frame (normalised cross-correlation, `cv2.matchTemplate`). Matching a patch rather
than whole frames makes the check blind to what does not matter — the status bar clock and
notification icons (masked out), a toast elsewhere, a list that scrolled a little — and the best
match's offset says where the target went when the layout merely moved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from actions import grid_to_pixels, pixels_to_grid

# The patch around a target, as fractions of the frame: wide enough to hold a list row's text and
# icon (what makes it recognisable), about one row high (so the rows above and below, which move
# independently when the layout shifts, stay out of it).
PATCH_W, PATCH_H = 0.5, 0.05
STATUS_BAR = 0.035  # top of the frame where the clock and notification icons live (ignored)
MATCH = 0.85  # correlation above which the patch is found (same text, same icon)
TIE = 0.02  # candidates this close to the best are equal; the nearest to the recorded place wins
FLAT = 3.0  # a patch with less grey-level spread than this has nothing to recognise


@dataclass(frozen=True)
class Check:
    """The verdict for one step: `status` is match | moved | drift | unchecked."""

    status: str
    score: float  # best correlation found (1.0 = identical)
    shift: tuple[int, int] = (0, 0)  # where the target went, in 0-1000 grid units
    reason: str = ""
    found: tuple[int, int, int, int] | None = None  # best-matching box in the live frame (pixels)
    patch: tuple[int, int, int, int] | None = None  # the recorded patch box (pixels)

    @property
    def ok(self) -> bool:
        return self.status != "drift"


def _grey(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.float32)


def compare(recorded: Image.Image, live: Image.Image, target: tuple[int, int]) -> Check:
    """Look for the recorded patch around `target` (0-1000 grid) in the live frame."""
    import cv2  # here: loading OpenCV is only paid by replays that verify

    if live.size != recorded.size:
        # A different pixel budget or device: compare at the recorded size; a different shape of
        # screen is a drift in itself (the coordinates would not carry over).
        ra, la = recorded.width / recorded.height, live.width / live.height
        if abs(ra - la) > 0.02 * ra:
            return Check("drift", 0.0, reason=f"the screen's shape changed ({recorded.size} recorded, "
                                                 f"{live.size} now)")
        live = live.resize(recorded.size, Image.Resampling.BILINEAR)
    rec, now = _grey(recorded), _grey(live)
    height, width = rec.shape
    top = round(STATUS_BAR * height)
    x, y = grid_to_pixels(target, (width, height))
    for grow in (1, 2, 4):  # a blank spot (margin, or a sideways list in landscape): look wider
        half_w, half_h = round(grow * PATCH_W * width / 2), round(grow * PATCH_H * height / 2)
        x0, x1 = max(0, x - half_w), min(width, x + half_w)
        y0, y1 = max(top, y - half_h), min(height, y + half_h)
        if y1 - y0 < 8 or x1 - x0 < 8:
            return Check("unchecked", 1.0, reason="the target is inside the status bar")
        patch = rec[y0:y1, x0:x1]
        box = (x0, y0, x1, y1)
        if float(patch.std()) >= FLAT:
            break
    else:
        return Check("unchecked", 1.0, reason="nothing recognisable around the target", patch=box)
    scores = cv2.matchTemplate(now[top:], patch, cv2.TM_CCOEFF_NORMED)
    scores = np.nan_to_num(scores, nan=0.0)  # a flat live region has no correlation: not a match
    best = float(scores.max())
    if best < MATCH:
        bx, by = np.unravel_index(int(scores.argmax()), scores.shape)[::-1]
        found = (int(bx), int(by) + top, int(bx) + x1 - x0, int(by) + top + y1 - y0)
        return Check("drift", best, reason=f"what was around the target is not on the screen "
                                           f"(best likeness {best:.2f} < {MATCH})", found=found, patch=box)
    # Repeated rows look alike: among the near-best candidates take the one nearest the recorded place.
    ys, xs = np.nonzero(scores >= best - TIE)
    ys = ys + top
    nearest = int(np.argmin((xs - x0) ** 2 + (ys - y0) ** 2))
    fx, fy = int(xs[nearest]), int(ys[nearest])
    score = float(scores[fy - top, fx])
    found = (fx, fy, fx + x1 - x0, fy + y1 - y0)
    moved_px = (fx - x0, fy - y0)
    if max(abs(moved_px[0]), abs(moved_px[1])) <= 2:
        return Check("match", score, found=found, patch=box)
    new = pixels_to_grid((x + moved_px[0], y + moved_px[1]), (width, height))
    shift = (new[0] - target[0], new[1] - target[1])
    return Check("moved", score, shift=shift, found=found, patch=box,
                 reason=f"the target moved by {shift[0]:+d}, {shift[1]:+d} (grid units)")


def side_by_side(recorded: Image.Image, live: Image.Image, check: Check, title: str) -> Image.Image:
    """Recorded frame (left) and live frame (right), the compared boxes drawn, for the report."""
    from PIL import ImageDraw, ImageFont

    live = live.convert("RGB").resize(recorded.size) if live.size != recorded.size else live.convert("RGB")
    width, height = recorded.size
    band = 40
    out = Image.new("RGB", (2 * width + 12, height + band), "white")
    out.paste(recorded.convert("RGB"), (0, band))
    out.paste(live, (width + 12, band))
    draw = ImageDraw.Draw(out)
    font = ImageFont.load_default(size=18)
    draw.text((6, 8), f"recorded: {title}", fill="black", font=font)
    draw.text((width + 18, 8), f"now: {check.reason}"[:70], fill="black", font=font)
    if check.patch:
        px0, py0, px1, py1 = check.patch
        draw.rectangle((px0, py0 + band, px1, py1 + band), outline="#0b57d0", width=3)
    if check.found:
        fx0, fy0, fx1, fy1 = check.found
        colour = "#e8112d" if check.status == "drift" else "#1e8e3e"
        draw.rectangle((fx0 + width + 12, fy0 + band, fx1 + width + 12, fy1 + band), outline=colour, width=3)
    return out
