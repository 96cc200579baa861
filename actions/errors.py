"""The root of qwen-agent's exceptions and the two errors of the bottom layer.

Each layer raises its own errors (like httpx's one tree, drawn once per layer):

    QwenAgentError                     actions/errors.py: the root of everything raised on purpose
    ├── UsageError                     bad flag, unknown device, unreadable or hostile input file
    ├── ActionFormatError              a model reply is not one valid action (fed back once)
    ├── DeviceError                    devices/errors.py: capture or act failed, device gone, ...
    ├── SandboxOutcome                 policies/errors.py: a limit reached, a denial, a decline
    ├── ModelError                     agent/engine/errors.py: the backend failed
    └── RunStopped                     agent/engine/errors.py: nobody to hand over to, recording ended

The engine maps every one of them to a run outcome and an exit code in one place
(`agent/engine/outcomes.py`); nothing below it knows about exit codes. Every message is one line
a person can read; the CLI prints it without a traceback.
"""

from __future__ import annotations

# The exit codes (ARCHITECTURE.md, "Exit codes"): every command that runs an agent uses them.
EXIT_DONE = 0
EXIT_NOT_DONE = 1
EXIT_USAGE = 2
EXIT_SANDBOX = 3


class QwenAgentError(Exception):
    """Base of every error qwen-agent raises on purpose."""


class UsageError(QwenAgentError):
    """The person's input is wrong: a flag, a device name, a file. Exit 2."""


class ActionFormatError(QwenAgentError):
    """A reply that is not one valid action. `str(err)` is written to be fed back to the model."""
