"""`devices.doctor.run_checks()` against a fake adb server and a real Xvfb display."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devices.doctor import Check, check_model_cache, run_checks
from tests.conftest import virtual_display
from tests.fake_adb import FakeAdbServer, FakePhone


@pytest.fixture()
def xvfb() -> Iterator[str]:
    with virtual_display((800, 600)) as name:
        yield name


def test_every_check_is_one_line_with_a_fix(xvfb: str) -> None:
    server = FakeAdbServer(FakePhone("GOOD"), FakePhone("NOKBD", adb_keyboard=False),
                           FakePhone("LOCKED", state="unauthorized"))
    try:
        checks = run_checks(adb_port=server.port)
    finally:
        server.stop()
    by_name = {c.name: c for c in checks}
    assert by_name["adb server"].ok
    assert by_name["phone GOOD (Pixel 8)"].ok and by_name["ADBKeyBoard on GOOD"].ok
    assert not by_name["ADBKeyBoard on NOKBD"].ok and "adb install" in by_name["ADBKeyBoard on NOKBD"].fix
    assert not by_name["phone LOCKED"].ok and "USB debugging" in by_name["phone LOCKED"].fix
    assert by_name["DISPLAY"].ok and by_name["DISPLAY"].message == xvfb
    assert by_name["mss"].ok and "800x600" in by_name["mss"].message
    assert by_name["pyautogui"].ok
    assert by_name["OCR"].ok  # the dev extra installs it
    for check in checks:
        assert isinstance(check, Check) and check.ok or check.fix, check
        assert "\n" not in check.line()


def test_no_display_and_missing_model(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    server = FakeAdbServer()
    try:
        checks = {c.name: c for c in run_checks("Qwen/Qwen3-VL-4B-Thinking", adb_port=server.port)}
    finally:
        server.stop()
    assert not checks["DISPLAY"].ok and "sandbox" in checks["DISPLAY"].fix
    assert not checks["phone"].ok
    assert not checks["model cache"].ok and "hf download" in checks["model cache"].fix
    snapshot = tmp_path / "hub" / "models--Qwen--Qwen3-VL-4B-Thinking" / "snapshots" / "abc"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    assert check_model_cache("Qwen/Qwen3-VL-4B-Thinking").ok
