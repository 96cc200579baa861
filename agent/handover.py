"""Handing over to the person (`ask_user`): a password, a captcha, a choice only they can make."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Protocol, TextIO

from actions import RunStopped


class HandOver(Protocol):
    def ask(self, question: str) -> str:
        """Show the question; return the person's answer ("" = they just did it). Raise
        `RunStopped` when nobody can answer."""
        ...


class TerminalHandOver:
    """Asks on the terminal; with no terminal the run stops (exit 1) rather than wait forever."""

    def __init__(self, stdin: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self.stdin = stdin or sys.stdin
        self.stderr = stderr or sys.stderr

    def ask(self, question: str) -> str:
        if not self.stdin.isatty():
            raise RunStopped(f"the agent needs the person: {question}", "ask_user")
        self.stderr.write(f"\n>>> The agent asks: {question}\n"
                          ">>> Do it on the device and press Enter (or type an answer): ")
        self.stderr.flush()
        line = self.stdin.readline()
        if not line:  # EOF: nobody is there
            raise RunStopped(f"the agent needs the person: {question}", "ask_user")
        return line.strip()


class NoHandOver:
    """For unattended runs (replays, CI): any hand-over ends the run."""

    def ask(self, question: str) -> str:
        raise RunStopped(f"the agent needs the person: {question}", "ask_user")


class ScriptedHandOver:
    """Plays the person from a script: each question is logged, `act` (if given) does what the
    person would do on the device, and the next answer is returned. For tests and UIs."""

    def __init__(self, answers: list[str] | None = None, act: Callable[[str], None] | None = None) -> None:
        self.answers = list(answers or [])
        self.act = act
        self.asked: list[str] = []

    def ask(self, question: str) -> str:
        self.asked.append(question)
        if self.act is not None:
            self.act(question)
        return self.answers.pop(0) if self.answers else ""
