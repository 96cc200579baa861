"""The desktop device on a real Xvfb display, acting on a real Tk window.

Nothing is mocked: the tests start Xvfb (stopped by its pid), a Tk app in a child process, and
drive them through `DesktopDevice.execute` exactly as the agent loop does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from actions import (
    Back,
    Done,
    DoubleTap,
    Home,
    Key,
    LongPress,
    MiddleClick,
    MouseMove,
    OpenApp,
    RightClick,
    Scroll,
    Swipe,
    Tap,
    TripleClick,
    Type,
    pixels_to_grid,
)
from actions.errors import UsageError
from devices import ActionFailed, FailSafe
from devices.base import execute
from devices.conformance import check_device
from tests.tk_app import TkApp

SIZE = (1280, 800)


@pytest.fixture()
def app(display: str, tmp_path: Path) -> Iterator[TkApp]:
    try:
        import tkinter  # noqa: F401
    except ImportError:
        pytest.fail("tkinter is missing: sudo apt install python3-tk", pytrace=False)
    tk = TkApp(display, tmp_path / "events.jsonl")
    try:
        yield tk
    finally:
        tk.stop()


@pytest.fixture()
def desktop(display: str):
    from devices.desktop import DesktopDevice

    device = DesktopDevice(display=display, settle=0.05, app_settle=0.2)
    yield device
    device.close()


def grid(device, point: tuple[int, int]) -> tuple[int, int]:
    """Where a model would point, on the 0-1000 grid of this device's screenshot."""
    return pixels_to_grid(point, device.size())


def test_conformance_on_xvfb(display: str) -> None:
    from devices.desktop import DesktopDevice

    device = DesktopDevice(display=display, settle=0.0, app_settle=0.0)
    assert device.size() == SIZE
    check_device(device, app="Settings", point=(700, 700))


def test_capture_is_the_real_screen(desktop, app: TkApp) -> None:
    image = desktop.screenshot()
    assert image.size == SIZE and image.mode == "RGB"
    assert image.getpixel(app.center("canvas")) == (0xDD, 0xDD, 0xEE)  # the canvas colour


def test_tk_window_receives_pointer_actions(desktop, app: TkApp) -> None:
    execute(desktop, Tap(confidence=1, element="OK button", coordinates=grid(desktop, app.center("button"))))
    assert app.wait_for("click"), "the button got no click"
    cx, cy = app.center("canvas")
    execute(desktop, DoubleTap(confidence=1, element="canvas", coordinates=grid(desktop, (cx, cy))))
    assert app.wait_for("double")
    execute(desktop, LongPress(confidence=1, element="canvas", coordinates=grid(desktop, (cx, cy)), seconds=0.6))
    hold = app.wait_for("hold")
    assert hold and hold[-1]["seconds"] >= 0.5
    execute(desktop, Swipe(confidence=1, element="canvas", coordinates=grid(desktop, (cx - 200, cy)),
                          to=grid(desktop, (cx + 200, cy))))
    drag = app.wait_for("drag")
    assert drag and drag[-1]["end"][0] - drag[-1]["start"][0] > 350
    for direction in ("up", "down"):
        execute(desktop, Scroll(confidence=1, direction=direction, coordinates=grid(desktop, (cx, cy))))
    scrolls = app.wait_for("scroll", count=2 * desktop.scroll_clicks)
    assert [e["direction"] for e in scrolls] == ["up"] * 5 + ["down"] * 5


def test_the_computer_use_kinds_reach_the_window(desktop, app: TkApp) -> None:
    """right_click, middle_click, triple_click and mouse_move (Qwen's computer_use vocabulary)."""
    point = pixels_to_grid(app.center("canvas"), desktop.size())
    execute(desktop, RightClick(confidence=1, element="canvas", coordinates=point))
    execute(desktop, MiddleClick(confidence=1, element="canvas", coordinates=point))
    assert sorted(e["num"] for e in app.wait_for("button", 2)) == [2, 3]
    execute(desktop, TripleClick(confidence=1, element="canvas", coordinates=point))
    assert app.wait_for("triple")
    before = len(app.events("motion"))
    moved = (point[0] + 30, point[1])
    execute(desktop, MouseMove(confidence=1, element="canvas", coordinates=moved))
    assert len(app.wait_for("motion", before + 1)) > before
    x, y = app.events("motion")[-1]["x"], app.events("motion")[-1]["y"]
    assert abs(x - desktop.pointer_point(moved)[0]) <= 1 and abs(y - desktop.pointer_point(moved)[1]) <= 1


def test_horizontal_scroll_sends_wheel_buttons_6_and_7(desktop, display) -> None:
    """Tk 8.6 drops buttons 6/7, so a bare X window (python-xlib, under pyautogui) listens."""
    from Xlib import X
    from Xlib.display import Display

    conn = Display(display)
    screen = conn.screen()
    window = screen.root.create_window(0, 0, SIZE[0], SIZE[1], 0, screen.root_depth,
                                       override_redirect=True, event_mask=X.ButtonPressMask)
    window.map()
    conn.sync()
    try:
        execute(desktop, Scroll(confidence=1, direction="left", coordinates=(500, 500)))
        execute(desktop, Scroll(confidence=1, direction="right", coordinates=(500, 500)))
        buttons = []
        while len(buttons) < 2 * desktop.scroll_clicks:
            event = conn.next_event()
            if event.type == X.ButtonPress:
                buttons.append(event.detail)
        assert buttons == [6] * 5 + [7] * 5  # 6 = wheel left, 7 = wheel right
    finally:
        window.destroy()
        conn.close()


