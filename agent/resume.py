"""`qwen-agent replay RUN --resume`: continue an interrupted run from its last step.

A run that did not end `done` (Ctrl-C, SIGKILL, a timeout, a disconnect, the step limit) is
picked up where it stopped: on the simulated phone, whose state is deterministic, the steps that
were *executed* are re-executed first to bring the phone back to where it was (refused, invalid
and cut-off steps are skipped); on a real device, which is still where the run left it, nothing
is re-executed. Then the model (the usual --model / --backend options) continues the same goal,
with the earlier steps in its history. A new run folder records it, `resumed_from` the old one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from actions import UsageError
from actions.safe_files import RUN_JSON_BYTES, TRAJECTORY_BYTES, FileMissing, check_regular
from agent.engine.model import DecideRequest, Model, ModelReply, TextSink
from agent.engine.rundir import RUN_JSON, TRAJECTORY, read_trajectory
from agent.engine.step import StepRecord
from agent.scenario import read_run_json


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


def resumable(run_dir: str | Path) -> tuple[dict[str, Any], list[str], list[StepRecord]]:
    """The run's run.json, the raw replies of its executed steps, and those of them whose typed
    text --redact masked. UsageError, one line, when it is not a run folder or there is nothing
    to resume."""
    folder = Path(run_dir)
    for name in (RUN_JSON, TRAJECTORY):
        try:
            check_regular(folder / name, str(folder / name), RUN_JSON_BYTES if name == RUN_JSON
                          else TRAJECTORY_BYTES)
        except FileMissing:
            raise UsageError(f"{folder}: --resume needs a run folder (with {RUN_JSON} and "
                             f"{TRAJECTORY})") from None
    run = read_run_json(folder)  # every field the resume uses, checked
    entries = read_trajectory(folder)
    if run.get("outcome") == "done":
        raise UsageError(f"{folder}: the run reached its goal; there is nothing to resume")
    kept = [e for e in entries
            if e.executed and e.raw_reply is not None and e.kind not in ("done", "ask_user")]
    return run, [e.raw_reply for e in kept], [e for e in kept if e.redacted]


def check_restorable(run: dict[str, Any], masked: list[StepRecord], secrets: set[str]) -> None:
    """A step can be re-executed only if what it typed can be typed again: not a password that
    --redact masked (it is gone), and a --secret only when given again. UsageError, one line."""
    if masked:
        raise UsageError(f"step {masked[0].step} typed a password that --redact masked, so the "
                         "simulated phone cannot be brought back; run the goal again instead")
    recorded = (run.get("privacy") or {}).get("secrets") or []  # a list of names: `resumable` checked it
    missing = [n for n in recorded if n not in secrets]
    if missing:
        raise UsageError("the run typed secrets; give them again: "
                         + " ".join(f"--secret {n}=env:VAR" for n in missing))
