"""Who says yes to a `confirm` verdict: a person at the terminal, `--yes`, or a script.

A `Confirmer` only answers; `Sandbox.resolve` turns the answer into a verdict.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Protocol, TextIO, runtime_checkable

from actions import Action

YES = frozenset({"y", "yes", "是", "好", "确认"})


@runtime_checkable
class Confirmer(Protocol):
    def confirm(self, action: Action, reason: str) -> bool:
        """True to let the action run; False refuses it (the run then stops, exit 3)."""
        ...


class TerminalConfirmer:
    """Ask on the terminal: `Allow <action>? <reason> [y/N]`.

    Anything but y/yes (or 是/好/确认) refuses, and so do EOF (Ctrl-D) and a stdin that is not a
    terminal: a run piped from a script must never hang on, or be approved by, input nobody typed.
    The prompt goes to stderr so it never mixes with machine-readable output on stdout.
    """

    def __init__(self, stdin: TextIO | None = None, stream: TextIO | None = None) -> None:
        self._stdin = stdin
        self._stream = stream

    def confirm(self, action: Action, reason: str) -> bool:
        stdin = self._stdin or sys.stdin
        stream = self._stream or sys.stderr
        prompt = f"Allow {action.describe()}? {reason} [y/N] "
        if stdin is None or not _isatty(stdin):
            stream.write(f"{prompt}\nrefused: stdin is not a terminal (use --yes to allow)\n")
            stream.flush()
            return False
        stream.write(prompt)
        stream.flush()
        try:
            line = stdin.readline()
        except (EOFError, OSError, ValueError):
            line = ""
        if not line:  # EOF: Ctrl-D, or the terminal went away
            stream.write("\n")
            stream.flush()
            return False
        return line.strip().casefold() in YES


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):  # closed or not a real file
        return False


class AutoConfirm:
    """`--yes`: every confirmation is granted (the decision is still recorded)."""

    def confirm(self, action: Action, reason: str) -> bool:
        return True


class ScriptedConfirmer:
    """Answers from a list, in order; `default` once the list is used up.

    Used by tests and by modes that collect answers elsewhere (a UI, the assist mode). Every
    question is kept in `asked` as `(action, reason)`, so callers can show or check them.
    """

    def __init__(self, answers: Iterable[bool] = (), default: bool = False) -> None:
        self._answers = list(answers)
        self.default = default
        self.asked: list[tuple[Action, str]] = []

    @property
    def remaining(self) -> int:
        return len(self._answers)

    def push(self, answer: bool) -> None:
        """Queue one more answer (for a person who answers as the run goes)."""
        self._answers.append(answer)

    def confirm(self, action: Action, reason: str) -> bool:
        self.asked.append((action, reason))
        return self._answers.pop(0) if self._answers else self.default
