"""`qwen-agent parse` through the installed console script: exit 0 + JSON, or exit 2 + one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_cli


def test_parse_from_stdin_prints_the_normalised_action() -> None:
    reply = '<think>The switch is at the top right.</think>```json\n{"action":"click","element":"蓝牙开关",' \
            '"coordinate":[870,233],"confidence":0.9}\n```'
    proc = run_cli("parse", stdin=reply)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"action": "tap", "element": "蓝牙开关", "coordinates": [870, 233],
                                       "confidence": 0.9}


def test_parse_from_file(tmp_path: Path) -> None:
    f = tmp_path / "reply.txt"
    f.write_text('<tool_call>{"name":"mobile_use","arguments":{"action":"system_button","button":"Back"}}</tool_call>',
                 encoding="utf-8")
    proc = run_cli("parse", str(f))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["action"] == "back"


@pytest.mark.parametrize("reply", ["not json", '{"action":"tap","confidence":0.5}', '{"action":"zoom","confidence":1}'])
def test_parse_rejects_with_exit_2_and_one_line(reply: str) -> None:
    proc = run_cli("parse", stdin=reply)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qwen-agent: invalid reply:")
    assert "Traceback" not in proc.stderr


def test_parse_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("parse", str(tmp_path / "nope.txt"))
    assert proc.returncode == 2
    assert "cannot read" in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_flag_is_exit_2_one_line() -> None:
    proc = run_cli("parse", "--bogus")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
