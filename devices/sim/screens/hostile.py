"""Drawing the traps of `devices.sim.traps`: hostile dialogs, fake system dialogs, notification
banners and lying settings rows, over whatever screen they sit on.

They are built from the same widgets as the honest screens (so a model cannot tell them apart by
look, as on a real phone) and drawn above everything but the navigation bar.
"""

from __future__ import annotations

from dataclasses import replace

from devices.sim import fonts
from devices.sim.chrome import scrim
from devices.sim.traps import CLOSE, PIN_FIELD, TRAPS, Button, Trap
from devices.sim.ui import Ctx, switch, text
from devices.sim.widgets import Box, Field, Glyph, Intent, Rect, Text, Widget


def overlay(ctx: Ctx) -> list[Widget]:
    """The trap on the current screen, if any (none while a real pop-up is open)."""
    name = ctx.state.traps.get(ctx.state.screen)
    if name is None or ctx.state.popup is not None:
        return []
    trap = TRAPS[name]
    match trap.style:
        case "dialog" | "system":
            return _dialog(ctx, trap)
        case "banner":
            return _banner(ctx, trap)
        case "row":
            return _row(ctx, trap)
    raise ValueError(f"unknown trap style {trap.style!r}")


def _s(ctx: Ctx, pair: tuple[str, str]) -> str:
    return pair[1] if ctx.lang == "zh" else pair[0]


def _dialog(ctx: Ctx, trap: Trap) -> list[Widget]:
    """A modal card: the scrim swallows every touch outside it, as Android's dialogs do."""
    th = ctx.theme
    x0, w = th.dp(24), ctx.w - th.dp(48)
    inner = w - th.dp(48)
    title = text(ctx, x0 + th.dp(24), 0, _s(ctx, trap.title), 24, max_w=inner, wrap=2)
    body = text(ctx, x0 + th.dp(24), 0, _s(ctx, trap.body), 16, color="on_surface_variant",
                max_w=inner, wrap=4)
    field_h = th.dp(56 + 16) if trap.field else 0
    h = th.dp(24) + title.rect.height + th.dp(16) + body.rect.height + field_h + th.dp(24 + 40 + 24)
    y0 = (th.height - h) // 2
    out: list[Widget] = [scrim(ctx, None),
                         Box(rect=Rect(x0, y0, x0 + w, y0 + h), blocks=True, radius=th.dp(28),
                             fill="surface_high" if trap.style == "dialog" else "surface")]
    y = y0 + th.dp(24)
    if trap.style == "system":  # Android's own dialogs carry the robot; so does the fake
        g = th.dp(28)
        out.append(Glyph(rect=Rect(x0 + w - th.dp(24) - g, y, x0 + w - th.dp(24), y + g),
                         name="shield", color="primary"))
    out.append(replace(title, rect=title.rect.shift(dy=y)))
    y += title.rect.height + th.dp(16)
    out.append(replace(body, rect=body.rect.shift(dy=y)))
    y += body.rect.height + th.dp(16)
    if trap.field:
        st = ctx.state
        fr = Rect(x0 + th.dp(24), y, x0 + w - th.dp(24), y + th.dp(56))
        typed = st.drafts.get(PIN_FIELD, "")
        out.append(Field(rect=fr, label="PIN", tap=Intent("focus", PIN_FIELD), field_id=PIN_FIELD,
                         text="•" * len(typed), hint="PIN", focused=st.focused_field == PIN_FIELD,
                         px=th.sp(18), radius=th.dp(8)))
    by = y0 + h - th.dp(24 + 40)
    right = x0 + w - th.dp(24)
    for button in reversed(trap.buttons):
        out += _button(ctx, right, by, button)
        right = out[-2].rect.x0 - th.dp(8)
    return out


def _button(ctx: Ctx, x1: int, y: int, button: Button) -> list[Widget]:
    """A Material button whose right edge is x1: filled when it is the one the trap wants."""
    th = ctx.theme
    label = _s(ctx, button.label)
    px = th.sp(15 if button.primary else 13)  # the dark pattern: "No" small and faint
    w = round(fonts.width(label, px, True)) + th.dp(32 if button.primary else 16)
    r = Rect(x1 - w, y, x1, y + th.dp(40))
    fill = "primary" if button.primary else None
    color = "on_primary" if button.primary else "on_surface_variant"
    return [Box(rect=r, label=label, tap=button.intent, radius=th.dp(20), fill=fill),
            Text(rect=r, lines=(label,), px=px, color=color, bold=button.primary, align="center")]


def _banner(ctx: Ctx, trap: Trap) -> list[Widget]:
    """A heads-up notification under the status bar; tapping it does what it says it does."""
    th = ctx.theme
    x0, x1 = th.dp(8), ctx.w - th.dp(8)
    y0 = ctx.top + th.dp(8)
    head = text(ctx, x0 + th.dp(64), y0 + th.dp(14), _s(ctx, trap.title), 13,
                color="on_surface_variant", max_w=x1 - x0 - th.dp(128))
    body = text(ctx, x0 + th.dp(64), head.rect.y1 + th.dp(4), _s(ctx, trap.body), 15,
                max_w=x1 - x0 - th.dp(128), wrap=3)
    r = Rect(x0, y0, x1, body.rect.y1 + th.dp(14))
    g = th.dp(36)
    out: list[Widget] = [
        Box(rect=r, label=_s(ctx, trap.body), tap=trap.tap, fill="surface_high", radius=th.dp(24),
            blocks=True),
        Glyph(rect=Rect(x0 + th.dp(16), y0 + th.dp(16), x0 + th.dp(16) + g, y0 + th.dp(16) + g),
              name="letter", letter=_s(ctx, trap.title)[:1], disc="primary", color="on_primary"),
        head, body,
    ]
    d = th.dp(48)
    close = Rect(x1 - d - th.dp(8), y0 + th.dp(8), x1 - th.dp(8), y0 + th.dp(8) + d)
    out += [Box(rect=close, label="关闭通知" if ctx.lang == "zh" else "Dismiss notification",
                tap=CLOSE, radius=d // 2),
            Glyph(rect=close.inset(th.dp(12)), name="letter", letter="×")]
    return out


def _row(ctx: Ctx, trap: Trap) -> list[Widget]:
    """A settings row with a switch, drawn over the page: it looks like the real setting."""
    th = ctx.theme
    y0 = round(ctx.bottom - (ctx.bottom - ctx.top) * 0.42)
    title = text(ctx, th.dp(24), 0, _s(ctx, trap.title), 19, max_w=ctx.w - th.dp(120))
    summary = text(ctx, th.dp(24), 0, _s(ctx, trap.body), 14, color="on_surface_variant",
                   max_w=ctx.w - th.dp(120))
    h = th.dp(32) + title.rect.height + summary.rect.height
    r = Rect(0, y0, ctx.w, y0 + h)
    y = y0 + th.dp(16)
    return [Box(rect=r, label=_s(ctx, trap.title), tap=trap.tap, fill="bg", blocks=True),
            replace(title, rect=title.rect.shift(dy=y)),
            replace(summary, rect=summary.rect.shift(dy=y + title.rect.height)),
            replace(switch(ctx, ctx.w - th.dp(24), r.center[1], True, "", None), label=None)]
