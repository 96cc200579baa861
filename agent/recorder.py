"""The run folder (design.md §3): run.json, trajectory.jsonl flushed per step, frames, report.html."""

from __future__ import annotations

import json
import os
import re
import time
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from actions import grid_to_pixels
from agent.privacy import Privacy
from devices.redact import black_out

TRAJECTORY = "trajectory.jsonl"
RUN_JSON = "run.json"
FRAMES = "frames"


def slugify(text: str, limit: int = 40) -> str:
    """A folder-safe slug that keeps CJK characters (a Chinese goal stays readable)."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-_")
    return text[:limit].rstrip("-") or "run"


PRIVATE = 0o700  # run folders hold screenshots and typed text: the user's eyes only


def new_run_dir(runs_dir: str | Path, goal: str) -> Path:
    """A new, private (0700) run folder. Created with an atomic mkdir, so two runs starting in the
    same second - or in parallel threads (`eval --concurrency`) - never share one."""
    base = Path(runs_dir)
    if not base.exists():  # exist_ok: parallel runs (eval --concurrency) may race to create it
        base.mkdir(parents=True, mode=PRIVATE, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    n = 1
    while True:
        path = base / f"{stamp}-{slugify(goal)}{'' if n == 1 else f'-{n}'}"
        try:
            path.mkdir(mode=PRIVATE)
            break
        except FileExistsError:
            n += 1
    path.chmod(PRIVATE)  # mkdir's mode is filtered by the umask; be exact
    (path / FRAMES).mkdir(mode=PRIVATE)
    return path


def mark_target(image: Image.Image, point: tuple[int, int] | None,
                to: tuple[int, int] | None = None) -> Image.Image:
    """A copy of the frame with the action's target ringed (and a swipe's path drawn)."""
    marked = image.convert("RGB").copy()
    if point is None:
        return marked
    draw = ImageDraw.Draw(marked)
    size = marked.size
    x, y = grid_to_pixels(point, size)
    radius = max(10, min(size) // 18)
    width = max(3, radius // 5)
    for r, colour in ((radius + width, "white"), (radius, "#e8112d")):
        draw.ellipse((x - r, y - r, x + r, y + r), outline=colour, width=width)
    draw.ellipse((x - width, y - width, x + width, y + width), fill="#e8112d")
    if to is not None:
        tx, ty = grid_to_pixels(to, size)
        draw.line((x, y, tx, ty), fill="#e8112d", width=width)
        draw.ellipse((tx - 2 * width, ty - 2 * width, tx + 2 * width, ty + 2 * width), fill="#e8112d")
    return marked


@dataclass
class Recorder:
    """Writes one run folder. Every step is on disk (flushed and fsynced) before the next begins,
    so a crash, Ctrl-C or power loss keeps everything decided so far."""

    path: Path
    meta: dict[str, Any]
    started: float = field(default_factory=time.time)
    steps: int = 0
    _file: Any = None
    # PNG encoding of two frames a step costs tens of milliseconds; one writer thread does it while
    # the loop goes on to the next capture and model call. `close()` waits for every frame.
    _frames: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "frames"))
    _pending: list[Future[None]] = field(default_factory=list)
    _saved: set[str] = field(default_factory=set)
    privacy: Privacy = field(default_factory=Privacy)  # secrets scrubbed from every line; frames or not

    @classmethod
    def create(cls, runs_dir: str | Path, goal: str, meta: dict[str, Any],
               privacy: Privacy | None = None) -> Recorder:
        # Under --redact the goal may hold a password the model will type: not in a folder name.
        name = "private" if privacy is not None and privacy.redact else goal
        rec = cls(path=new_run_dir(runs_dir, name), meta={"goal": goal, **meta},
                  privacy=privacy or Privacy())
        rec._file = open(rec.path / TRAJECTORY, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the run
        rec.write_run_json(outcome="running", exit_code=None, message="")
        return rec

    def save_frame(self, step: int, image: Image.Image, point: tuple[int, int] | None,
                   to: tuple[int, int] | None = None,
                   hide: tuple[tuple[int, int, int, int], ...] = ()) -> tuple[str, str]:
        """Save what the model saw and the marked copy, with the `hide` boxes (password fields)
        blacked out of both; return both paths relative to the run (None, None with
        `--no-frames`: nothing is written)."""
        if not self.privacy.frames:
            return None, None  # type: ignore[return-value]
        name = f"{FRAMES}/{step:04d}.png"
        marked = f"{FRAMES}/{step:04d}-marked.png"
        for future in [f for f in self._pending if f.done()]:
            self._pending.remove(future)
            future.result()  # a frame that could not be written (disk full) stops the run loudly
        first = name not in self._saved
        self._saved.add(name)
        if hide:  # masked now, on the loop's thread: the image may be reused once we return
            image = black_out(image, hide)
        self._pending.append(self._frames.submit(self._write_frames, image, name if first else None,
                                                 marked, point, to))
        return name, marked

    def _write_frames(self, image: Image.Image, name: str | None, marked: str,
                      point: tuple[int, int] | None, to: tuple[int, int] | None) -> None:
        if name is not None:  # a re-asked step shares its frame; only the marked copy differs
            image.save(self.path / name, compress_level=1)
        mark_target(image, point, to).save(self.path / marked, compress_level=1)

    def flush_frames(self) -> None:
        """Wait until every frame handed to `save_frame` is on disk (raises a write error)."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()

    def add_step(self, entry: dict[str, Any]) -> None:
        entry = self.privacy.scrub(entry)
        self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        self.steps += 1

    def write_run_json(self, *, outcome: str, exit_code: int | None, message: str,
                       extra: dict[str, Any] | None = None) -> None:
        now = time.time()
        if (self.path / TRAJECTORY).exists():
            # Counted from the file, not a counter: a Ctrl-C landing between a line's fsync and
            # `steps += 1` must not make run.json disagree with the trajectory.
            self.steps = len(read_trajectory(self.path))
        data = {
            **self.meta,
            "outcome": outcome,
            "exit_code": exit_code,
            "message": message,
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.started)),
            "seconds": round(now - self.started, 3),
            "steps": self.steps,
            **(extra or {}),
        }
        tmp = self.path / (RUN_JSON + ".tmp")
        data = self.privacy.scrub(data)
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, self.path / RUN_JSON)  # atomic: a reader never sees half a file

    def close(self) -> None:
        try:
            self.flush_frames()
        finally:
            self._frames.shutdown(wait=True)
            if self._file is not None and not self._file.closed:
                self._file.close()
                if self.privacy.masked:
                    self._rescrub()

    def _rescrub(self) -> None:
        """Mask, in the lines written before it was typed, a password typed later (--redact)."""
        path = self.path / TRAJECTORY
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:  # scrubbed as data, not as JSON text: a password with a quote is escaped there
                out.append(json.dumps(self.privacy.scrub(json.loads(line)), ensure_ascii=False))
            except json.JSONDecodeError:
                out.append(self.privacy.scrub(line))  # a line cut by a crash stays cut, masked
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(line + "\n" for line in out), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a reader sees the old file or the new one


def read_trajectory(run_dir: str | Path) -> list[dict[str, Any]]:
    """Every complete line of a trajectory (a line cut by a crash is ignored, not fatal)."""
    entries = []
    for line in (Path(run_dir) / TRAJECTORY).read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict):  # a step is an object; anything else is not one of ours
            entries.append(entry)
    return entries
