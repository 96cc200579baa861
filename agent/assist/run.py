"""One guided run, the same for the terminal, the web UI and tests: `session.execute` with the
guide-mode person in place of the terminal one. No second agent loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.assist.guide import GuideChannel, GuidePerson, GuideView
from agent.assist.speech import Speaker
from agent.engine import LoopOptions, Model, RunPlan, RunResult, execute
from agent.engine.perceive import Settle
from agent.imaging import DEFAULT_MAX_PIXELS
from devices.base import Device
from devices.registry import open_device
from policies import Confirmer, PolicyConfig, load_policy


@dataclass(frozen=True)
class GuideSettings:
    goal: str
    device_spec: str = "sim"
    device_options: dict[str, Any] = field(default_factory=dict)
    lang: str = "en"  # the person's language: instructions and speech
    speak: bool = False
    play: bool = True  # play the WAVs when a player exists
    timeout: float = 120.0
    runs_dir: str = "runs"
    settle: Settle | None = None
    max_pixels: int = DEFAULT_MAX_PIXELS
    expect: dict[str, Any] = field(default_factory=dict)
    extra_meta: dict[str, Any] = field(default_factory=dict)


def guide(settings: GuideSettings, model: Model, channel: GuideChannel, confirmer: Confirmer, *,
          policy: PolicyConfig | None = None, view: Any = None, device: Device | None = None,
          poll: float = 0.3) -> tuple[RunResult, GuidePerson]:
    """Run the goal in guide mode. `confirmer` answers sensitive steps (it is asked before the
    person is shown them); `view` gets the loop's events (console, JSON, a UI)."""
    device = device or open_device(settings.device_spec, **settings.device_options)
    speaker = Speaker(Path(settings.runs_dir), settings.lang, settings.play) if settings.speak else None
    person = GuidePerson(device, channel, confirmer, settings.lang, speaker, settings.timeout, poll)
    plan = RunPlan(
        goal=settings.goal, device_spec=settings.device_spec, device_options=settings.device_options,
        policy=policy or load_policy(None),
        loop=LoopOptions(max_pixels=settings.max_pixels, settle=settings.settle, language=settings.lang),
        runs_dir=settings.runs_dir, expect=settings.expect,
        extra_meta={"mode": "assist", **settings.extra_meta},
    )
    result = execute(plan, model, device, person=person,
                     view=GuideView(view if view is not None else _Quiet(), person))
    return result, person


class _Quiet:
    """A view that shows nothing (the person sees the guidance, not the loop's internals)."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None