def test_tk_window_receives_chinese_text_and_keys(desktop, app: TkApp) -> None:
    text = "你好，世界 hello 123"
    execute(desktop, Type(confidence=1, text=text, element="entry",
                         coordinates=grid(desktop, app.center("entry"))))
    typed = app.wait_for("text")
    assert typed and typed[-1]["value"] == text
    execute(desktop, Key(confidence=1, key="ctrl+a"))  # Tk: select all / line start
    execute(desktop, Key(confidence=1, key="backspace"))
    execute(desktop, Key(confidence=1, key="enter"))
    keys = [e["keysym"] for e in app.wait_for("key", count=len(text) + 3)]
    assert "Return" in keys and "BackSpace" in keys
    execute(desktop, Back(confidence=1))
    assert app.wait_for("back"), "back must press alt+left"


def test_unknown_key_and_home_fail_with_a_reason(desktop) -> None:
    with pytest.raises(ActionFailed, match="unknown key"):
        execute(desktop, Key(confidence=1, key="ctrl+nosuchkey"))
    with pytest.raises(ActionFailed, match="home"):
        execute(desktop, Home(confidence=1))
    execute(desktop, Done(confidence=1, text="x"))  # the loop's own kind: nothing to perform
    with pytest.raises(ValueError):
        desktop.perform("done")  # type: ignore[arg-type]


def test_open_app_launches_an_installed_entry(desktop, display, tmp_path, monkeypatch) -> None:
    apps = tmp_path / "data" / "applications"
    apps.mkdir(parents=True)
    log = tmp_path / "launched.jsonl"
    (apps / "qa-notes.desktop").write_text(
        "[Desktop Entry]\nType=Application\nName=QA Notes\nName[zh_CN]=笔记\n"
        f"Exec={sys.executable} {Path(__file__).parent / 'tk_app.py'} {log} %U\n",
        encoding="utf-8")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "none"))
    execute(desktop, OpenApp(confidence=1, app="笔记"))
    launched = TkApp.__new__(TkApp)
    launched.log_path = log
    layout = launched.wait_for("layout", timeout=20)
    assert layout, "the application did not start"
    os.kill(layout[0]["pid"], 15)  # stop what we launched, by its own pid
    with pytest.raises(ActionFailed, match="no installed application"):
        execute(desktop, OpenApp(confidence=1, app="rm"))


def test_failsafe_corner_stops_the_run(desktop, display) -> None:
    env = dict(os.environ, DISPLAY=display)
    subprocess.run(["xdotool", "mousemove", "0", "0"], check=True, env=env)
    with pytest.raises(FailSafe, match="fail-safe"):
        execute(desktop, Tap(confidence=1, element="x", coordinates=(500, 500)))
    subprocess.run(["xdotool", "mousemove", "300", "300"], check=True, env=env)  # the person moves away
    # The agent itself never parks the pointer in a corner: grid (1000, 0) is the top-right pixel.
    execute(desktop, Tap(confidence=1, element="corner", coordinates=(1000, 0)))
    execute(desktop, Tap(confidence=1, element="centre", coordinates=(500, 500)))


def test_bad_monitor_and_display_are_usage_errors(display) -> None:
    from devices.desktop import DesktopDevice

    with pytest.raises(UsageError, match="no monitor"):
        DesktopDevice(monitor="7", display=display)
    with pytest.raises(UsageError, match="X display"):
        DesktopDevice(display=":917")
    device = DesktopDevice(display=display)  # the good display still works afterwards
    assert device.screenshot().size == SIZE
    device.close()


def test_cli_replay_drives_the_tk_window(display: str, app: TkApp, tmp_path: Path) -> None:
    """End to end through `qwen-agent replay DIR --device desktop`: loop, sandbox, recorder."""
    import json

    def at(widget: str) -> list[int]:
        return list(pixels_to_grid(app.center(widget), SIZE))

    steps = [
        {"action": "tap", "element": "OK button", "coordinates": at("button"), "confidence": 0.9},
        {"action": "type", "text": "你好 Tk", "element": "entry", "coordinates": at("entry"), "confidence": 0.9},
        {"action": "done", "text": "typed", "confidence": 0.9},
    ]
    scenario = tmp_path / "scenario"
    scenario.mkdir()
    (scenario / "scenario.yaml").write_text(
        "name: tk\ngoal: type hello in the window\ndevice: {kind: desktop}\n"
        f"steps: {json.dumps(steps, ensure_ascii=False)}\nexpect: {{}}\n", encoding="utf-8")
    cli = [sys.executable, "-c", "import sys; from agent.commands import main; sys.exit(main())"]
    result = subprocess.run([*cli, "replay", str(scenario), "--device", "desktop", "--yes",
                             "--runs-dir", str(tmp_path / "runs")], capture_output=True, text=True,
                            timeout=120, env=dict(os.environ, DISPLAY=display),
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 0, result.stderr[-2000:]
    assert app.wait_for("click"), "the button got no click"
    typed = app.wait_for("text", count=len("你好 Tk"))
    assert typed and typed[-1]["value"] == "你好 Tk"
