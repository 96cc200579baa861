"""Settings pages with real state: Internet, Bluetooth, Display, Font size, Sound, Accessibility."""

from __future__ import annotations

from devices.sim.catalog import APP_BY_KEY, CONNECTED_WIFI, PAIRED_BT, WIFI_NETWORKS
from devices.sim.chrome import WHITE
from devices.sim.screens.settings_main import font_name, simple_page
from devices.sim.state import ACCESSIBILITY_KEYS, FONT_NAMES, FONT_SCALES
from devices.sim.ui import Ctx, Layout, Page, icon_button, text
from devices.sim.widgets import Box, Glyph, Intent, Rect


def network(ctx: Ctx) -> Layout:
    st, t = ctx.state, ctx.t

    def fill(page: Page) -> None:
        page.row(t("internet"), st.wifi_network if st.wifi else t("off"), icon="wifi",
                 tap=Intent("nav", "settings/wifi"))
        page.row(t("sims"), t("sims_sum"), icon="sim")
        page.row(t("airplane"), None, icon="airplane")
        page.row(t("hotspot"), t("hotspot_sum"), icon="hotspot")
        page.row(t("data_saver"), t("off"), icon="data_saver")
        page.row(t("vpn"), t("vpn_sum"), icon="key")
        page.row(t("private_dns"), t("private_dns_sum"), icon="shield")
    return simple_page(ctx, t("network"), fill)


def wifi(ctx: Ctx) -> Layout:
    """Internet: the Wi-Fi switch row, then the networks in range while Wi-Fi is on."""
    st, t = ctx.state, ctx.t

    def fill(page: Page) -> None:
        page.row(t("wifi"), None, on=st.wifi, toggle=Intent("toggle", "wifi"), title_size=20)
        if not st.wifi:
            page.paragraph(t("wifi_off_hint"), icon="info_outline")
            return
        for name, secured in WIFI_NETWORKS:
            connected = name == st.wifi_network
            saved = name == CONNECTED_WIFI  # joined before: the phone knows its password
            sub = t("connected_to") if connected else t("saved_net") if saved else (
                t("secured") if secured else t("open_net"))
            # A secured network asks for its password; an open one joins at a tap.
            tap = Intent("noop") if connected else Intent(
                "wifi_join" if secured and not saved else "wifi_connect", name)
            page.row(name, sub, icon="wifi_lock" if secured else "wifi", label=name, tap=tap)
        page.row(t("network_prefs"), None)
    return simple_page(ctx, t("internet"), fill)


def connected(ctx: Ctx) -> Layout:
    st, t = ctx.state, ctx.t

    def fill(page: Page) -> None:
        page.row(t("pair_new"), None, icon="plus")
        if st.bluetooth:
            page.header(t("saved_devices"))
            for name, glyph in PAIRED_BT:
                page.row(name, None, icon=glyph)
        page.header(t("connection_prefs"))
        page.row(t("bluetooth"), t("on" if st.bluetooth else "off"), icon="bluetooth",
                 tap=Intent("nav", "settings/bluetooth"))
        page.row(t("nfc"), t("on"), icon="nfc")
        page.row(t("cast"), None, icon="cast")
        page.row(t("printing"), None, icon="print")
    return simple_page(ctx, t("connected"), fill)


def bluetooth(ctx: Ctx) -> Layout:
    st, t = ctx.state, ctx.t

    def fill(page: Page) -> None:
        page.main_switch(t("use_bluetooth"), st.bluetooth, Intent("toggle", "bluetooth"))
        if st.bluetooth:
            page.row(t("pair_new"), None, icon="plus")
            page.header(t("paired_devices"))
            for name, glyph in PAIRED_BT:
                page.row(name, None, icon=glyph)
            page.row(t("bt_name"), "Pixel 7")
            page.paragraph(t("bt_footer_on"), icon="info_outline")
        else:
            page.paragraph(t("bt_footer_off"), icon="info_outline")
    return simple_page(ctx, t("bluetooth"), fill)


def display(ctx: Ctx) -> Layout:
    st, t = ctx.state, ctx.t

    def fill(page: Page) -> None:
        page.header(t("brightness_sec"))
        page.slider(t("brightness"), "brightness", st.brightness, 0, 100, icon="brightness")
        page.header(t("lighting"))
        page.row(t("dark_theme"), t("dark_sum"), on=st.dark_theme,
                 toggle=Intent("toggle", "dark_theme"))
        page.row(t("screen_timeout"), t("timeout_sum"))
        page.header(t("appearance"))
        page.row(t("font_size"), font_name(ctx), tap=Intent("nav", "settings/font_size"))
        page.row(t("auto_rotate"), t("off"))
    return simple_page(ctx, t("display"), fill)


