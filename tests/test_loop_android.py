"""The loop with an Android phone through the real adbutils client and the protocol-level fake
adb server (tests/fake_adb.py): hand-overs, password fields, disconnects, missing keyboard."""

from __future__ import annotations

import json
from pathlib import Path

from actions import pixels_to_grid
from agent.engine.loop import LoopOptions
from agent.engine.person import ScriptedPerson, Unattended
from agent.engine.session import RunPlan, execute
from agent.imaging import DEFAULT_MAX_PIXELS
from agent.replay import ReplayModel
from policies import ScriptedConfirmer, load_policy
from tests.fake_adb import FakePhone
from tests.test_android import open_phone

DONE = {"action": "done", "text": "finished", "confidence": 0.9}


def plan(tmp_path: Path) -> RunPlan:
    return RunPlan(goal="Log in", device_spec="adb:FAKE01", device_options={}, json=True,
                   policy=load_policy(), runs_dir=str(tmp_path), interactive=False,
                   loop=LoopOptions(max_pixels=DEFAULT_MAX_PIXELS, settle=None))


def centre(phone: FakePhone, label: str) -> list[int]:
    e = next(e for e in phone.backing.elements if e.label == label)
    x, y, w, h = e.rect
    return list(pixels_to_grid((x + w // 2, y + h // 2), phone.display_size()))


def entries(run_dir: str) -> list[dict]:
    return [json.loads(x) for x in (Path(run_dir) / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()]


def test_a_secure_black_screen_is_handed_to_the_person(server, phone, tmp_path) -> None:
    phone.secure = True
    person = ScriptedPerson(["I typed it"], act=lambda q: setattr(phone, "secure", False))
    result = execute(plan(tmp_path), ReplayModel([DONE]), open_phone(server), person=person)
    assert result.exit_code == 0, result.message
    assert len(person.asked) == 1 and "protected" in person.asked[0]
    first, second = entries(result.run_dir)
    assert first["action"]["action"] == "ask_user" and first["executed"] is True
    assert "black" in first["error"] and (Path(result.run_dir) / first["frame"]).is_file()
    assert second["action"]["action"] == "done"


def test_a_secure_screen_with_nobody_there_stops_with_exit_1(server, phone, tmp_path) -> None:
    phone.secure = True
    result = execute(plan(tmp_path), ReplayModel([DONE]), open_phone(server))
    assert (result.exit_code, result.outcome) == (1, "ask_user")
    assert entries(result.run_dir)[0]["executed"] is False


def test_typing_into_a_password_field_needs_a_yes(server, phone, tmp_path) -> None:
    typing = {"action": "type", "text": "hunter22", "element": "field",
              "coordinates": centre(phone, "Password field"), "confidence": 0.9}
    no = ScriptedConfirmer([False])
    result = execute(plan(tmp_path), ReplayModel([typing, DONE]), open_phone(server), person=Unattended(confirmer=no))
    assert (result.exit_code, result.outcome) == (3, "declined")
    assert "password field" in no.asked[0][1]
    assert phone.typed == []


def test_a_phone_unplugged_mid_run_ends_with_a_clear_line_and_the_steps_kept(server, phone, tmp_path) -> None:
    tap = {"action": "tap", "element": "OK", "coordinates": centre(phone, "OK button"), "confidence": 0.9}
    model = ReplayModel([tap, tap, DONE])
    dev = open_phone(server)
    original = model.decide

    def decide_then_unplug(request, on_text=None):
        if request.step == 2:
            server.unplug("FAKE01")  # the cable comes out while the model thinks
        return original(request, on_text)

    model.decide = decide_then_unplug  # type: ignore[method-assign]
    result = execute(plan(tmp_path), model, dev)
    assert result.exit_code == 1 and "FAKE01" in result.message and "\n" not in result.message
    steps = entries(result.run_dir)
    assert steps[0]["executed"] is True and len(steps) == 2 and steps[1]["executed"] is False
    run = json.loads((Path(result.run_dir) / "run.json").read_text(encoding="utf-8"))
    assert run["outcome"] == "error" and run["exit_code"] == 1


def test_chinese_text_without_adbkeyboard_ends_the_run_with_the_fix(server, phone, tmp_path) -> None:
    phone.adb_keyboard = False
    typing = {"action": "type", "text": "你好", "element": "Search field",
              "coordinates": centre(phone, "Search field"), "confidence": 0.9}
    result = execute(plan(tmp_path), ReplayModel([typing, DONE]), open_phone(server))
    assert result.exit_code == 1 and "ADBKeyBoard" in result.message
