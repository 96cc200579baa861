"""The one place where an exception becomes a run outcome and an exit code (ARCHITECTURE.md, "Exit codes").

    0 the goal was reported done · 1 stopped without finishing · 2 usage or bad input ·
    3 stopped by the sandbox or by the person (denial, declined confirmation, kill switch, Ctrl-C)
"""

from __future__ import annotations

from dataclasses import dataclass

from actions.errors import (
    EXIT_NOT_DONE,
    EXIT_SANDBOX,
    EXIT_USAGE,
    ActionFormatError,
    QwenAgentError,
    UsageError,
)
from agent.engine.errors import ModelError, RunStopped
from devices.errors import DeviceError, FailSafe
from policies.errors import LimitReached, SandboxOutcome, SandboxStop


@dataclass(frozen=True)
class Outcome:
    outcome: str  # the word in run.json
    exit_code: int
    message: str


def classify(err: BaseException) -> Outcome:
    """How a run (or a command) that raised `err` ends."""
    message = str(err)
    match err:
        case KeyboardInterrupt():
            return Outcome("interrupted", EXIT_SANDBOX, "stopped by the user (Ctrl-C / SIGTERM)")
        case SandboxStop():
            return Outcome(err.outcome, EXIT_SANDBOX, message)
        case LimitReached() | SandboxOutcome():
            return Outcome(err.outcome, EXIT_NOT_DONE, message)
        case RunStopped():
            return Outcome(err.outcome, EXIT_NOT_DONE, message)
        case FailSafe():
            return Outcome("sandbox", EXIT_SANDBOX, message)
        case DeviceError() | ModelError():
            return Outcome("error", EXIT_NOT_DONE, message)
        case UsageError() | ActionFormatError():
            return Outcome("error", EXIT_USAGE, message)
        case QwenAgentError():
            return Outcome("error", EXIT_NOT_DONE, message)
    raise TypeError(f"not an outcome of a run: {type(err).__name__}") from err


def exit_code(err: BaseException) -> int:
    return classify(err).exit_code
