# ruff: noqa: F811 - the fixtures app and desktop are shared with test_desktop.py by import
"""`expect.text` and `expect.template` (design.md §4: text or a template that must be on screen):
read from the UI tree (simulated phone, Android through the FAKE adb server), by OCR (RapidOCR,
offline) on a real Xvfb desktop with a real Tk window, and by OpenCV template matching; bad
expectations are one-line errors when the scenario loads; a replay whose text is missing exits 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from actions import Tap, Type, UsageError
from agent import ocr
from agent.expect import check_expect
from agent.imaging import DEFAULT_MAX_PIXELS, fit_pixel_budget
from agent.scenario import load
from devices.base import execute
from devices.sim import SimPhone
from tests.helpers import run_cli
from tests.test_android import open_phone
from tests.test_desktop import app, desktop, grid  # noqa: F401 - fixtures shared by import


def test_sim_text_from_its_widgets_in_both_languages() -> None:
    phone = SimPhone(screen="settings/bluetooth")
    assert "Use Bluetooth" in phone.screen_texts()
    assert check_expect({"text": ["use  bluetooth", "Pair new device"]}, phone) == []
    assert check_expect({"text": ["Factory reset"]}, phone) == ["expect.text: 'Factory reset' is not on the screen"]
    zh = SimPhone(lang="zh", screen="settings/display")
    assert check_expect({"text": ["深色主题"]}, zh) == []


class TreeLess(SimPhone):
    """The simulated phone as a device without a UI tree: only its pixels can say what it shows."""

    screen_texts = None  # type: ignore[assignment]


def test_ocr_reads_the_screen_where_there_is_no_ui_tree() -> None:
    assert ocr.available(), "rapidocr-onnxruntime is part of the dev extra"
    phone = TreeLess(screen="settings/bluetooth")
    assert check_expect({"text": ["Pair new device", "Car Audio"]}, phone) == []
    assert check_expect({"text": ["Transfer money"]}, phone) == ["expect.text: 'Transfer money' is not on the screen"]
    zh = TreeLess(lang="zh", screen="settings/display")
    assert check_expect({"text": ["深色主题"]}, zh) == []


def test_ocr_on_a_real_desktop_window(desktop, app) -> None:
    execute(desktop, Type(confidence=1, text="qwen agent 42", element="entry",
                         coordinates=grid(desktop, app.center("entry"))))
    assert app.wait_for("text")[-1]["value"] == "qwen agent 42"
    assert check_expect({"text": ["qwen agent 42"]}, desktop) == []
    assert check_expect({"text": ["bluetooth"]}, desktop) == ["expect.text: 'bluetooth' is not on the screen"]


def test_android_text_from_the_ui_tree(server, phone) -> None:
    device = open_phone(server)
    assert "OK button" in device.screen_texts()
    assert check_expect({"text": "OK button"}, device) == []
    phone.hierarchy = False  # no tree: OCR reads the pixels (the fake draws no words)
    assert check_expect({"text": "OK button"}, open_phone(server)) == ["expect.text: 'OK button' is not on the screen"]


def test_template_found_at_device_and_frame_scale(tmp_path: Path) -> None:
    phone = SimPhone(screen="settings/bluetooth")
    frame = fit_pixel_budget(phone.screenshot(), DEFAULT_MAX_PIXELS)  # as a recorded frame is
    x, y = (int(v * frame.width / 1080) for v in (40, 0))
    frame.crop((x, int(frame.height * 0.08), x + 300, int(frame.height * 0.16))).save(tmp_path / "t.png")
    phone.screenshot().crop((40, 300, 500, 420)).save(tmp_path / "full.png")
    expect = {"template": [str(tmp_path / "t.png"), str(tmp_path / "full.png")]}
    assert check_expect(expect, phone) == []
    execute(phone, Tap(confidence=1, element="back", coordinates=phone.locate("Navigate up")))
    problems = check_expect(expect, phone)
    assert len(problems) == 2 and all("is not on the screen (best match" in p for p in problems)


def _scenario(tmp_path: Path, expect: dict) -> Path:
    folder = tmp_path / "s"
    folder.mkdir(parents=True, exist_ok=True)
    data = {"name": "s", "goal": "Look at Bluetooth", "device": {"kind": "sim", "screen": "settings/bluetooth"},
            "steps": [{"action": "done", "text": "ok", "confidence": 0.9}], "expect": expect}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return folder


@pytest.mark.parametrize("expect, message", [
    ({"text": []}, "expect.text must be a string or a list"),
    ({"text": [3]}, "expect.text must be a string or a list"),
    ({"template": "missing.png"}, "is not a readable image"),
    ({"colour": "red"}, "expect must be a mapping with keys from"),
])
def test_bad_expectations_are_one_line_errors(tmp_path: Path, expect: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        load(_scenario(tmp_path, expect))


def test_replay_exit_code_follows_the_text_on_screen(tmp_path: Path) -> None:
    ok = run_cli("replay", str(_scenario(tmp_path / "a", {"text": ["Use Bluetooth"]})),
                 "--runs-dir", str(tmp_path / "runs"), "--json")
    assert ok.returncode == 0, ok.stderr
    bad = run_cli("replay", str(_scenario(tmp_path / "b", {"text": ["Wi-Fi password"]})),
                  "--runs-dir", str(tmp_path / "runs"), "--json")
    assert bad.returncode == 1 and "'Wi-Fi password' is not on the screen" in bad.stdout + bad.stderr
    run = json.loads(bad.stdout.splitlines()[-1])
    assert json.loads((Path(run["run_dir"]) / "run.json").read_text())["expect_met"] is False
