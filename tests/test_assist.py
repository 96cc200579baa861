"""Guide mode on the simulated phone, with the test playing the person: each shown step is done
on the phone by "hand" (at the ring), never by the agent; sensitive steps need a yes first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from actions import from_dict
from agent.assist.guide import DO, REPEAT, STOP, Guidance
from agent.assist.instruct import instruction, position_words
from agent.assist.marking import guide_image
from agent.assist.run import GuideSettings, guide
from agent.expect import check_expect
from agent.replay import ReplayModel
from agent.scenario import load
from devices.base import execute
from devices.sim import SimPhone
from policies import ScriptedConfirmer
from tests.helpers import REPO


class HandPerson:
    """Plays the person: when a step is shown, does it on the phone with a finger (the device's
    own execute at the ringed point), or answers with a scripted choice instead."""

    absent = False

    def __init__(self, phone: SimPhone, choices: list[str | None] | None = None) -> None:
        self.phone = phone
        self.choices = list(choices or [])
        self.seen: list[Guidance] = []
        self.pending: str | None = None

    def show(self, guidance: Guidance) -> None:
        self.seen.append(guidance)
        if guidance.kind != "step" or guidance.action is None:
            return
        if self.choices:
            self.pending = self.choices.pop(0)
        if self.pending is None:
            execute(self.phone, guidance.action)  # the person's finger

    def choice(self, seconds: float) -> str | None:
        picked, self.pending = self.pending, None
        return picked


def _scenario(name: str):
    scenario = load(REPO / "scenarios" / name)
    phone = SimPhone(**scenario.device_options)
    return scenario, phone


def _settings(scenario, tmp_path: Path, timeout_s: float = 5.0, **kw) -> GuideSettings:
    return GuideSettings(goal=scenario.goal, device_spec="sim", device_options=scenario.device_options,
                         lang=scenario.device.get("lang", "en"), runs_dir=str(tmp_path),
                         timeout=timeout_s, **kw)


@pytest.mark.parametrize("name", ["bluetooth-off", "zh-font-bigger", "font-larger"])
def test_the_person_reaches_the_end_state(name: str, tmp_path: Path) -> None:
    scenario, phone = _scenario(name)
    person = HandPerson(phone)
    result, actor = guide(_settings(scenario, tmp_path), ReplayModel(scenario.steps), person,
                          ScriptedConfirmer(), device=phone, poll=0.01)
    assert result.exit_code == 0, result.message
    assert check_expect(scenario.expect, phone) == []
    steps = [g for g in person.seen if g.kind == "step"]
    assert len(steps) == sum(1 for s in scenario.steps if s["action"] != "done")
    assert person.seen[-1].kind == "done"
    assert person.seen[-1].text.startswith("完成了" if scenario.device.get("lang") == "zh" else "Done!")
    for g in steps:
        assert g.image_path is not None and g.image_path.is_file()
    # Every step was done by the person: the run records them as executed, each told to the model.
    run_dir = Path(result.run_dir)
    lines = [json.loads(x) for x in (run_dir / "trajectory.jsonl").read_text().splitlines()]
    assert all(e["executed"] for e in lines)


def test_do_it_for_me_and_repeat(tmp_path: Path) -> None:
    scenario, phone = _scenario("bluetooth-off")
    person = HandPerson(phone, [REPEAT, DO, DO, DO])
    result, _ = guide(_settings(scenario, tmp_path), ReplayModel(scenario.steps), person,
                      ScriptedConfirmer(), device=phone, poll=0.01)
    assert result.exit_code == 0, result.message
    assert phone.state()["bluetooth"] is False
    steps = [g for g in person.seen if g.kind == "step"]
    assert [g.step for g in steps] == [1, 1, 2, 3, 4]  # step 1 shown twice (repeat)


def test_stop_ends_the_run_with_exit_3(tmp_path: Path) -> None:
    scenario, phone = _scenario("bluetooth-off")
    person = HandPerson(phone, [None, STOP])
    result, _ = guide(_settings(scenario, tmp_path), ReplayModel(scenario.steps), person,
                      ScriptedConfirmer(), device=phone, poll=0.01)
    assert result.exit_code == 3 and "stopped by the user" in result.message
    assert phone.state()["bluetooth"] is True
    assert person.seen[-1].kind == "stopped"


def test_a_sensitive_step_needs_a_yes(tmp_path: Path) -> None:
    scenario, phone = _scenario("send-message-guarded")
    person = HandPerson(phone)
    confirmer = ScriptedConfirmer([False])
    result, _ = guide(_settings(scenario, tmp_path), ReplayModel(scenario.steps), person, confirmer,
                      device=phone, poll=0.01)
    assert result.exit_code == 3
    assert [a.kind for a, _ in confirmer.asked] == ["tap"] and "Send" in confirmer.asked[0][0].element
    assert phone.state()["messages"] == [] or all(
        "late" not in json.dumps(m) for m in phone.state()["messages"])
    assert all("Send" not in (g.action.element or "") for g in person.seen
               if g.action is not None and hasattr(g.action, "element"))


def test_a_sensitive_step_with_yes_is_left_to_the_person(tmp_path: Path) -> None:
    scenario, phone = _scenario("send-message-guarded")
    before = json.dumps(phone.state()["messages"], ensure_ascii=False)
    person = HandPerson(phone, [DO, DO, DO, DO])  # asks the agent to do the Send tap too
    result, _ = guide(_settings(scenario, tmp_path, timeout_s=0.3), ReplayModel(scenario.steps), person,
                      ScriptedConfirmer([True]), device=phone, poll=0.01)
    send = [g for g in person.seen if g.kind == "step" and g.sensitive]
    assert len(send) == 1 and "Send" in send[0].action.element
    notes = [g for g in person.seen if g.kind == "note"]
    assert notes and "yourself" in notes[0].text  # "do it for me" refused for the sensitive step
    assert json.dumps(phone.state()["messages"], ensure_ascii=False) == before  # nothing sent
    lines = [json.loads(x) for x in (Path(result.run_dir) / "trajectory.jsonl").read_text().splitlines()]
    assert [e["executed"] for e in lines if e["action"]["action"] == "tap"][-1] is False


def test_a_sensitive_step_with_yes_done_by_the_person_sends(tmp_path: Path) -> None:
    scenario, phone = _scenario("send-message-guarded")
    before = json.dumps(phone.state()["messages"], ensure_ascii=False)
    person = HandPerson(phone, [DO, DO, DO, None])  # the person taps Send with their own finger
    result, _ = guide(_settings(scenario, tmp_path), ReplayModel(scenario.steps), person,
                      ScriptedConfirmer([True]), device=phone, poll=0.01)
    assert json.dumps(phone.state()["messages"], ensure_ascii=False) != before
    assert "10 minutes late" in json.dumps(phone.state()["messages"], ensure_ascii=False)
    assert result.outcome in ("done", "expect_failed")  # the scenario expects nothing sent


def test_instructions_are_plain_and_bilingual() -> None:
    tap = from_dict({"action": "tap", "element": "Bluetooth switch", "coordinates": [850, 120],
                     "confidence": 0.9})
    assert instruction(tap) == "Tap the Bluetooth switch near the top right."
    assert instruction(tap, "zh") == "点一下屏幕上方靠右的“Bluetooth switch”。"
    scroll = from_dict({"action": "scroll", "direction": "down", "confidence": 0.9})
    assert instruction(scroll) == "Slide the screen up with one finger."
    assert instruction(scroll, "zh") == "用一根手指把屏幕向上滑动。"
    assert position_words((500, 500)) == "in the middle of the screen"
    assert position_words((100, 900), "zh") == "屏幕下方靠左"
    for d in ({"action": "back", "confidence": 1}, {"action": "home", "confidence": 1},
              {"action": "key", "key": "enter", "confidence": 1},
              {"action": "open_app", "app": "Messages", "confidence": 1},
              {"action": "type", "text": "hi", "element": "Message", "coordinates": [5, 5], "confidence": 1},
              {"action": "swipe", "element": "list", "coordinates": [500, 800], "to": [500, 200],
               "confidence": 1}):
        for lang in ("en", "zh"):
            text = instruction(from_dict(d), lang)
            assert text and "{" not in text and len(text) < 80


def test_guide_image_dims_outside_the_ring() -> None:
    image = Image.new("RGB", (1080, 2400), (200, 200, 200))
    tap = from_dict({"action": "tap", "element": "x", "coordinates": [500, 500], "confidence": 1})
    marked = guide_image(image, tap)
    assert marked.getpixel((540, 1200)) == (200, 200, 200)  # the target stays bright
    assert marked.getpixel((30, 30))[0] < 100  # the rest is dimmed
    ring = [marked.getpixel((540 + r, 1200)) for r in range(100, 200)]
    assert (255, 212, 0) in ring  # the yellow ring
