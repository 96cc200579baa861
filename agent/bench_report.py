"""`qwen-agent bench`'s figures as one table, with the machine they were measured on, and the
README's Speed table rewritten from them (`--update-readme`), so the quoted figures are always
one command's output.

Each part of the benchmark prints its lines as before and records its README cell under a key;
the table lists the keys in `ROWS` order (a part that was not run leaves its rows out).
"""

from __future__ import annotations

import os
import platform
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from actions import UsageError

# key -> the README row's first cell
ROWS = (
    ("tokens_phone", "visual tokens, 1080×2400 phone at the default budget"),
    ("tokens_desktop", "visual tokens, 1920×1080 desktop"),
    ("prompt_tokens", "prompt tokens at step 1 / 10 / 30"),
    ("decide_ratio", "agent `decide` ÷ bare `model.generate`, same inputs and tokens"),
    ("constrained", "time per token, constrained ÷ unconstrained"),
    ("harness_sim", "harness per step without the model, simulated phone"),
    ("capture_desktop", "desktop capture, 1920×1080 on Xvfb (median)"),
    ("harness_desktop", "harness per step without the model, desktop"),
    ("replay_ratio", "verified replayed step ÷ live step with the tiny model"),
)
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


@dataclass
class Figures:
    """What one bench run measured: printed as it goes, kept for the table."""

    print_line: Callable[[str], None] = print
    cells: dict[str, str] = field(default_factory=dict)

    def line(self, text: str) -> None:
        self.print_line(text)

    def cell(self, key: str, text: str) -> None:
        self.cells[key] = text


def machine() -> str:
    """The machine in one line: CPU model, cores, memory, OS, Python (and torch when loaded)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:", 1)[1].split()[0])
        memory = f", {kib / 2**20:.0f} GiB memory"
    except (OSError, IndexError, ValueError):
        pass
    torch = sys.modules.get("torch")
    extra = f", torch {torch.__version__}" if torch is not None else ""
    # Other work on the machine slows every figure; the load says how busy it was.
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return (f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}{extra}{load}")


def table(figures: Figures, command: str) -> str:
    """The README's Speed table, with a line saying how and where it was measured."""
    rows = [f"| {label} | {figures.cells[key]} |" for key, label in ROWS if key in figures.cells]
    return "\n".join([
        f"Measured by `{command}` on {time.strftime('%Y-%m-%d')}: {machine()}.",
        "",
        "| figure | measured |",
        "|---|---|",
        *rows,
    ])


def update_readme(path: str | Path, text: str) -> None:
    """Replace what lies between the bench markers in `path` with `text`."""
    path = Path(path)
    try:
        readme = path.read_text(encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot read {path}: {err.strerror}") from None
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(readme):
        raise UsageError(f"{path} has no {BEGIN} … {END} markers around its Speed table")
    path.write_text(pattern.sub(lambda _m: f"{BEGIN}\n{text}\n{END}", readme), encoding="utf-8")
