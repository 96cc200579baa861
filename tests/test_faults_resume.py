"""`replay RUN --resume`: an interrupted run is restored on the simulated phone (its executed
steps re-executed) and the model carries on to the goal."""

from __future__ import annotations

import io
import json
from pathlib import Path

from agent.engine.loop import LoopOptions
from agent.engine.person import Unattended
from agent.engine.session import RunPlan, execute
from agent.engine.view import JsonView
from agent.imaging import DEFAULT_MAX_PIXELS
from agent.replay import ReplayModel
from agent.scenario import load
from policies import load_policy
from tests.helpers import REPO, run_cli
from tests.test_backend_openai import FakeServer, Scripted, chunk


def _interrupted(tmp: Path) -> Path:
    """bluetooth-off, cut after its third step (the recording ends: exit 1, not done)."""
    scenario = load(REPO / "scenarios" / "bluetooth-off")
    plan = RunPlan(goal=scenario.goal, device_spec="sim", device_options=scenario.device_options,
                   policy=load_policy(None), loop=LoopOptions(max_pixels=DEFAULT_MAX_PIXELS, settle=None),
                   runs_dir=str(tmp), interactive=False, expect=scenario.expect)
    result = execute(plan, ReplayModel(list(scenario.steps[:3])), person=Unattended(),
                     view=JsonView(io.StringIO()))
    assert result.exit_code == 1 and result.steps == 3
    return Path(result.run_dir)


def test_resume_restores_the_phone_and_the_model_finishes(tmp_path: Path) -> None:
    old = _interrupted(tmp_path / "first")
    rest = load(REPO / "scenarios" / "bluetooth-off").steps[3:]
    script = [Scripted(events=[chunk(content=json.dumps(step))]) for step in rest]
    with FakeServer(script) as server:
        proc = run_cli("replay", str(old), "--resume", "--backend", "openai", "--base-url", server.url,
                       "--model", "q", "--runs-dir", str(tmp_path / "second"), "--json")
        asked = len(server.requests)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert asked == 2  # only the steps after the restored ones went to the model
    new = next((tmp_path / "second").iterdir())
    run = json.loads((new / "run.json").read_text(encoding="utf-8"))
    assert run["resumed_from"] == str(old) and run["restored_steps"] == 3
    assert run["expect_met"] is True and run["outcome"] == "done"


def test_nothing_to_resume_is_one_line(tmp_path: Path) -> None:
    proc = run_cli("replay", str(REPO / "scenarios" / "bluetooth-off"), "--runs-dir", str(tmp_path))
    assert proc.returncode == 0
    done = next(tmp_path.iterdir())
    again = run_cli("replay", str(done), "--resume", "--runs-dir", str(tmp_path / "x"))
    assert again.returncode == 2 and "nothing to resume" in again.stderr and "Traceback" not in again.stderr


def _interrupted_wifi(tmp: Path, privacy) -> Path:
    """wifi-join-secret, cut after typing the password (before Connect)."""
    scenario = load(REPO / "scenarios" / "wifi-join-secret")
    steps = list(scenario.steps[:2])
    if not privacy.secrets:  # --redact only: the model typed the password itself
        steps[1] = {**steps[1], "text": "plain-pass-99"}
    plan = RunPlan(goal=scenario.goal, device_spec="sim", device_options=scenario.device_options,
                   policy=load_policy(None), loop=LoopOptions(max_pixels=DEFAULT_MAX_PIXELS, settle=None),
                   runs_dir=str(tmp), interactive=False, expect=scenario.expect, privacy=privacy)
    result = execute(plan, ReplayModel(steps), person=Unattended(yes=True),
                     view=JsonView(io.StringIO()))
    assert result.exit_code == 1 and result.steps == 2
    return Path(result.run_dir)


def test_resume_types_a_secret_again_only_when_given_again(tmp_path: Path) -> None:
    from agent.engine.privacy import Privacy

    old = _interrupted_wifi(tmp_path / "first", Privacy(secrets={"WIFI_PASSWORD": "resume-secret-1"}))
    args = ["replay", str(old), "--resume", "--runs-dir", str(tmp_path / "second"), "--json", "--yes"]
    missing = run_cli(*args, "--backend", "openai", "--base-url", "http://127.0.0.1:9/v1", "--model", "q")
    assert missing.returncode == 2 and "--secret WIFI_PASSWORD=env:VAR" in missing.stderr
    rest = load(REPO / "scenarios" / "wifi-join-secret").steps[2:]
    script = [Scripted(events=[chunk(content=json.dumps(step))]) for step in rest]
    with FakeServer(script) as server:
        proc = run_cli(*args, "--secret", "WIFI_PASSWORD=env:QA_PW", "--backend", "openai",
                       "--base-url", server.url, "--model", "q", env={"QA_PW": "resume-secret-1"})
    assert proc.returncode == 0, proc.stderr + proc.stdout
    run = json.loads((next((tmp_path / "second").iterdir()) / "run.json").read_text(encoding="utf-8"))
    assert run["restored_steps"] == 2 and run["expect_met"] is True


def test_a_password_masked_by_redact_cannot_be_restored(tmp_path: Path) -> None:
    from agent.engine.privacy import Privacy

    old = _interrupted_wifi(tmp_path / "first", Privacy(redact=True))
    proc = run_cli("replay", str(old), "--resume", "--runs-dir", str(tmp_path / "second"),
                   "--backend", "openai", "--base-url", "http://127.0.0.1:9/v1", "--model", "q")
    assert proc.returncode == 2 and "typed a password that --redact masked" in proc.stderr
    assert "Traceback" not in proc.stderr
