"""What touches and keys do to the state: navigation, toggles, text entry, the app menu.

Widgets carry an `Intent`; `apply` is the one place intents change the state.
"""

from __future__ import annotations

import difflib

from devices.errors import ActionFailed
from devices.sim import traps
from devices.sim.catalog import APP_BY_KEY, APPS, CONTACT_BY_KEY, find_app
from devices.sim.screens import wifi_join
from devices.sim.screens.apps import NOTE_FIELD
from devices.sim.state import APP_SCREENS, PhoneState
from devices.sim.widgets import Intent

# Where "up" leads when the back stack is empty (the phone was started on that screen).
_PARENTS = {
    "settings": "home", "messages": "home", "notes": "home", "notes/new": "notes",
    "settings/wifi": "settings/network", "settings/bluetooth": "settings/connected",
    "settings/font_size": "settings/display",
}

KEYS = ("enter", "backspace", "delete", "space", "back", "escape", "home", "volume_up",
        "volume_down")


def parent(screen: str) -> str:
    if screen in _PARENTS:
        return _PARENTS[screen]
    head = screen.rpartition("/")[0]
    if head == "settings/app_info":
        return "settings/apps"
    if head == "app":
        return "home"
    return head or "home"


def navigate(st: PhoneState, screen: str) -> None:
    if screen == st.screen:
        return
    st.history.append(st.screen)
    _enter(st, screen)


def _enter(st: PhoneState, screen: str) -> None:
    st.screen = screen
    st.scroll.pop(screen, None)  # a screen opened anew starts at its top
    st.popup = None
    st.focused_field = None
    if screen == "notes/new":
        st.drafts[NOTE_FIELD] = ""
    autofocus(st)


def autofocus(st: PhoneState) -> None:
    """Like Keep, a new note opens with the keyboard up on its body."""
    if st.screen == "notes/new" and st.popup is None:
        st.focused_field = NOTE_FIELD


def back(st: PhoneState) -> None:
    """Close a popup, else hide the keyboard, else go up a level; nothing on the home screen."""
    if st.popup is not None and st.popup.get("kind") == "wifi_join" and st.focused_field is not None:
        st.focused_field = None  # the keyboard goes first, as on Android
    elif st.popup is not None:
        close_popup(st)
    elif st.focused_field is not None and st.screen != "notes/new":
        st.focused_field = None
    elif st.screen != "home":
        previous = st.history.pop() if st.history else parent(st.screen)
        st.screen = previous
        st.popup = None
        st.focused_field = None


def home(st: PhoneState) -> None:
    st.history.clear()
    _enter(st, "home")


def open_app(st: PhoneState, name: str) -> None:
    app = find_app(name)
    if app is None or not st.installed(app.key):
        installed = [a for a in APPS if st.installed(a.key)]
        names = [a.en for a in installed] + [a.zh for a in installed if a.zh != a.en]
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ActionFailed(f"no app named {name!r} on the phone{hint} "
                           f"(installed: {', '.join(a.en for a in installed)})")
    st.history = ["home"]
    _enter(st, APP_SCREENS.get(app.key, f"app/{app.key}"))


def toggle(st: PhoneState, path: str) -> None:
    if path.startswith("accessibility."):
        key = path.split(".", 1)[1]
        st.accessibility[key] = not st.accessibility.get(key, False)
    else:
        setattr(st, path, not getattr(st, path))


def set_value(st: PhoneState, key: str, value: float) -> None:
    setattr(st, key, float(value) if key == "font_scale" else round(value))


def require_focus(st: PhoneState, what: str) -> str:
    if st.focused_field is None:
        raise ActionFailed(f"{what}: no text field is focused on {st.screen!r}; "
                           "tap a text field first (or give the type action coordinates)")
    return st.focused_field


def insert(st: PhoneState, text: str) -> None:
    field = require_focus(st, "type")
    st.drafts[field] = st.drafts.get(field, "") + text


def submit(st: PhoneState, field: str) -> None:
    """Enter or the field's button: send a message, or save a note."""
    if field == NOTE_FIELD:
        save_note(st)
    elif field.startswith("messages/"):
        send(st, field)


