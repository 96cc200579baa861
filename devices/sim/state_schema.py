"""The schema of a scenario's starting state for the simulated phone: one small check per key.

A scenario (or a run folder, or the adversarial harness) may set any key of `state()`. Each value
is checked here before the phone is built, so a wrong one is one line (`UsageError`, exit 2)
instead of a crash deep in the renderer later. Every state the phone itself reaches passes
(`state()` round-trips: tests/test_hostile_state.py), and caps keep a hostile file from making the
phone draw megabytes of text.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from actions.errors import UsageError
from devices.sim.catalog import CONTACT_BY_KEY, WIFI_NETWORKS, find_app
from devices.sim.i18n import LANGUAGES
from devices.sim.traps import PIN_FIELD, TRAPS, default_wallet

# Caps: the phone draws all of it on every screenshot, and a conversation of 20,000 characters
# already takes a second to lay out.
MAX_TEXT = 2000  # characters in one draft, note or message (an SMS thread, a long note)
MAX_ALL_TEXT = 20_000  # characters in all notes, messages and drafts together
MAX_ITEMS = 100  # notes, messages, transfers, payments, drafts, traps
MAX_NAME = 40  # a recipient, a payee
MAX_AMOUNT = 10**12  # money, in whole units: anything beyond is a typo or an attack
ACCESSIBILITY_KEYS = ("magnification", "talkback", "select_to_speak", "bold_text",
                      "high_contrast_text")
NETWORKS = tuple(name for name, _ in WIFI_NETWORKS)
# What `popup` may hold: its kind, and the other keys each kind has (all strings).
POPUP_KEYS: dict[str, tuple[str, ...]] = {
    "quick_settings": (), "app_menu": ("app",), "uninstall": ("app",),
    "wifi_join": ("network", "show"),
}


class Bad(ValueError):
    """A value that breaks its key's rule; `check` adds the key."""


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@cache
def field_ids() -> frozenset[str]:
    """Every text field the phone draws (a draft or the focus names one of them)."""
    # Imported here: the screens import the state module, which imports this one.
    from devices.sim.screens.apps import NOTE_FIELD
    from devices.sim.screens.wifi_join import field_id

    return frozenset({NOTE_FIELD, PIN_FIELD, *(f"messages/{c}:compose" for c in CONTACT_BY_KEY),
                      *(field_id(n) for n in NETWORKS)})


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Bad(f"must be true or false, got {_show(value)}")
    return value


def _number(low: float, high: float) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise Bad(f"must be a number from {low:g} to {high:g}, got {_show(value)}")
        return value
    return check


