"""`qwen-agent assist` as a person uses it on a terminal, and `--speak` through real espeak-ng."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import pytest

from actions import from_dict
from agent.assist.instruct import instruction
from agent.assist.speech import Speaker, synthesize
from tests.helpers import REPO, run_cli


def _espeak() -> None:
    # Never skipped: a machine without it must fail loudly, naming the package.
    assert shutil.which("espeak-ng"), "espeak-ng is missing: apt-get install espeak-ng"


def _wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_speak_writes_a_wav_per_instruction(lang: str, tmp_path: Path) -> None:
    _espeak()
    actions = [from_dict(d) for d in (
        {"action": "tap", "element": "Bluetooth switch", "coordinates": [850, 240], "confidence": 1},
        {"action": "scroll", "direction": "down", "confidence": 1},
        {"action": "back", "confidence": 1},
    )]
    speaker = Speaker(tmp_path / "speech", lang, play=False)
    wavs = [speaker.say(instruction(a, lang)) for a in actions]
    assert [w.name for w in wavs] == ["0001.wav", "0002.wav", "0003.wav"]
    for wav in wavs:
        assert _wav_seconds(wav) > 0.5  # real speech, not an empty file


def test_the_chinese_voice_speaks_chinese(tmp_path: Path) -> None:
    _espeak()
    # The Mandarin voice reads the characters; a voice that skipped them would be near silent.
    zh = synthesize("点一下屏幕上方的蓝牙开关", "zh", tmp_path / "zh.wav")
    assert _wav_seconds(zh) > 1.0


def test_assist_cli_do_it_for_me_with_speech(tmp_path: Path) -> None:
    _espeak()
    proc = run_cli("assist", "Turn off Bluetooth", "--replay", str(REPO / "scenarios/bluetooth-off"),
                   "--runs-dir", str(tmp_path), "--speak", "--wait", "5", stdin="r\nd\nd\nd\nd\n")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Tap the Settings app icon on the left side of the screen." in proc.stderr
    assert "Tap Connected devices in the middle of the screen." in proc.stderr
    assert "Done! Bluetooth is now off." in proc.stderr
    run = next(tmp_path.iterdir())
    # 4 steps + 1 repeat + the "Done" line, each spoken to its own file
    assert len(list((run / "speech").glob("*.wav"))) == 6
    assert len(list((run / "guide").glob("*-guide.png"))) == 4


def test_assist_cli_stop_exits_3(tmp_path: Path) -> None:
    proc = run_cli("assist", "把字体调大", "--replay", str(REPO / "scenarios/zh-font-bigger"),
                   "--runs-dir", str(tmp_path), "--wait", "5", stdin="s\n")
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert "点一下" in proc.stderr and "已停止" in proc.stderr


def test_assist_cli_sensitive_without_a_terminal_is_refused(tmp_path: Path) -> None:
    proc = run_cli("assist", "Text Mom", "--replay", str(REPO / "scenarios/send-message-guarded"),
                   "--runs-dir", str(tmp_path), "--wait", "5", stdin="d\nd\nd\nd\n")
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert "refused" in proc.stderr
