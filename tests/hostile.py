"""Shared by the hostile-input tests: files that hurt (FIFOs, device files, decompression bombs,
billion laughs), a small scenario and run folder to break, and the one-line check.

A hostile input must make the command exit 2 with exactly one line on stderr and no traceback.
Every command runs as a subprocess with a generous timeout: that is the protection against a hang
(a FIFO opened for reading, /dev/zero read to the end), not a claim about speed.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

from tests.helpers import REPO, run_cli

HANG = 60  # seconds: only a hang comes near this
DONE = '{"action": "done", "text": "ok", "confidence": 0.9}'
GOAL = "Turn off Bluetooth"


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims `width` x `height` pixels in a few dozen bytes: Pillow reads the size from
    the header, so a 30000x30000 one is a decompression bomb until something checks it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def billion_laughs(key: str = "lol9") -> str:
    """The classic: nine levels of ten aliases, 10^9 strings from ~1 KiB of YAML."""
    lines = ['lol0: &lol0 "lol"']
    for i in range(1, 10):
        lines.append(f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 10) + "]")
    return "\n".join(lines) + f"\n{key}: *lol9\n"


def scenario(folder: Path, *, device: Any = None, state: Any = None, steps: Any = None,
             extra: dict[str, Any] | None = None, text: str | None = None) -> Path:
    """A one-step scenario folder; `device`/`state`/`steps`/`extra` replace its parts (written as
    JSON, which is YAML), or `text` is the whole scenario.yaml."""
    folder.mkdir(parents=True, exist_ok=True)
    if text is None:
        data: dict[str, Any] = {
            "name": "hostile", "goal": GOAL,
            "device": device if device is not None else {"kind": "sim", "state": state or {}},
            "steps": steps if steps is not None else [json.loads(DONE)],
            **(extra or {}),
        }
        text = json.dumps(data, ensure_ascii=False)
    (folder / "scenario.yaml").write_text(text, encoding="utf-8")
    return folder


def run_folder(folder: Path, *, run: Any = None, lines: list[Any] | None = None) -> Path:
    """A run folder as `qwen-agent` writes one (run.json, trajectory.jsonl); `run` replaces
    run.json's content and `lines` the trajectory's (strings are written as they are)."""
    folder.mkdir(parents=True, exist_ok=True)
    if run is None:
        run = {"goal": GOAL, "outcome": "interrupted",
               "device": {"spec": "sim", "kind": "sim", "start": {"kind": "sim"}}}
    (folder / "run.json").write_text(run if isinstance(run, str) else json.dumps(run), encoding="utf-8")
    if lines is None:
        lines = [{"step": 1, "raw_reply": DONE, "executed": True}]
    text = "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines)
    (folder / "trajectory.jsonl").write_text(text, encoding="utf-8")
    return folder


def fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def link(path: Path, target: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


def one_line_exit_2(proc: subprocess.CompletedProcess[str]) -> str:
    """The contract for bad input: exit 2, one line on stderr, no traceback. Returns the line."""
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-3000:], proc.stdout[-1000:])
    assert len(lines) == 1, proc.stderr[-3000:]
    assert lines[0].startswith("qwen-agent: error: "), lines[0]
    return lines[0]


def cli(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, timeout=HANG, **kwargs)


def replay(path: Path, runs: Path, *more: str) -> subprocess.CompletedProcess[str]:
    return cli("replay", str(path), "--runs-dir", str(runs), *more)


BLUETOOTH = REPO / "scenarios" / "bluetooth-off"
