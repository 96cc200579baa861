"""The one port to the person the agent works for: `Person`.

    ask(question)                 hand over (`ask_user`): a password, a captcha, a choice
    confirm(action, reason)       a yes for a sensitive step (the sandbox decides *when* to ask)
    perform(action, frame, sensitive, do_it)
                                  who carries out an allowed action: the device (`do_it()`, which
                                  reviews and performs each primitive) or, in guide mode, the
                                  person's own finger
    show(result)                  how the run ended, told the person's way

Implementations: `TerminalPerson` (a person at the terminal, or `--yes`), `Unattended` (replays,
CI: nobody to ask), `ScriptedPerson` (tests, UIs), and guide mode's `GuidePerson`
(`agent/assist/guide.py`), which the terminal and the web page share.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TextIO, runtime_checkable

from actions import Action
from agent.engine.errors import RunStopped
from policies import AutoConfirm, Confirmer, ScriptedConfirmer, TerminalConfirmer

if TYPE_CHECKING:
    from agent.engine.perceive import Frame


@dataclass(frozen=True)
class Performed:
    """How an allowed action went: carried out or not, what the model should be told, an error."""

    executed: bool
    note: str | None = None
    error: str | None = None
    waiting: bool = False  # shown to the person, not done yet (guide mode): offer it again


DoIt = Callable[[], Performed]


@runtime_checkable
class Person(Protocol):
    def ask(self, question: str) -> str:
        """Show the question; return the answer ("" = they just did it). Raise `RunStopped`
        when nobody can answer."""
        ...

    def confirm(self, action: Action, reason: str) -> bool:
        """True lets the sensitive step run; False refuses it (the run stops, exit 3)."""
        ...

    def perform(self, action: Action, frame: Frame, sensitive: bool, do_it: DoIt) -> Performed:
        """Carry out an action the sandbox allowed (`sensitive`: only after a yes)."""
        ...

    def show(self, result: Any) -> None:
        """The run ended with `result` (a `RunResult`)."""
        ...


def _nobody(question: str) -> RunStopped:
    return RunStopped(f"the agent needs the person: {question}", "ask_user")


class TerminalPerson:
    """A person at the terminal: questions and confirmations on stderr; the device acts.

    With no terminal (a pipe, a script) a hand-over stops the run (exit 1) rather than wait
    forever, and a confirmation is refused unless `yes` (`--yes`)."""

    def __init__(self, yes: bool = False, stdin: TextIO | None = None,
                 stderr: TextIO | None = None) -> None:
        self.stdin = stdin or sys.stdin
        self.stderr = stderr or sys.stderr
        self.confirmer: Confirmer = AutoConfirm() if yes else TerminalConfirmer(self.stdin, self.stderr)

    def ask(self, question: str) -> str:
        if not _isatty(self.stdin):
            raise _nobody(question)
        self.stderr.write(f"\n>>> The agent asks: {question}\n"
                          ">>> Do it on the device and press Enter (or type an answer): ")
        self.stderr.flush()
        line = self.stdin.readline()
        if not line:  # EOF: nobody is there
            raise _nobody(question)
        return line.strip()

    def confirm(self, action: Action, reason: str) -> bool:
        return self.confirmer.confirm(action, reason)

    def perform(self, action: Action, frame: Frame, sensitive: bool, do_it: DoIt) -> Performed:
        return do_it()

    def show(self, result: Any) -> None:
        pass  # the console view prints the end of the run


class Unattended:
    """Nobody is there (a replay, CI): any hand-over ends the run; a confirmation is granted only
    with `yes` (`--yes`), or as `confirmer` answers (a script); the device acts."""

    def __init__(self, yes: bool = False, confirmer: Confirmer | None = None) -> None:
        self.confirmer: Confirmer = confirmer or ScriptedConfirmer(default=yes)

    def ask(self, question: str) -> str:
        raise _nobody(question)

    def confirm(self, action: Action, reason: str) -> bool:
        return self.confirmer.confirm(action, reason)

    def perform(self, action: Action, frame: Frame, sensitive: bool, do_it: DoIt) -> Performed:
        return do_it()

    def show(self, result: Any) -> None:
        pass


class ScriptedPerson:
    """Plays the person from a script, for tests and UIs: each question is kept in `asked`,
    `act` (if given) does on the device what the person would, `answers` answer hand-overs,
    `confirms` answer confirmations in order (then `default`)."""

    def __init__(self, answers: Iterable[str] = (), confirms: Iterable[bool] = (),
                 default: bool = False, act: Callable[[str], None] | None = None) -> None:
        self.answers = list(answers)
        self.act = act
        self.asked: list[str] = []
        self.confirmer = ScriptedConfirmer(confirms, default=default)
        self.results: list[Any] = []

    def ask(self, question: str) -> str:
        self.asked.append(question)
        if self.act is not None:
            self.act(question)
        return self.answers.pop(0) if self.answers else ""

    def confirm(self, action: Action, reason: str) -> bool:
        return self.confirmer.confirm(action, reason)

    def perform(self, action: Action, frame: Frame, sensitive: bool, do_it: DoIt) -> Performed:
        return do_it()

    def show(self, result: Any) -> None:
        self.results.append(result)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False