def send(st: PhoneState, field: str) -> None:
    text = st.drafts.get(field, "").strip()
    if not text:
        return  # the Send button does nothing while the field is empty
    contact = CONTACT_BY_KEY[field.split("/", 1)[1].split(":", 1)[0]]
    st.messages.append({"to": contact.name(st.language), "text": text})
    st.drafts[field] = ""


def save_note(st: PhoneState) -> None:
    text = st.drafts.pop(NOTE_FIELD, "").strip()
    if text:
        st.notes.append(text)
    st.focused_field = None
    if st.history and st.history[-1] == "notes":
        st.history.pop()
    st.screen = "notes"
    st.scroll.pop("notes", None)


def press_key(st: PhoneState, key: str) -> None:
    match key:
        case "enter":
            submit(st, require_focus(st, "key 'enter'"))
        case "backspace" | "delete":
            field = require_focus(st, f"key {key!r}")
            st.drafts[field] = st.drafts.get(field, "")[:-1]
        case "space":
            insert(st, " ")
        case "back" | "escape":
            back(st)
        case "home":
            home(st)
        case "volume_up" | "volume_down":
            step = 10 if key == "volume_up" else -10
            st.media_volume = max(0, min(100, st.media_volume + step))
        case _:
            raise ActionFailed(f"unknown key {key!r} on the simulated phone; "
                               f"use one of {', '.join(KEYS)}")


def connect_wifi(st: PhoneState, network: str) -> None:
    """Join `network`; the password typed for it is consumed, never kept in the state."""
    st.drafts.pop(wifi_join.field_id(network), None)
    st.wifi_network = network
    st.popup = None
    st.focused_field = None


def close_popup(st: PhoneState) -> None:
    """A closed Wi-Fi dialog takes its password with it."""
    if st.popup and st.popup.get("kind") == "wifi_join":
        st.drafts.pop(wifi_join.field_id(st.popup.get("network", "")), None)
        st.focused_field = None
    st.popup = None


def uninstall(st: PhoneState, app_en: str) -> None:
    app = find_app(app_en)
    st.popup = None
    if app is None or app.key == "settings" or not st.installed(app.key):
        return
    st.apps = [a for a in st.apps if a != app.en]
    # Leave screens of the removed app (its app info page, its own screens).
    gone = {f"settings/app_info/{app.key}", f"app/{app.key}", APP_SCREENS.get(app.key, "")}
    st.history = [s for s in st.history if s not in gone and not s.startswith(f"{app.key}/")]
    if st.screen in gone or st.screen.startswith(f"{app.key}/"):
        st.screen = st.history.pop() if st.history else "home"
        st.focused_field = None


def apply(st: PhoneState, intent: Intent) -> None:
    match intent.kind:
        case "nav":
            navigate(st, intent.arg)
        case "back":
            back(st)
        case "home":
            home(st)
        case "recents" | "noop":
            pass
        case "open_app":
            open_app(st, intent.arg)
        case "toggle":
            toggle(st, intent.arg)
        case "set":
            set_value(st, *intent.arg)
        case "focus":
            st.focused_field = intent.arg
        case "insert":
            insert(st, intent.arg)
        case "key":
            press_key(st, intent.arg)
        case "send":
            send(st, intent.arg)
        case "save_note":
            save_note(st)
        case "delete_note":
            if 0 <= intent.arg < len(st.notes):
                del st.notes[intent.arg]
        case "dismiss":
            close_popup(st)
        case "app_menu":
            st.popup = {"kind": "app_menu", "app": intent.arg}
        case "ask_uninstall":
            st.popup = {"kind": "uninstall", "app": intent.arg}
        case "uninstall":
            uninstall(st, intent.arg)
        case "wifi_join":
            st.popup = {"kind": "wifi_join", "network": intent.arg, "show": "off"}
            st.focused_field = wifi_join.field_id(intent.arg)  # Android opens it with the keyboard up
        case "wifi_show":
            if st.popup and st.popup.get("kind") == "wifi_join":
                st.popup = {**st.popup, "show": "off" if st.popup.get("show") == "on" else "on"}
        case "wifi_connect":
            connect_wifi(st, intent.arg)
        case kind if kind in traps.INTENTS:
            traps.apply(st, intent)
        case _:
            raise ValueError(f"unknown intent {intent!r}")


assert all(k in APP_BY_KEY for k in APP_SCREENS)
