"""Recording on a real Xvfb desktop: xdotool clicks and types into a real Tk window while the X
RECORD listener records; the recording replays into a fresh window to the same end state."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from actions import Key, Tap, Type
from agent.demonstration import write_scenario
from agent.engine.loop import LoopOptions
from agent.engine.session import RunPlan, execute
from agent.imaging import DEFAULT_MAX_PIXELS
from agent.replay_verified import VerifiedReplayModel, load_frames
from agent.scenario import load
from policies import load_policy
from tests.tk_app import TkApp


def xdotool(screen: str, *args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, env={"DISPLAY": screen, "PATH": "/usr/bin:/bin"})


def wait_for_capture(recorder, count: int, timeout: float = 10.0) -> None:
    """Like a person, act again only once the recorder has looked at the screen."""
    deadline = time.monotonic() + timeout
    while recorder.captures < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert recorder.captures >= count, "the recorder took no screenshot"


def start_recording(screen: str) -> tuple[Any, threading.Thread, list]:
    """A recorder listening on the X display `screen` in a thread, its first screenshot taken."""
    from devices.desktop.record import DesktopRecorder

    recorder = DesktopRecorder(screen, settle=0.2)
    result: list = []
    thread = threading.Thread(target=lambda: result.extend(recorder.run(seconds=60)), daemon=True)
    thread.start()
    assert recorder.ready.wait(10)
    wait_for_capture(recorder, 1)
    return recorder, thread, result


def test_desktop_recording_replays_to_the_same_end_state(display: str, tmp_path: Path) -> None:
    app = TkApp(display, tmp_path / "first.jsonl")
    try:
        recorder, thread, result = start_recording(display)
        bx, by = app.center("button")
        ex, ey = app.center("entry")
        xdotool(display, "mousemove", str(bx), str(by), "click", "1")
        wait_for_capture(recorder, 2)
        xdotool(display, "mousemove", str(ex), str(ey), "click", "1")
        wait_for_capture(recorder, 3)
        xdotool(display, "type", "--delay", "30", "hello world")
        xdotool(display, "key", "Return")
        wait_for_capture(recorder, 4)
        xdotool(display, "key", "Pause")
        thread.join(timeout=20)
        assert not thread.is_alive()
        assert app.wait_for("click") and app.events("text")[-1]["value"] == "hello world"
    finally:
        app.stop()
    kinds = [type(e.action) for e in result]
    assert kinds == [Tap, Tap, Type, Key], result
    assert result[2].action.text == "hello world" and result[3].action.key == "enter"
    folder = write_scenario(tmp_path / "desk", name="desk", goal="Press OK and enter hello world",
                            device={"kind": "desktop", "display": display}, events=result)

    again = TkApp(display, tmp_path / "second.jsonl")
    try:
        scenario = load(folder)
        model = VerifiedReplayModel(scenario.steps, load_frames(scenario.frames), scenario.goal)
        plan = RunPlan(goal=scenario.goal, device_spec="desktop", device_options={"display": display},
                       json=True, policy=load_policy(), runs_dir=str(tmp_path / "runs"), interactive=False,
                       loop=LoopOptions(max_pixels=DEFAULT_MAX_PIXELS, settle=None))
        run = execute(plan, model)
        assert run.exit_code == 0, run.message
        assert [c["status"] for c in model.checks][:2] == ["match", "match"]
        assert again.wait_for("click")
        texts = again.wait_for("text", count=len("hello world"))
        assert texts[-1]["value"] == "hello world"
    finally:
        again.stop()


def test_a_password_typed_between_two_scroll_locks_is_not_recorded(display: str, tmp_path: Path) -> None:
    from agent.demonstration import PASSWORD_STEP

    app = TkApp(display, tmp_path / "app.jsonl")
    try:
        recorder, thread, result = start_recording(display)
        ex, ey = app.center("entry")
        xdotool(display, "mousemove", str(ex), str(ey), "click", "1")
        wait_for_capture(recorder, 2)
        xdotool(display, "key", "Scroll_Lock")
        xdotool(display, "type", "--delay", "30", "s3cret pw")
        xdotool(display, "key", "Scroll_Lock")
        xdotool(display, "key", "Return")
        wait_for_capture(recorder, 3)
        xdotool(display, "key", "Pause")
        thread.join(timeout=20)
        assert not thread.is_alive()
        assert app.wait_for("text", count=len("s3cret pw"))[-1]["value"] == "s3cret pw"  # it was typed
    finally:
        app.stop()
    assert [(type(e.action), e.secret) for e in result] == [(Tap, False), (Type, True), (Key, False)], result
    assert result[2].frame is None  # the screen right after the password is not kept
    folder = write_scenario(tmp_path / "login", name="login", goal="Log in", device={"kind": "desktop"},
                            events=result)
    assert [s["action"] for s in load(folder).steps] == ["tap", "ask_user", "key", "done"]
    assert load(folder).steps[1]["text"] == PASSWORD_STEP
    assert not [p for p in folder.rglob("*") if p.is_file() and b"s3cret" in p.read_bytes()]


@pytest.mark.parametrize("name", ["Pause", "Return", "Scroll_Lock"])
def test_keysym_names(name: str) -> None:
    from Xlib import XK

    from devices.desktop.record import _keysym_name

    assert _keysym_name(XK, XK.string_to_keysym(name)) == name
