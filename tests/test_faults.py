"""Fault survival: capture failure, disconnect, model timeout, garbage replies, SIGINT, SIGTERM
and SIGKILL each end the run within 2 s of the fault with the documented exit code, and the
trajectory on disk reads back whole (after SIGKILL: every line that was written)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from actions.errors import EXIT_NOT_DONE, EXIT_SANDBOX
from agent.engine.loop import LoopOptions
from agent.engine.person import Unattended
from agent.engine.rundir import TRAJECTORY, read_lines
from agent.engine.session import RunPlan, execute
from agent.engine.view import JsonView
from agent.faults import FaultyDevice, FaultyModel
from agent.imaging import DEFAULT_MAX_PIXELS
from agent.replay import ReplayModel
from devices.sim.phone import SimPhone
from policies import load_policy
from tests.helpers import EXE, REPO
from tests.test_backend_openai import FakeServer, Scripted, chunk

STEPS = [{"action": "scroll", "direction": d, "confidence": 0.9} for d in ("down", "up") * 5]


def _whole(run_dir: str | Path, steps: int) -> list[dict]:
    """The trajectory has `steps` lines and every one of them parses."""
    raw = (Path(run_dir) / TRAJECTORY).read_text(encoding="utf-8").splitlines()
    entries = read_lines(run_dir)
    assert len(raw) == len(entries) == steps
    return entries


def _run(tmp: Path, device, model):
    plan = RunPlan(goal="scroll around", device_spec="sim", device_options={}, policy=load_policy(None),
                   loop=LoopOptions(max_pixels=DEFAULT_MAX_PIXELS, settle=None), runs_dir=str(tmp),
                   interactive=False)
    result = execute(plan, model, device, person=Unattended(), view=JsonView(io.StringIO()))
    return result, time.monotonic()


@pytest.mark.parametrize("fault", ["capture", "disconnect", "timeout", "garbage"])
def test_injected_fault_ends_the_run_cleanly(fault: str, tmp_path: Path) -> None:
    device = FaultyDevice(SimPhone(), capture_fail_at=4 if fault == "capture" else None,
                          disconnect_at=4 if fault == "disconnect" else None)
    model = ReplayModel(STEPS)
    if fault in ("timeout", "garbage"):
        model = FaultyModel(model, fault, at=4)
    result, ended = _run(tmp_path, device, model)
    source = model if fault in ("timeout", "garbage") else device
    assert source.fault_at is not None and ended - source.fault_at < 2.0
    assert result.exit_code == EXIT_NOT_DONE, result
    assert "injected fault" in result.message or "invalid" in result.message
    run = json.loads((Path(result.run_dir) / "run.json").read_text(encoding="utf-8"))
    assert run["exit_code"] == EXIT_NOT_DONE and run["steps"] == result.steps
    entries = _whole(result.run_dir, result.steps)
    assert [e["executed"] for e in entries[:3]] == [True, True, True]
    if fault == "disconnect":  # the step being acted on is saved, marked as not executed
        assert entries[-1]["executed"] is False and "disconnected" in entries[-1]["error"]
    if fault == "garbage":  # two invalid replies in a row, both on disk
        assert [e["error"].startswith("invalid reply") for e in entries[-2:]] == [True, True]


DONE_NEVER = [json.dumps({"action": "scroll", "direction": d, "confidence": 0.9}) for d in ("down", "up")]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_a_signal_mid_run_leaves_a_readable_trajectory(sig: signal.Signals, tmp_path: Path) -> None:
    script = [Scripted(delay=0.3, events=[chunk(content=DONE_NEVER[i % 2])]) for i in range(60)]
    with FakeServer(script) as server:
        proc = subprocess.Popen(
            [EXE, "run", "scroll around", "--backend", "openai", "--base-url", server.url, "--model", "q",
             "--runs-dir", str(tmp_path), "--max-steps", "50", "--json"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + 60
        trajectory = None
        while time.monotonic() < deadline:
            found = list(tmp_path.glob(f"*/{TRAJECTORY}"))
            if found and len(found[0].read_text(encoding="utf-8").splitlines()) >= 3:
                trajectory = found[0]
                break
            time.sleep(0.05)
        assert trajectory is not None, proc.kill() or proc.communicate()
        sent = time.monotonic()
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=10)
        assert time.monotonic() - sent < 2.0
    entries = read_lines(trajectory.parent)
    lines = [x for x in trajectory.read_text(encoding="utf-8").split("\n") if x]
    assert len(entries) >= 3 and all(e["step"] == i + 1 for i, e in enumerate(entries))
    assert len(lines) - len(entries) <= (1 if sig == signal.SIGKILL else 0)  # SIGKILL may cut one line
    run = json.loads((trajectory.parent / "run.json").read_text(encoding="utf-8"))
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL and run["outcome"] == "running"
    else:
        assert proc.returncode == EXIT_SANDBOX, err
        assert run["outcome"] == "interrupted" and run["steps"] == len(entries)
        assert "Traceback" not in err
