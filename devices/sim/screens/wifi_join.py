"""Joining a secured Wi-Fi network: Android's password dialog (Password field, "Show password",
Cancel / Connect). The phone's one everyday password field, which `--redact` and `--secret` are
tested on: typed text shows as dots, or in clear while "Show password" is on, as on a Pixel."""

from __future__ import annotations

from dataclasses import replace

from devices.sim.chrome import scrim, text_button
from devices.sim.ui import Ctx, switch, text
from devices.sim.widgets import Box, Field, Intent, Rect, Widget

MIN_LENGTH = 8  # WPA2: Connect stays disabled below eight characters


def field_id(network: str) -> str:
    return f"wifi/{network}:password"


def dialog(ctx: Ctx, network: str, show: bool) -> list[Widget]:
    """Centred in the space the keyboard leaves, so the field stays in view while typing."""
    th, st = ctx.theme, ctx.state
    fid = field_id(network)
    typed = st.drafts.get(fid, "")
    x0, w = th.dp(24), ctx.w - th.dp(48)
    inner = w - th.dp(48)
    title = text(ctx, x0 + th.dp(24), 0, network, 24, max_w=inner)
    h = th.dp(24) + title.rect.height + th.dp(16 + 56 + 12 + 48 + 16 + 40 + 24)
    y0 = max(ctx.top + th.dp(8), (ctx.top + ctx.bottom - h) // 2)
    out: list[Widget] = [scrim(ctx, Intent("dismiss")),
                         Box(rect=Rect(x0, y0, x0 + w, y0 + h), fill="surface_high",
                             radius=th.dp(28), blocks=True)]
    y = y0 + th.dp(24)
    out.append(replace(title, rect=title.rect.shift(dy=y)))
    y += title.rect.height + th.dp(16)
    label = ctx.t("password")
    out.append(Field(rect=Rect(x0 + th.dp(24), y, x0 + w - th.dp(24), y + th.dp(56)), label=label,
                     tap=Intent("focus", fid), field_id=fid, text=typed if show else "•" * len(typed),
                     hint=label, focused=st.focused_field == fid, px=th.sp(18), radius=th.dp(8)))
    y += th.dp(56 + 12)
    show_label = ctx.t("show_password")
    out.append(text(ctx, x0 + th.dp(24), y + th.dp(12), show_label, 16, max_w=inner - th.dp(64)))
    toggle = Intent("wifi_show", network)
    out.append(Box(rect=Rect(x0 + th.dp(16), y, x0 + w - th.dp(16), y + th.dp(48)), tap=toggle,
                   label=show_label, radius=th.dp(12)))
    out.append(switch(ctx, x0 + w - th.dp(24), y + th.dp(24), show, ctx.t("toggle", show_label), toggle))
    by = y0 + h - th.dp(24 + 40)
    ready = len(typed) >= MIN_LENGTH
    out += text_button(ctx, x0 + w - th.dp(24), by, ctx.t("connect"),
                       Intent("wifi_connect", network) if ready else Intent("noop"),
                       enabled=ready)
    left = out[-1].rect.x0 - th.dp(8)
    out += text_button(ctx, left, by, ctx.t("cancel"), Intent("dismiss"))
    return out

