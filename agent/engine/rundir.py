"""The run-folder writer (ARCHITECTURE.md, "Run folder"): run.json, trajectory.jsonl flushed per
step, frames. Every line and image passes the run's `Privacy` filter on its way to disk."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import time
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from actions import UsageError, grid_to_pixels
from agent.engine.privacy import Privacy
from agent.engine.step import StepRecord
from agent.imaging import save_png

TRAJECTORY = "trajectory.jsonl"
RUN_JSON = "run.json"
FRAMES = "frames"


def slugify(text: str, limit: int = 40) -> str:
    """A folder-safe slug that keeps CJK characters (a Chinese goal stays readable)."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-_")
    return text[:limit].rstrip("-") or "run"


PRIVATE = 0o700  # run folders hold screenshots and typed text: the user's eyes only


class RunFolderError(UsageError):
    """The runs folder cannot be written: not a folder, no permission, read-only, full. Bad input
    (exit 2, design.md §1), told in one line naming the folder; what was written stays readable."""


# Write errors that say "this place cannot hold the run", wherever they surface.
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG})


def storage_problem(err: OSError) -> str:
    """A write error in words a person can act on."""
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if err.errno == errno.EROFS:
        return "the file system is read-only"
    if err.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if err.errno == errno.EFBIG:
        return "the file is too large for the file system"
    return err.strerror or str(err)


def storage_error(err: OSError, folder: str | Path, name: str) -> RunFolderError:
    """`err`, met writing `name` in the run folder `folder`, as one line naming the folder."""
    return RunFolderError(f"cannot write the run folder {folder}: {storage_problem(err)} ({name})")


def write_text_atomic(folder: str | Path, name: str, text: str) -> Path:
    """`text` into folder/name through a .tmp and a rename, so a reader sees the old file or the
    new one, never half of one (a disk that fills up leaves the old one). RunFolderError, one line
    naming the folder, when it cannot be written."""
    path = Path(folder) / name
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise storage_error(err, folder, name) from None
    return path


