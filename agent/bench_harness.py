"""The harness's own cost per step, without the model: `qwen-agent bench` (harness part).

    desktop capture       median time of one 1920x1080 capture (the device's own `screenshot()`)
                          on an Xvfb display it starts, or on the display given (`--display :N`)
    harness per step      a replayed run on that display (capture + settle-free perceive + parse +
                          sandbox + execute + record), as a ratio to capture, measured in the same
                          run; the model's time is taken out, and so is the device's `settle` (a
                          deliberate wait after each action for the app to react), which is shown
                          apart
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


def run(figures: Figures | None = None, *, steps: int = STEPS, grabs: int = 30,
        display: str | None = None) -> None:
    """The harness figures. `display`: an X display to measure on (":N"); None starts a private
    Xvfb for the measurement and stops it on every way out."""
    from devices.sim import SimPhone

    figures = figures or Figures()
    per_step, parts = harness_step_seconds(SimPhone(screen="settings"), "sim", steps)
    figures.line(f"harness per step  simulated phone: {per_step * 1000:.0f} ms "
                 f"(perceive {parts['capture'] * 1000:.1f} ms, act {parts['act'] * 1000:.1f} ms; model excluded)")
    figures.cell("harness_sim", f"{per_step * 1000:.0f} ms (perceive {parts['capture'] * 1000:.0f} ms: "
                                "render, downscale, digest)")
    if importlib.util.find_spec("mss") is None or importlib.util.find_spec("pyautogui") is None:
        figures.line("desktop figures  not measured: needs mss and pyautogui (pip install 'qwen-agent[desktop]')")
        return
    from devices.desktop import DesktopDevice, start_virtual_display

    started = start_virtual_display((1920, 1080)) if display is None else None
    try:
        where = f"Xvfb {started.display}" if started is not None else f"display {display}"
        desktop_figures(DesktopDevice(display=display or started.display), where, figures.line,
                        figures=figures, steps=steps, grabs=grabs)
    finally:
        if started is not None:
            started.stop()


def desktop_figures(device: Any, display: str, print_line: Any = print, *, figures: Figures | None = None,
                    steps: int = STEPS, grabs: int = 30) -> float:
    """Print the bare capture and the harness per step on `device` (on `display`, in words),
    measured in one run; record them in `figures`; return their ratio."""
    figures = figures or Figures(print_line=print_line)
    device.screenshot()  # warm-up: the first grab opens the X connection
    times = []
    for _ in range(grabs):
        t0 = time.perf_counter()
        device.screenshot()
        times.append(time.perf_counter() - t0)
    capture = statistics.median(times)
    per_step, parts = harness_step_seconds(device, "desktop", steps)
    ratio = per_step / capture
    record = per_step - parts["capture"] - parts["act"]
    width, height = device.size()
    figures.line(f"desktop capture  {width}x{height} on {display}: median {capture * 1000:.1f} ms")
    figures.line(f"harness per step  desktop: {per_step * 1000:.0f} ms = {ratio:.1f}x capture alone "
                 f"(perceive incl. downscale {parts['capture'] * 1000:.1f} ms, act {parts['act'] * 1000:.1f} ms, "
                 f"decide and record {record * 1000:.1f} ms; model excluded)")
    figures.line(f"settle wait  desktop: {parts['settle'] * 1000:.0f} ms per step on top "
                 f"({device.settle * 1000:.0f} ms after each action so the app can react; DesktopDevice(settle=...))")
    figures.cell("capture_desktop", f"{capture * 1000:.0f} ms")
    figures.cell("harness_desktop", f"{per_step * 1000:.0f} ms = {ratio:.1f}× capture alone (perceive "
                                    f"{parts['capture'] * 1000:.0f} ms, act {parts['act'] * 1000:.0f} ms; the "
                                    f"{parts['settle'] * 1000:.0f} ms settle wait after each action apart)")
    return ratio
