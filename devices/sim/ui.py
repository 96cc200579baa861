"""Building blocks shared by the screens: context, app bars, list rows, switches, sliders, pages.

Every block appends frozen widgets; nothing here draws. Content is laid out from y = 0 and moved by
the scroll offset afterwards (`widgets.clipped`), so scrolling never changes the layout itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from devices.sim import fonts
from devices.sim.i18n import t
from devices.sim.state import PhoneState
from devices.sim.theme import Theme
from devices.sim.widgets import (
    Box,
    Color,
    Glyph,
    Intent,
    Rect,
    Slider,
    Switch,
    Text,
    Widget,
    clipped,
)


@dataclass(frozen=True)
class Ctx:
    """What a screen builder needs: how to draw, what to draw, and the free band of the screen."""

    theme: Theme
    state: PhoneState
    top: int  # below the status bar
    bottom: int  # above the navigation bar (and the keyboard when it is up)

    @property
    def lang(self) -> str:
        return self.state.language

    def t(self, key: str, *args: object) -> str:
        return t(self.lang, key, *args)

    @property
    def w(self) -> int:
        return self.theme.width


@dataclass(frozen=True)
class Layout:
    widgets: tuple[Widget, ...]
    max_scroll: int = 0
    scroll: int = 0  # the offset the content is drawn at (0: top)


def text(ctx: Ctx, x: int, y: int, s: str, size: float, *, color: Color = "on_surface",
         bold: bool = False, max_w: int | None = None, align: str = "left",
         wrap: int = 1) -> Text:
    """A text widget whose top-left is (x, y); `wrap` > 1 allows that many lines."""
    px = ctx.theme.sp(size)
    bold = bold or ctx.theme.bold
    lh = fonts.line_height(px)
    max_w = max_w if max_w is not None else ctx.w - x - ctx.theme.dp(16)
    if wrap > 1:
        lines = fonts.wrap(s, px, bold, max_w)
        if len(lines) > wrap:
            lines = lines[:wrap - 1] + [fonts.ellipsize(" ".join(lines[wrap - 1:]), px, bold, max_w)]
    else:
        lines = [fonts.ellipsize(s, px, bold, max_w)]
    if align == "center":
        x0 = x - max_w // 2
    elif align == "right":
        x0 = x - max_w
    else:
        x0 = x
    return Text(rect=Rect(x0, y, x0 + max_w, y + lh * len(lines)), lines=tuple(lines), px=px,
                color=color, bold=bold, align=align, line_h=lh)


def app_bar(ctx: Ctx, title: str, *, large: bool = True, back: bool = True,
            actions: list[Widget] | None = None) -> tuple[list[Widget], int]:
    """Android 14's top app bar: back arrow, then a large title (settings) or an inline one."""
    th = ctx.theme
    arrow_h = th.dp(64)
    # The large title grows with the font size setting so it never runs into the content.
    height = arrow_h + (max(th.dp(76), fonts.line_height(th.sp(34)) + th.dp(12)) if large else 0)
    out: list[Widget] = [Box(rect=Rect(0, ctx.top, ctx.w, ctx.top + height), fill="bg", blocks=True)]
    if back:
        out += icon_button(ctx, th.dp(4), ctx.top + th.dp(4), "arrow_back", ctx.t("navigate_up"),
                           Intent("back"), color="on_surface")
    if large:
        out.append(text(ctx, th.dp(24), ctx.top + arrow_h + th.dp(6), title, 34,
                        max_w=ctx.w - th.dp(40)))
    else:
        x = th.dp(64) if back else th.dp(20)
        title_w = text(ctx, x, 0, title, 22, max_w=ctx.w - x - th.dp(112))
        dy = ctx.top + (arrow_h - title_w.rect.height) // 2
        out.append(replace(title_w, rect=title_w.rect.shift(dy=dy)))
    out += actions or []
    return out, ctx.top + height


