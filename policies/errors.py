"""What the sandbox ends a run with (the policy layer's part of the tree in `actions/errors.py`):

    SandboxOutcome           the run ends before `done`; `outcome` is the word in run.json
    ├── LimitReached         step limit, wall-clock limit, loop, too many refusals   -> exit 1
    └── SandboxStop          policy denial, declined confirmation, kill switch       -> exit 3
"""

from __future__ import annotations

from actions.errors import QwenAgentError


class SandboxOutcome(QwenAgentError):
    outcome = "stopped"

    def __init__(self, message: str, outcome: str | None = None) -> None:
        super().__init__(message)
        if outcome:
            self.outcome = outcome


class LimitReached(SandboxOutcome):
    outcome = "limit"


class SandboxStop(SandboxOutcome):
    outcome = "sandbox"
