"""The guide picture: the screen dimmed, the target left bright inside a big ring with an arrow.

The run report's ring (`agent.engine.rundir.mark_target`) is sized for a reviewer; a person with weak
eyes needs the spot to stand out from across a table: the rest of the screen darkened, a thick
yellow-and-black ring (high contrast on light and dark themes) and an arrow pointing at it.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from actions import Action, grid_to_pixels

RING = "#ffd400"  # yellow on black reads on both light and dark screens
EDGE = "#000000"
DIM = 0.45  # brightness left to everything outside the ring


def guide_image(image: Image.Image, action: Action | None) -> Image.Image:
    """A marked copy of `image` for `action` (an unmarked, undimmed copy when it has no target)."""
    base = image.convert("RGB")
    target = action.target if action is not None else None
    if target is None:
        return base.copy()
    size = base.size
    x, y = grid_to_pixels(target, size)
    radius = max(24, min(size) // 9)
    dimmed = Image.eval(base, lambda v: int(v * DIM))
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    out = Image.composite(base, dimmed, mask)
    draw = ImageDraw.Draw(out)
    width = max(6, radius // 6)
    for r, colour, w in ((radius + width, EDGE, width + 4), (radius, RING, width)):
        draw.ellipse((x - r, y - r, x + r, y + r), outline=colour, width=w)
    to = getattr(action, "to", None)
    if to is not None:  # a swipe: a thick line from the start to a filled end dot
        tx, ty = grid_to_pixels(to, size)
        draw.line((x, y, tx, ty), fill=EDGE, width=width + 6)
        draw.line((x, y, tx, ty), fill=RING, width=width)
        draw.ellipse((tx - 2 * width, ty - 2 * width, tx + 2 * width, ty + 2 * width), fill=RING,
                     outline=EDGE, width=3)
    _arrow(draw, (x, y), radius, size, width)
    return out


def _arrow(draw: ImageDraw.ImageDraw, point: tuple[int, int], radius: int,
           size: tuple[int, int], width: int) -> None:
    """An arrow from the roomier side (below the ring if it sits high, else above) toward it."""
    x, y = point
    length = radius * 1.6
    sign = 1 if y < size[1] / 2 else -1  # arrow comes from below when the target is high
    tip = (x, y + sign * (radius + width + 6))
    tail = (x, tip[1] + sign * length)
    head = radius // 2
    for colour, extra in ((EDGE, 6), (RING, 0)):
        draw.line((tail, tip), fill=colour, width=width + extra)
        draw.polygon([tip, (x - head - extra, tip[1] + sign * head), (x + head + extra, tip[1] + sign * head)],
                     fill=colour)
