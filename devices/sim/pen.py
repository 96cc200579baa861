"""A pen for vector icons: draws on a square canvas in unit coordinates (0..1 both ways),
so each icon is written once and drawn at any size."""

from __future__ import annotations

from PIL import ImageDraw

from devices.sim import fonts

RGBA = tuple[int, int, int, int]


class Pen:
    """Draws on a square canvas in unit coordinates; `w` is the standard stroke (2dp on 24dp)."""

    def __init__(self, draw: ImageDraw.ImageDraw, x0: float, y0: float, s: float, color: RGBA,
                 bg: RGBA) -> None:
        self.d, self.x0, self.y0, self.s, self.c, self.bg = draw, x0, y0, s, color, bg
        self.w = max(1, round(s * 0.085))

    def p(self, x: float, y: float) -> tuple[float, float]:
        return self.x0 + x * self.s, self.y0 + y * self.s

    def box(self, x0: float, y0: float, x1: float, y1: float) -> list[float]:
        return [*self.p(x0, y0), *self.p(x1, y1)]

    def line(self, *pts: tuple[float, float], w: float = 1.0, color: RGBA | None = None) -> None:
        width = max(1, round(self.w * w))
        xy = [self.p(*q) for q in pts]
        self.d.line(xy, fill=color or self.c, width=width, joint="curve")
        for q in (xy[0], xy[-1]):  # round caps
            r = width / 2
            self.d.ellipse([q[0] - r, q[1] - r, q[0] + r, q[1] + r], fill=color or self.c)

    def circle(self, cx: float, cy: float, r: float, *, fill: bool = True, w: float = 1.0,
               color: RGBA | None = None) -> None:
        c = color or self.c
        self.d.ellipse(self.box(cx - r, cy - r, cx + r, cy + r), fill=c if fill else None,
                       outline=None if fill else c, width=0 if fill else max(1, round(self.w * w)))

    def rect(self, x0: float, y0: float, x1: float, y1: float, r: float = 0.0, *,
             fill: bool = True, w: float = 1.0, color: RGBA | None = None) -> None:
        c = color or self.c
        self.d.rounded_rectangle(self.box(x0, y0, x1, y1), radius=r * self.s,
                                 fill=c if fill else None, outline=None if fill else c,
                                 width=0 if fill else max(1, round(self.w * w)))

    def poly(self, *pts: tuple[float, float], fill: bool = True, color: RGBA | None = None) -> None:
        c = color or self.c
        xy = [self.p(*q) for q in pts]
        if fill:
            self.d.polygon(xy, fill=c)
        else:
            self.line(*pts, pts[0], color=c)

    def arc(self, cx: float, cy: float, r: float, start: float, end: float, w: float = 1.0) -> None:
        self.d.arc(self.box(cx - r, cy - r, cx + r, cy + r), start, end, fill=self.c,
                   width=max(1, round(self.w * w)))

    def pie(self, cx: float, cy: float, r: float, start: float, end: float,
            color: RGBA | None = None) -> None:
        self.d.pieslice(self.box(cx - r, cy - r, cx + r, cy + r), start, end, fill=color or self.c)

    def letter(self, ch: str, size: float = 0.8, color: RGBA | None = None) -> None:
        px = max(6, round(self.s * size))
        self.d.text(self.p(0.5, 0.52), ch, font=fonts.font(px, True), fill=color or self.c,
                    anchor="mm")
