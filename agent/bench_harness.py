"""The harness's own cost per step, without the model: `qwen-agent bench` (harness part).

    desktop capture       median time of one 1920x1080 capture (the device's own `screenshot()`)
                          on an Xvfb display it starts
    harness per step      a replayed run on that display (capture + settle-free perceive + parse +
                          sandbox + execute + record), as a ratio to capture, measured in the same
                          run; the model's time is taken out, and so is the device's `settle` (a
                          deliberate wait after each action for the app to react), which is shown
                          apart
    simulated phone       the same per-step figure on the built-in phone
"""

from __future__ import annotations

import contextlib
import io
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from agent.engine.loop import LoopOptions
from agent.engine.session import RunPlan, execute
from agent.imaging import DEFAULT_MAX_PIXELS
from agent.replay import ReplayModel
from policies import load_policy

STEPS = 20


def _steps(n: int) -> list[dict[str, Any]]:
    # Harmless on any screen: scrolls at the centre and a key that types nothing.
    kinds = [{"action": "scroll", "direction": "down", "coordinates": [500, 500], "confidence": 0.9},
             {"action": "key", "key": "shift", "confidence": 0.9},
             {"action": "scroll", "direction": "up", "coordinates": [500, 500], "confidence": 0.9}]
    return [kinds[i % len(kinds)] for i in range(n - 1)] + [{"action": "done", "text": "ok", "confidence": 0.9}]


def harness_step_seconds(device: Any, spec: str, steps: int = STEPS) -> tuple[float, dict[str, float]]:
    """Seconds per step of a replayed run on `device`, model time (and the device's settle wait,
    where it has one) taken out; and the means of the parts, per step: `capture` (perceive),
    `act` (without the settle wait), `settle`."""
    settled = getattr(device, "settled_s", 0.0)
    with tempfile.TemporaryDirectory(prefix="qwen-agent-bench-") as runs:
        # The loop-detection rule would (rightly) stop a run that repeats itself on an unchanged
        # screen; this run repeats on purpose, so that one rule is relaxed.
        policy = load_policy().with_overrides(max_steps=steps + 1, loop_repeats=steps + 1)
        plan = RunPlan(goal="benchmark", device_spec=spec, device_options={}, policy=policy,
                       loop=LoopOptions(max_pixels=DEFAULT_MAX_PIXELS, settle=None), runs_dir=runs,
                       json=True, interactive=False)
        model = ReplayModel(_steps(steps), name="bench")
        with contextlib.redirect_stdout(io.StringIO()):
            start = time.perf_counter()
            result = execute(plan, model, device)
            total = time.perf_counter() - start
        if result.exit_code != 0:
            raise RuntimeError(f"the benchmark run did not finish: {result.message}")
        entries = [json.loads(x) for x in (Path(result.run_dir) / "trajectory.jsonl").read_text().splitlines()]
    model_s = sum(e["timings"]["model"] for e in entries)
    settle = (getattr(device, "settled_s", 0.0) - settled) / len(entries)
    parts = {k: statistics.fmean(e["timings"][k] for e in entries) for k in ("capture", "act")}
    parts = {**parts, "act": parts["act"] - settle, "settle": settle}
    return (total - model_s) / len(entries) - settle, parts


def run(print_line: Any = print) -> None:
    from devices.sim import SimPhone

    per_step, parts = harness_step_seconds(SimPhone(screen="settings"), "sim")
    print_line(f"harness per step  simulated phone: {per_step * 1000:.0f} ms "
               f"(perceive {parts['capture'] * 1000:.1f} ms, act {parts['act'] * 1000:.1f} ms; model excluded)")
    try:
        from devices.desktop import DesktopDevice, start_virtual_display
    except ImportError as err:
        print_line(f"desktop figures  not measured: {err} (pip install 'qwen-agent[desktop]')")
        return
    display = start_virtual_display((1920, 1080))
    try:
        desktop_figures(DesktopDevice(display=display.display), display.display, print_line)
    finally:
        display.stop()


def desktop_figures(device: Any, display: str, print_line: Any = print) -> float:
    """Print the bare capture and the harness per step on `device`, measured in one run; return
    their ratio."""
    device.screenshot()  # warm-up: the first grab opens the X connection
    grabs = []
    for _ in range(30):
        t0 = time.perf_counter()
        device.screenshot()
        grabs.append(time.perf_counter() - t0)
    capture = statistics.median(grabs)
    per_step, parts = harness_step_seconds(device, "desktop")
    ratio = per_step / capture
    record = per_step - parts["capture"] - parts["act"]
    print_line(f"desktop capture  1920x1080 on Xvfb {display}: median {capture * 1000:.1f} ms")
    print_line(f"harness per step  desktop: {per_step * 1000:.0f} ms = {ratio:.1f}x capture alone "
               f"(perceive incl. downscale {parts['capture'] * 1000:.1f} ms, act {parts['act'] * 1000:.1f} ms, "
               f"decide and record {record * 1000:.1f} ms; model excluded)")
    print_line(f"settle wait  desktop: {parts['settle'] * 1000:.0f} ms per step on top "
               f"({device.settle * 1000:.0f} ms after each action so the app can react; DesktopDevice(settle=...))")
    return ratio