def icon_button(ctx: Ctx, x: int, y: int, glyph: str, label: str, intent: Intent | None,
                color: Color = "on_surface_variant", size_dp: float = 56,
                disc: Color | None = None) -> list[Widget]:
    """A 48dp-ish touch target with a 24dp glyph in the middle."""
    th = ctx.theme
    s = th.dp(size_dp)
    g = th.dp(24) if disc is None else th.dp(size_dp * 0.5)
    touch = Box(rect=Rect(x, y, x + s, y + s), label=label, tap=intent, radius=s // 2,
                fill=disc, circle=disc is not None)
    cx, cy = x + s // 2, y + s // 2
    return [touch, Glyph(rect=Rect(cx - g // 2, cy - g // 2, cx + g // 2, cy + g // 2), name=glyph,
                         color=color)]


def switch(ctx: Ctx, x1: int, cy: int, on: bool, label: str, intent: Intent | None) -> Switch:
    """A Material 3 switch (52x32dp) whose right edge is x1, centred on cy."""
    th = ctx.theme
    w, h = th.dp(52), th.dp(32)
    return Switch(rect=Rect(x1 - w, cy - h // 2, x1, cy + h // 2), on=on, label=label, tap=intent)


class Page:
    """A vertical list of blocks (rows, headers, sliders) for a scrolling content area."""

    def __init__(self, ctx: Ctx, y: int = 0) -> None:
        self.ctx = ctx
        self.th = ctx.theme
        self.y = y
        self.items: list[Widget] = []

    def gap(self, dp: float) -> None:
        self.y += self.th.dp(dp)

    def add(self, *widgets: Widget) -> None:
        self.items.extend(widgets)

    def header(self, title: str) -> None:
        self.gap(12)
        w = text(self.ctx, self.th.dp(24), self.y, title, 14, color="primary", bold=True)
        self.items.append(w)
        self.y = w.rect.y1 + self.th.dp(4)

    def row(self, title: str, summary: str | None = None, *, icon: str | None = None,
            disc: Color | None = None, tap: Intent | None = None, on: bool | None = None,
            label: str | None = None, toggle: Intent | None = None, avatar: str = "",
            right: str | None = None, title_size: float = 18) -> Rect:
        """A list row: optional icon or avatar, title, summary, optional switch or right text."""
        th, ctx = self.th, self.ctx
        left = th.dp(76) if (icon or avatar) else th.dp(24)
        right_w = th.dp(84) if on is not None else (th.dp(96) if right else th.dp(24))
        max_w = ctx.w - left - right_w
        pad = th.dp(16)
        title_w = text(ctx, left, self.y + pad, title, title_size, max_w=max_w, wrap=2)
        parts: list[Widget] = [title_w]
        bottom = title_w.rect.y1
        if summary:
            sum_w = text(ctx, left, bottom, summary, 14, color="on_surface_variant", max_w=max_w,
                         wrap=3)
            parts.append(sum_w)
            bottom = sum_w.rect.y1
        rect = Rect(0, self.y, ctx.w, max(bottom + pad, self.y + th.dp(72 if summary else 56)))
        intent = tap if tap is not None else toggle
        touch = Box(rect=rect, label=label or title if intent else None, tap=intent)
        cy = rect.center[1]
        widgets: list[Widget] = [touch, *self._shift_center(parts, rect)]
        if icon or avatar:
            d = th.dp(40)
            disc_rect = Rect(th.dp(20), cy - d // 2, th.dp(20) + d, cy + d // 2)
            widgets.append(Glyph(rect=disc_rect, name=icon or "letter", letter=avatar,
                                 color=(255, 255, 255) if disc else "on_surface_variant",
                                 disc=disc))
        if on is not None:
            widgets.append(switch(ctx, ctx.w - th.dp(24), cy, on, ctx.t("toggle", title),
                                  toggle or tap))
        if right:
            widgets.append(text(ctx, ctx.w - th.dp(20), cy - th.dp(10), right, 13,
                                color="on_surface_variant", align="right", max_w=th.dp(90)))
        self.items.extend(widgets)
        self.y = rect.y1
        return rect

    def _shift_center(self, parts: list[Widget], rect: Rect) -> list[Widget]:
        """Centre a block of texts vertically in a row taller than they are."""
        top = min(p.rect.y0 for p in parts)
        bottom = max(p.rect.y1 for p in parts)
        dy = (rect.y0 + rect.y1) // 2 - (top + bottom) // 2
        return [replace(p, rect=p.rect.shift(dy=dy)) for p in parts]

    def main_switch(self, title: str, on: bool, intent: Intent) -> None:
        """Android 14's big rounded 'Use Bluetooth' bar at the top of a settings page."""
        th, ctx = self.th, self.ctx
        self.gap(8)
        rect = Rect(th.dp(16), self.y, ctx.w - th.dp(16), self.y + th.dp(72))
        fill = "primary_container" if on else "surface_highest"
        cy = rect.center[1]
        label = text(ctx, rect.x0 + th.dp(24), 0, title, 20, max_w=rect.width - th.dp(110),
                     color="on_primary_container" if on else "on_surface")
        label = replace(label, rect=label.rect.shift(dy=cy - label.rect.height // 2))
        self.items += [Box(rect=rect, fill=fill, radius=th.dp(28), label=title, tap=intent), label,
                       switch(ctx, rect.x1 - th.dp(20), cy, on, ctx.t("toggle", title), intent)]
        self.y = rect.y1 + th.dp(8)

    def slider(self, title: str, key: str, value: float, lo: float, hi: float, *,
               icon: str | None = None, steps: tuple[float, ...] = ()) -> Slider:
        th, ctx = self.th, self.ctx
        left = th.dp(76) if icon else th.dp(24)
        self.gap(12)
        title_w = text(ctx, left, self.y, title, 18)
        self.y = title_w.rect.y1
        slider = Slider(rect=Rect(left - th.dp(12), self.y, ctx.w - th.dp(12), self.y + th.dp(48)),
                        label=ctx.t("slider", title), key=key, value=value, lo=lo, hi=hi,
                        steps=steps)
        self.items += [title_w, slider]
        if icon:
            d = th.dp(24)
            cy = (title_w.rect.y0 + slider.rect.y1) // 2
            self.items.append(Glyph(rect=Rect(th.dp(28), cy - d // 2, th.dp(28) + d, cy + d // 2),
                                    name=icon))
        self.y = slider.rect.y1 + th.dp(8)
        return slider

    def radio(self, title: str, selected: bool, intent: Intent) -> None:
        th, ctx = self.th, self.ctx
        rect = Rect(0, self.y, ctx.w, self.y + th.dp(56))
        cy = rect.center[1]
        d = th.dp(20)
        label = text(ctx, th.dp(72), 0, title, 18)
        label = replace(label, rect=label.rect.shift(dy=cy - label.rect.height // 2))
        ring = Rect(th.dp(28), cy - d // 2, th.dp(28) + d, cy + d // 2)
        self.items += [Box(rect=rect, label=title, tap=intent), label,
                       Box(rect=ring, circle=True, outline="primary" if selected else "on_surface_variant",
                           outline_width=th.dp(2))]
        if selected:
            self.items.append(Box(rect=ring.inset(th.dp(5)), circle=True, fill="primary"))
        self.y = rect.y1

    def paragraph(self, s: str, size: float = 14, color: Color = "on_surface_variant",
                  icon: str | None = None) -> None:
        th = self.th
        self.gap(8)
        if icon:
            d = th.dp(24)
            self.items.append(Glyph(rect=Rect(th.dp(24), self.y, th.dp(24) + d, self.y + d), name=icon))
            self.y += d + th.dp(12)
        w = text(self.ctx, th.dp(24), self.y, s, size, color=color, wrap=8,
                 max_w=self.ctx.w - th.dp(48))
        self.items.append(w)
        self.y = w.rect.y1 + th.dp(8)

    def place(self, top: int, bottom: int,
              start_at_end: bool = False) -> tuple[list[Widget], int, int]:
        """The content moved by this screen's scroll offset and clipped to [top, bottom)."""
        viewport = Rect(0, top, self.ctx.w, bottom)
        max_scroll = max(0, self.y + self.th.dp(16) - (bottom - top))
        default = max_scroll if start_at_end else 0
        offset = max(0, min(self.ctx.state.scroll.get(self.ctx.state.screen, default), max_scroll))
        return clipped(self.items, viewport, top - offset), max_scroll, offset