def font_size(ctx: Ctx) -> Layout:
    """A preview card, a 4-stop slider with A/A at its ends, and the four sizes by name."""
    st, t, th = ctx.state, ctx.t, ctx.theme

    def fill(page: Page) -> None:
        page.gap(8)
        sample = text(ctx, th.dp(40), page.y + th.dp(52), t("font_sample"), 16, wrap=4,
                      max_w=ctx.w - th.dp(80))
        card = Rect(th.dp(16), page.y, ctx.w - th.dp(16), sample.rect.y1 + th.dp(20))
        page.add(Box(rect=card, fill="surface_high", radius=th.dp(24)),
                 text(ctx, th.dp(40), page.y + th.dp(16), t("font_preview"), 14,
                      color="on_surface_variant", bold=True), sample)
        page.y = card.y1 + th.dp(8)
        page.slider(t("font_size"), "font_scale", st.font_scale, FONT_SCALES[0], FONT_SCALES[-1],
                    steps=FONT_SCALES)
        for name, scale in zip(FONT_NAMES, FONT_SCALES, strict=True):
            page.radio(t(name), abs(st.font_scale - scale) < 1e-6,
                       Intent("set", ("font_scale", scale)))
    return simple_page(ctx, t("font_size"), fill)


def sound(ctx: Ctx) -> Layout:
    st, t = ctx.state, ctx.t

    def fill(page: Page) -> None:
        page.slider(t("media_volume"), "media_volume", st.media_volume, 0, 100, icon="music")
        page.slider(t("ring_volume"), "ring_volume", st.ring_volume, 0, 100, icon="ring")
        page.gap(8)
        page.row(t("dnd"), t("dnd_sum"), icon="dnd", on=st.do_not_disturb,
                 toggle=Intent("toggle", "do_not_disturb"))
        page.row(t("vibrate_calls"), t("vibrate_sum"), icon="vibrate")
        page.row(t("ringtone"), t("ringtone_sum"), icon="ring")
    return simple_page(ctx, t("sound"), fill)


def accessibility(ctx: Ctx) -> Layout:
    st, t = ctx.state, ctx.t
    summaries = {"talkback": "talkback_sum", "select_to_speak": "select_sum",
                 "magnification": "magnification_sum"}
    sections = (("screen_readers", ("talkback", "select_to_speak")),
                ("display_text", ("magnification", "bold_text", "high_contrast_text")))
    assert {k for _, keys in sections for k in keys} == set(ACCESSIBILITY_KEYS)

    def fill(page: Page) -> None:
        for header, keys in sections:
            page.header(t(header))
            for key in keys:
                page.row(t(key), t(summaries[key]) if key in summaries else None,
                         on=st.accessibility.get(key, False),
                         toggle=Intent("toggle", f"accessibility.{key}"))
    return simple_page(ctx, t("accessibility"), fill)


def app_info(ctx: Ctx, key: str) -> Layout:
    """App info: icon and name, Open / Uninstall / Force stop, then information rows."""
    app, t, th = APP_BY_KEY[key], ctx.t, ctx.theme

    def fill(page: Page) -> None:
        d = th.dp(72)
        cx = ctx.w // 2
        page.gap(8)
        page.add(Glyph(rect=Rect(cx - d // 2, page.y, cx + d // 2, page.y + d), name=app.glyph,
                       disc=app.color, color=WHITE, letter=app.name(ctx.lang)[:1]))
        page.y += d + th.dp(12)
        name = text(ctx, cx, page.y, app.name(ctx.lang), 24, align="center", max_w=ctx.w - th.dp(48))
        page.add(name)
        page.y = name.rect.y1 + th.dp(20)
        buttons = [("open", "open_in", Intent("open_app", app.en))]
        if key != "settings":
            buttons.append(("uninstall", "delete", Intent("ask_uninstall", app.en)))
        buttons.append(("force_stop", "stop", Intent("noop")))
        bw = ctx.w // len(buttons)
        for i, (label, glyph, intent) in enumerate(buttons):
            x = i * bw + bw // 2 - th.dp(28)
            page.add(*icon_button(ctx, x, page.y, glyph, t(label), intent, color="primary"))
            page.add(text(ctx, i * bw + bw // 2, page.y + th.dp(60), t(label), 14, color="primary",
                          align="center", max_w=bw - th.dp(8), bold=True))
        page.y += th.dp(100)
        for row in ("notifications_app", "permissions", "storage_cache"):
            page.row(t(row), None)
    return simple_page(ctx, t("app_info"), fill)
