"""The web page's session without a browser: a sensitive step waits for Yes/No on the page and
No keeps it from happening; a Chinese goal is guided in Chinese on a Chinese phone."""

from __future__ import annotations

import json
import time
from pathlib import Path

from agent.assist.run import GuideSettings
from agent.replay import ReplayModel
from agent.scenario import load
from agent.ui.controller import NO, UISession, past_runs
from tests.helpers import REPO


def _wait(session: UISession, status: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while session.snapshot().status != status:
        assert time.monotonic() < deadline, session.snapshot()
        time.sleep(0.02)


def test_a_sensitive_step_waits_for_yes_on_the_page(tmp_path: Path) -> None:
    scenario = load(REPO / "scenarios/send-message-guarded")
    settings = GuideSettings(goal="", device_spec="sim", device_options=scenario.device_options,
                             runs_dir=str(tmp_path), timeout=10)
    session = UISession(settings, lambda: ReplayModel(scenario.steps), speak=False)
    assert session.start(scenario.goal, "en")
    for _ in range(3):  # open Messages, the conversation, type: "do it for me" (queued presses)
        session.choose("do")
    _wait(session, "confirm")
    assert "Send" in session.snapshot().text and "yes" in session.snapshot().text
    session.choose(NO)
    session.wait(20)
    assert session.snapshot().status == "stopped"
    run = Path(session.snapshot().run_dir)
    meta = json.loads((run / "run.json").read_text())
    assert meta["exit_code"] == 3
    steps = [json.loads(x) for x in (run / "trajectory.jsonl").read_text().splitlines()]
    send = [s for s in steps if s["action"] and s["action"].get("element") == "Send button"]
    assert send and send[-1]["executed"] is False
    assert past_runs(tmp_path)[0]["goal"] == scenario.goal


def test_a_chinese_goal_is_guided_in_chinese(tmp_path: Path) -> None:
    scenario = load(REPO / "scenarios/zh-font-bigger")
    settings = GuideSettings(goal="", device_spec="sim", device_options={}, runs_dir=str(tmp_path),
                             timeout=10)
    # The replay's steps assume the Display screen; a plain sim starts at home, so only the first
    # instruction's language is checked here.
    session = UISession(settings, lambda: ReplayModel(scenario.steps), speak=False)
    assert session.start("把字体调大", "en")
    deadline = time.monotonic() + 30
    while "点一下" not in session.snapshot().text:
        assert time.monotonic() < deadline, session.snapshot()
        time.sleep(0.02)
    assert session.settings.device_options == {"lang": "zh"}
    session.choose("stop")
    session.wait(20)
    assert session.snapshot().text.startswith("已停止")
