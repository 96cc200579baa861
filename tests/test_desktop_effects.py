"""On a desktop the sandbox reads the words under a press off the screen: a button that says
"Pay now" needs a yes whatever the model called it (`agent/engine/screen_words.py`, OCR).

A real Tk window on a real Xvfb display, driven by `qwen-agent replay --device desktop` through
the real loop and sandbox; the window's own event log says what it received.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from actions import pixels_to_grid
from tests.tk_app import TkApp

pytest.importorskip("rapidocr_onnxruntime")  # the [ocr] extra; under CI a skip fails the run

SIZE = (1280, 800)
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def window(display: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[TkApp]:
    # Away from the top left corner, where a point on the 0-1000 grid and the pixel it maps to lie
    # close enough together to hide a mix-up of the two.
    app = TkApp(display, tmp_path / "events.jsonl", label=request.param, where="+420+180")
    try:
        yield app
    finally:
        app.stop()


def _replay(display: str, tmp_path: Path, steps: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    """Replay `steps` on the desktop with nobody at the terminal to say yes; (exit code, lines)."""
    scenario = tmp_path / "scenario"
    scenario.mkdir()
    (scenario / "scenario.yaml").write_text(
        "name: tk\ngoal: close the window\ndevice: {kind: desktop}\n"
        f"steps: {json.dumps(steps, ensure_ascii=False)}\nexpect: {{}}\n", encoding="utf-8")
    runs = tmp_path / "runs"
    cli = [sys.executable, "-c", "import sys; from agent.commands import main; sys.exit(main())"]
    proc = subprocess.run([*cli, "replay", str(scenario), "--device", "desktop", "--runs-dir", str(runs)],
                          capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL,
                          env=dict(os.environ, DISPLAY=display), cwd=REPO)
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    (run,) = runs.iterdir()
    lines = [json.loads(x) for x in (run / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()]
    return proc.returncode, lines


def _at(app: TkApp) -> list[int]:
    return list(pixels_to_grid(app.center("button"), SIZE))


def _read_label(line: dict[str, Any]) -> str:
    return " ".join(str((p.get("effect") or {}).get("label") or "") for p in line.get("primitives") or [])


@pytest.mark.parametrize("window", ["Pay now"], indirect=True)
@pytest.mark.parametrize("kind", ["tap", "double_tap", "long_press", "type"])
def test_a_button_that_says_pay_is_stopped_whatever_the_model_called_it(
        display: str, window: TkApp, tmp_path: Path, kind: str) -> None:
    step: dict[str, Any] = {"action": kind, "element": "Close button", "coordinates": _at(window),
                            "confidence": 0.95}
    if kind == "type":
        step["text"] = "ok"
    code, lines = _replay(display, tmp_path, [step, {"action": "done", "text": "closed", "confidence": 0.9}])
    assert code == 3, lines
    last = lines[-1]
    assert not last["executed"] and last["verdict"]["decision"] != "allow", last
    assert "pay" in last["verdict"]["reason"].lower() and "Close button" in last["verdict"]["reason"], last
    assert "Pay now" in _read_label(last)
    assert window.events("click") == [] and window.events("key") == []  # the window got nothing


@pytest.mark.parametrize("window", ["Open"], indirect=True)
def test_a_harmless_button_is_read_and_pressed(display: str, window: TkApp, tmp_path: Path) -> None:
    steps = [{"action": "tap", "element": "the button", "coordinates": _at(window), "confidence": 0.95},
             {"action": "done", "text": "opened", "confidence": 0.9}]
    code, lines = _replay(display, tmp_path, steps)
    assert code == 0, lines
    assert lines[0]["executed"] and _read_label(lines[0]) == "Open"
    assert window.wait_for("click"), "the button got no click"
