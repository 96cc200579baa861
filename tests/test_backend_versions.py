"""The transformers range: one tiny-model step with the floor release (in its own venv, built by
tests/extra_venvs.sh floor) and with the newest (this venv), and a one-line error below the floor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

from actions import UsageError  # noqa: E402
from agent.backends import TRANSFORMERS_FLOOR, check_transformers_version  # noqa: E402
from tests.extra_venv import REPO, venv_bin  # noqa: E402
from tests.tiny_model import cached_tiny_model  # noqa: E402

STEP = ("run", "turn off Bluetooth", "--device", "sim", "--max-steps", "1", "--thinking-budget", "6",
        "--temperature", "0")


def one_step(python: str, runs: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    """`qwen-agent run` for one step with the tiny model, in the given interpreter."""
    code = "import sys; from agent.commands import main; sys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([python, "-c", code, *STEP, "--model", str(cached_tiny_model()), "--runs-dir", runs],
                          capture_output=True, text=True, timeout=600, env=env, cwd=REPO)
    (run,) = [p for p in Path(runs).iterdir() if p.is_dir()]
    lines = (run / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()
    return proc, json.loads(lines[0])


def check_step(proc: subprocess.CompletedProcess[str], step: dict) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.returncode == 1, proc.stderr[-2000:]  # the step limit: not done, nothing broke
    assert step["raw_reply"].startswith("<think>\n") and "<tool_call>" in step["raw_reply"]
    assert step["action"]["action"] and step["error"] in (None, "")


def test_a_step_with_the_floor_transformers(tmp_path):
    python = venv_bin("floor")
    version = subprocess.run([str(python), "-c", "import transformers; print(transformers.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert tuple(int(p) for p in version.split(".")[:2]) == TRANSFORMERS_FLOOR
    check_step(*one_step(str(python), str(tmp_path)))


def test_a_step_with_the_newest_transformers(tmp_path):
    check_step(*one_step(sys.executable, str(tmp_path)))


def test_an_older_transformers_is_one_line(monkeypatch):
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "version", lambda name: "4.57.6")
    with pytest.raises(UsageError, match=r"transformers 4.57.6 is too old.*pip install -U 'transformers>=5.0'"):
        check_transformers_version()
