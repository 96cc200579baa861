"""`qwen-agent record --device sim` (the person types actions on stdin) and `{name}` placeholders
filled with `replay --set`."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from agent.scenario import load, placeholders
from tests.helpers import run_cli

NOTE = """name: note-param
goal: 'Write a note: {note}'
device: {kind: sim, lang: en, screen: home}
steps:
- {action: open_app, app: Notes, confidence: 0.95}
- {action: tap, element: New note button, coordinates: [802, 899], confidence: 0.9}
- {action: type, text: '{note}', element: Note, confidence: 0.9}
- {action: tap, element: Save, coordinates: [893, 78], confidence: 0.9}
- {action: done, text: The note is saved., confidence: 0.9}
expect:
  state:
    notes: ['Shopping list: eggs, milk, bread', '{note}']
"""


def test_record_on_the_sim_then_replay_to_the_same_end_state(tmp_path: Path) -> None:
    demo = "tap Settings\ntap Connected devices\ntap Bluetooth\ntap Use Bluetooth\nstop\n"
    proc = run_cli("record", "bt", "--goal", "Turn off Bluetooth", "--out", str(tmp_path),
                   "--expect-text", "Use Bluetooth", stdin=demo)
    assert proc.returncode == 0, proc.stderr
    data = yaml.safe_load((tmp_path / "bt" / "scenario.yaml").read_text())
    assert [s["action"] for s in data["steps"]] == ["tap"] * 4 + ["done"]
    assert data["expect"] == {"state": {"screen": "settings/bluetooth", "bluetooth": False},
                              "text": ["Use Bluetooth"]}
    assert len(data["frames"]) == 4 and all((tmp_path / "bt" / f).is_file() for f in data["frames"])
    again = run_cli("replay", str(tmp_path / "bt"), "--runs-dir", str(tmp_path / "runs"), "--json")
    assert again.returncode == 0, again.stderr
    run_dir = Path(json.loads(again.stdout.splitlines()[-1])["run_dir"])
    assert json.loads((run_dir / "run.json").read_text())["expect_met"] is True
    assert json.loads((run_dir / "verify.json").read_text())["model_calls"] == 0


def test_record_refuses_an_unknown_command_and_an_existing_scenario(tmp_path: Path) -> None:
    bad = run_cli("record", "x", "--out", str(tmp_path), stdin="fly to the moon\n")
    assert bad.returncode == 2 and "cannot read 'fly to the moon'" in bad.stderr
    assert "Traceback" not in bad.stderr
    run_cli("record", "y", "--out", str(tmp_path), stdin="tap Settings\n")
    twice = run_cli("record", "y", "--out", str(tmp_path), stdin="tap Settings\n")
    assert twice.returncode == 2 and "already holds a scenario" in twice.stderr


def test_typed_password_is_not_stored(tmp_path: Path) -> None:
    from actions import Type
    from agent.demonstration import PASSWORD_STEP, scenario_steps
    from devices.recording import DemoEvent

    steps = scenario_steps([DemoEvent(Type(text="hunter2", confidence=1.0), None, secret=True)], "log in")
    assert steps[0] == {"action": "ask_user", "text": PASSWORD_STEP, "confidence": 1.0}
    assert "hunter2" not in json.dumps(steps)


def test_placeholders_are_filled_with_set(tmp_path: Path) -> None:
    folder = tmp_path / "note-param"
    folder.mkdir()
    (folder / "scenario.yaml").write_text(NOTE)
    assert placeholders(load(folder)) == ["note"]
    proc = run_cli("replay", str(folder), "--set", "note=Water the plants", "--runs-dir", str(tmp_path / "r"), "--json")
    assert proc.returncode == 0, proc.stderr
    run_dir = Path(json.loads(proc.stdout.splitlines()[-1])["run_dir"])
    run = json.loads((run_dir / "run.json").read_text())
    assert run["goal"] == "Write a note: Water the plants" and run["expect_met"] is True


def test_a_missing_value_is_one_line_before_anything_runs(tmp_path: Path) -> None:
    folder = tmp_path / "note-param"
    folder.mkdir()
    (folder / "scenario.yaml").write_text(NOTE)
    runs = tmp_path / "runs"
    proc = run_cli("replay", str(folder), "--runs-dir", str(runs))
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("qwen-agent: error: note-param needs --set note=VALUE "
                                   "(or, for a password, --secret NAME=env:VAR)")
    assert not runs.exists()  # nothing ran, nothing recorded
    typo = run_cli("replay", str(folder), "--set", "note=x", "--set", "nte=y", "--runs-dir", str(runs))
    assert typo.returncode == 2 and "no placeholder {nte}" in typo.stderr
    malformed = run_cli("replay", str(folder), "--set", "note", "--runs-dir", str(runs))
    assert malformed.returncode == 2 and "NAME=VALUE" in malformed.stderr
