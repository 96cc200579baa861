"""`qwen-agent bench --part harness` runs end to end and prints its figures (no timing asserts)."""

from __future__ import annotations

import re

from tests.helpers import run_cli


def test_harness_benchmark_prints_capture_and_per_step_ratio() -> None:
    proc = run_cli("bench", "--part", "harness", timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert re.search(r"harness per step  simulated phone: \d+ ms", out), out
    assert re.search(r"desktop capture  1920x1080 on Xvfb :\d+: median [\d.]+ ms", out), out
    assert re.search(r"harness per step  desktop: \d+ ms = [\d.]+x capture alone", out), out
    # The device's settle wait after each action is measured too, and shown apart.
    assert re.search(r"settle wait  desktop: \d+ ms per step on top \(50 ms after each action", out), out
