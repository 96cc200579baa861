"""The exception tree of qwen-agent, drawn once (like httpx's):

    QwenAgentError                 base of everything the agent raises on purpose
    ├── UsageError                 bad flag, unknown device, unreadable file      -> exit 2
    ├── ActionFormatError          a model reply is not one valid action          -> fed back once, then exit 1
    ├── ModelError                 the model backend failed (load, network, OOM)  -> exit 1 (2 if a usage problem)
    ├── DeviceError                the device failed to capture or act            -> exit 1
    │   └── DeviceDisconnected     the device went away mid-run                   -> exit 1
    └── RunStopped                 the run ends before `done`; carries its exit code
        ├── LimitReached           step limit, wall-clock limit, loop detected    -> exit 1
        └── SandboxStop            policy denial, declined confirmation, kill switch, Ctrl-C -> exit 3

Every message is one line a person can read; the CLI prints it without a traceback.
It lives in `actions/` because that is the bottom layer every other package may import.
"""

from __future__ import annotations

EXIT_DONE = 0
EXIT_NOT_DONE = 1
EXIT_USAGE = 2
EXIT_SANDBOX = 3


class QwenAgentError(Exception):
    exit_code: int = EXIT_NOT_DONE


class UsageError(QwenAgentError):
    exit_code = EXIT_USAGE


class ActionFormatError(QwenAgentError):
    """A reply that is not one valid action. `str(err)` is written to be fed back to the model."""

    exit_code = EXIT_USAGE


class ModelError(QwenAgentError):
    exit_code = EXIT_NOT_DONE


class DeviceError(QwenAgentError):
    exit_code = EXIT_NOT_DONE


class DeviceDisconnected(DeviceError):
    pass


class RunStopped(QwenAgentError):
    """The run ends without the goal done. `outcome` is the short word stored in run.json."""

    outcome = "stopped"

    def __init__(self, message: str, outcome: str | None = None) -> None:
        super().__init__(message)
        if outcome:
            self.outcome = outcome


class LimitReached(RunStopped):
    exit_code = EXIT_NOT_DONE
    outcome = "limit"


class SandboxStop(RunStopped):
    exit_code = EXIT_SANDBOX
    outcome = "sandbox"
