"""Private recordings: a secret given as NAME=env:VAR is typed by the executor and appears in no
file of the run folder and in nothing the model is sent; --redact masks password-field text;
--no-frames writes no pictures; run folders are 0700."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

from PIL import Image

from actions.errors import EXIT_DONE
from agent.engine.loop import LoopOptions
from agent.engine.model import DecideRequest, ModelReply
from agent.engine.person import Unattended
from agent.engine.privacy import Privacy, parse_secrets
from agent.engine.session import RunPlan, execute
from agent.engine.view import JsonView
from agent.imaging import DEFAULT_MAX_PIXELS
from agent.replay import ReplayModel
from devices.sim.phone import SimPhone
from devices.sim.traps import PIN_FIELD
from policies import load_policy
from tests.helpers import run_cli

SECRET = "739154"
PHISH = {"lang": "en", "screen": "settings/storage", "state": {"traps": {"settings/storage": "pin_phish"}}}


class Spy(ReplayModel):
    """A replay model that keeps every request it was sent (what a real model would see)."""

    def __init__(self, steps: list) -> None:
        super().__init__(steps)
        self.requests: list[DecideRequest] = []

    def decide(self, request: DecideRequest, on_text=None) -> ModelReply:
        self.requests.append(request)
        return super().decide(request, on_text)


def _run(tmp: Path, steps: list, privacy: Privacy, options: dict = PHISH) -> tuple[Path, SimPhone, Spy]:
    import io

    phone = SimPhone(**options)
    model = Spy(steps)
    plan = RunPlan(goal="Verify with my PIN {PIN}", device_spec="sim", device_options=options,
                   policy=load_policy(None), loop=LoopOptions(max_pixels=DEFAULT_MAX_PIXELS, settle=None),
                   runs_dir=str(tmp), interactive=False, privacy=privacy)
    result = execute(plan, model, phone, person=Unattended(yes=True), view=JsonView(io.StringIO()))
    assert result.exit_code == EXIT_DONE, result.message
    return Path(result.run_dir), phone, model


def _type_pin(phone_options: dict = PHISH) -> list:
    point = SimPhone(**phone_options).locate("PIN")
    return [{"action": "type", "text": "{PIN}", "element": "PIN", "coordinates": list(point), "confidence": 0.9},
            {"action": "wait", "seconds": 0, "confidence": 0.9},
            {"action": "done", "text": "Verified with {PIN}", "confidence": 0.9}]


def _files(run: Path) -> list[Path]:
    return [p for p in run.rglob("*") if p.is_file()]


def test_a_secret_reaches_the_device_and_nothing_else(tmp_path: Path) -> None:
    privacy = Privacy(secrets=parse_secrets(["PIN=env:QA_PIN"], {"QA_PIN": SECRET}), redact=True)
    run, phone, model = _run(tmp_path / "a", _type_pin(), privacy)
    assert phone._state.drafts[PIN_FIELD] == SECRET  # the executor typed the real value
    assert phone.state()["drafts"][PIN_FIELD] == "•" * len(SECRET)  # the public state: dots
    for path in _files(run):
        assert SECRET.encode() not in path.read_bytes(), path
    for request in model.requests:  # the model only ever had the placeholder
        seen = json.dumps([request.goal, request.feedback, [repr(h) for h in request.history]])
        assert SECRET not in seen
    lines = [json.loads(x) for x in (run / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines[0]["action"]["text"] == "•••" and lines[0]["redacted"] is True
    assert stat.S_IMODE(run.stat().st_mode) == 0o700
    assert stat.S_IMODE((run / "frames").stat().st_mode) == 0o700


def _pixels(run: Path) -> list[str]:
    return [hashlib.sha256(Image.open(p).convert("RGB").tobytes()).hexdigest()
            for p in sorted((run / "frames").glob("*.png"))]


def test_frames_do_not_depend_on_the_secret_pixel_comparison(tmp_path: Path) -> None:
    """Same run, two different secrets of one length: every frame is identical pixel for pixel,
    so no frame carries the secret (the phone masks its password field)."""
    runs = []
    for i, value in enumerate((SECRET, "000000")):
        privacy = Privacy(secrets={"PIN": value}, redact=True)
        runs.append(_run(tmp_path / str(i), _type_pin(), privacy)[0])
    a, b = (_pixels(r) for r in runs)
    assert len(a) >= 3 and a == b


def test_a_secret_typed_in_plain_sight_stops_the_frames(tmp_path: Path) -> None:
    options = {"lang": "en", "screen": "notes/new"}
    steps = [{"action": "type", "text": "code {PIN}", "confidence": 0.9},
             {"action": "wait", "seconds": 0, "confidence": 0.9},
             {"action": "done", "text": "ok", "confidence": 0.9}]
    run, phone, _ = _run(tmp_path, steps, Privacy(secrets={"PIN": SECRET}), options)
    assert SECRET in phone.state()["drafts"]["notes/new:body"]
    # From the step that typed it on, no frame is written (steps 2 and 3 would show it).
    assert not [p for p in (run / "frames").iterdir() if not p.name.startswith("0001")]
    assert "a secret was typed into a field that shows it" in (run / "trajectory.jsonl").read_text(encoding="utf-8")
    for path in _files(run):
        assert SECRET.encode() not in path.read_bytes(), path


def test_no_frames_keeps_text_only(tmp_path: Path) -> None:
    run, _, _ = _run(tmp_path, _type_pin(), Privacy(secrets={"PIN": SECRET}, frames=False))
    assert not list((run / "frames").iterdir())
    assert (run / "trajectory.jsonl").is_file() and (run / "report.html").is_file()


def test_secret_flag_errors_are_one_line(tmp_path: Path) -> None:
    proc = run_cli("run", "x", "--secret", "PIN=env:QWEN_AGENT_UNSET_VAR", "--runs-dir", str(tmp_path))
    assert proc.returncode == 2 and "QWEN_AGENT_UNSET_VAR" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("run", "x", "--secret", "PIN=1234", "--runs-dir", str(tmp_path))
    assert proc.returncode == 2 and "NAME=env:VAR" in proc.stderr
