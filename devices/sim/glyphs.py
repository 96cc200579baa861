"""Vector icons drawn with Pillow shapes, 4x supersampled for smooth edges and cached."""

from __future__ import annotations

from functools import lru_cache

from PIL import Image, ImageDraw

from devices.sim.icons import DRAWERS
from devices.sim.pen import Pen

SS = 4  # supersampling factor


@lru_cache(maxsize=512)
def glyph_image(name: str, w: int, h: int, color: tuple[int, int, int],
                disc: tuple[int, int, int] | None, letter: str) -> Image.Image:
    """An RGBA picture of the icon, optionally on a filled circle (app icons, settings rows)."""
    W, H = max(1, w) * SS, max(1, h) * SS
    img = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    side = min(W, H)
    ox, oy = (W - side) / 2, (H - side) / 2
    fg = (*color, 255)
    if disc is not None:
        bg = (*disc, 255)
        draw.ellipse([ox, oy, ox + side - 1, oy + side - 1], fill=bg)
        inner = side * (0.52 if name != "chrome" else 0.86)
        ox, oy, side = ox + (side - inner) / 2, oy + (side - inner) / 2, inner
    else:
        bg = (0, 0, 0, 0)
    pen = Pen(draw, ox, oy, side, fg, bg)
    drawer = DRAWERS.get(name)
    if drawer is None or name == "letter":
        pen.letter(letter or "?", 0.78)
    else:
        drawer(pen)
    return img.resize((max(1, w), max(1, h)), Image.Resampling.LANCZOS)
