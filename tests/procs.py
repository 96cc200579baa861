"""Which processes are alive, read from /proc (Linux): for tests that check nothing is left behind."""

from __future__ import annotations

import os
from pathlib import Path


def cmdlines() -> dict[int, list[str]]:
    """pid -> argv of every process this user can see (zombies have an empty argv)."""
    out: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "cmdline").read_bytes()
        except OSError:  # gone meanwhile
            continue
        out[int(entry.name)] = [a.decode(errors="replace") for a in raw.split(b"\0") if a]
    return out


def matching(*words: str) -> list[int]:
    """Pids whose argv contains every one of `words` (as whole arguments or inside one)."""
    return [pid for pid, argv in cmdlines().items()
            if argv and pid != os.getpid() and all(any(w in a for a in argv) for w in words)]


def children(pid: int) -> list[int]:
    """Every live descendant of `pid`."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        kids = [p for p, parent in parents.items() if parent == current]
        found += kids
        frontier += kids
    return found


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
