"""`--redact` masks a typed password on every path, a SIGKILL included, and `--no-frames` writes no
image of any kind (a verified replay's drift picture included).

The path the issue found unmasked: a `type` aimed at a Wi-Fi network row. The row opens the dialog
and the text lands in its password field — the device says so only for the text primitive, after
the tap — and the goal in run.json held the password until the run ended.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import yaml
from PIL import Image

from devices.sim import SimPhone
from tests.helpers import EXE, REPO, run_cli

PASSWORD = "quokka9001"


def _scenario(folder: Path, extra_steps: list[dict]) -> Path:
    phone = SimPhone(screen="settings/wifi")
    row = list(phone.locate("NETGEAR-42"))
    data = {"name": "join", "goal": f"Join NETGEAR-42 with the password {PASSWORD}",
            "device": {"kind": "sim", "lang": "en", "screen": "settings/wifi"},
            "steps": [{"action": "type", "text": PASSWORD, "element": "Search networks",
                       "coordinates": row, "confidence": 0.9}, *extra_steps,
                      {"action": "done", "text": "joined", "confidence": 0.9}],
            "expect": {}}
    folder.mkdir(parents=True)
    (folder / "scenario.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return folder


def _leaks(run: Path) -> list[str]:
    return [str(p) for p in run.rglob("*") if p.is_file() and PASSWORD.encode() in p.read_bytes()]


def test_a_password_typed_through_a_network_row_is_masked_everywhere(tmp_path: Path) -> None:
    folder = _scenario(tmp_path / "scenario", [])
    proc = run_cli("replay", str(folder), "--redact", "--yes", "--runs-dir", str(tmp_path / "runs"))
    assert proc.returncode == 0, proc.stderr
    run = next((tmp_path / "runs").iterdir())
    assert _leaks(run) == []
    line = json.loads((run / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert line["redacted"] is True and line["action"]["text"] == "•••"
    assert json.loads((run / "run.json").read_text(encoding="utf-8"))["goal"].endswith("•••")


def test_killed_right_after_typing_the_password_is_in_no_file(tmp_path: Path) -> None:
    folder = _scenario(tmp_path / "scenario", [{"action": "wait", "seconds": 30, "confidence": 0.9}])
    runs = tmp_path / "runs"
    proc = subprocess.Popen([EXE, "replay", str(folder), "--redact", "--yes", "--json", "--runs-dir", str(runs)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=REPO)
    try:
        for line in proc.stdout:  # type: ignore[union-attr]
            event = json.loads(line)
            if event.get("event") == "step" and event.get("step") == 2:
                break  # the password is typed; the run now waits
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    run = next(runs.iterdir())
    assert json.loads((run / "run.json").read_text(encoding="utf-8"))["outcome"] == "running"
    assert _leaks(run) == []


def test_no_frames_writes_no_image_not_even_a_drift_picture(tmp_path: Path) -> None:
    recorded = REPO / "scenarios" / "bluetooth-off-recorded"
    copy = tmp_path / "recorded"
    subprocess.run(["cp", "-r", str(recorded), str(copy)], check=True)
    frame = copy / "frames" / "0002.png"  # the screen before step 2: now another one
    SimPhone(screen="settings/display").screenshot().resize(Image.open(frame).size).save(frame)
    proc = run_cli("replay", str(copy), "--no-frames", "--on-drift", "stop", "--runs-dir", str(tmp_path / "runs"))
    assert proc.returncode == 1 and "no longer matches" in proc.stderr
    run = next((tmp_path / "runs").iterdir())
    assert json.loads((run / "verify.json").read_text())["drift"]["step"] == 2
    images = [p for p in run.rglob("*") if p.suffix in (".png", ".jpg")]
    assert images == [] and "data:image" not in (run / "report.html").read_text(encoding="utf-8")