def new_run_dir(runs_dir: str | Path, goal: str) -> Path:
    """A new, private (0700) run folder. Created with an atomic mkdir, so two runs starting in the
    same second - or in parallel threads (`eval --concurrency`) - never share one. RunFolderError
    (one line) when the runs folder cannot hold it."""
    base = Path(runs_dir)
    try:
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
    except (OSError, ValueError) as err:  # ValueError: a NUL in the name
        problem = storage_problem(err) if isinstance(err, OSError) else "not a folder name"
        if isinstance(err, FileExistsError | NotADirectoryError):
            problem = "it is a file, not a folder (or is inside one)"
        raise RunFolderError(f"cannot write run folders in {base}: {problem}") from None
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
class RunWriter:
    """Writes one run folder. Every step is on disk (flushed and fsynced) before the next begins,
    so a crash, Ctrl-C or power loss keeps everything decided so far; a line is written only once
    the frames it names are on disk, so a killed run always replays."""

    path: Path
    meta: dict[str, Any]
    started: float = field(default_factory=time.time)
    steps: int = 0
    _file: Any = None
    # PNG encoding costs milliseconds a frame (fpng; tens with Pillow); one writer thread writes
    # the plain frame while the model is asked, so it is usually on disk by the time its line is.
    # `close()` waits for every frame.
    _frames: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "frames"))
    _pending: dict[str, Future[None]] = field(default_factory=dict)
    privacy: Privacy = field(default_factory=Privacy)  # secrets scrubbed from every line
    failed: RunFolderError | None = None  # the first write that failed (a full disk)

    @classmethod
    def create(cls, runs_dir: str | Path, goal: str, meta: dict[str, Any],
               privacy: Privacy | None = None) -> RunWriter:
        # Under --redact the goal may hold a password the model will type: not in a folder name.
        name = "private" if privacy is not None and privacy.redact else goal
        rec = cls(path=new_run_dir(runs_dir, name), meta={"goal": goal, **meta},
                  privacy=privacy or Privacy())
        try:
            rec._file = rec._open_trajectory()
            rec.write_run_json(outcome="running", exit_code=None, message="")
        except RunFolderError:
            # Nothing of the run was written: leave no half-made folder beside the earlier runs.
            rec._frames.shutdown(wait=False)
            if rec._file is not None:
                rec._file.close()
            shutil.rmtree(rec.path, ignore_errors=True)
            raise
        return rec

    def _open_trajectory(self) -> Any:
        # Unbuffered bytes: each line goes to the file in one write, and a write cut short by a
        # full disk is cut back off (`add`), so the file only ever holds whole lines.
        try:
            return open(self.path / TRAJECTORY, "ab", buffering=0)  # noqa: SIM115 - kept open for the run
        except OSError as err:
            raise self._error(err, TRAJECTORY) from None

    def _error(self, err: OSError, name: str) -> RunFolderError:
        """A write error as one line naming the folder; the first one is remembered (`failed`)."""
        error = storage_error(err, self.path, name)
        self.failed = self.failed or error
        return error

    def save_frame(self, step: int, image: Image.Image) -> str | None:
        """Queue what the model saw (already through the privacy filter) for frames/NNNN.png;
        return its path relative to the run (None with --no-frames: nothing is written)."""
        if not self.privacy.frames:
            return None
        name = f"{FRAMES}/{step:04d}.png"
        if name not in self._pending:  # a re-asked step shares its frame
            self._pending[name] = self._frames.submit(self._write, image, name, None, None)
        return name

    def save_marked(self, step: int, image: Image.Image, point: tuple[int, int] | None,
                    to: tuple[int, int] | None = None, attempt: int = 1) -> str | None:
        """Write the frame with the action's target ringed; its path (None with --no-frames).

        Written here, not on the writer thread: the step's line waits for it right after, so a
        hand-over would only add a thread switch. A write error is raised where the line waits,
        as for a queued frame."""
        if not self.privacy.frames:
            return None
        name = f"{FRAMES}/{step:04d}-marked.png" if attempt == 1 else f"{FRAMES}/{step:04d}-{attempt}-marked.png"
        done: Future[None] = Future()
        try:
            self._write(image, name, point, to)
            done.set_result(None)
        except Exception as err:  # noqa: BLE001 - kept for `add`, like a queued frame's error
            done.set_exception(err)
        self._pending[name] = done
        return name

    def _write(self, image: Image.Image, name: str, point: tuple[int, int] | None,
               to: tuple[int, int] | None) -> None:
        out = mark_target(image, point, to) if name.endswith("-marked.png") else image
        try:
            save_png(out, self.path / name)
        except OSError:
            with contextlib.suppress(OSError):  # no half image: no line names it, and it frees room
                (self.path / name).unlink()
            raise

    def _wait(self, names: list[str | None]) -> None:
        """Block until the named frames are on disk (RunFolderError for a write error: a full disk)."""
        for name in names:
            future = self._pending.get(name) if name else None
            if future is not None:
                try:
                    future.result()
                except OSError as err:
                    raise self._error(err, name) from None

    def flush_frames(self) -> None:
        """Wait until every frame handed over is on disk (raises a write error)."""
        self._wait(list(self._pending))

    def add(self, record: StepRecord) -> None:
        """Write one step's line once the frames it names are on disk; fsynced."""
        self._wait([record.frame, record.frame_marked])
        entry = self.privacy.scrub(record.to_dict())
        data = memoryview((json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
        fd = self._file.fileno()
        start = os.lseek(fd, 0, os.SEEK_END)
        try:
            while data:
                data = data[os.write(fd, data):]
            os.fsync(fd)
        except OSError as err:
            with contextlib.suppress(OSError):  # the file keeps whole lines only
                os.ftruncate(fd, start)
            raise self._error(err, TRAJECTORY) from None
        self.steps += 1

    def mask(self, text: str) -> None:
        """`text` is about to reach a password field (--redact): from now on it is masked in every
        line, and the lines and run.json already on disk are rewritten at once — before it is
        typed, so a run killed right after still holds it nowhere."""
        before = self.privacy
        self.privacy = self.privacy.mask(text)
        if self.privacy is not before:
            self._rescrub()
            self.write_run_json(outcome="running", exit_code=None, message="")

    def write_run_json(self, *, outcome: str, exit_code: int | None, message: str,
                       extra: dict[str, Any] | None = None) -> None:
        now = time.time()
        if (self.path / TRAJECTORY).exists():
            # Counted from the file, not a counter: a Ctrl-C landing between a line's fsync and
            # `steps += 1` must not make run.json disagree with the trajectory.
            self.steps = len(read_lines(self.path))
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
        data = self.privacy.scrub(data)
        try:
            write_text_atomic(self.path, RUN_JSON, json.dumps(data, ensure_ascii=False, indent=2))
        except RunFolderError as err:
            if self.failed is not None:  # the run already ends on a write error: same news
                return
            self.failed = err
            raise

    def close(self) -> None:
        """Wait for every frame; RunFolderError if one could not be written - unless the run has
        already ended on a write error (`failed`): the rest of a full disk is the same news."""
        already = self.failed
        try:
            self.flush_frames()
        except RunFolderError:
            if already is None:
                raise
        finally:
            self._frames.shutdown(wait=True)
            if self._file is not None and not self._file.closed:
                self._file.close()

    def _rescrub(self) -> None:
        """Mask, in the lines already written, a password typed now (--redact)."""
        try:
            self._rescrub_lines()
        except OSError as err:
            with contextlib.suppress(OSError):
                (self.path / TRAJECTORY).with_suffix(".tmp").unlink()
            raise self._error(err, TRAJECTORY) from None

    def _rescrub_lines(self) -> None:
        path = self.path / TRAJECTORY
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:  # scrubbed as data, not as JSON text: a password with a quote is escaped there
                out.append(json.dumps(self.privacy.scrub(json.loads(line)), ensure_ascii=False))
            except json.JSONDecodeError:
                out.append(self.privacy.scrub(line))  # a line cut by a crash stays cut, masked
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(line + "\n" for line in out), encoding="utf-8")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)  # atomic: a reader sees the old file or the new one
        self._file.close()
        self._file = self._open_trajectory()  # the replaced file


def read_trajectory(run_dir: str | Path) -> list[StepRecord]:
    """Every complete line of a trajectory (a line cut by a crash is ignored, not fatal)."""
    return [StepRecord.from_dict(entry) for entry in read_lines(run_dir)]


def read_lines(run_dir: str | Path) -> list[dict[str, Any]]:
    """The trajectory's lines as plain objects (a line that is not a JSON object is skipped)."""
    entries = []
    for line in (Path(run_dir) / TRAJECTORY).read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except (ValueError, RecursionError):  # not JSON; a 5,000-digit number; nested 1,000 deep
            continue
        if isinstance(entry, dict):  # a step is an object; anything else is not one of ours
            entries.append(entry)
    return entries
