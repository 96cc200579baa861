"""The harness's own cost per step, without the model: `qwen-agent bench` (harness part).

    desktop capture       median time of one mss capture on an Xvfb display it starts (1920x1080)
                          or on the display given (`--display :N`)
    harness per step      a replayed run on that display (capture + settle-free perceive + parse +
                          sandbox + execute + record), model time excluded, as a ratio to capture
    simulated phone       the same per-step figure on the built-in phone
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from agent.bench_report import Figures
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
    """Seconds per step of a replayed run on `device`, model time taken out; and the medians of
    the parts the trajectory records."""
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
    parts = {k: statistics.median(e["timings"][k] for e in entries) for k in ("capture", "act")}
    return (total - model_s) / len(entries), parts


def run(figures: Figures | None = None, *, steps: int = STEPS, grabs: int = 30,
        display: str | None = None) -> None:
    """The harness figures. `display`: an X display to measure on (":N"); None starts a private
    Xvfb for the measurement and stops it on every way out."""
    from devices.sim import SimPhone

    figures = figures or Figures()
    per_step, parts = harness_step_seconds(SimPhone(screen="settings"), "sim", steps)
    figures.line(f"harness per step  simulated phone: {per_step * 1000:.0f} ms "
                 f"(perceive {parts['capture'] * 1000:.0f} ms, act {parts['act'] * 1000:.1f} ms; model excluded)")
    figures.cell("harness_sim", f"{per_step * 1000:.0f} ms (perceive {parts['capture'] * 1000:.0f} ms: "
                                "render, downscale, digest)")
    if importlib.util.find_spec("mss") is None or importlib.util.find_spec("pyautogui") is None:
        figures.line("desktop figures  not measured: needs mss and pyautogui (pip install 'qwen-agent[desktop]')")
        return
    from devices.desktop import DesktopDevice, start_virtual_display

    started = start_virtual_display((1920, 1080)) if display is None else None
    try:
        where = f"Xvfb {started.display}" if started is not None else f"display {display}"
        _desktop(figures, DesktopDevice(display=display or started.display), where, steps, grabs)
    finally:
        if started is not None:
            started.stop()


def _desktop(figures: Figures, device: Any, display: str, steps: int, grabs: int) -> None:
    where = f"{device.size()[0]}x{device.size()[1]} on {display}"
    device.screenshot()  # warm-up: the first grab opens the X connection
    times = []
    for _ in range(grabs):
        t0 = time.perf_counter()
        device.screenshot()
        times.append(time.perf_counter() - t0)
    capture = statistics.median(times)
    per_step, parts = harness_step_seconds(device, "desktop", steps)
    figures.line(f"desktop capture  {where}: median {capture * 1000:.1f} ms")
    figures.line(f"harness per step  desktop: {per_step * 1000:.0f} ms = {per_step / capture:.1f}x capture alone "
                 f"(perceive incl. downscale {parts['capture'] * 1000:.0f} ms, act {parts['act'] * 1000:.1f} ms)")
    figures.cell("capture_desktop", f"{capture * 1000:.0f} ms")
    figures.cell("harness_desktop", f"{per_step * 1000:.0f} ms = {per_step / capture:.1f}× capture alone "
                                    f"(perceive {parts['capture'] * 1000:.0f} ms, act {parts['act'] * 1000:.0f} ms)")
