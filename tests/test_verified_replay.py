"""Verified replay on the simulated phone: matches without a model, re-locates a moved target,
stops (with both frames in the report) or hands over to a model when the target is gone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from agent.demonstration import write_scenario
from agent.engine.errors import RunStopped
from agent.engine.loop import LoopOptions
from agent.engine.model import DecideRequest, ModelReply
from agent.engine.report import write_report
from agent.engine.session import RunPlan, execute
from agent.expect import check_expect
from agent.imaging import DEFAULT_MAX_PIXELS, fit_pixel_budget
from agent.replay_verified import VerifiedReplayModel, load_frames
from agent.scenario import load
from agent.verify import compare
from devices.sim import SimPhone
from devices.sim.drift import Drift
from devices.sim.record import SimPerson
from policies import load_policy
from tests.helpers import run_cli

GOAL = "Turn off Bluetooth"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A person turns Bluetooth off on the simulated phone; the demonstration is a scenario."""
    phone = SimPhone(screen="home", state={"bluetooth": True})
    person = SimPerson(phone)
    before = phone.state()
    for line in ("tap Settings", "tap Connected devices", "tap Bluetooth", "tap Use Bluetooth"):
        person.command(line)
    assert phone.state()["bluetooth"] is False
    folder = tmp_path_factory.mktemp("scenarios") / "bt-off"
    after = phone.state()
    write_scenario(folder, name="bt-off", goal=GOAL, events=person.events,
                   device={"kind": "sim", "screen": "home", "state": {"bluetooth": True}},
                   expect={"state": {k: v for k, v in after.items() if before.get(k) != v}})
    return folder


class NoModel:
    name = "no-model"

    def decide(self, request: DecideRequest, on_text: Any = None) -> ModelReply:
        raise AssertionError("a matching replay must not call the model")


class QuickSettingsModel:
    """Carries on after a drift the way a model would: Bluetooth from the quick settings shade."""

    name = "scripted-fallback"

    def __init__(self, phone: SimPhone) -> None:
        self.phone = phone
        self.requests: list[DecideRequest] = []

    def decide(self, request: DecideRequest, on_text: Any = None) -> ModelReply:
        self.requests.append(request)
        if self.phone.state().get("bluetooth"):
            if "Bluetooth" not in self.phone.labels():
                step: dict[str, Any] = {"action": "swipe", "element": "status bar", "coordinates": [500, 5],
                                        "to": [500, 500], "confidence": 0.9}
            else:
                step = {"action": "tap", "element": "Bluetooth tile",
                        "coordinates": list(self.phone.locate("Bluetooth")), "confidence": 0.9}
        else:
            step = {"action": "done", "text": "Bluetooth is off.", "confidence": 0.9}
        return ModelReply(text=json.dumps(step))


def replay(folder: Path, tmp_path: Path, phone: SimPhone, fallback: Any = None,
           expect: dict[str, Any] | None = None) -> tuple[Any, VerifiedReplayModel]:
    scenario = load(folder)
    model = VerifiedReplayModel(scenario.steps, load_frames(scenario.frames), scenario.goal,
                                fallback=fallback, name="replay:test")
    plan = RunPlan(goal=scenario.goal, device_spec="sim", device_options={}, json=True,
                   policy=load_policy(), runs_dir=str(tmp_path), interactive=False,
                   loop=LoopOptions(max_pixels=DEFAULT_MAX_PIXELS, settle=None),
                   expect=scenario.expect if expect is None else expect)
    phone.close = lambda: None  # type: ignore[method-assign] - keep the phone readable afterwards
    result = execute(plan, model, phone)
    model.write_findings(result.run_dir)
    write_report(result.run_dir)
    return result, model


def test_recording_holds_frames_and_steps(recorded: Path) -> None:
    scenario = load(recorded)
    assert [s.get("element") for s in scenario.steps[:4]] == [
        "Settings", "Connected devices", "Bluetooth", "Use Bluetooth"]
    assert scenario.steps[-1]["action"] == "done"
    assert len(scenario.frames) == 4 and all(Path(f).is_file() for f in scenario.frames if f)
    assert Image.open(scenario.frames[0]).size == fit_pixel_budget(SimPhone().screenshot()).size
    assert scenario.expect == {"state": {"bluetooth": False, "screen": "settings/bluetooth"}}


def test_unchanged_screen_replays_without_a_model_call(recorded: Path, tmp_path: Path) -> None:
    phone = SimPhone(screen="home", state={"bluetooth": True}, clock="12:58")  # another time of day
    result, model = replay(recorded, tmp_path, phone, fallback=NoModel)
    assert result.exit_code == 0, result.message
    assert model.model_calls == 0 and model.drift is None
    assert [c["status"] for c in model.checks] == ["match"] * 4 + ["unchecked"]
    assert check_expect(load(recorded).expect, phone) == []


def test_shifted_layout_is_relocated_and_reaches_the_end_state(recorded: Path, tmp_path: Path) -> None:
    phone = SimPhone(screen="home", state={"bluetooth": True})
    phone.drift = Drift(row_above="Connected devices")
    result, model = replay(recorded, tmp_path, phone, fallback=NoModel)
    assert result.exit_code == 0, result.message
    assert phone.state()["bluetooth"] is False
    moved = model.checks[1]
    assert moved["status"] == "moved" and moved["shift"][1] > 40, moved
    executed = [json.loads(x) for x in (Path(result.run_dir) / "trajectory.jsonl").read_text().splitlines()]
    recorded_y = load(recorded).steps[1]["coordinates"][1]
    assert executed[1]["action"]["coordinates"][1] == recorded_y + moved["shift"][1]


