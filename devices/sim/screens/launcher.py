"""The home screen: wallpaper, At a Glance, a 4-column app grid, the dock and the search bar."""

from __future__ import annotations

from dataclasses import replace

from devices.sim.catalog import APPS, App
from devices.sim.chrome import WHITE, scrim
from devices.sim.ui import Ctx, Layout, text
from devices.sim.widgets import Box, Glyph, Image, Intent, Rect, Widget

COLUMNS = 4


def icon_rects(ctx: Ctx) -> dict[str, Rect]:
    """Where each installed app's icon sits (grid filled bottom-up toward the dock, like Pixel)."""
    th = ctx.theme
    installed = [a for a in APPS if ctx.state.installed(a.key)]
    grid = [a for a in installed if not a.dock]
    dock = [a for a in installed if a.dock]
    d = th.dp(56)
    col_w = ctx.w // COLUMNS
    dock_y = th.height - th.nav_h - th.dp(80 + 72)
    out: dict[str, Rect] = {}
    for i, app in enumerate(dock):
        cx = round(ctx.w * (i + 0.5) / max(len(dock), COLUMNS))
        out[app.key] = Rect(cx - d // 2, dock_y, cx + d // 2, dock_y + d)
    row_h = th.dp(104) + max(0, th.sp(12) - th.dp(12))
    rows = (len(grid) + COLUMNS - 1) // COLUMNS
    top = dock_y - th.dp(32) - rows * row_h
    for i, app in enumerate(grid):
        cx = col_w * (i % COLUMNS) + col_w // 2
        y = top + (i // COLUMNS) * row_h
        out[app.key] = Rect(cx - d // 2, y, cx + d // 2, y + d)
    return out


def launcher(ctx: Ctx) -> Layout:
    th = ctx.theme
    out: list[Widget] = [Image(rect=Rect(0, 0, ctx.w, th.height), name="wallpaper",
                               params=(th.dark,))]
    # At a Glance: date and weather, top-left.
    y = th.status_h + th.dp(28)
    out.append(text(ctx, th.dp(28), y, ctx.t("date"), 24, color=WHITE, max_w=ctx.w - th.dp(56)))
    y2 = out[-1].rect.y1 + th.dp(4)
    g = th.dp(20)
    out.append(Glyph(rect=Rect(th.dp(28), y2 + th.dp(4), th.dp(28) + g, y2 + th.dp(4) + g),
                     name="sun", color=(253, 214, 99)))
    out.append(text(ctx, th.dp(56), y2, ctx.t("weather"), 16, color=WHITE))
    rects = icon_rects(ctx)
    by_key = {a.key: a for a in APPS}
    for key, r in rects.items():
        out += app_icon(ctx, by_key[key], r)
    # The Google search pill under the dock.
    pill = Rect(th.dp(16), th.height - th.nav_h - th.dp(72), ctx.w - th.dp(16),
                th.height - th.nav_h - th.dp(16))
    out.append(Box(rect=pill, fill=(238, 241, 248) if not th.dark else (48, 51, 58),
                   radius=pill.height // 2, label=ctx.t("google_search")))
    gd = th.dp(28)
    cy = pill.center[1]
    out.append(Glyph(rect=Rect(pill.x0 + th.dp(18), cy - gd // 2, pill.x0 + th.dp(18) + gd,
                               cy + gd // 2), name="google"))
    out.append(Glyph(rect=Rect(pill.x1 - th.dp(46), cy - th.dp(12), pill.x1 - th.dp(22),
                               cy + th.dp(12)), name="mic", color="primary"))
    popup = ctx.state.popup
    if popup and popup.get("kind") == "app_menu":
        out += app_menu(ctx, popup.get("app", ""), rects)
    return Layout(tuple(out))


def app_icon(ctx: Ctx, app: App, r: Rect) -> list[Widget]:
    th = ctx.theme
    name = app.name(ctx.lang)
    out: list[Widget] = []
    touch = r if app.dock else Rect(r.x0 - th.dp(14), r.y0 - th.dp(6), r.x1 + th.dp(14),
                                    r.y1 + th.dp(30) + th.sp(12))
    out.append(Box(rect=touch, label=name, tap=Intent("open_app", app.en),
                   long_press=Intent("app_menu", app.en)))
    out.append(Glyph(rect=r, name=app.glyph, disc=app.color, color=WHITE, letter=name[:1]))
    if not app.dock:
        col_w = ctx.w // COLUMNS
        label = text(ctx, r.center[0], r.y1 + th.dp(8), name, 12, color=WHITE, align="center",
                     max_w=col_w - th.dp(8))
        out.append(replace(label, shadow=True))
    return out


def app_menu(ctx: Ctx, app_name: str, rects: dict[str, Rect]) -> list[Widget]:
    """The long-press popup: App info and (unless it is Settings) Uninstall."""
    th = ctx.theme
    app = next((a for a in APPS if a.en == app_name), None)
    if app is None or app.key not in rects:
        return []
    icon = rects[app.key]
    items = [("info", ctx.t("app_info"), Intent("nav", f"settings/app_info/{app.key}"))]
    if app.key != "settings":
        items.append(("delete", ctx.t("uninstall"), Intent("ask_uninstall", app.en)))
    item_h = th.dp(52)
    w = th.dp(220)
    h = item_h * len(items) + th.dp(16)
    x0 = min(max(th.dp(12), icon.center[0] - w // 2), ctx.w - w - th.dp(12))
    y0 = icon.y0 - h - th.dp(12)
    if y0 < th.status_h + th.dp(8):
        y0 = icon.y1 + th.dp(40)
    out: list[Widget] = [scrim(ctx, Intent("dismiss"), alpha=40),
                         Box(rect=Rect(x0, y0, x0 + w, y0 + h), fill="surface_high",
                             radius=th.dp(24), blocks=True)]
    y = y0 + th.dp(8)
    for glyph, label, intent in items:
        r = Rect(x0, y, x0 + w, y + item_h)
        out.append(Box(rect=r, label=label, tap=intent))
        g = th.dp(22)
        cy = r.center[1]
        out.append(Glyph(rect=Rect(x0 + th.dp(18), cy - g // 2, x0 + th.dp(18) + g, cy + g // 2),
                         name=glyph, color="on_surface"))
        t = text(ctx, x0 + th.dp(54), 0, label, 15, max_w=w - th.dp(64))
        out.append(replace(t, rect=t.rect.shift(dy=cy - t.rect.height // 2)))
        y += item_h
    return out
