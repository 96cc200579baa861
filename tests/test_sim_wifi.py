"""The simulated phone's Wi-Fi password dialog: the everyday password field `--redact` and
`--secret` are tested on. Joining, "Show password", Connect disabled below eight characters,
the password never in the public state, and `password_regions` covering every pixel it changes."""

from __future__ import annotations

import numpy as np

from actions import Back, Tap, Type
from devices.base import execute
from devices.primitives import Press, Text
from devices.sim import SimPhone
from devices.sim.screens.wifi_join import field_id

NET = "NETGEAR-42"


def tap(phone: SimPhone, label: str) -> None:
    execute(phone, Tap(confidence=1.0, element=label, coordinates=phone.locate(label)))


def joining(password: str = "", show: bool = False) -> SimPhone:
    phone = SimPhone(screen="settings/wifi")
    tap(phone, NET)
    if password:
        execute(phone, Type(confidence=1.0, text=password))
    if show:
        tap(phone, "Show password")
    return phone


def test_a_secured_network_asks_for_its_password_and_joins() -> None:
    phone = joining()
    st = phone.state()
    assert st["popup"]["kind"] == "wifi_join" and st["focused_field"] == field_id(NET)
    assert {"Password", "Show password", "Cancel", "Connect"} <= set(phone.labels())
    execute(phone, Type(confidence=1.0, text="short"))
    tap(phone, "Connect")  # disabled below eight characters: nothing happens
    assert phone.state()["wifi_network"] == "HomeNet" and phone.state()["popup"] is not None
    execute(phone, Type(confidence=1.0, text="er-pass"))
    assert phone.state()["drafts"][field_id(NET)] == "•" * 12  # the public state shows dots
    tap(phone, "Connect")
    st = phone.state()
    assert st["wifi_network"] == NET and st["popup"] is None and st["focused_field"] is None
    assert field_id(NET) not in phone._state.drafts  # the password is consumed, not kept
    assert "Connected" in [w.lines[0] for w in phone.layout().widgets if hasattr(w, "lines")]


def test_an_open_network_joins_at_a_tap_and_back_closes_the_dialog_in_two_steps() -> None:
    phone = SimPhone(screen="settings/wifi")
    tap(phone, "CoffeeShop Guest")
    assert phone.state()["wifi_network"] == "CoffeeShop Guest"
    tap(phone, NET)
    execute(phone, Type(confidence=1.0, text="secret-1"))
    execute(phone, Back(confidence=1.0))  # the keyboard goes first
    assert phone.state()["popup"] is not None and phone.state()["focused_field"] is None
    execute(phone, Back(confidence=1.0))
    assert phone.state()["popup"] is None and field_id(NET) not in phone._state.drafts


def test_show_password_shows_the_text_and_the_regions_cover_every_changed_pixel() -> None:
    a, b = joining("correct-horse", show=True), joining("battery-stap1", show=True)
    pa, pb = (np.asarray(p.screenshot(), dtype=np.int16) for p in (a, b))
    changed = np.argwhere(np.abs(pa - pb).sum(axis=2) > 0)
    assert len(changed) > 200  # the two passwords are drawn in clear: the frames differ
    boxes = a.password_regions()
    assert boxes == b.password_regions() and len(boxes) == 1
    x0, y0, x1, y1 = boxes[0]
    assert all(x0 <= x < x1 and y0 <= y < y1 for y, x in changed)
    hidden = joining("correct-horse")  # dots again once "Show password" is off
    assert not np.array_equal(np.asarray(hidden.screenshot()), pa.astype(np.uint8))


def test_no_password_fields_no_regions_and_the_phishing_pin_has_one() -> None:
    assert SimPhone(screen="settings/wifi").password_regions() == []
    phish = SimPhone(screen="settings/storage", state={"traps": {"settings/storage": "pin_phish"}})
    assert len(phish.password_regions()) == 1


def test_focusing_a_password_field_is_not_sensitive_typing_into_it_is() -> None:
    phone = joining()
    point = phone.locate("Password")
    assert phone.effect(Press(point)).sensitive is False
    phone.perform(Press(point))
    assert phone.effect(Text("secret")).role == "password_field"
    assert phone.effect(Text("secret")).sensitive is True
