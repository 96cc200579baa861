"""`list_devices()`: phones through the fake adb server, monitors of a real Xvfb display."""

from __future__ import annotations

from devices.listing import list_devices
from tests.conftest import virtual_display
from tests.fake_adb import FakeAdbServer, FakePhone


def test_phones_with_models_and_unusable_ones_with_the_fix(monkeypatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    server = FakeAdbServer(FakePhone("AAA", model="Pixel_8"), FakePhone("BBB", state="unauthorized"),
                           FakePhone("CCC", state="offline"))
    try:
        found = {d.spec: d for d in list_devices(adb_host="127.0.0.1", adb_port=server.port)}
    finally:
        server.stop()
    assert found["sim"].ready
    assert found["adb:AAA"].ready and "Pixel 8" in found["adb:AAA"].description
    assert not found["adb:BBB"].ready and "USB debugging" in found["adb:BBB"].problem
    assert not found["adb:CCC"].ready and "offline" in found["adb:CCC"].problem


def test_x_display_monitors() -> None:
    with virtual_display((1024, 768)) as name:
        server = FakeAdbServer()
        try:
            found = list_devices(adb_port=server.port)
        finally:
            server.stop()
    desktop = [d for d in found if d.spec == "desktop"]
    assert desktop and desktop[0].ready and "1024x768" in desktop[0].description
    assert name in desktop[0].description
    assert all("\n" not in d.problem for d in found)
