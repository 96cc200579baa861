"""From state to the widgets of one frame: the current screen inside the phone's chrome."""

from __future__ import annotations

from devices.sim.chrome import (
    keyboard,
    keyboard_height,
    nav_bar,
    quick_settings,
    status_bar,
    uninstall_dialog,
)
from devices.sim.screens import apps, hostile, settings_main, settings_pages, wallet, wifi_join
from devices.sim.screens.launcher import launcher
from devices.sim.state import PhoneState
from devices.sim.theme import Theme
from devices.sim.ui import Ctx, Layout
from devices.sim.widgets import Box, Rect

_SETTINGS = {
    "settings": settings_main.settings_home,
    "settings/network": settings_pages.network,
    "settings/wifi": settings_pages.wifi,
    "settings/connected": settings_pages.connected,
    "settings/bluetooth": settings_pages.bluetooth,
    "settings/display": settings_pages.display,
    "settings/font_size": settings_pages.font_size,
    "settings/sound": settings_pages.sound,
    "settings/accessibility": settings_pages.accessibility,
    "settings/apps": settings_main.apps_page,
    "messages": apps.conversations,
    "notes": apps.notes,
    "notes/new": apps.note_editor,
    "home": launcher,
    "wallet": wallet.wallet,
}


def theme_for(state: PhoneState, size: tuple[int, int]) -> Theme:
    return Theme(width=size[0], height=size[1], dark=state.dark_theme, font_scale=state.font_scale,
                 bold=state.accessibility.get("bold_text", False),
                 high_contrast=state.accessibility.get("high_contrast_text", False))


def build(state: PhoneState, size: tuple[int, int], clock: str) -> Layout:
    """The whole frame, bottom to top: screen, status bar, dialogs and overlays, keyboard, nav bar."""
    theme = theme_for(state, size)
    home = state.screen == "home"
    kb = state.focused_field is not None
    bottom = theme.height - theme.nav_h - (keyboard_height_for(theme, state) if kb else 0)
    ctx = Ctx(theme=theme, state=state, top=theme.status_h, bottom=bottom)
    body = _screen(ctx)
    widgets = [Box(rect=Rect(0, 0, theme.width, theme.height), fill="bg"), *body.widgets]
    widgets += status_bar(ctx, clock, on_wallpaper=home)
    popup = state.popup or {}
    if popup.get("kind") == "uninstall":
        widgets += uninstall_dialog(ctx, popup.get("app", ""))
    elif popup.get("kind") == "quick_settings":
        widgets += quick_settings(ctx, clock)
    elif popup.get("kind") == "wifi_join":
        widgets += wifi_join.dialog(ctx, popup.get("network", ""), popup.get("show") == "on")
    widgets += hostile.overlay(ctx)
    if kb:  # the keyboard is a window of its own, above the app's dialogs, as on Android
        widgets += keyboard(ctx)
    # Drawn last: the buttons stay usable under dialogs and the shade, as on Android.
    overlay = popup.get("kind") in ("uninstall", "quick_settings", "app_menu", "wifi_join")
    widgets += nav_bar(ctx, on_wallpaper=home, see_through=home or overlay)
    return Layout(tuple(widgets), body.max_scroll, body.scroll)


def keyboard_height_for(theme: Theme, state: PhoneState) -> int:
    return keyboard_height(Ctx(theme=theme, state=state, top=0, bottom=0))


def _screen(ctx: Ctx) -> Layout:
    screen = ctx.state.screen
    if screen in _SETTINGS:
        return _SETTINGS[screen](ctx)
    head, _, key = screen.rpartition("/")
    if head == "settings" and key in ("notifications", "battery", "storage", "wallpaper",
                                      "security", "location", "passwords", "system", "about"):
        return settings_main.info_page(ctx, key)
    if head == "settings/app_info":
        return settings_pages.app_info(ctx, key)
    if head == "messages":
        return apps.thread(ctx, key)
    if head == "app":
        return apps.placeholder(ctx, key)
    raise ValueError(f"no builder for screen {screen!r}")
