"""What the person watching sees: a live, readable console view, or JSON lines for scripts."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from rich.console import Console
from rich.text import Text

if TYPE_CHECKING:
    from agent.engine.loop import RunResult
    from agent.engine.perceive import Frame


class View(Protocol):
    """An observer of the run: it is told what happens and changes nothing (who is asked and who
    acts is the `Person`'s business)."""

    def header(self, goal: str, device: str, model: str, run_dir: str) -> None: ...
    def step(self, step: int, frame: Frame) -> None: ...
    def text(self, chunk: str) -> None: ...
    def invalid(self, error: str, attempt: int) -> None: ...
    def decided(self, action: Any, pixel: Any) -> None: ...
    def verdict(self, verdict: Any) -> None: ...
    def acted(self, executed: bool, error: str | None, seconds: float) -> None: ...
    def end(self, result: RunResult) -> None: ...


def log_console(stderr: bool = True) -> Console:
    """A rich console that hard-wraps only on a terminal. Written to a file or a pipe, rich would
    break lines at 80 columns mid-value ("confidence\n0.95"), which breaks logs and grep; there
    each printed line stays one line, however long."""
    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal:
        console.soft_wrap = True
    return console


_VERDICT_STYLE = {"allow": "green", "confirm": "yellow", "retry": "yellow", "deny": "bold red"}


class ConsoleView:
    """Rich console output on stderr: step header, streamed thinking, decision, sandbox, result."""

    def __init__(self, console: Console | None = None, show_thinking: bool = True) -> None:
        self.console = console or log_console()
        self.show_thinking = show_thinking
        self._streaming = False

    def header(self, goal: str, device: str, model: str, run_dir: str) -> None:
        self.console.rule(f"[bold]{goal}")
        self.console.print(f"device [cyan]{device}[/]  model [cyan]{model}[/]  recording to [cyan]{run_dir}[/]")

    def step(self, step: int, frame: Frame) -> None:
        w, h = frame.size
        mw, mh = frame.model_image.size
        self.console.print(
            f"\n[bold]Step {step}[/]  saw {w}×{h} screen (model sees {mw}×{mh}, "
            f"captured in {frame.capture_s * 1000:.0f} ms)")

    def text(self, chunk: str) -> None:
        if not self.show_thinking or not chunk:
            return
        if not self._streaming:
            self.console.print("  [dim]thinking…[/] ", end="")
            self._streaming = True
        self.console.print(Text(chunk, style="dim"), end="")

    def _end_stream(self) -> None:
        if self._streaming:
            self.console.print()
            self._streaming = False

    def invalid(self, error: str, attempt: int) -> None:
        self._end_stream()
        tail = "asking the model again" if attempt == 1 else "giving up"
        self.console.print(f"  [red]invalid reply[/]: {error} — {tail}")

    def decided(self, action: Any, pixel: Any) -> None:
        self._end_stream()
        where = f" → pixel ({pixel[0]}, {pixel[1]})" if pixel else ""
        self.console.print(f"  decided [bold]{action.describe()}[/]{where}  confidence {action.confidence:.2f}")

    def verdict(self, verdict: Any) -> None:
        style = _VERDICT_STYLE.get(verdict.decision, "white")
        reason = f": {verdict.reason}" if verdict.reason else ""
        self.console.print(f"  sandbox [{style}]{verdict.decision}[/]{reason}")

    def acted(self, executed: bool, error: str | None, seconds: float) -> None:
        if error:
            self.console.print(f"  [red]failed[/]: {error}")
        elif executed:
            self.console.print(f"  [green]done[/] in {seconds * 1000:.0f} ms")
        else:
            self.console.print("  not executed")

    def end(self, result: RunResult) -> None:
        self._end_stream()
        style = "green" if result.exit_code == 0 else ("red" if result.exit_code == 3 else "yellow")
        self.console.print(f"\n[{style} bold]{result.outcome}[/] (exit {result.exit_code}) {result.message}")
        self.console.print(f"run recorded in {result.run_dir} — open {result.run_dir}/report.html")


class JsonView:
    """One JSON object per line on stdout, for scripts (`--json`)."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout

    def _emit(self, **data: Any) -> None:
        self.out.write(json.dumps(data, ensure_ascii=False) + "\n")
        self.out.flush()

    def header(self, goal: str, device: str, model: str, run_dir: str) -> None:
        self._emit(event="start", goal=goal, device=device, model=model, run_dir=run_dir)

    def step(self, step: int, frame: Frame) -> None:
        self._emit(event="step", step=step, screen=list(frame.size), capture_s=round(frame.capture_s, 4))

    def text(self, chunk: str) -> None:
        pass

    def invalid(self, error: str, attempt: int) -> None:
        self._emit(event="invalid", error=error, attempt=attempt)

    def decided(self, action: Any, pixel: Any) -> None:
        self._emit(event="decision", action=action.to_dict(), pixel=list(pixel) if pixel else None)

    def verdict(self, verdict: Any) -> None:
        self._emit(event="verdict", **verdict.to_dict())

    def acted(self, executed: bool, error: str | None, seconds: float) -> None:
        self._emit(event="acted", executed=executed, error=error, act_s=round(seconds, 4))

    def end(self, result: RunResult) -> None:
        self._emit(event="end", outcome=result.outcome, exit_code=result.exit_code,
                   message=result.message, run_dir=result.run_dir, steps=result.steps)
