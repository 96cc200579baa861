"""Demonstrations: a person does the task once (`qwen-agent record`); it becomes a scenario folder
(ARCHITECTURE.md, "Scenario") that `qwen-agent replay` plays back, verified against its frames.

    scenarios/<name>/scenario.yaml   name, goal, device, steps (the action schema), frames, expect
    scenarios/<name>/frames/0001.png the screen before step 1, at the model's pixel budget

Typed text in a password field is never written: that step becomes an `ask_user` hand-over.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from actions import UsageError
from agent.imaging import DEFAULT_MAX_PIXELS, fit_pixel_budget

if TYPE_CHECKING:  # the parser is built for every command; recording's imports wait until it runs
    from devices.recording import DemoEvent

SCENARIO_FILE = "scenario.yaml"  # agent.scenario's name for it, not imported for the same reason

PASSWORD_STEP = "Please type the password here."


def scenario_steps(events: Sequence[DemoEvent], goal: str) -> list[dict[str, Any]]:
    """The events as steps in the action schema, ending in `done`."""
    steps = []
    for event in events:
        if event.secret:
            steps.append({"action": "ask_user", "text": PASSWORD_STEP, "confidence": 1.0})
        else:
            steps.append(event.action.to_dict())
    steps.append({"action": "done", "text": f"Done: {goal}", "confidence": 1.0})
    return steps


def write_scenario(folder: str | Path, *, name: str, goal: str, device: dict[str, Any],
                   events: Sequence[DemoEvent], expect: dict[str, Any] | None = None,
                   max_pixels: int = DEFAULT_MAX_PIXELS) -> Path:
    """Write the scenario folder (frames at the model's budget, so replay compares like with like)."""
    import yaml

    if not events:
        raise UsageError("nothing was recorded: no taps, swipes, text or keys")
    folder = Path(folder)
    (folder / "frames").mkdir(parents=True, exist_ok=True)
    frames: list[str | None] = []
    for i, event in enumerate(events, 1):
        if event.frame is None:
            frames.append(None)
            continue
        rel = f"frames/{i:04d}.png"
        fit_pixel_budget(event.frame.convert("RGB"), max_pixels).save(folder / rel)
        frames.append(rel)
    data = {"name": name, "goal": goal, "device": device, "steps": scenario_steps(events, goal),
            "frames": frames, "expect": expect or {}}
    (folder / SCENARIO_FILE).write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
    return folder


def changed_state(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What the demonstration changed on a device with readable state: the replay's `expect`."""
    return {k: v for k, v in after.items() if before.get(k) != v}