def _text(value: Any, what: str = "text", cap: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise Bad(f"{what} must be a string, got {_show(value)}")
    if len(value) > cap:
        raise Bad(f"{what} is {len(value):,} characters; at most {cap:,}")
    return value


def _one_of(known: tuple[str, ...], what: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in known:
            raise Bad(f"unknown {what} {_show(value)}; one of {', '.join(known)}")
        return value
    return check


def _items(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise Bad(f"must be a list of {what}, got {_show(value)}")
    if len(value) > MAX_ITEMS:
        raise Bad(f"has {len(value):,} {what}; at most {MAX_ITEMS}")
    return value


def _record(value: Any, keys: tuple[str, ...], what: str) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != set(keys):
        raise Bad(f"each of its {what} must be a mapping with exactly {', '.join(keys)}, got {_show(value)}")
    return value


def _app_name(value: Any) -> str:
    app = find_app(value) if isinstance(value, str) else None
    if app is None:
        raise Bad(f"unknown app {_show(value)}")
    return app.en


def _apps(value: Any) -> list[str]:
    names = {_app_name(v) for v in _items(value, "app names")}
    from devices.sim.catalog import APPS

    return [a.en for a in APPS if a.en in names]  # launcher order, canonical names


def _accessibility(value: Any) -> dict[str, bool]:
    if not isinstance(value, dict) or not set(value) <= set(ACCESSIBILITY_KEYS):
        raise Bad(f"must be a mapping with keys from {', '.join(ACCESSIBILITY_KEYS)}, got {_show(value)}")
    return {**dict.fromkeys(ACCESSIBILITY_KEYS, False), **{k: _bool(v) for k, v in value.items()}}


def _messages(value: Any) -> list[dict[str, str]]:
    return [{"to": _text(m["to"], "'to'", MAX_NAME), "text": _text(m["text"])}
            for m in (_record(m, ("to", "text"), "messages") for m in _items(value, "messages"))]


def _notes(value: Any) -> list[str]:
    return [_text(n, "a note") for n in _items(value, "notes")]


def _field(value: Any) -> str:
    if not isinstance(value, str) or value not in field_ids():
        raise Bad(f"unknown text field {_show(value)}; e.g. notes/new:body, messages/<contact>:compose "
                  "(contacts: " + ", ".join(CONTACT_BY_KEY) + "), wifi/<network>:password")
    return value


def _focused(value: Any) -> str | None:
    return None if value is None else _field(value)


def _drafts(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise Bad(f"must be a mapping of text field to text, got {_show(value)}")
    if len(value) > MAX_ITEMS:
        raise Bad(f"has {len(value):,} drafts; at most {MAX_ITEMS}")
    return {_field(k): _text(v, f"the draft of {k}") for k, v in value.items()}


def _popup(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    kinds = tuple(POPUP_KEYS)
    kind = value.get("kind") if isinstance(value, dict) else None
    if not isinstance(kind, str) or kind not in POPUP_KEYS:
        raise Bad(f"must be null or a mapping with 'kind' one of {', '.join(kinds)}, got {_show(value)}")
    extra = set(value) - {"kind", *POPUP_KEYS[kind]}
    if extra:
        raise Bad(f"a {kind} popup has no {', '.join(sorted(map(str, extra)))}")
    out = {"kind": kind}
    if "app" in value:
        out["app"] = _app_name(value["app"])
    if "network" in value:
        out["network"] = _one_of(NETWORKS, "Wi-Fi network")(value["network"])
    if "show" in value:
        out["show"] = _one_of(("on", "off"), "'show'")(value["show"])
    return out


def _amount(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_AMOUNT:
        raise Bad(f"{what} must be a whole number of at most {MAX_AMOUNT:,}, got {_show(value)}")
    return value


def _wallet(value: Any) -> dict[str, Any]:
    known = default_wallet()
    if not isinstance(value, dict) or not set(value) <= set(known):
        raise Bad(f"must be a mapping with keys from {', '.join(known)}, got {_show(value)}")
    out = {**known, **value}
    out["balance"] = _amount(out["balance"], "balance")
    out["transfers"] = [{"to": _text(t["to"], "'to'", MAX_NAME), "amount": _amount(t["amount"], "amount")}
                        for t in (_record(t, ("to", "amount"), "transfers")
                                  for t in _items(out["transfers"], "transfers"))]
    out["payments"] = [{"for": _text(p["for"], "'for'", MAX_NAME), "amount": _amount(p["amount"], "amount")}
                       for p in (_record(p, ("for", "amount"), "payments")
                                 for p in _items(out["payments"], "payments"))]
    return out


def _traps(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) and v in TRAPS
                                              for k, v in value.items()):
        raise Bad(f"must map a screen id to one of {', '.join(TRAPS)}, got {_show(value)}")
    if len(value) > MAX_ITEMS:
        raise Bad(f"has {len(value):,} traps; at most {MAX_ITEMS}")
    return dict(value)


def _screen(value: Any) -> str:
    return _text(value, "a screen id", 200)


RULES: dict[str, Callable[[Any], Any]] = {
    "screen": _screen,
    "wifi": _bool, "bluetooth": _bool, "dark_theme": _bool, "do_not_disturb": _bool,
    "wifi_network": _one_of(NETWORKS, "Wi-Fi network"),
    "font_scale": lambda v: float(_number(0.5, 2)(v)),
    "brightness": lambda v: round(_number(0, 100)(v)),
    "media_volume": lambda v: round(_number(0, 100)(v)),
    "ring_volume": lambda v: round(_number(0, 100)(v)),
    "accessibility": _accessibility,
    "language": _one_of(LANGUAGES, "language"),
    "apps": _apps,
    "messages": _messages,
    "notes": _notes,
    "focused_field": _focused,
    "popup": _popup,
    "drafts": _drafts,
    "wallet": _wallet,
    "traps": _traps,
}


def total_text(state: dict[str, Any]) -> None:
    """All the text of the state together within `MAX_ALL_TEXT` (each piece is already capped)."""
    total = (sum(len(m["text"]) for m in state.get("messages", ())) + sum(map(len, state.get("notes", ())))
             + sum(map(len, state.get("drafts", {}).values())))
    if total > MAX_ALL_TEXT:
        raise UsageError(f"sim state: notes, messages and drafts hold {total:,} characters together; "
                         f"at most {MAX_ALL_TEXT:,}")


def check(key: Any, value: Any) -> Any:
    """`value` checked and normalised for state key `key` (a fresh copy, never the caller's
    object); UsageError "sim state 'key': <why>" otherwise."""
    if not isinstance(key, str) or key not in RULES:
        raise UsageError(f"unknown sim state key {_show(key)}; known: {', '.join(RULES)}")
    try:
        return RULES[key](value)
    except Bad as err:
        raise UsageError(f"sim state {key!r}: {err}") from None
