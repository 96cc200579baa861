"""The real Debian `adb` server, with no phone attached: clear one-line errors, exit 2.

The server is started on a free port of its own (`adb -P PORT start-server`) and stopped with
`adb -P PORT kill-server`, so a developer's own adb server on 5037 is never touched.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from actions.errors import UsageError
from agent.engine.outcomes import exit_code

CLI = [sys.executable, "-c", "import sys; from agent.commands import main; sys.exit(main())"]
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def adb_port() -> Iterator[int]:
    if shutil.which("adb") is None:
        pytest.fail("adb is not installed: sudo apt install adb", pytrace=False)
    port = free_port()
    subprocess.run(["adb", "-P", str(port), "start-server"], check=True, timeout=60,
                   capture_output=True)
    try:
        yield port
    finally:
        subprocess.run(["adb", "-P", str(port), "kill-server"], timeout=60, capture_output=True)


def test_opening_adb_without_a_phone_is_a_usage_error(adb_port: int) -> None:
    from devices.android import AndroidDevice
    from devices.registry import open_device

    with pytest.raises(UsageError, match="no Android phone found") as err:
        AndroidDevice(port=adb_port)
    assert exit_code(err.value) == 2 and "\n" not in str(err.value)
    with pytest.raises(UsageError, match="no phone with serial 'emulator-5554'"):
        open_device("adb:emulator-5554", port=adb_port)


def test_listing_and_doctor_say_no_phone(adb_port: int) -> None:
    from devices.doctor import run_checks
    from devices.listing import list_devices

    adb = [d for d in list_devices(adb_port=adb_port) if d.kind == "adb"]
    assert len(adb) == 1 and not adb[0].ready and "no phone attached" in adb[0].problem
    checks = {c.name: c for c in run_checks(adb_port=adb_port)}
    assert checks["adb server"].ok and "1.0." in checks["adb server"].message
    assert not checks["phone"].ok and "USB debugging" in checks["phone"].fix


@pytest.mark.parametrize("spec", ["adb", "adb:NOPE"])
def test_cli_replay_on_adb_exits_2_without_a_traceback(adb_port: int, spec: str, tmp_path: Path) -> None:
    """Through the real CLI (replay needs no model): `--device adb` with no phone -> exit 2."""
    scenario = tmp_path / "scenario"
    scenario.mkdir()
    (scenario / "scenario.yaml").write_text(
        "name: no phone\ngoal: open settings\ndevice: {kind: adb}\n"
        "steps:\n  - {action: done, text: ok, confidence: 1}\nexpect: {}\n", encoding="utf-8")
    env = dict(os.environ, ANDROID_ADB_SERVER_PORT=str(adb_port))
    env.pop("ANDROID_SERIAL", None)
    result = subprocess.run([*CLI, "replay", str(scenario), "--device", spec, "--yes",
                             "--runs-dir", str(tmp_path / "runs")],
                            capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "phone" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_cli_devices_lists_without_a_traceback(adb_port: int) -> None:
    env = dict(os.environ, ANDROID_ADB_SERVER_PORT=str(adb_port))
    result = subprocess.run([*CLI, "devices"], capture_output=True, text=True, timeout=120, env=env,
                            cwd=ROOT)
    assert "Traceback" not in result.stderr
    assert "no phone attached" in result.stdout


@pytest.mark.parametrize("spec", ["adb", "adb:NOPE"])
def test_cli_run_on_adb_exits_2_before_any_model_loads(adb_port: int, spec: str, tmp_path: Path) -> None:
    env = dict(os.environ, ANDROID_ADB_SERVER_PORT=str(adb_port))
    env.pop("ANDROID_SERIAL", None)
    result = subprocess.run([*CLI, "run", "turn off Bluetooth", "--device", spec, "--runs-dir",
                             str(tmp_path / "runs")],
                            capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "phone" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "runs").exists()  # nothing was started, so nothing was recorded
