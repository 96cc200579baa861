"""The run-level contracts through the real console script: signals, bad input, exit codes."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.helpers import EXE, REPO, run_cli


def _slow_scenario(folder: Path) -> Path:
    folder.mkdir()
    (folder / "scenario.yaml").write_text(yaml.safe_dump({
        "name": "slow", "goal": "Open Settings and wait", "device": {"kind": "sim"},
        "steps": [{"action": "open_app", "app": "Settings", "confidence": 0.9},
                  {"action": "wait", "seconds": 30, "confidence": 0.9},
                  {"action": "done", "text": "ok", "confidence": 0.9}],
    }), encoding="utf-8")
    return folder


def step_1_on_disk(runs: Path) -> bool:
    """Step 1's line is written before step 2 begins, so a verdict seen after it is step 2's."""
    trajs = list(runs.glob("*/trajectory.jsonl"))
    return bool(trajs) and trajs[0].read_text(encoding="utf-8").count("\n") >= 1


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_mid_run_stops_cleanly_with_the_trajectory_on_disk(tmp_path: Path, sig: int) -> None:
    scenario = _slow_scenario(tmp_path / "scenario")
    runs = tmp_path / "runs"
    proc = subprocess.Popen([EXE, "replay", str(scenario), "--runs-dir", str(runs), "--json"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Signal once the loop is inside step 2's 30 s wait: step 1 is on disk by then.
        for line in proc.stdout:
            event = json.loads(line)
            if event["event"] == "verdict" and event["decision"] == "allow" and step_1_on_disk(runs):
                break
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 3, err
    assert "Traceback" not in err
    run_dir = next(runs.iterdir())
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert run["outcome"] == "interrupted" and run["exit_code"] == 3
    lines = (run_dir / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()
    entries = [json.loads(x) for x in lines]  # every line complete
    assert [e["action"]["action"] for e in entries] == ["open_app", "wait"]
    assert entries[0]["executed"] is True and entries[1]["executed"] is False
    assert run["steps"] == 2
    assert (run_dir / "report.html").is_file()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", "turn off Bluetooth", "--device", "toaster"], "unknown device 'toaster'"),
        (["replay", "/nonexistent/scenario"], "neither a scenario folder"),
        (["run", "x", "--min-confidence", "2"], "min-confidence"),
        (["run", "x", "--policy", "/nonexistent/policy.yaml"], "policy.yaml"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(args: list[str], fragment: str) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2, proc.stderr
    assert fragment in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_broken_scenario_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "scenario.yaml").write_text("goal: [unclosed", encoding="utf-8")
    proc = run_cli("replay", str(tmp_path))
    assert proc.returncode == 2 and "cannot read it" in proc.stderr and "Traceback" not in proc.stderr


def test_devices_lists_the_simulated_phone() -> None:
    proc = run_cli("devices", "--json")
    assert proc.returncode == 0, proc.stderr
    specs = [d["spec"] for d in json.loads(proc.stdout)]
    assert "sim" in specs


def test_doctor_reports_one_line_per_check() -> None:
    proc = run_cli("doctor")
    assert proc.returncode in (0, 1), proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines and all(line.startswith(("[ok  ]", "[warn]", "[FAIL]")) for line in lines)
    names = {c["name"] for c in json.loads(run_cli("doctor", "--json").stdout)}
    assert {"adb server", "DISPLAY"} <= names


def test_sandbox_starts_a_virtual_display_and_stops_it_on_ctrl_c() -> None:
    proc = subprocess.Popen([EXE, "sandbox", "--size", "800x600"], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        assert "virtual display :" in first, proc.stderr.read() if proc.poll() is not None else first
        display = first.split("virtual display ", 1)[1].split()[0]
        check = subprocess.run(["xdpyinfo", "-display", display], capture_output=True, text=True, timeout=30)
        assert "800x600" in check.stdout
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        gone = subprocess.run(["xdpyinfo", "-display", display], capture_output=True, text=True, timeout=30)
        assert gone.returncode != 0
    finally:
        proc.kill()


def test_sandbox_rejects_a_bad_size() -> None:
    proc = run_cli("sandbox", "--size", "big")
    assert proc.returncode == 2 and "1920x1080" in proc.stderr


def test_demo_without_the_model_says_so_in_one_line_and_replays(tmp_path: Path) -> None:
    # The README's main-job command, as it runs on a machine that cannot reach the model hub.
    proc = run_cli("demo", "--runs-dir", str(tmp_path), cwd=tmp_path, env={"HF_HUB_OFFLINE": "1"}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith("qwen-agent: the Thinking model is not available here")
    assert "--model" in first and "--base-url" in first and "Replaying a recorded run" in first
    assert "Traceback" not in proc.stderr
    run = json.loads((next(tmp_path.glob("*/run.json"))).read_text(encoding="utf-8"))
    assert run["outcome"] == "done" and run["expect_met"] is True
