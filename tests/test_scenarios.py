"""Every scenario in scenarios/ replays through the real CLI to its expected end state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.scenario import load
from tests.helpers import REPO, run_cli

# The adversarial ones (adv-*) end at the sandbox by design; tests/test_adversarial.py runs them.
SCENARIOS = sorted(p.parent for p in (REPO / "scenarios").glob("*/scenario.yaml")
                   if not p.parent.name.startswith("adv-"))
GUARDED = {"send-message-guarded": 3}
# Scenarios that need more than a plain replay: a secret from the environment, and a yes for it.
SECRET = "QA-wifi-pass-7731"
EXTRA = {"wifi-join-secret": ["--secret", "WIFI_PASSWORD=env:QA_WIFI_PASSWORD", "--yes"]}


def test_there_are_enough_scenarios() -> None:
    names = {p.name for p in SCENARIOS}
    assert len(names) >= 5
    assert any(load(p).device.get("lang") == "zh" for p in SCENARIOS), "a Chinese-language scenario"
    assert "send-message-guarded" in names


@pytest.mark.parametrize("folder", SCENARIOS, ids=lambda p: p.name)
def test_scenario_replays_to_its_end_state(folder: Path, tmp_path: Path) -> None:
    proc = run_cli("replay", str(folder), "--runs-dir", str(tmp_path), "--json", *EXTRA.get(folder.name, []),
                   env={"QA_WIFI_PASSWORD": SECRET})
    expected_code = GUARDED.get(folder.name, 0)
    assert proc.returncode == expected_code, proc.stderr + proc.stdout
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    end = events[-1]
    assert end["event"] == "end" and end["exit_code"] == expected_code
    run_dir = Path(end["run_dir"])
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert run["expect_met"] is True, run.get("expect_problems")
    assert (run_dir / "report.html").is_file()
    lines = (run_dir / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == run["steps"] == len(load(folder).steps) - (1 if expected_code == 3 else 0)
    assert not [p for p in run_dir.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]


def test_a_secret_placeholder_needs_its_secret(tmp_path: Path) -> None:
    proc = run_cli("replay", str(REPO / "scenarios" / "wifi-join-secret"), "--runs-dir", str(tmp_path))
    assert proc.returncode == 2 and "--set WIFI_PASSWORD=VALUE (or, for a password, --secret" in proc.stderr
    both = run_cli("replay", str(REPO / "scenarios" / "wifi-join-secret"), "--runs-dir", str(tmp_path),
                   "--set", "WIFI_PASSWORD=x", *EXTRA["wifi-join-secret"], env={"QA_WIFI_PASSWORD": SECRET})
    assert both.returncode == 2 and "both as --set and as --secret" in both.stderr


def test_guarded_scenario_leaves_the_phone_unchanged(tmp_path: Path) -> None:
    proc = run_cli("replay", str(REPO / "scenarios" / "send-message-guarded"), "--runs-dir", str(tmp_path))
    assert proc.returncode == 3
    assert "declined" in proc.stderr and "Traceback" not in proc.stderr
    run_dir = next(tmp_path.iterdir())
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert run["outcome"] == "declined" and run["exit_code"] == 3
    last = json.loads((run_dir / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert last["executed"] is False and last["verdict"]["decision"] == "deny"
    assert last["verdict"]["confirmed"] is False


def test_guarded_scenario_with_yes_sends(tmp_path: Path) -> None:
    proc = run_cli("replay", str(REPO / "scenarios" / "send-message-guarded"), "--runs-dir", str(tmp_path), "--yes")
    # The message is sent, so the scenario's own expectation (nothing sent) no longer holds.
    assert proc.returncode == 1
    run = json.loads((next(tmp_path.iterdir()) / "run.json").read_text(encoding="utf-8"))
    assert run["outcome"] == "expect_failed"
    assert any("messages" in p for p in run["expect_problems"])


def test_a_run_folder_replays_like_a_scenario(tmp_path: Path) -> None:
    first = run_cli("replay", str(REPO / "scenarios" / "bluetooth-off"), "--runs-dir", str(tmp_path / "a"))
    assert first.returncode == 0, first.stderr
    run_dir = next((tmp_path / "a").iterdir())
    again = run_cli("replay", str(run_dir), "--runs-dir", str(tmp_path / "b"), "--json")
    assert again.returncode == 0, again.stderr
    run = json.loads((next((tmp_path / "b").iterdir()) / "run.json").read_text(encoding="utf-8"))
    assert run["expect_met"] is True and run["device"]["start"]["state"] == {"bluetooth": True}
