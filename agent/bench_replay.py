"""`qwen-agent bench`: time per replayed step with verification, as a ratio to a live step.

Both runs take the same recorded path on the simulated phone (turn Bluetooth off): the verified
replay compares each frame with the recording and gives the recorded step; the live run asks the
model for every step (its whole `decide`: prompt, image, generation) and then takes the recorded
step, so the device does the same work in both and only "verify" vs "think" differs.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import time
from pathlib import Path
from typing import Any

from agent.engine.loop import LoopOptions
from agent.engine.model import DecideRequest, Model, ModelReply, TextSink
from agent.engine.session import RunPlan, execute
from agent.imaging import DEFAULT_MAX_PIXELS
from agent.replay import ReplayModel
from policies import load_policy

DEMO = ("tap Settings", "tap Connected devices", "tap Bluetooth", "tap Use Bluetooth")


class _Live:
    """Asks the real model every step, then follows the recording (the same path as the replay)."""

    def __init__(self, model: Model, steps: list[Any]) -> None:
        self.model, self.replay, self.name = model, ReplayModel(steps), f"live:{model.name}"

    def decide(self, request: DecideRequest, on_text: TextSink | None = None) -> ModelReply:
        thought = self.model.decide(request)
        reply = self.replay.decide(request)
        return ModelReply(text=reply.text, seconds=thought.seconds)


def _per_step(model: Any, runs: str, max_pixels: int = DEFAULT_MAX_PIXELS) -> float:
    from devices.sim import SimPhone

    plan = RunPlan(goal="Turn off Bluetooth", device_spec="sim", device_options={}, policy=load_policy(),
                   loop=LoopOptions(max_pixels=max_pixels, settle=None), runs_dir=runs,
                   json=True, interactive=False)
    with contextlib.redirect_stdout(io.StringIO()):
        start = time.perf_counter()
        result = execute(plan, model, SimPhone(screen="home", state={"bluetooth": True}))
        total = time.perf_counter() - start
    if result.exit_code != 0:
        raise RuntimeError(f"the benchmark run did not finish: {result.message}")
    return total / result.steps


def replay_vs_live(model: Model, print_line: Any = print, demo: tuple[str, ...] = DEMO,
                   max_pixels: int = DEFAULT_MAX_PIXELS) -> float:
    """Record the demonstration, replay it verified, run it live; print and return the ratio."""
    from agent.demonstration import write_scenario
    from agent.replay_verified import VerifiedReplayModel, load_frames
    from agent.scenario import load
    from devices.sim import SimPhone
    from devices.sim.record import SimPerson

    with tempfile.TemporaryDirectory(prefix="qwen-agent-bench-") as tmp:
        person = SimPerson(SimPhone(screen="home", state={"bluetooth": True}))
        for line in demo:
            person.command(line)
        folder = write_scenario(Path(tmp) / "bt", name="bt", goal="Turn off Bluetooth",
                                device={"kind": "sim"}, events=person.events)
        scenario = load(folder)
        verified = VerifiedReplayModel(scenario.steps, load_frames(scenario.frames), scenario.goal)
        # Each run its own runs folder: two runs of one goal in the same second would otherwise
        # be given the same run folder name.
        replay_s = _per_step(verified, str(Path(tmp) / "replay"), max_pixels)
        if verified.model_calls or any(c["status"] == "drift" for c in verified.checks):
            raise RuntimeError("the verified replay did not match its own recording")
        live_s = _per_step(_Live(model, list(scenario.steps)), str(Path(tmp) / "live"), max_pixels)
    ratio = replay_s / live_s
    print_line(f"verified replay  {replay_s * 1000:.0f} ms per step vs {live_s * 1000:.0f} ms per live step "
               f"with {model.name} = {ratio:.3f}x ({len(scenario.steps)} steps on the simulated phone, one run each)")
    return ratio
