"""Widgets to pixels. Draws exactly the tuple `hit` reads; shapes are supersampled and cached."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from devices.sim import fonts
from devices.sim.glyphs import glyph_image
from devices.sim.theme import RGB, Theme
from devices.sim.widgets import Box, Field, Glyph, Rect, Slider, Switch, Text, Widget
from devices.sim.widgets import Image as Picture


def render(widgets: tuple[Widget, ...], theme: Theme) -> Image.Image:
    """Draw widgets bottom to top; runs of widgets sharing a clip are drawn on a clipped layer."""
    img = Image.new("RGB", (theme.width, theme.height), theme.color("bg"))
    i = 0
    while i < len(widgets):
        clip = widgets[i].clip
        j = i
        while j < len(widgets) and widgets[j].clip == clip:
            j += 1
        if clip is None:
            for w in widgets[i:j]:
                _draw(img, w, theme, 0, 0)
        else:
            layer = img.crop((clip.x0, clip.y0, clip.x1, clip.y1))
            for w in widgets[i:j]:
                _draw(layer, w, theme, clip.x0, clip.y0)
            img.paste(layer, (clip.x0, clip.y0))
        i = j
    return img


def _draw(img: Image.Image, w: Widget, th: Theme, ox: int, oy: int) -> None:
    r = w.rect.shift(-ox, -oy)
    match w:
        case Picture():
            img.paste(wallpaper(th.width, th.height, bool(w.params and w.params[0])), (r.x0, r.y0))
        case Box():
            _box(img, w, r, th)
        case Text():
            _text(img, w, r, th)
        case Glyph():
            g = glyph_image(w.name, r.width, r.height, th.color(w.color),
                            th.color(w.disc) if w.disc is not None else None, w.letter)
            img.paste(g, (r.x0, r.y0), g)
        case Switch():
            s = switch_image(r.width, r.height, w.on, th.palette.primary, th.palette.on_primary,
                             th.palette.surface_highest, th.palette.outline)
            img.paste(s, (r.x0, r.y0), s)
        case Slider():
            _slider(img, w, r, th)
        case Field():
            _field(img, w, r, th)


def _box(img: Image.Image, w: Box, r: Rect, th: Theme) -> None:
    if w.fill is None and w.outline is None:
        return  # a touch target only
    if w.alpha < 255 and w.fill is not None:
        box = (max(0, r.x0), max(0, r.y0), min(img.width, r.x1), min(img.height, r.y1))
        region = img.crop(box)
        tint = Image.new("RGB", region.size, th.color(w.fill))
        img.paste(Image.blend(region, tint, w.alpha / 255), box[:2])
        return
    fill = th.color(w.fill) if w.fill is not None else None
    outline = th.color(w.outline) if w.outline is not None else None
    if not w.circle and w.radius == 0 and outline is None and fill is not None:
        ImageDraw.Draw(img).rectangle([r.x0, r.y0, r.x1 - 1, r.y1 - 1], fill=fill)
        return
    radius = min(r.width, r.height) // 2 if w.circle else w.radius
    shape = shape_image(r.width, r.height, radius, fill, outline, w.outline_width)
    img.paste(shape, (r.x0, r.y0), shape)


@lru_cache(maxsize=256)
def shape_image(w: int, h: int, radius: int, fill: RGB | None, outline: RGB | None,
                outline_width: int) -> Image.Image:
    """A smooth rounded rectangle (or circle) as RGBA, drawn large and scaled down."""
    ss = 4 if w * h < 250_000 else 2
    img = Image.new("RGBA", (w * ss, h * ss), (0, 0, 0, 0))
    ImageDraw.Draw(img).rounded_rectangle(
        [0, 0, w * ss - 1, h * ss - 1], radius=radius * ss,
        fill=(*fill, 255) if fill else None, outline=(*outline, 255) if outline else None,
        width=outline_width * ss if outline else 0)
    return img.resize((w, h), Image.Resampling.LANCZOS)


@lru_cache(maxsize=64)
def switch_image(w: int, h: int, on: bool, primary: RGB, on_primary: RGB, track_off: RGB,
                 outline: RGB) -> Image.Image:
    """Material 3 switch: filled track with a big thumb and a check mark when on; outlined when off."""
    ss = 4
    W, H = w * ss, h * ss
    img = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    if on:
        d.rounded_rectangle([0, 0, W - 1, H - 1], radius=H // 2, fill=(*primary, 255))
        r = H * 0.375
        cx, cy = W - H / 2, H / 2
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(*on_primary, 255))
        k = r * 0.55
        d.line([(cx - k, cy), (cx - k * 0.3, cy + k * 0.7), (cx + k, cy - k * 0.6)],
               fill=(*primary, 255), width=max(1, round(H * 0.07)), joint="curve")
    else:
        d.rounded_rectangle([0, 0, W - 1, H - 1], radius=H // 2, fill=(*track_off, 255),
                            outline=(*outline, 255), width=round(H * 0.0625))
        r = H * 0.25
        cx, cy = H / 2, H / 2
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(*outline, 255))
    return img.resize((w, h), Image.Resampling.LANCZOS)


def _text(img: Image.Image, w: Text, r: Rect, th: Theme) -> None:
    d = ImageDraw.Draw(img)
    font = fonts.font(w.px, w.bold)
    color = th.color(w.color)
    lh = w.line_h or r.height
    anchor = {"left": "lm", "center": "mm", "right": "rm"}[w.align]
    x = {"left": r.x0, "center": (r.x0 + r.x1) // 2, "right": r.x1}[w.align]
    for k, line in enumerate(w.lines):
        y = r.y0 + lh * k + lh // 2
        if w.shadow:
            d.text((x + 2, y + 2), line, font=font, fill=(0, 0, 0), anchor=anchor)
        d.text((x, y), line, font=font, fill=color, anchor=anchor)


def _slider(img: Image.Image, w: Slider, r: Rect, th: Theme) -> None:
    p = th.palette
    pad = r.height // 2
    x0, x1 = r.x0 + pad, r.x1 - pad
    cy = r.center[1]
    frac = 0.0 if w.hi == w.lo else (w.value - w.lo) / (w.hi - w.lo)
    frac = min(1.0, max(0.0, frac))
    tx = round(x0 + frac * (x1 - x0))
    th_h = th.dp(16)
    track = shape_image(x1 - x0 + th_h, th_h, th_h // 2, p.surface_highest, None, 0)
    img.paste(track, (x0 - th_h // 2, cy - th_h // 2), track)
    if tx > x0:
        active = shape_image(tx - x0 + th_h, th_h, th_h // 2, p.primary, None, 0)
        img.paste(active, (x0 - th_h // 2, cy - th_h // 2), active)
    for s in w.steps:
        sx = round(x0 + (s - w.lo) / (w.hi - w.lo) * (x1 - x0))
        dot = shape_image(th.dp(4), th.dp(4), th.dp(2), p.on_primary if sx <= tx else p.primary, None, 0)
        img.paste(dot, (sx - th.dp(2), cy - th.dp(2)), dot)
    knob = th.dp(26)
    ring = shape_image(knob, knob, knob // 2, p.primary, p.bg if not th.dark else p.surface, th.dp(3))
    img.paste(ring, (tx - knob // 2, cy - knob // 2), ring)


def _field(img: Image.Image, w: Field, r: Rect, th: Theme) -> None:
    fill = th.color(w.fill)
    if w.radius:
        shape = shape_image(r.width, r.height, w.radius, fill,
                            th.color("primary") if w.focused else None, th.dp(2))
        img.paste(shape, (r.x0, r.y0), shape)
    else:
        ImageDraw.Draw(img).rectangle([r.x0, r.y0, r.x1 - 1, r.y1 - 1], fill=fill)
    d = ImageDraw.Draw(img)
    bold = th.bold
    font = fonts.font(w.px, bold)
    pad_x = max(th.dp(16), w.radius // 2)
    inner = r.width - 2 * pad_x
    lh = fonts.line_height(w.px)
    if w.multiline:
        lines = fonts.wrap(w.text, w.px, bold, inner) if w.text else [""]
        y = r.y0 + th.dp(12)
    else:
        text = w.text
        while text and fonts.width(text, w.px, bold) > inner - th.dp(4):
            text = text[1:]  # show the end being typed, like a scrolled single-line field
        lines = [text]
        y = r.center[1] - lh // 2
    if not w.text:
        d.text((r.x0 + pad_x, y + lh // 2), w.hint, font=font, fill=th.color("on_surface_variant"),
               anchor="lm")
    for k, line in enumerate(lines):
        d.text((r.x0 + pad_x, y + lh * k + lh // 2), line, font=font, fill=th.color("on_surface"),
               anchor="lm")
    if w.focused:
        last = lines[-1] if w.text else ""
        cx = r.x0 + pad_x + round(fonts.width(last, w.px, bold)) + (2 if w.text else -th.dp(3))
        cy = y + lh * (len(lines) - 1) + lh // 2
        d.rectangle([cx, cy - w.px * 0.6, cx + max(2, th.dp(1)), cy + w.px * 0.6],
                    fill=th.color("primary"))


@lru_cache(maxsize=4)
def wallpaper(width: int, height: int, dark: bool) -> Image.Image:
    """A soft diagonal gradient with two glows, like a Pixel's default wallpaper."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    t = (yy / height * 0.8 + xx / width * 0.2)[..., None]
    top = np.array((28, 54, 110) if not dark else (12, 20, 44), np.float32)
    bottom = np.array((120, 76, 150) if not dark else (46, 26, 60), np.float32)
    rgb = top * (1 - t) + bottom * t
    for cx, cy, rad, col in ((0.85, 0.25, 0.55, (80, 140, 210)), (0.1, 0.75, 0.6, (190, 110, 160))):
        dist = np.sqrt(((xx / width - cx) ** 2) + ((yy / height - cy) * height / width) ** 2 * 0.25)
        glow = np.clip(1 - dist / rad, 0, 1)[..., None] ** 2 * (0.45 if not dark else 0.25)
        rgb = rgb * (1 - glow) + np.array(col, np.float32) * glow
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")
