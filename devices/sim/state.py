"""The phone's state: the public settings `state()` returns, plus navigation internals."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from actions.errors import UsageError
from devices.sim.catalog import (
    APP_BY_KEY,
    APPS,
    CONNECTED_WIFI,
    CONTACT_BY_KEY,
    DEFAULT_NOTES,
    WIFI_NETWORKS,
    find_app,
)
from devices.sim.i18n import LANGUAGES
from devices.sim.traps import check_traps, default_wallet

FONT_SCALES = (0.85, 1.0, 1.15, 1.3)
FONT_NAMES = ("font_small", "font_default", "font_large", "font_largest")
ACCESSIBILITY_KEYS = ("magnification", "talkback", "select_to_speak", "bold_text",
                      "high_contrast_text")

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


def build_state(lang: str, screen: str, overrides: dict[str, Any] | None) -> PhoneState:
    """The starting state: defaults, then `overrides`; one-line `UsageError` for anything unknown."""
    if lang not in LANGUAGES:
        raise UsageError(f"unknown sim language {lang!r}; use one of {', '.join(LANGUAGES)}")
    if not isinstance(screen, str):
        raise UsageError(f"the sim screen must be a name like 'settings', not {screen!r}")
    state = PhoneState(language=lang, screen=screen)
    for key, value in (overrides or {}).items():
        if key not in PUBLIC_KEYS:
            raise UsageError(f"unknown sim state key {key!r}; known: {', '.join(PUBLIC_KEYS)}")
        setattr(state, key, _checked(key, value, state))
    if not known_screen(state.screen, state):
        raise UsageError(f"unknown sim screen {state.screen!r}; e.g. {', '.join(sorted(STATIC_SCREENS)[:8])}, "
                         "messages/<contact>, app/<app>")
    return state


def _checked(key: str, value: Any, state: PhoneState) -> Any:
    bad = UsageError(f"bad value for sim state {key!r}: {value!r}")
    match key:
        case "wifi" | "bluetooth" | "dark_theme" | "do_not_disturb":
            if not isinstance(value, bool):
                raise bad
        case "font_scale":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.5 <= value <= 2:
                raise bad
            value = float(value)
        case "brightness" | "media_volume" | "ring_volume":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
                raise bad
            value = round(value)
        case "accessibility":
            if not isinstance(value, dict) or not set(value) <= set(ACCESSIBILITY_KEYS) or not all(
                    isinstance(v, bool) for v in value.values()):
                raise UsageError(f"bad sim accessibility {value!r}; keys: {', '.join(ACCESSIBILITY_KEYS)}")
            value = {**state.accessibility, **value}
        case "language":
            if value not in LANGUAGES:
                raise bad
        case "apps":
            apps = [find_app(str(v)) for v in value] if isinstance(value, list) else [None]
            if None in apps:
                raise UsageError(f"unknown app in sim state 'apps': {value!r}")
            value = [a.en for a in APPS if a in apps]  # launcher order, canonical names
        case "messages":
            if not isinstance(value, list) or not all(
                    isinstance(m, dict) and set(m) == {"to", "text"} for m in value):
                raise UsageError("sim state 'messages' must be a list of {to, text}")
        case "notes":
            if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
                raise bad
        case "drafts":
            if not isinstance(value, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
                raise bad
        case "popup":
            if value is not None and not (isinstance(value, dict) and "kind" in value):
                raise bad
        case "wallet":
            if not isinstance(value, dict) or not set(value) <= set(default_wallet()):
                raise bad
            value = {**default_wallet(), **value}
        case "traps":
            try:
                value = check_traps(value)
            except ValueError as err:
                raise UsageError(str(err)) from None
        case "wifi_network":
            if value not in {name for name, _ in WIFI_NETWORKS}:
                raise UsageError(f"unknown Wi-Fi network {value!r}; in range: "
                                 f"{', '.join(name for name, _ in WIFI_NETWORKS)}")
        case "screen":
            if not isinstance(value, str):
                raise bad
        case "focused_field":
            if value is not None and not isinstance(value, str):
                raise bad
    return copy.deepcopy(value)
