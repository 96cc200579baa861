"""The perceive -> think -> act loop. Short on purpose: the stages are in `agent.engine.stages`,
limits and rules in the sandbox, who acts in the `Person`.

    for each step:  sandbox.before_step -> perceive (settled, through the privacy filter)
                    -> decide (the model; one re-ask with the error) -> act (each primitive
                    reviewed against the device's truth just before it runs) -> record (flushed)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from actions.errors import EXIT_DONE, QwenAgentError
from agent.engine import stages
from agent.engine.model import Model, StepNote
from agent.engine.outcomes import Outcome, classify
from agent.engine.perceive import Settle, capture
from agent.engine.person import Person
from agent.engine.rundir import RunWriter
from agent.engine.view import View
from devices.base import Device
from devices.errors import SecureScreen
from policies import Sandbox


@dataclass(frozen=True)
class LoopOptions:
    max_pixels: int
    settle: Settle | None = Settle()
    language: str = "en"
    history_images: int = 0  # earlier frames handed to the model besides the current one


@dataclass(frozen=True)
class RunResult:
    outcome: str  # done | step_limit | loop | retries | denied | declined | interrupted | error | ...
    exit_code: int
    message: str
    run_dir: str
    steps: int


@dataclass
class Agent:
    """One run's parts. `person` is who is asked, confirms and (in guide mode) acts; `view`
    only watches."""

    model: Model
    device: Device
    sandbox: Sandbox
    writer: RunWriter
    view: View
    options: LoopOptions
    person: Person
    history: list[StepNote] = field(default_factory=list)

    def run(self, goal: str) -> RunResult:
        """Run until `done` or a stop; the run folder is complete whatever happens."""
        end = Outcome("error", 1, "")
        self.sandbox.start()
        try:
            end = Outcome("done", EXIT_DONE, self._loop(goal))
        except (QwenAgentError, KeyboardInterrupt) as err:
            end = classify(err)
        finally:
            try:
                self.writer.write_run_json(outcome=end.outcome, exit_code=end.exit_code, message=end.message)
            finally:
                self.writer.close()  # the frames on their way are waited for, whatever happened
        return RunResult(end.outcome, end.exit_code, end.message, str(self.writer.path), self.writer.steps)

    def _loop(self, goal: str) -> str:
        feedback: str | None = None
        for step in itertools.count(1):
            self.sandbox.before_step(step)
            try:
                frame = capture(self.device, max_pixels=self.options.max_pixels,
                                settle=self.options.settle, privacy=self.writer.privacy)
            except SecureScreen as err:
                feedback = stages.secure_screen(self, step, err)
                continue
            self.view.step(step, frame)
            decided = stages.decide(self, goal, step, frame, feedback)
            done, feedback = stages.act(self, step, frame, decided)
            if done is not None:
                return done
        raise AssertionError("unreachable")
