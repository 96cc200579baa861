"""The console view written to a pipe or a file (a log): one printed line stays one line, however
long, so logs can be grepped; `--json` is unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.helpers import REPO, run_cli


def test_a_piped_console_view_never_wraps_mid_value(tmp_path: Path) -> None:
    # A runs folder with a long path: the "open …/report.html" line is far over 80 columns.
    runs = tmp_path / ("a-long-folder-name-for-the-run-folders-" * 3)
    proc = run_cli("replay", str(REPO / "scenarios/bluetooth-off"), "--runs-dir", str(runs),
                   env={"COLUMNS": "", "TERM": "xterm"})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    decided = [line for line in lines if line.strip().startswith("decided ")]
    assert decided and all(re.search(r"confidence \d\.\d\d$", line) for line in decided), lines
    run_dir = next(runs.iterdir())
    assert f"open {run_dir}/report.html" in lines[-1], lines[-3:]
    assert max(len(line) for line in lines) > 80  # the case that used to wrap
    assert "\x1b[" not in proc.stderr  # no colour codes in a log either


def test_json_lines_are_unchanged(tmp_path: Path) -> None:
    proc = run_cli("replay", str(REPO / "scenarios/bluetooth-off"), "--runs-dir", str(tmp_path), "--json")
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [e["event"] for e in events][:2] == ["start", "step"]
    assert events[-1]["event"] == "end" and events[-1]["exit_code"] == 0
    assert {"outcome", "exit_code", "message", "run_dir", "steps"} <= set(events[-1])
