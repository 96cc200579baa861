"""What surrounds every screen: status bar, navigation bar, keyboard, dialogs, quick settings."""

from __future__ import annotations

from dataclasses import replace

from devices.sim import fonts
from devices.sim.catalog import find_app
from devices.sim.ui import Ctx, Page, icon_button, text
from devices.sim.widgets import Box, Glyph, Intent, Rect, Text, Widget

WHITE = (255, 255, 255)


def status_bar(ctx: Ctx, clock: str, on_wallpaper: bool) -> list[Widget]:
    """Clock on the left; Bluetooth, Wi-Fi, signal and battery on the right, as the state says."""
    th, st = ctx.theme, ctx.state
    h = th.status_h
    color = WHITE if on_wallpaper else "on_surface"
    out: list[Widget] = [Box(rect=Rect(0, 0, ctx.w, h), fill=None if on_wallpaper else "bg",
                             blocks=True)]
    px = th.dp(15)
    out.append(Text(rect=Rect(th.dp(24), 0, th.dp(120), h), lines=(clock,), px=px, color=color,
                    bold=True))
    icons = ["battery", "signal"]
    if st.wifi:
        icons.append("wifi_status")
    if st.bluetooth:
        icons.append("bluetooth")
    if st.do_not_disturb:
        icons.append("dnd")
    x = ctx.w - th.dp(20)
    cy = h // 2
    for name in icons:
        s = th.dp(18) if name != "battery" else th.dp(22)
        out.append(Glyph(rect=Rect(x - s, cy - s // 2, x, cy + s // 2), name=name, color=color))
        x -= s + th.dp(5)
    return out


def nav_bar(ctx: Ctx, on_wallpaper: bool, see_through: bool) -> list[Widget]:
    """The 3-button navigation bar: back, home, overview (on top of everything, always usable)."""
    th = ctx.theme
    y0 = th.height - th.nav_h
    color = WHITE if on_wallpaper else "on_surface"
    out: list[Widget] = [Box(rect=Rect(0, y0, ctx.w, th.height),
                             fill=None if see_through else "bg", blocks=True)]
    for frac, glyph, key, intent in ((0.22, "nav_back", "nav_back", Intent("back")),
                                     (0.5, "nav_home", "nav_home", Intent("home")),
                                     (0.78, "nav_recents", "nav_recents", Intent("recents"))):
        cx = round(ctx.w * frac)
        half = th.dp(40)
        out.append(Box(rect=Rect(cx - half, y0, cx + half, th.height), label=ctx.t(key), tap=intent))
        g = th.dp(20)
        cy = y0 + th.nav_h // 2
        out.append(Glyph(rect=Rect(cx - g // 2, cy - g // 2, cx + g // 2, cy + g // 2), name=glyph,
                         color=color))
    return out


KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def keyboard_height(ctx: Ctx) -> int:
    return ctx.theme.dp(48 + 4 * 58 + 8)


def keyboard(ctx: Ctx) -> list[Widget]:
    """A Gboard-like QWERTY keyboard; keys type their letter into the focused field."""
    th = ctx.theme
    y1 = th.height - th.nav_h
    y0 = y1 - keyboard_height(ctx)
    out: list[Widget] = [Box(rect=Rect(0, y0, ctx.w, y1), fill="keyboard", blocks=True)]
    # Suggestion strip icons (decorative, like Gboard's toolbar).
    gx = th.dp(24)
    for name in ("apps", "emoji", "gear", "mic"):
        g = th.dp(22)
        cy = y0 + th.dp(24)
        out.append(Glyph(rect=Rect(gx, cy - g // 2, gx + g, cy + g // 2), name=name))
        gx += th.dp(92) if name != "gear" else ctx.w - th.dp(92) - gx
    key_w = (ctx.w - th.dp(6)) / 10
    key_h = th.dp(58)
    top = y0 + th.dp(48)

    def key(x0: float, y: int, w: float, label: str, intent: Intent | None, fill: str = "key",
            glyph: str | None = None, size: float = 22) -> None:
        r = Rect(round(x0 + th.dp(3)), y + th.dp(5), round(x0 + w - th.dp(3)), y + key_h - th.dp(5))
        out.append(Box(rect=r, fill=fill, radius=th.dp(6), tap=intent))
        if glyph:
            g = th.dp(22)
            cx, cy = r.center
            out.append(Glyph(rect=Rect(cx - g // 2, cy - g // 2, cx + g // 2, cy + g // 2),
                             name=glyph, color="on_surface"))
        else:
            out.append(Text(rect=r, lines=(label,), px=th.dp(size), align="center"))

    for i, letters in enumerate(KEY_ROWS):
        y = top + i * key_h
        x = th.dp(3) + (key_w / 2 if i == 1 else 0)
        if i == 2:
            key(x, y, key_w * 1.5, "", None, fill="surface_highest", glyph="shift")
            x += key_w * 1.5
        for ch in letters:
            key(x, y, key_w, ch, Intent("insert", ch))
            x += key_w
        if i == 2:
            key(x, y, key_w * 1.5, "", Intent("key", "backspace"), fill="surface_highest",
                glyph="backspace")
    y = top + 3 * key_h
    x = th.dp(3)
    key(x, y, key_w * 1.5, "?123", None, fill="surface_highest", size=17)
    key(x + key_w * 1.5, y, key_w, ",", Intent("insert", ","))
    key(x + key_w * 2.5, y, key_w * 5, ctx.t("keyboard_space"), Intent("insert", " "), size=16)
    key(x + key_w * 7.5, y, key_w, ".", Intent("insert", "."))
    key(x + key_w * 8.5, y, key_w * 1.5, "", Intent("key", "enter"), fill="primary_container",
        glyph="enter")
    return out


def scrim(ctx: Ctx, intent: Intent | None, alpha: int = 110) -> Box:
    return Box(rect=Rect(0, 0, ctx.w, ctx.theme.height), fill="scrim", alpha=alpha, tap=intent,
               blocks=True)


def uninstall_dialog(ctx: Ctx, app_name: str) -> list[Widget]:
    """The package installer's confirmation: app name, question, Cancel / Uninstall."""
    th = ctx.theme
    app = find_app(app_name)
    w = ctx.w - th.dp(48)
    x0 = th.dp(24)
    body = text(ctx, x0 + th.dp(24), 0, ctx.t("uninstall_q"), 16, color="on_surface_variant",
                max_w=w - th.dp(48), wrap=3)
    h = th.dp(24 + 40 + 12) + th.sp(24) * 2 + body.rect.height + th.dp(24 + 40 + 24)
    y0 = (th.height - h) // 2
    out: list[Widget] = [scrim(ctx, Intent("dismiss")),
                         Box(rect=Rect(x0, y0, x0 + w, y0 + h), fill="surface_high",
                             radius=th.dp(28), blocks=True)]
    y = y0 + th.dp(24)
    d = th.dp(40)
    if app:
        out.append(Glyph(rect=Rect(x0 + th.dp(24), y, x0 + th.dp(24) + d, y + d), name=app.glyph,
                         disc=app.color, color=WHITE, letter=app.name(ctx.lang)[:1]))
    y += d + th.dp(12)
    title = text(ctx, x0 + th.dp(24), y, app.name(ctx.lang) if app else app_name, 24,
                 max_w=w - th.dp(48))
    out.append(title)
    y = title.rect.y1 + th.dp(12)
    out.append(replace(body, rect=body.rect.shift(dy=y)))
    by = y0 + h - th.dp(24 + 40)
    out += text_button(ctx, x0 + w - th.dp(24), by, ctx.t("uninstall"), Intent("uninstall", app_name))
    left = out[-1].rect.x0 - th.dp(8)
    out += text_button(ctx, left, by, ctx.t("cancel"), Intent("dismiss"))
    return out


def text_button(ctx: Ctx, x1: int, y: int, label: str, intent: Intent,
                enabled: bool = True) -> list[Widget]:
    """A Material text button whose right edge is x1 (greyed out when not `enabled`)."""
    th = ctx.theme
    px = th.sp(14)
    w = round(fonts.width(label, px, True)) + th.dp(24)
    r = Rect(x1 - w, y, x1, y + th.dp(40))
    return [Box(rect=r, label=label, tap=intent, radius=th.dp(20)),
            Text(rect=r, lines=(label,), px=px, color="primary" if enabled else "outline", bold=True,
                 align="center")]


def quick_settings(ctx: Ctx, clock: str) -> list[Widget]:
    """The shade pulled down from the top: clock, brightness, and tiles that toggle settings."""
    th, st = ctx.theme, ctx.state
    out: list[Widget] = [scrim(ctx, Intent("dismiss"), alpha=150)]
    page = Page(ctx, th.dp(16))
    page.add(Text(rect=Rect(th.dp(24), page.y, ctx.w // 2, page.y + th.dp(56)), lines=(clock,),
                  px=th.dp(40)))
    page.add(text(ctx, ctx.w - th.dp(24), page.y + th.dp(14), ctx.t("date"), 14, align="right",
                  color="on_surface_variant", max_w=ctx.w // 2))
    page.y += th.dp(64)
    tiles = (
        ("wifi", "wifi", st.wifi, st.wifi_network if st.wifi else ctx.t("qs_wifi_off"), "wifi"),
        ("bluetooth", "bluetooth", st.bluetooth, ctx.t("qs_on" if st.bluetooth else "qs_off"),
         "bluetooth"),
        ("dnd", "dnd", st.do_not_disturb, ctx.t("qs_on" if st.do_not_disturb else "qs_off"),
         "do_not_disturb"),
        ("dark_theme", "moon", st.dark_theme, ctx.t("qs_on" if st.dark_theme else "qs_off"),
         "dark_theme"),
    )
    gap = th.dp(8)
    tw = (ctx.w - th.dp(32) - gap) // 2
    th_ = th.dp(72)
    for i, (key, glyph, on, sub, setting) in enumerate(tiles):
        x = th.dp(16) + (i % 2) * (tw + gap)
        y = page.y + (i // 2) * (th_ + gap)
        r = Rect(x, y, x + tw, y + th_)
        fg = "on_primary" if on else "on_surface"
        page.add(Box(rect=r, fill="primary" if on else "surface_highest", radius=th.dp(36),
                     label=ctx.t(key), tap=Intent("toggle", setting)))
        g = th.dp(24)
        cy = r.center[1]
        page.add(Glyph(rect=Rect(x + th.dp(18), cy - g // 2, x + th.dp(18) + g, cy + g // 2),
                       name=glyph, color=fg))
        title = text(ctx, x + th.dp(56), cy - th.dp(22), ctx.t(key), 15, color=fg, bold=True,
                     max_w=tw - th.dp(66))
        page.add(title, text(ctx, x + th.dp(56), title.rect.y1, sub, 13, color=fg,
                             max_w=tw - th.dp(66)))
    page.y += 2 * (th_ + gap)
    page.slider(ctx.t("brightness"), "brightness", st.brightness, 0, 100, icon="brightness")
    page.y += th.dp(12)
    handle = Rect(ctx.w // 2 - th.dp(16), page.y, ctx.w // 2 + th.dp(16), page.y + th.dp(4))
    page.add(Box(rect=handle, fill="outline", radius=th.dp(2)))
    page.y += th.dp(16)
    # Starts above the screen so only the bottom corners are rounded.
    panel = Box(rect=Rect(0, -th.dp(28), ctx.w, page.y), fill="surface", radius=th.dp(28),
                blocks=True)
    return [*out, panel, *page.items]


__all__ = ["icon_button", "keyboard", "keyboard_height", "nav_bar", "quick_settings", "scrim",
           "status_bar", "uninstall_dialog"]
