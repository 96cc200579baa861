"""Guide mode reports what happened: "Done!" only when the screen showed the goal reached. A step
the person did not do is recorded as not executed, and the run does not end in success."""

from __future__ import annotations

import json
from pathlib import Path

from agent.assist.guide import DO, Guidance, GuidePerson
from agent.assist.run import GuideSettings, guide
from agent.engine.rundir import read_trajectory
from agent.replay import ReplayModel
from agent.scenario import load
from devices.sim import SimPhone
from policies import ScriptedConfirmer
from tests.helpers import REPO, run_cli

SCENARIO = REPO / "scenarios" / "bluetooth-off"


def test_nobody_at_the_terminal_is_no_success(tmp_path: Path) -> None:
    """The issue's case: `assist ... --replay ... </dev/null` printed "Done! Bluetooth is now off."
    and exited 0 while nothing was done."""
    proc = run_cli("assist", "turn off Bluetooth", "--replay", str(SCENARIO), "--wait", "1",
                   "--runs-dir", str(tmp_path), stdin="")
    assert proc.returncode == 1, proc.stderr[-1500:]
    assert "Done!" not in proc.stderr and "nobody did step 1" in proc.stderr
    run = next(tmp_path.iterdir())
    steps = read_trajectory(run)
    assert len(steps) == 1 and steps[0].executed is False  # shown once, not done, not moved on
    assert json.loads((run / "run.json").read_text())["outcome"] == "not_done"


class Slow:
    """A person who is there but does nothing for the first `idle` showings, then does each step
    with their own finger."""

    absent = False

    def __init__(self, phone: SimPhone, idle: int) -> None:
        self.phone, self.idle, self.shown = phone, idle, []

    def show(self, guidance: Guidance) -> None:
        self.shown.append(guidance)

    def choice(self, seconds: float) -> str | None:
        if not self.shown or self.shown[-1].kind != "step":
            return None
        steps = [g for g in self.shown if g.kind == "step"]
        if len(steps) <= self.idle:
            return None  # not now
        return DO


def _run(tmp_path: Path, person_idle: int, expect: dict | None = None) -> tuple:
    scenario = load(SCENARIO)
    phone = SimPhone(**scenario.device_options)
    settings = GuideSettings(goal=scenario.goal, device_options=scenario.device_options, timeout=0.5,
                             runs_dir=str(tmp_path), expect=expect if expect is not None else {})
    channel = Slow(phone, person_idle)
    result, person = guide(settings, ReplayModel(scenario.steps), channel,
                           ScriptedConfirmer(default=False), device=phone, poll=0.05)
    return result, person, channel, phone


def test_a_step_not_done_is_shown_again_not_skipped(tmp_path: Path) -> None:
    result, person, channel, phone = _run(tmp_path, person_idle=1, expect=load(SCENARIO).expect)
    assert result.exit_code == 0, result.message
    steps = read_trajectory(result.run_dir)
    first, again = steps[0], steps[1]
    assert first.executed is False and again.executed is True
    assert first.action == again.action  # the same recorded step offered again, not the next one
    assert phone.state()["bluetooth"] is False
    assert channel.shown[-1].kind == "done" and channel.shown[-1].text.startswith("Done!")


def test_done_is_refused_while_the_last_step_was_not_seen_done(tmp_path: Path) -> None:
    phone = SimPhone()
    person = GuidePerson(phone, Slow(phone, idle=99), ScriptedConfirmer(default=False))
    person.waiting = True  # a step was shown and the screen never changed
    from actions import Done

    performed = person.perform(Done(text="Bluetooth is off", confidence=1.0), None, False,  # type: ignore[arg-type]
                               lambda: (_ for _ in ()).throw(AssertionError("done must not count")))
    assert performed.executed is False and "not done the last step" in performed.note
