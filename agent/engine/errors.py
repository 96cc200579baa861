"""What the engine and the models raise (the agent layer's part of the tree in `actions/errors.py`):

    ModelError       the model backend failed (load, network, OOM, a bad key)     -> exit 1
    RunStopped       the run cannot go on: nobody to hand over to, the recording ended,
                     the screen drifted from a recording                            -> exit 1
"""

from __future__ import annotations

from actions.errors import QwenAgentError


class ModelError(QwenAgentError):
    """The model backend failed. The message says how to fix it (a checkpoint, a server, a key)."""


class RunStopped(QwenAgentError):
    """The run ends without the goal done. `outcome` is the short word stored in run.json."""

    outcome = "stopped"

    def __init__(self, message: str, outcome: str | None = None) -> None:
        super().__init__(message)
        if outcome:
            self.outcome = outcome
