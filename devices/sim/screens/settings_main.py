"""The Settings home list and the simple settings pages (rows that only show information)."""

from __future__ import annotations

from collections.abc import Callable

from devices.sim.catalog import APPS
from devices.sim.state import FONT_NAMES, FONT_SCALES
from devices.sim.ui import Ctx, Layout, Page, app_bar
from devices.sim.widgets import Box, Glyph, Intent, Rect, Text, Widget

# (key, glyph, disc colour, target screen): Android 14's coloured circles on the Settings home.
MAIN_ROWS = (
    ("network", "wifi", (26, 115, 232), "settings/network"),
    ("connected", "devices", (0, 137, 123), "settings/connected"),
    ("apps", "apps", (232, 113, 10), "settings/apps"),
    ("notifications", "bell", (217, 48, 37), "settings/notifications"),
    ("battery", "battery_full", (30, 142, 62), "settings/battery"),
    ("storage", "storage", (161, 66, 244), "settings/storage"),
    ("sound", "volume", (0, 150, 167), "settings/sound"),
    ("display", "brightness", (242, 153, 0), "settings/display"),
    ("wallpaper", "palette", (194, 24, 91), "settings/wallpaper"),
    ("accessibility", "accessibility", (25, 103, 210), "settings/accessibility"),
    ("security", "shield", (30, 142, 62), "settings/security"),
    ("location", "pin", (0, 121, 107), "settings/location"),
    ("passwords", "key", (69, 90, 100), "settings/passwords"),
    ("system", "info_outline", (95, 99, 104), "settings/system"),
    ("about", "phone_android", (66, 133, 244), "settings/about"),
)


def font_name(ctx: Ctx) -> str:
    scale = ctx.state.font_scale
    i = min(range(len(FONT_SCALES)), key=lambda k: abs(FONT_SCALES[k] - scale))
    return ctx.t(FONT_NAMES[i])


def summary(ctx: Ctx, key: str) -> str:
    """Each row's second line, reflecting the state where the real phone does."""
    st = ctx.state

    def onoff(value: bool) -> str:
        return ctx.t("on_lower" if value else "off_lower")

    match key:
        case "network":
            return ctx.t("sum_wifi_on", st.wifi_network) if st.wifi else ctx.t("sum_wifi_off")
        case "connected":
            return ctx.t("sum_bt_on" if st.bluetooth else "sum_bt_off")
        case "apps":
            return ctx.t("sum_apps", len(st.apps))
        case "sound":
            return ctx.t("sum_sound", st.media_volume, onoff(st.do_not_disturb))
        case "display":
            return ctx.t("sum_display", onoff(st.dark_theme), font_name(ctx))
        case "accessibility":
            on = [ctx.t(k) for k, v in st.accessibility.items() if v]
            return ctx.t("sum_accessibility_on", ", ".join(on)) if on else ctx.t("sum_accessibility")
        case _:
            return ctx.t(f"sum_{key}")


def settings_home(ctx: Ctx) -> Layout:
    th = ctx.theme
    bar, y = app_bar(ctx, ctx.t("settings"), back=False)
    page = Page(ctx)
    # The search pill scrolls with the list, as on the Pixel.
    page.gap(8)
    pill = Rect(th.dp(16), page.y, ctx.w - th.dp(16), page.y + th.dp(56))
    page.add(Box(rect=pill, fill="surface_high", radius=pill.height // 2))
    g = th.dp(24)
    cy = pill.center[1]
    page.add(Glyph(rect=Rect(pill.x0 + th.dp(20), cy - g // 2, pill.x0 + th.dp(20) + g, cy + g // 2),
                   name="search"))
    page.add(Text(rect=Rect(pill.x0 + th.dp(60), pill.y0, pill.x1 - th.dp(16), pill.y1),
                  lines=(ctx.t("search_settings"),), px=th.sp(16), color="on_surface_variant",
                  bold=th.bold))
    page.y = pill.y1 + th.dp(12)
    for key, glyph, color, target in MAIN_ROWS:
        page.row(ctx.t(key), summary(ctx, key), icon=glyph, disc=color, tap=Intent("nav", target))
    return finish(ctx, bar, y, page)


def finish(ctx: Ctx, bar: list[Widget], top: int, page: Page,
           bottom_widgets: list[Widget] | None = None, bottom: int | None = None,
           start_at_end: bool = False) -> Layout:
    """Content (scrolled and clipped) under the app bar; the bar is drawn on top of it."""
    content, max_scroll, offset = page.place(top, ctx.bottom if bottom is None else bottom,
                                             start_at_end)
    return Layout(tuple([*content, *bar, *(bottom_widgets or [])]), max_scroll, offset)


def simple_page(ctx: Ctx, title: str, fill: Callable[[Page], None]) -> Layout:
    bar, y = app_bar(ctx, title)
    page = Page(ctx)
    fill(page)
    return finish(ctx, bar, y, page)


def info_rows(rows: list[tuple[str, str | None]]) -> Callable[[Page], None]:
    def fill(page: Page) -> None:
        for title, sub in rows:
            page.row(title, sub)
    return fill


def info_page(ctx: Ctx, key: str) -> Layout:
    """Pages the simulated phone shows but does not model: plausible rows without actions."""
    t = ctx.t
    rows: dict[str, list[tuple[str, str | None]]] = {
        "notifications": [(t("sum_notifications"), None), (t("app_notifications"), None)],
        "battery": [("82%", t("sum_battery")), (t("battery_saver"), t("off")),
                    (t("adaptive_battery"), t("on"))],
        "storage": [(t("st_apps"), "21 GB"), (t("st_images"), "8.3 GB"),
                    (t("st_system"), "12 GB")],
        "wallpaper": [(t("wallpaper"), t("sum_wallpaper"))],
        "security": [(t("screen_lock"), "PIN"), (t("face_unlock"), None),
                     (t("find_device"), t("on")), (t("security_update"), t("security_date"))],
        "location": [(t("use_location"), t("on")), (t("app_location"), t("app_location_sum"))],
        "passwords": [(t("password_manager"), None), (t("autofill"), "Google")],
        "system": [(t("language_row"), t("language_name")), (t("gestures"), None),
                   (t("date_time"), "GMT+00:00"), (t("backup"), t("on"))],
        "about": [(t("device_name"), "Pixel 7"), (t("model"), "Pixel 7"),
                  (t("android_version"), "14"), (t("ip_address"), "192.168.1.23")],
    }
    return simple_page(ctx, t(key), info_rows(rows[key]))


def apps_page(ctx: Ctx) -> Layout:
    """Settings > Apps: every installed app, each opening its App info page."""
    def fill(page: Page) -> None:
        page.header(ctx.t("sum_apps", len(ctx.state.apps)))
        for app in APPS:
            if ctx.state.installed(app.key):
                page.row(app.name(ctx.lang), None, icon=app.glyph, disc=app.color,
                         tap=Intent("nav", f"settings/app_info/{app.key}"))
    return simple_page(ctx, ctx.t("apps"), fill)
