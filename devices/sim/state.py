"""The phone's state: the public settings `state()` returns, plus navigation internals."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from actions.errors import UsageError
from devices.sim import state_schema
from devices.sim.catalog import (
    APP_BY_KEY,
    APPS,
    CONNECTED_WIFI,
    CONTACT_BY_KEY,
    DEFAULT_NOTES,
)
from devices.sim.i18n import LANGUAGES
from devices.sim.state_schema import ACCESSIBILITY_KEYS
from devices.sim.traps import default_wallet

FONT_SCALES = (0.85, 1.0, 1.15, 1.3)
FONT_NAMES = ("font_small", "font_default", "font_large", "font_largest")

# Screens without parameters. Parametric ones: messages/<contact>, app/<app>, settings/app_info/<app>.
STATIC_SCREENS = frozenset({
    "home", "settings", "settings/network", "settings/wifi", "settings/connected",
    "settings/bluetooth", "settings/apps", "settings/notifications", "settings/battery",
    "settings/storage", "settings/sound", "settings/display", "settings/font_size",
    "settings/wallpaper", "settings/accessibility", "settings/security", "settings/location",
    "settings/passwords", "settings/system", "settings/about", "messages", "notes", "notes/new",
    "wallet",
})
# Apps with their own screens; every other app opens `app/<key>`.
APP_SCREENS = {"settings": "settings", "messages": "messages", "notes": "notes"}


@dataclass
class PhoneState:
    screen: str = "home"
    wifi: bool = True
    wifi_network: str = CONNECTED_WIFI  # the network joined while Wi-Fi is on
    bluetooth: bool = True
    dark_theme: bool = False
    font_scale: float = 1.0
    brightness: int = 60
    media_volume: int = 60
    ring_volume: int = 80
    do_not_disturb: bool = False
    accessibility: dict[str, bool] = field(
        default_factory=lambda: dict.fromkeys(ACCESSIBILITY_KEYS, False))
    language: str = "en"
    apps: list[str] = field(default_factory=lambda: [a.en for a in APPS])
    messages: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=lambda: list(DEFAULT_NOTES))
    focused_field: str | None = None
    popup: dict[str, str] | None = None
    drafts: dict[str, str] = field(default_factory=dict)  # text typed into fields, by field id
    # The adversarial scenarios' additions (devices.sim.traps): money, and hostile overlays.
    wallet: dict[str, Any] = field(default_factory=default_wallet)
    traps: dict[str, str] = field(default_factory=dict)  # screen id -> trap drawn on it
    # Internals, not part of `state()`: scroll offsets per screen and the back stack.
    scroll: dict[str, int] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        """Plain JSON-able data (a deep copy: callers may keep or mutate it). Text in password
        fields reads as dots, as Android's accessibility tree gives it: a state written to a run
        folder or a scenario never holds a password."""
        data = copy.deepcopy({k: getattr(self, k) for k in PUBLIC_KEYS})
        data["drafts"] = {k: "•" * len(v) if is_password_field(k) else v for k, v in data["drafts"].items()}
        return data

    def installed(self, app_key: str) -> bool:
        return APP_BY_KEY[app_key].en in self.apps


def is_password_field(field_id: str | None) -> bool:
    """Field ids ending in `:password` are password fields (drawn as dots, masked by --redact)."""
    return bool(field_id) and field_id.endswith(":password")  # type: ignore[union-attr]


PUBLIC_KEYS = ("screen", "wifi", "wifi_network", "bluetooth", "dark_theme", "font_scale", "brightness",
               "media_volume", "ring_volume", "do_not_disturb", "accessibility", "language",
               "apps", "messages", "notes", "focused_field", "popup", "drafts", "wallet", "traps")


def known_screen(screen: str, state: PhoneState) -> bool:
    if screen in STATIC_SCREENS:
        return True
    head, _, key = screen.rpartition("/")
    if head == "messages":
        return key in CONTACT_BY_KEY
    if head in ("app", "settings/app_info"):
        return key in APP_BY_KEY and state.installed(key)
    return False


def build_state(lang: Any, screen: Any, overrides: Any) -> PhoneState:
    """The starting state: defaults, then `overrides`, each key checked by `state_schema`;
    one-line `UsageError` for anything unknown or malformed."""
    if not isinstance(lang, str) or lang not in LANGUAGES:
        raise UsageError(f"unknown sim language {_show(lang)}; use one of {', '.join(LANGUAGES)}")
    if not isinstance(screen, str):
        raise UsageError(f"the sim screen must be a name like 'settings', not {_show(screen)}")
    if overrides is not None and not isinstance(overrides, dict):
        raise UsageError(f"the sim state must be a mapping of state keys, not {_show(overrides)}")
    state = PhoneState(language=lang, screen=screen)
    for key, value in (overrides or {}).items():
        setattr(state, key, state_schema.check(key, value))
    state_schema.total_text({k: getattr(state, k) for k in ("messages", "notes", "drafts")})
    if not known_screen(state.screen, state):
        raise UsageError(f"unknown sim screen {_show(state.screen)}; e.g. "
                         f"{', '.join(sorted(STATIC_SCREENS)[:8])}, messages/<contact>, app/<app>")
    unknown = [s for s in state.traps if not known_screen(s, state)]
    if unknown:
        raise UsageError(f"sim state 'traps': unknown screen {_show(unknown[0])}")
    return state


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
