"""Ctrl-C and SIGTERM from a background shell, and nothing left behind on any way out.

A non-interactive shell starts a background command (`cmd &`) with SIGINT ignored; Python then
installs no handler of its own, so a CLI that relied on the default one could not be stopped
with SIGINT at all. Each test starts the real console script that way (`bash -c 'qwen-agent …
& wait $!'`), sends SIGINT to it and checks the exit code and that every process it started —
Xvfb, the desktop overlay — is gone (read from /proc). A parent killed outright (SIGKILL) takes
its Xvfb with it (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import virtual_display
from tests.helpers import EXE, REPO
from tests.procs import alive, children, cmdlines
from tests.test_cli_run import _slow_scenario, step_1_on_disk


def _background(tmp: Path, *args: str) -> tuple[subprocess.Popen[str], int]:
    """`qwen-agent ARGS` started by a non-interactive bash as a background job; (bash, its pid)."""
    pidfile = tmp / "pid"
    command = " ".join(f"'{a}'" for a in [EXE, *args])
    shell = subprocess.Popen(["bash", "-c", f"{command} >{tmp}/out 2>{tmp}/err & echo $! >{pidfile}; wait $!"],
                             cwd=REPO, text=True)
    deadline = time.monotonic() + 30
    while not (pidfile.is_file() and pidfile.read_text().strip()):
        assert time.monotonic() < deadline, "the shell did not start the command"
        time.sleep(0.05)
    return shell, int(pidfile.read_text())


def _until(condition: Callable[[], object], what: str, timeout: float = 120) -> object:
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return found


def _named(pids: list[int], word: str) -> list[int]:
    argvs = cmdlines()
    return [p for p in pids if any(word in a for a in argvs.get(p, []))]


def test_a_background_shell_ignores_sigint_for_its_job(tmp_path: Path) -> None:
    """The premise: what the shell hands its background job."""
    shell = subprocess.Popen(["bash", "-c", f"sleep 30 & echo $! >{tmp_path}/pid; wait"])
    try:
        pid = int(_until(lambda: (tmp_path / "pid").is_file() and (tmp_path / "pid").read_text().strip(), "sleep"))
        ignored = int(next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                           if line.startswith("SigIgn:")).split()[1], 16)
        assert ignored & (1 << (signal.SIGINT - 1))
    finally:
        shell.kill()
        subprocess.run(["pkill", "-P", str(shell.pid)], check=False)


def test_ctrl_c_from_a_background_shell_stops_a_run_with_exit_3(tmp_path: Path) -> None:
    scenario = _slow_scenario(tmp_path / "scenario")
    runs = tmp_path / "runs"
    shell, pid = _background(tmp_path, "replay", str(scenario), "--runs-dir", str(runs), "--json")
    try:
        _until(lambda: step_1_on_disk(runs), "step 1 on disk")
        os.kill(pid, signal.SIGINT)
        assert shell.wait(timeout=60) == 3, (tmp_path / "err").read_text()
    finally:
        shell.kill()
    assert not alive(pid)
    assert "Traceback" not in (tmp_path / "err").read_text()
    run = json.loads(next(runs.glob("*/run.json")).read_text(encoding="utf-8"))
    assert run["outcome"] == "interrupted" and run["exit_code"] == 3


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_sandbox_stops_its_xvfb_when_interrupted(tmp_path: Path, sig: int) -> None:
    shell, pid = _background(tmp_path, "sandbox", "--size", "640x480")
    try:
        xvfb = _until(lambda: _named(children(pid), "Xvfb"), "Xvfb")
        _until(lambda: "is up" in (tmp_path / "out").read_text(), "the display to be up")
        os.kill(pid, sig)
        assert shell.wait(timeout=60) == 0, (tmp_path / "err").read_text()
    finally:
        shell.kill()
    assert not any(alive(p) for p in xvfb)


def test_a_killed_parent_takes_its_xvfb_along(tmp_path: Path) -> None:
    proc = subprocess.Popen([EXE, "sandbox", "--size", "640x480"], cwd=REPO, stdout=subprocess.DEVNULL)
    try:
        xvfb = _until(lambda: _named(children(proc.pid), "Xvfb"), "Xvfb")
        proc.kill()  # no handler, no finally: only the kernel can tell the child
        proc.wait(timeout=30)
        _until(lambda: not any(alive(p) for p in xvfb), "the orphaned Xvfb to end", timeout=20)
    finally:
        proc.kill()


def test_ctrl_c_stops_bench_and_its_xvfb(tmp_path: Path) -> None:
    shell, pid = _background(tmp_path, "bench", "--part", "harness", "--quick")
    try:
        xvfb = _until(lambda: _named(children(pid), "Xvfb"), "bench's Xvfb")
        os.kill(pid, signal.SIGINT)
        assert shell.wait(timeout=60) == 3, (tmp_path / "err").read_text()
    finally:
        shell.kill()
    assert not any(alive(p) for p in xvfb)
    assert "Traceback" not in (tmp_path / "err").read_text()


@pytest.fixture()
def display() -> Iterator[str]:
    with virtual_display((1024, 768)) as name:
        yield name


def test_ctrl_c_in_guide_mode_closes_the_desktop_overlay(tmp_path: Path, display: str) -> None:
    scenario = tmp_path / "desktop-tap"
    scenario.mkdir()
    (scenario / "scenario.yaml").write_text(yaml.safe_dump({
        "name": "desktop-tap", "goal": "Tap the middle", "device": {"kind": "desktop"},
        "steps": [{"action": "tap", "element": "the middle", "coordinates": [500, 500], "confidence": 0.9},
                  {"action": "done", "text": "ok", "confidence": 0.9}]}), encoding="utf-8")
    shell, pid = _background(tmp_path, "assist", "Tap the middle", "--device", "desktop", "--display", display,
                             "--replay", str(scenario), "--runs-dir", str(tmp_path / "runs"), "--wait", "120")
    try:
        overlay = _until(lambda: _named(children(pid), "agent.assist.overlay"), "the overlay")
        _until(lambda: list((tmp_path / "runs").glob("*/guide/0001-guide.png")), "the first step shown")
        os.kill(pid, signal.SIGINT)
        assert shell.wait(timeout=60) == 3, (tmp_path / "err").read_text()
    finally:
        shell.kill()
    assert not any(alive(p) for p in overlay)
    assert "Traceback" not in (tmp_path / "err").read_text()
