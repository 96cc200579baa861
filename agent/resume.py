"""`qwen-agent replay RUN --resume`: continue an interrupted run from its last step.

A run that did not end `done` (Ctrl-C, SIGKILL, a timeout, a disconnect, the step limit) is
picked up where it stopped: on the simulated phone, whose state is deterministic, the steps that
were *executed* are re-executed first to bring the phone back to where it was (refused, invalid
and cut-off steps are skipped); on a real device, which is still where the run left it, nothing
is re-executed. Then the model (the usual --model / --backend options) continues the same goal,
with the earlier steps in its history. A new run folder records it, `resumed_from` the old one.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from actions import UsageError
from agent.model import DecideRequest, Model, ModelReply, TextSink
from agent.recorder import RUN_JSON, read_trajectory


class ResumeModel:
    """Answers with the recorded executed steps first, then hands every later step to the model
    (built only then, so a run that cannot be restored fails before minutes of loading)."""

    def __init__(self, steps: list[str], model: Callable[[], Model]) -> None:
        self.steps = list(steps)
        self._factory = model
        self._model: Model | None = None
        self.position = 0
        self.name = "resume"

    def decide(self, request: DecideRequest, on_text: TextSink | None = None) -> ModelReply:
        if self.position < len(self.steps):
            self.position += 1
            return ModelReply(text=self.steps[self.position - 1], seconds=0.0)
        if self._model is None:
            self._model = self._factory()
            self.name = f"resume:{self._model.name}"
        return self._model.decide(request, on_text)


def resumable(run_dir: str | Path) -> tuple[dict[str, Any], list[str], list[dict[str, Any]]]:
    """The run's run.json, the raw replies of its executed steps, and those of them whose typed
    text --redact masked. UsageError, one line, when it is not a run folder or there is nothing
    to resume."""
    folder = Path(run_dir)
    try:
        run = json.loads((folder / RUN_JSON).read_text(encoding="utf-8"))
        entries = read_trajectory(folder)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UsageError(f"{folder}: --resume needs a run folder: {err}") from None
    if not isinstance(run, dict):
        raise UsageError(f"{folder / RUN_JSON}: must be a JSON object")
    if run.get("outcome") == "done":
        raise UsageError(f"{folder}: the run reached its goal; there is nothing to resume")
    kept = [e for e in entries
            if e.get("executed") and isinstance(e.get("raw_reply"), str)
            and (e.get("action") or {}).get("action") not in ("done", "ask_user")]
    return run, [e["raw_reply"] for e in kept], [e for e in kept if e.get("redacted")]


def check_restorable(run: dict[str, Any], masked: list[dict[str, Any]], secrets: set[str]) -> None:
    """A step can be re-executed only if what it typed can be typed again: not a password that
    --redact masked (it is gone), and a --secret only when given again. UsageError, one line."""
    if masked:
        raise UsageError(f"step {masked[0].get('step')} typed a password that --redact masked, so the "
                         "simulated phone cannot be brought back; run the goal again instead")
    recorded = (run.get("privacy") or {}).get("secrets") or []
    missing = [n for n in recorded if n not in secrets]
    if missing:
        raise UsageError("the run typed secrets; give them again: "
                         + " ".join(f"--secret {n}=env:VAR" for n in missing))


def cmd_resume(args: argparse.Namespace) -> int:
    from agent.backends import model_from_args
    from agent.cli import settle_for
    from agent.commands import device_options, policy_from_args
    from agent.imaging import DEFAULT_MAX_PIXELS
    from agent.loop import LoopOptions
    from agent.privacy import privacy_from_args
    from agent.session import RunPlan, execute, goal_language

    run, steps, masked = resumable(args.path)
    privacy = privacy_from_args(args)
    start = dict((run.get("device") or {}).get("start") or {"kind": "sim"})
    kind = start.pop("kind", "sim")
    spec = args.device or (run.get("device") or {}).get("spec") or kind
    if kind != "sim" or (args.device and not args.device.startswith("sim")):
        steps = []  # a real device is still where the run left it: nothing to re-execute
    else:
        check_restorable(run, masked, set(privacy.secrets))
    goal = str(run.get("goal", ""))
    plan = RunPlan(
        goal=goal, device_spec=spec, device_options=device_options(kind, args, start if kind == "sim" else {}),
        policy=policy_from_args(args),
        loop=LoopOptions(max_pixels=getattr(args, "max_pixels", None) or DEFAULT_MAX_PIXELS,
                         settle=settle_for(spec, args.settle), language=goal_language(goal)),
        runs_dir=args.runs_dir, yes=args.yes, json=args.json, interactive=False,
        expect=run.get("expect") or {}, privacy=privacy,
        extra_meta={"resumed_from": str(args.path), "restored_steps": len(steps)},
    )
    return execute(plan, ResumeModel(steps, lambda: model_from_args(args))).exit_code
