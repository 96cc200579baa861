"""End to end: `qwen-agent run` with the tiny random model on the simulated phone.

Greedy decoding makes the random model's three steps deterministic; whatever it does, the run
must record three decided steps (thinking, action, timings, token counts) and exit 1 (not done).
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")

from tests.helpers import run_cli  # noqa: E402
from tests.tiny_model import cached_tiny_model  # noqa: E402


def test_run_three_steps_on_the_sim_with_the_tiny_model(tmp_path):
    tiny = cached_tiny_model()
    result = run_cli("run", "turn off Bluetooth", "--device", "sim", "--model", str(tiny), "--max-steps", "3",
                     "--runs-dir", str(tmp_path), "--temperature", "0", "--max-new-tokens", "16", timeout=300)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    (run,) = list(tmp_path.iterdir())
    steps = [json.loads(line) for line in (run / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(steps) == 3
    for step in steps:
        assert step["raw_reply"].startswith("<think>\n")
        assert isinstance(step["thinking"], str) and step["thinking"]
        assert step["action"]["action"]
        assert step["timings"]["model"] > 0
        assert step["tokens"]["image"] == 1272 and step["tokens"]["prompt"] > 1272
        assert step["tokens"]["completion"] > 0
    meta = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert meta.get("exit_code", 1) == 1
