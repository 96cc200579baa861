"""A run killed mid-step by an older version could leave a trajectory line whose frame was never
written, or was cut short (frames are written on a background thread). Such a run still replays
and resumes: the step is replayed unverified, not refused with exit 2 (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

from agent.scenario import load
from tests.helpers import run_cli
from tests.hostile import BLUETOOTH, HANG
from tests.test_backend_openai import FakeServer, Scripted, chunk
from tests.test_faults_resume import _interrupted


def _break_frames(run_dir: Path) -> None:
    """What a SIGKILL mid-write leaves: frame 2 never written, 3 cut in half, 4 empty."""
    frames = run_dir / "frames"
    (frames / "0002.png").unlink()
    third = (frames / "0003.png").read_bytes()
    (frames / "0003.png").write_bytes(third[: len(third) // 2])
    if (frames / "0004.png").exists():
        (frames / "0004.png").write_bytes(b"")


def test_a_run_with_missing_and_cut_frames_replays_those_steps_unverified(tmp_path: Path) -> None:
    first = run_cli("replay", str(BLUETOOTH), "--runs-dir", str(tmp_path / "first"), timeout=HANG)
    assert first.returncode == 0, first.stderr[-2000:]
    old = next((tmp_path / "first").iterdir())
    _break_frames(old)
    again = run_cli("replay", str(old), "--runs-dir", str(tmp_path / "again"), "--json", timeout=HANG)
    assert again.returncode == 0, again.stderr[-2000:]
    new = next((tmp_path / "again").iterdir())
    checks = {c["step"]: c["status"] for c in json.loads((new / "verify.json").read_text())["steps"]}
    assert checks[2] == checks[3] == checks[4] == "unchecked"
    assert checks[1] == "match"  # the frames that are there are still compared
    assert json.loads((new / "run.json").read_text())["expect_met"] is True


def test_an_interrupted_run_with_a_missing_frame_replays_and_resumes(tmp_path: Path) -> None:
    old = _interrupted(tmp_path / "first")  # three steps of bluetooth-off, then the recording ended
    _break_frames(old)
    replayed = run_cli("replay", str(old), "--runs-dir", str(tmp_path / "replayed"), "--json", timeout=HANG)
    assert replayed.returncode == 1, replayed.stderr[-2000:]  # ran its three steps, not refused (2)
    assert "Traceback" not in replayed.stderr
    rest = load(BLUETOOTH).steps[3:]
    script = [Scripted(events=[chunk(content=json.dumps(step))]) for step in rest]
    with FakeServer(script) as server:
        resumed = run_cli("replay", str(old), "--resume", "--backend", "openai", "--base-url", server.url,
                          "--model", "q", "--runs-dir", str(tmp_path / "resumed"), "--json", timeout=HANG)
    assert resumed.returncode == 0, resumed.stderr[-2000:] + resumed.stdout[-2000:]
