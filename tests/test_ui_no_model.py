"""`qwen-agent ui` and `assist` where no model can be had (no weights, no network): they start
anyway, with a banner saying how to connect one, and guide the person through the shipped
recorded tasks. The page is driven in real headless Chromium; the session also without one."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.assist.recorded import NO_MODEL, match, shipped_tasks
from agent.assist.run import GuideSettings
from agent.ui.controller import UISession
from tests.helpers import EXE, REPO, run_cli
from tests.test_ui import ARTIFACTS, _free_port, _page, _require, browser  # noqa: F401 - a fixture

OFFLINE = {"HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}


def test_the_shipped_tasks_are_the_person_facing_scenarios() -> None:
    tasks = shipped_tasks()
    goals = {t.goal for t in tasks}
    assert {"Turn off Bluetooth", "Turn on Wi-Fi", "把字体调大"} <= goals
    assert len(goals) == len(tasks)  # bluetooth-off and its recorded twin: one entry
    assert not any(t.name.startswith(("adv-", "benign-")) or "{" in t.goal for t in tasks)
    assert next(t for t in tasks if t.goal == "Turn off Bluetooth").name.startswith("bluetooth-off")
    assert match("turn off bluetooth", tasks).goal == "Turn off Bluetooth"
    assert match("order a pizza", tasks) is None


def test_a_session_without_a_model_follows_a_recorded_task(tmp_path: Path) -> None:
    settings = GuideSettings(goal="", runs_dir=str(tmp_path), timeout=10)
    session = UISession(settings, None, speak=False, recorded=shipped_tasks())
    assert not session.start("order a pizza", "en")  # nothing recorded for it: said on the page
    snap = session.snapshot()
    assert snap.status == "stopped" and snap.text.startswith(NO_MODEL["en"]) and "Turn on Wi-Fi" in snap.text
    assert session.start("Turn off Bluetooth", "en")
    for _ in range(4):
        session.choose("do")
    session.wait(30)
    assert session.snapshot().status == "done", session.snapshot().text
    assert session.device.state()["bluetooth"] is False


@pytest.fixture(scope="module")
def no_model_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, str]]:
    _require()
    runs = tmp_path_factory.mktemp("ui-no-model")
    port = _free_port()
    log_path = runs.parent / "ui-no-model.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([EXE, "ui", "--runs-dir", str(runs), "--port", str(port), "--no-speech"],
                                stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env={**os.environ, **OFFLINE})
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                assert proc.poll() is None, log_path.read_text()[-2000:]
                assert time.monotonic() < deadline, "the UI did not come up"
                time.sleep(0.3)
            yield url, runs, log_path.read_text()
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_ui_without_a_model_serves_recorded_help(no_model_server, browser) -> None:  # noqa: F811
    url, runs, log = no_model_server
    assert "no model" in log and "--base-url" in log and "Traceback" not in log
    page = _page(browser, url)
    banner = page.inner_text("#no-model")
    assert "No model is connected" in banner and "--model" in banner and "--base-url" in banner
    page.get_by_label("Turn off Bluetooth").check()  # the recorded tasks, as big radio buttons
    page.wait_for_function("document.querySelector('#goal textarea, #goal input').value == 'Turn off Bluetooth'")
    page.click("#start")
    page.wait_for_function("document.querySelector('#instruction').innerText.includes('Settings app icon')")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "no-model-step1.png"), full_page=True)
    for _ in range(4):
        page.click("#do")
        page.wait_for_timeout(300)
    page.wait_for_function("document.querySelector('#instruction').innerText.startsWith('Done!')")
    # "Where do I tap?" on a screenshot needs a model: the answer says how to connect one.
    page.get_by_role("tab", name="Ask about a screenshot").click()
    page.click("#ask")
    page.wait_for_function("document.querySelector('#answer') && "
                           "document.querySelector('#answer').innerText.includes('No model is connected')")
    page.close()


def test_assist_without_a_model_follows_the_recorded_task(tmp_path: Path) -> None:
    proc = run_cli("assist", "turn off bluetooth", "--runs-dir", str(tmp_path), "--wait", "20",
                   stdin="d\nd\nd\nd\n", env=OFFLINE, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "no model" in proc.stderr and "--base-url" in proc.stderr and "Traceback" not in proc.stderr


def test_assist_without_a_model_lists_the_recorded_tasks_to_pick(tmp_path: Path) -> None:
    tasks = shipped_tasks()
    wifi = next(i for i, t in enumerate(tasks, 1) if t.goal == "Turn on Wi-Fi")
    proc = run_cli("assist", "make my phone quieter", "--runs-dir", str(tmp_path), "--wait", "20",
                   stdin=f"{wifi}\n" + "d\n" * 4, env=OFFLINE, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "1. " in proc.stderr and "Turn on Wi-Fi" in proc.stderr
    # Nobody there to pick: one line naming how to pick one, exit 2.
    none = run_cli("assist", "make my phone quieter", "--runs-dir", str(tmp_path), env=OFFLINE)
    assert none.returncode == 2 and "--replay" in none.stderr.splitlines()[-1]
    assert "Traceback" not in none.stderr