def test_removed_target_stops_and_the_report_shows_both_frames(recorded: Path, tmp_path: Path) -> None:
    phone = SimPhone(screen="home", state={"bluetooth": True})
    phone.drift = Drift(remove=("Connected devices",))
    result, model = replay(recorded, tmp_path, phone)
    assert result.exit_code == 1 and result.outcome == "drift"
    assert "step 2" in result.message and "Connected devices" in result.message
    assert phone.state()["bluetooth"] is True  # nothing was tapped blind
    run_dir = Path(result.run_dir)
    findings = json.loads((run_dir / "verify.json").read_text())
    assert findings["drift"]["step"] == 2 and findings["drift"]["handed_to"] == "stop"
    both = Image.open(run_dir / findings["drift"]["image"])
    frame = Image.open(load(recorded).frames[1])
    assert both.width > 2 * frame.width and both.height >= frame.height
    html = (run_dir / "report.html").read_text()
    assert "stopped matching" in html and html.count("data:image/png;base64,") >= 2


def test_removed_target_with_a_model_hands_over_with_the_recording_as_guidance(
        recorded: Path, tmp_path: Path) -> None:
    phone = SimPhone(screen="home", state={"bluetooth": True})
    phone.drift = Drift(remove=("Connected devices",))
    fallback = QuickSettingsModel(phone)
    # The model takes another way (the quick settings shade), so only Bluetooth itself is expected.
    result, model = replay(recorded, tmp_path, phone, fallback=lambda: fallback,
                           expect={"state": {"bluetooth": False}})
    assert result.exit_code == 0, result.message
    assert phone.state()["bluetooth"] is False
    assert model.model_calls == len(fallback.requests) == 3
    goal = fallback.requests[0].goal
    assert goal.startswith(GOAL) and "step 2" in goal and 'tap "Connected devices"' in goal
    assert fallback.requests[0].history  # the replayed step is in the model's history
    findings = json.loads((Path(result.run_dir) / "verify.json").read_text())
    assert findings["drift"]["handed_to"] == "scripted-fallback"
    assert "handed over to scripted-fallback" in (Path(result.run_dir) / "report.html").read_text()


def test_compare_ignores_the_clock_and_flags_another_screen() -> None:
    settings = fit_pixel_budget(SimPhone(screen="settings").screenshot())
    later = fit_pixel_budget(SimPhone(screen="settings", clock="23:07").screenshot())
    home = fit_pixel_budget(SimPhone(screen="home").screenshot())
    assert compare(settings, later, (500, 401)).status == "match"
    assert compare(settings, home, (500, 401)).status == "drift"
    assert compare(settings, settings.resize((400, 400)), (500, 401)).status == "drift"


def test_drift_stops_before_the_step_runs(recorded: Path) -> None:
    scenario = load(recorded)
    model = VerifiedReplayModel(scenario.steps, load_frames(scenario.frames), scenario.goal)
    image = fit_pixel_budget(SimPhone(screen="settings/display").screenshot())
    with pytest.raises(RunStopped, match="step 1") as stop:
        model.decide(DecideRequest(goal=GOAL, image=image, screen=SimPhone().size(), step=1))
    assert stop.value.outcome == "drift" and model.position == 0


def test_cli_replays_a_recording_verified(recorded: Path, tmp_path: Path) -> None:
    proc = run_cli("replay", str(recorded), "--runs-dir", str(tmp_path), "--json")
    assert proc.returncode == 0, proc.stderr
    run_dir = Path(json.loads(proc.stdout.splitlines()[-1])["run_dir"])
    findings = json.loads((run_dir / "verify.json").read_text())
    assert findings["model_calls"] == 0 and findings["drift"] is None
    assert "Verified replay" in (run_dir / "report.html").read_text()


def test_removed_target_hands_over_to_the_tiny_model(recorded: Path, tmp_path: Path) -> None:
    """The real backend takes over after the drift (random weights: what it does is not checked,
    only that it was asked, with the guidance, and the report says so)."""
    from agent.backends import load_transformers
    from agent.backends.options import History, Loading, Sampling
    from tests.tiny_model import cached_tiny_model

    loaded: list[Any] = []

    def tiny() -> Any:
        loaded.append(load_transformers(Loading(str(cached_tiny_model())),
                                        Sampling(max_new_tokens=4, answer_tokens=32, constrain=False), History(),
                                        progress=False))
        return loaded[-1]

    phone = SimPhone(screen="home", state={"bluetooth": True})
    phone.drift = Drift(remove=("Connected devices",))
    scenario = load(recorded)
    model = VerifiedReplayModel(scenario.steps, load_frames(scenario.frames), scenario.goal, fallback=tiny)
    plan = RunPlan(goal=scenario.goal, device_spec="sim", device_options={}, json=True,
                   policy=load_policy().with_overrides(max_steps=3), runs_dir=str(tmp_path), interactive=False,
                   loop=LoopOptions(max_pixels=DEFAULT_MAX_PIXELS, settle=None))
    result = execute(plan, model, phone)
    model.write_findings(result.run_dir)
    write_report(result.run_dir)
    assert len(loaded) == 1 and model.model_calls >= 1
    findings = json.loads((Path(result.run_dir) / "verify.json").read_text())
    assert findings["drift"]["step"] == 2 and findings["drift"]["handed_to"] == loaded[0].name
    entries = [json.loads(x) for x in (Path(result.run_dir) / "trajectory.jsonl").read_text().splitlines()]
    assert entries[-1]["step"] >= 2 and entries[-1]["raw_reply"].startswith("<think>")
