"""The perceive -> think -> act loop on the simulated phone, with scripted models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from actions import grid_to_pixels
from agent.engine.loop import LoopOptions
from agent.engine.model import DecideRequest, ModelReply
from agent.engine.session import RunPlan, execute
from agent.imaging import DEFAULT_MAX_PIXELS
from agent.replay import ReplayModel
from devices.sim import SimPhone
from policies import load_policy


class RecordingModel(ReplayModel):
    """A replay that also keeps every request, to check what the model was told."""

    def __init__(self, steps: list[Any]) -> None:
        super().__init__(steps, name="recording")
        self.requests: list[DecideRequest] = []

    def decide(self, request: DecideRequest, on_text=None) -> ModelReply:
        self.requests.append(request)
        return super().decide(request, on_text)


def plan(tmp_path: Path, goal: str = "Turn off Bluetooth", **policy: Any) -> RunPlan:
    return RunPlan(goal=goal, device_spec="sim", device_options={}, json=True,
                   policy=load_policy().with_overrides(**policy), runs_dir=str(tmp_path),
                   loop=LoopOptions(max_pixels=DEFAULT_MAX_PIXELS, settle=None), interactive=False)


def trajectory(run_dir: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (Path(run_dir) / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()]


def tap(phone: SimPhone, label: str, confidence: float = 0.9) -> dict[str, Any]:
    return {"action": "tap", "element": label, "coordinates": list(phone.locate(label)), "confidence": confidence}


DONE = {"action": "done", "text": "finished", "confidence": 0.9}


def test_done_run_records_every_step(tmp_path: Path) -> None:
    phone = SimPhone()
    model = RecordingModel([tap(phone, "Settings"), '<think>Settings is open.</think>{"action": "done", '
                            '"text": "ok", "confidence": 0.9}'])
    result = execute(plan(tmp_path), model, SimPhone())
    assert (result.exit_code, result.outcome, result.steps) == (0, "done", 2)
    steps = trajectory(result.run_dir)
    assert [s["action"]["action"] for s in steps] == ["tap", "done"]
    assert steps[0]["executed"] is True
    assert steps[0]["pixel"] == list(grid_to_pixels(steps[0]["action"]["coordinates"], (1080, 2400)))
    assert steps[1]["thinking"] == "Settings is open."
    for s in steps:
        assert (Path(result.run_dir) / s["frame"]).is_file() and (Path(result.run_dir) / s["frame_marked"]).is_file()
        assert set(s["timings"]) == {"capture", "model", "act"}
    run = json.loads((Path(result.run_dir) / "run.json").read_text(encoding="utf-8"))
    assert run["outcome"] == "done" and run["exit_code"] == 0 and run["goal"] == "Turn off Bluetooth"
    html = (Path(result.run_dir) / "report.html").read_text(encoding="utf-8")
    assert "Turn off Bluetooth" in html and html.count("data:image/png;base64,") == 2
    # The model saw the screen at its pixel budget, and the second step knew about the first.
    assert model.requests[0].image.size[0] * model.requests[0].image.size[1] <= DEFAULT_MAX_PIXELS
    assert model.requests[1].history[0].action["action"] == "tap"


def test_marked_frame_rings_the_target(tmp_path: Path) -> None:
    phone = SimPhone()
    result = execute(plan(tmp_path), ReplayModel([tap(phone, "Settings"), DONE]), SimPhone())
    from PIL import Image

    first = trajectory(result.run_dir)[0]
    plain = Image.open(Path(result.run_dir) / first["frame"]).convert("RGB")
    marked = Image.open(Path(result.run_dir) / first["frame_marked"]).convert("RGB")
    gx, gy = first["action"]["coordinates"]
    x, y = gx * plain.width // 1000, gy * plain.height // 1000
    assert marked.getpixel((x, y)) == (232, 17, 45)  # the ring's centre dot
    assert plain.getpixel((x, y)) != (232, 17, 45)


def test_invalid_reply_is_fed_back_once_then_accepted(tmp_path: Path) -> None:
    model = RecordingModel(["I would tap the toggle", DONE])
    result = execute(plan(tmp_path), model, SimPhone())
    assert result.exit_code == 0
    assert "no JSON object" in (model.requests[1].feedback or "")
    steps = trajectory(result.run_dir)
    assert steps[0]["attempt"] == 1 and steps[0]["error"].startswith("invalid reply")
    assert steps[1]["attempt"] == 2 and steps[1]["action"]["action"] == "done"


def test_invalid_twice_stops_with_exit_1_never_counted_done(tmp_path: Path) -> None:
    result = execute(plan(tmp_path), ReplayModel(["nope", '{"action": "done"}', DONE]), SimPhone())
    assert (result.exit_code, result.outcome) == (1, "invalid_output")
    assert "invalid action twice" in result.message
    assert len(trajectory(result.run_dir)) == 2


def test_low_confidence_is_not_executed_and_the_model_is_asked_again(tmp_path: Path) -> None:
    phone = SimPhone()
    model = RecordingModel([tap(phone, "Settings", confidence=0.3), tap(phone, "Settings", 0.9), DONE])
    device = SimPhone()
    result = execute(plan(tmp_path), model, device)
    assert result.exit_code == 0
    steps = trajectory(result.run_dir)
    assert steps[0]["executed"] is False and steps[0]["verdict"]["decision"] == "retry"
    assert "0.3" in model.requests[1].feedback and steps[1]["executed"] is True
    assert device.state()["screen"] == "settings"


def test_step_limit_stops_with_exit_1(tmp_path: Path) -> None:
    steps = [{"action": "scroll", "direction": d, "confidence": 0.9} for d in ("down", "up") * 5]
    result = execute(plan(tmp_path, max_steps=3), ReplayModel(steps), SimPhone(screen="settings"))
    assert (result.exit_code, result.outcome) == (1, "step_limit")
    assert len(trajectory(result.run_dir)) == 3


def test_dry_run_decides_and_records_but_executes_nothing(tmp_path: Path) -> None:
    phone = SimPhone(state={"bluetooth": True}, screen="settings/bluetooth")
    device = SimPhone(state={"bluetooth": True}, screen="settings/bluetooth")
    result = execute(plan(tmp_path, dry_run=True), ReplayModel([tap(phone, "Use Bluetooth toggle"), DONE]), device)
    assert result.exit_code == 0
    assert device.state()["bluetooth"] is True
    assert trajectory(result.run_dir)[0]["executed"] is False


def test_failed_action_is_told_to_the_model_and_the_run_goes_on(tmp_path: Path) -> None:
    model = RecordingModel([{"action": "open_app", "app": "Telegrum", "confidence": 0.9},
                            {"action": "open_app", "app": "Settings", "confidence": 0.9}, DONE])
    device = SimPhone()
    result = execute(plan(tmp_path), model, device)
    assert result.exit_code == 0 and device.state()["screen"] == "settings"
    first = trajectory(result.run_dir)[0]
    assert first["executed"] is False and "Telegrum" in first["error"]
    assert model.requests[1].feedback.startswith("Your last action failed")


def test_ask_user_without_a_person_stops_with_exit_1(tmp_path: Path) -> None:
    result = execute(plan(tmp_path), ReplayModel([{"action": "ask_user", "text": "Enter your PIN",
                                                   "confidence": 0.9}]), SimPhone())
    assert (result.exit_code, result.outcome) == (1, "ask_user")
    assert "Enter your PIN" in result.message


def test_repeating_an_action_on_an_unchanged_screen_replans_then_stops(tmp_path: Path) -> None:
    # A tap on blank space below the Bluetooth settings changes nothing on the screen.
    blank = {"action": "tap", "element": "blank area", "coordinates": [500, 850], "confidence": 0.9}
    model = RecordingModel([blank] * 12)
    result = execute(plan(tmp_path, max_retries=5), model, SimPhone(screen="settings/bluetooth"))
    assert (result.exit_code, result.outcome) == (1, "loop")
    verdicts = [s["verdict"]["decision"] for s in trajectory(result.run_dir)]
    assert verdicts[:3] == ["allow"] * 3 and verdicts[3] == "retry"
    assert any("re-plan" in (r.feedback or "") or "same action" in (r.feedback or "") for r in model.requests)


def test_denied_kind_stops_with_exit_3(tmp_path: Path) -> None:
    result = execute(plan(tmp_path, deny_actions=("open_app",)),
                     ReplayModel([{"action": "open_app", "app": "Settings", "confidence": 0.9}]), SimPhone())
    assert (result.exit_code, result.outcome) == (3, "denied")


def test_parallel_runs_share_a_new_runs_dir_without_a_race(tmp_path: Path) -> None:
    """eval --concurrency: runs starting at once into a runs dir that does not exist yet."""
    import threading

    from agent.engine.rundir import new_run_dir

    base, made, errors = tmp_path / "fresh" / "runs", [], []
    barrier = threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        try:
            made.append(new_run_dir(base, "same goal"))
        except OSError as err:  # the race this guards against: FileExistsError on the base
            errors.append(err)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(made)) == 8
