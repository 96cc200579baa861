"""AndroidDevice against the FAKE adb server backed by the simulated phone (devices.sim)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from actions import Tap, Type, grid_to_pixels, pixels_to_grid
from devices.android import AndroidDevice
from devices.base import execute
from devices.conformance import check_device
from devices.sim import SimPhone
from tests.fake_adb import FakeAdbServer, FakePhone


@pytest.fixture()
def fake() -> Iterator[tuple[FakeAdbServer, FakePhone]]:
    phone = FakePhone("SIM01", backing=SimPhone(screen="settings/bluetooth"), hierarchy=False)
    server = FakeAdbServer(phone)
    yield server, phone
    server.stop()


def open_phone(server: FakeAdbServer) -> AndroidDevice:
    return AndroidDevice(host="127.0.0.1", port=server.port, ime_settle=0.0, geometry_ttl=0.0)


def on_screen(phone: FakePhone, label: str) -> tuple[int, int]:
    """The simulated phone's grid point for `label`, as the (possibly rotated) screenshot shows it."""
    natural = grid_to_pixels(phone.backing.locate(label), phone.natural)
    return pixels_to_grid(phone.from_natural(*natural), phone.display_size())


def test_conformance_with_the_simulated_phone(fake) -> None:
    server, phone = fake
    check_device(open_phone(server), app="Settings", point=(500, 500))
    # A real phone drops text (and enter) typed with no field focused; the simulated one says so.
    assert all(e.startswith(("type: ", "key: ")) and "no text field is focused" in e
               for e in phone.errors), phone.errors


@pytest.mark.parametrize("rotation", [0, 1])
def test_turn_off_bluetooth_in_both_orientations(fake, rotation: int) -> None:
    server, phone = fake
    phone.rotation = rotation
    device = open_phone(server)
    assert device.screenshot().size == phone.display_size()
    execute(device, Tap(confidence=1, element="Bluetooth toggle", coordinates=on_screen(phone, "Use Bluetooth toggle")))
    assert phone.backing.state()["bluetooth"] is False


def test_chinese_note_typed_through_adbkeyboard(fake) -> None:
    server, phone = fake
    phone.backing = SimPhone(screen="notes/new")
    device = open_phone(server)
    execute(device, Type(confidence=1, text="买牛奶 and eggs"))
    assert device.last_typing == "adbkeyboard"
    assert "买牛奶 and eggs" in str(phone.backing.state()["drafts"])
