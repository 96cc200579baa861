"""`replay RUN --resume`: an interrupted run is restored on the simulated phone (its executed
steps re-executed) and the model carries on to the goal."""

from __future__ import annotations

import io
import json
from pathlib import Path

from agent.imaging import DEFAULT_MAX_PIXELS
from agent.loop import LoopOptions
from agent.replay import ReplayModel
from agent.scenario import load
from agent.session import RunPlan, execute
from agent.view import JsonView
from policies import ScriptedConfirmer, load_policy
from tests.helpers import REPO, run_cli
from tests.test_backend_openai import FakeServer, Scripted, chunk


def _interrupted(tmp: Path) -> Path:
    """bluetooth-off, cut after its third step (the recording ends: exit 1, not done)."""
    scenario = load(REPO / "scenarios" / "bluetooth-off")
    plan = RunPlan(goal=scenario.goal, device_spec="sim", device_options=scenario.device_options,
                   policy=load_policy(None), loop=LoopOptions(max_pixels=DEFAULT_MAX_PIXELS, settle=None),
                   runs_dir=str(tmp), interactive=False, expect=scenario.expect)
    result = execute(plan, ReplayModel(list(scenario.steps[:3])), confirmer=ScriptedConfirmer(),
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
