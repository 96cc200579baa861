"""`doctor`, `devices` and `--device adb` leave the real adb server as they found it: one they had
to start is stopped again, quietly; one that was running keeps running. And doctor's model advice
names the model `run` would load. The real Debian adb, on private ports (never 5037)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from agent.backends.checkpoint import DEFAULT_MODEL
from devices.android import server
from tests.helpers import run_cli
from tests.procs import matching
from tests.test_android_real_adb import free_port


@pytest.fixture(autouse=True)
def _adb() -> None:
    if shutil.which("adb") is None:
        pytest.fail("adb is not installed: sudo apt install adb", pytrace=False)


def _env(port: int, tmp_path: Path) -> dict[str, str]:
    return {"ANDROID_ADB_SERVER_PORT": str(port), "HF_HOME": str(tmp_path), "HF_HUB_OFFLINE": "1"}


@pytest.mark.parametrize("args", [["doctor"], ["devices"], ["run", "x", "--device", "adb"]],
                         ids=["doctor", "devices", "run-adb"])
def test_a_server_it_had_to_start_is_stopped_quietly(args: list[str], tmp_path: Path) -> None:
    port = free_port()
    proc = run_cli(*args, env=_env(port, tmp_path), timeout=120)
    try:
        assert "Traceback" not in proc.stderr
        assert "daemon" not in proc.stdout + proc.stderr, proc.stderr  # adb's start-up chatter
        assert not server.listening("127.0.0.1", port)
        assert not matching("adb", f"tcp:{port}")
        if args == ["doctor"]:
            line = next(x for x in proc.stdout.splitlines() if "adb server" in x)
            assert line.startswith("[ok  ]") and "started for this check and stopped again" in line
        if args[0] == "run":
            assert proc.returncode == 2 and "no Android phone" in proc.stderr
    finally:
        subprocess.run(["adb", "-P", str(port), "kill-server"], capture_output=True, timeout=30)


def test_a_running_server_is_left_running(tmp_path: Path) -> None:
    port = free_port()
    subprocess.run(["adb", "-P", str(port), "start-server"], check=True, capture_output=True, timeout=60)
    try:
        proc = run_cli("doctor", env=_env(port, tmp_path), timeout=120)
        assert f"running at 127.0.0.1:{port}" in proc.stdout, proc.stdout
        assert server.listening("127.0.0.1", port)
    finally:
        subprocess.run(["adb", "-P", str(port), "kill-server"], capture_output=True, timeout=30)


def test_model_advice_names_the_default_model(tmp_path: Path) -> None:
    port = free_port()
    proc = run_cli("doctor", env=_env(port, tmp_path), timeout=120)
    line = next(x for x in proc.stdout.splitlines() if "model cache" in x)
    assert f"{DEFAULT_MODEL} is not in" in line and f"hf download {DEFAULT_MODEL}" in line, line
    # A cached other Qwen3-VL is offered as the alternative, by name.
    snapshot = tmp_path / "hub" / "models--Qwen--Qwen3-VL-8B-Thinking" / "snapshots" / "abc"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    line = next(x for x in run_cli("doctor", env=_env(port, tmp_path)).stdout.splitlines() if "model cache" in x)
    assert f"hf download {DEFAULT_MODEL}" in line and "--model Qwen/Qwen3-VL-8B-Thinking" in line, line
