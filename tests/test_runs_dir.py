"""The runs folder (issue 15): one that cannot be written - under /dev/null, an existing file, no
permission, read-only, full, too small for one frame, or filling up mid-run - ends the command
with exit 2 (bad input, design.md §1) and one line naming the folder, never a traceback. What
could be written stays readable (run.json parses, every trajectory line is whole and names frames
that are on disk and decode), and earlier runs in the folder are untouched.

Full, read-only and small folders are real: a small tmpfs mounted for the test (as root; CI runs
as root). Without root the test skips with the reason, except under CI=true, where nothing may
skip.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from actions.safe_files import open_image
from agent.engine.rundir import RunFolderError, RunWriter
from agent.engine.step import StepRecord
from tests.helpers import EXE, REPO
from tests.hostile import BLUETOOTH, HANG, cli, one_line_exit_2, replay


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run this test (it runs as root): {reason}")
    pytest.skip(reason)


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted at `path` for the test; always unmounted."""
    if os.geteuid() != 0:
        unavailable("mounting a small tmpfs needs root")
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
                             capture_output=True, text=True, timeout=HANG)
    if mounted.returncode != 0:
        unavailable(f"cannot mount a tmpfs: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True, timeout=HANG).returncode != 0:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=HANG)


def remount_read_only(path: Path) -> None:
    done = subprocess.run(["mount", "-o", "remount,ro", str(path)], capture_output=True, text=True,
                          timeout=HANG)
    assert done.returncode == 0, done.stderr


def fill(folder: Path, leave: int = 0) -> None:
    """Fill the file system holding `folder` until a write fails; then free `leave` bytes."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as fh:
        with contextlib.suppress(OSError):
            while True:
                fh.write(b"\0" * 4096)
        with contextlib.suppress(OSError):  # the last partial page
            while True:
                fh.write(b"\0")
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))


def earlier_run(runs: Path) -> dict[str, bytes]:
    """A finished run already in the folder: its files and their bytes."""
    folder = runs / "20200101-000000-an-earlier-run"
    (folder / "frames").mkdir(parents=True)
    (folder / "run.json").write_text(json.dumps({"goal": "earlier", "outcome": "done"}), encoding="utf-8")
    (folder / "trajectory.jsonl").write_text(json.dumps({"step": 1, "frame": "frames/0001.png"}) + "\n",
                                             encoding="utf-8")
    Image.new("RGB", (8, 8), "red").save(folder / "frames" / "0001.png")
    return snapshot(folder)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def readable(run_dir: Path) -> list[dict]:
    """What a run left is readable: run.json parses, the trajectory holds whole lines that parse and
    name frames on disk that decode, every image decodes, no temporary file is left. Its lines."""
    assert not list(run_dir.rglob("*.tmp")), list(run_dir.rglob("*.tmp"))
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert run["exit_code"] in (None, 2) and run["outcome"] in ("running", "error"), run["outcome"]
    text = (run_dir / "trajectory.jsonl").read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n"), "a cut line"
    lines = [json.loads(line) for line in text.splitlines()]
    for line in lines:
        for name in (line.get("frame"), line.get("frame_marked")):
            if name:
                open_image(run_dir / name, name)
    for image in (run_dir / "frames").glob("*.png"):
        open_image(image, str(image))  # no half-written image
    assert run["steps"] == len(lines) or run["outcome"] == "running"
    return lines


def the_error(proc: subprocess.CompletedProcess[str]) -> str:
    """With --json: exit 2, no traceback, at most one line on stderr (the run ended on the error
    and report.html did not fit either) - else the end event carries it."""
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:], proc.stdout[-2000:])
    lines = proc.stderr.strip().splitlines()
    assert len(lines) <= 1, proc.stderr
    if lines:
        return lines[0]
    end = json.loads(proc.stdout.strip().splitlines()[-1])
    assert end["event"] == "end" and end["exit_code"] == 2, end
    return end["message"]


def test_runs_dir_under_dev_null(tmp_path: Path) -> None:
    line = one_line_exit_2(replay(BLUETOOTH, Path("/dev/null/runs")))
    assert "/dev/null/runs" in line


def test_runs_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "runs").write_text("not a folder", encoding="utf-8")
    line = one_line_exit_2(replay(BLUETOOTH, tmp_path / "runs"))
    assert str(tmp_path / "runs") in line and "file" in line
    assert (tmp_path / "runs").read_text(encoding="utf-8") == "not a folder"


def test_runs_dir_without_write_permission(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    before = earlier_run(runs)
    runs.chmod(0o500)
    preexec = None
    if os.geteuid() == 0:
        # Root writes anywhere (CAP_DAC_OVERRIDE): the command runs without that capability, as a
        # person's account would. Dropped in the child only, never in the test process.
        libc = ctypes.CDLL(None, use_errno=True)

        def preexec() -> None:
            for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
                if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                    raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")
    try:
        proc = subprocess.run([EXE, "replay", str(BLUETOOTH), "--runs-dir", str(runs)], capture_output=True,
                              text=True, timeout=HANG, cwd=REPO, preexec_fn=preexec)
    except subprocess.SubprocessError as err:  # the capability could not be dropped
        unavailable(f"cannot run without CAP_DAC_OVERRIDE: {err}")
    finally:
        runs.chmod(0o700)
    line = one_line_exit_2(proc)
    assert str(runs) in line and "permission denied" in line
    assert snapshot(runs / "20200101-000000-an-earlier-run") == before
    assert len(list(runs.iterdir())) == 1


def test_read_only_runs_folder(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "mnt", "256k") as mnt:
        before = earlier_run(mnt / "runs")
        remount_read_only(mnt)
        line = one_line_exit_2(replay(BLUETOOTH, mnt / "runs"))
        assert str(mnt / "runs") in line and "read-only" in line
        assert snapshot(mnt / "runs" / "20200101-000000-an-earlier-run") == before


def test_full_runs_folder(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "mnt", "256k") as mnt:
        before = earlier_run(mnt / "runs")
        fill(mnt)
        line = one_line_exit_2(replay(BLUETOOTH, mnt / "runs"))
        assert str(mnt / "runs") in line and "the disk is full" in line
        assert snapshot(mnt / "runs" / "20200101-000000-an-earlier-run") == before
        assert [p.name for p in (mnt / "runs").iterdir()] == ["20200101-000000-an-earlier-run"]


def test_runs_folder_too_small_for_one_frame(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "mnt", "64k") as mnt:
        before = earlier_run(mnt / "runs")
        proc = cli("replay", str(BLUETOOTH), "--runs-dir", str(mnt / "runs"), "--json")
        message = the_error(proc)
        assert str(mnt / "runs") in message and "the disk is full" in message and "frames/0001" in message
        run_dir = next(p for p in (mnt / "runs").iterdir() if "earlier" not in p.name)
        assert readable(run_dir) == []  # the first step's frame did not fit: no line names it
        assert snapshot(mnt / "runs" / "20200101-000000-an-earlier-run") == before


def test_disk_filling_up_mid_run(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "mnt", "1200k") as mnt:
        before = earlier_run(mnt / "runs")
        proc = cli("replay", str(BLUETOOTH), "--runs-dir", str(mnt / "runs"), "--json")
        message = the_error(proc)
        assert str(mnt / "runs") in message and "the disk is full" in message
        run_dir = next(p for p in (mnt / "runs").iterdir() if "earlier" not in p.name)
        lines = readable(run_dir)
        assert 1 <= len(lines) < 5, "it stopped mid-run, keeping the steps that fitted"
        assert snapshot(mnt / "runs" / "20200101-000000-an-earlier-run") == before


def test_a_line_cut_by_a_full_disk_is_cut_back_off(tmp_path: Path) -> None:
    """The trajectory holds whole lines only: a line the disk fills up in the middle of is removed
    again, and the error names the folder; closing afterwards does not raise the same news again."""
    with tmpfs(tmp_path / "mnt", "64k") as mnt:
        writer = RunWriter.create(mnt / "runs", "a goal", {"device": {}})
        writer.add(StepRecord(step=1, raw_reply="short"))
        whole = (writer.path / "trajectory.jsonl").read_bytes()
        fill(mnt, leave=4096)
        with pytest.raises(RunFolderError) as err:
            writer.add(StepRecord(step=2, raw_reply="x" * 20_000))  # more than the room left
        assert str(writer.path) in str(err.value) and "\n" not in str(err.value)
        assert (writer.path / "trajectory.jsonl").read_bytes() == whole
        writer.write_run_json(outcome="error", exit_code=2, message=str(err.value))
        writer.close()
        assert json.loads((writer.path / "run.json").read_text(encoding="utf-8"))["outcome"] in ("running", "error")


def test_a_frame_that_does_not_fit_is_not_left_half_written(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "mnt", "64k") as mnt:
        writer = RunWriter.create(mnt / "runs", "a goal", {"device": {}})
        noise = Image.frombytes("RGB", (256, 256), os.urandom(256 * 256 * 3))  # ~200 KB as PNG
        frame = writer.save_frame(1, noise)
        with pytest.raises(RunFolderError, match="frames/0001.png"):
            writer.add(StepRecord(step=1, frame=frame))
        assert not (writer.path / frame).exists()
        assert (writer.path / "trajectory.jsonl").read_bytes() == b""
        writer.close()  # the same full disk: not raised twice


def test_an_unwritable_runs_dir_in_process_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(RunFolderError, match="cannot write run folders in"):
        RunWriter.create(tmp_path / "file" / "runs", "goal", {})


def test_a_password_mask_that_cannot_be_written_stops_the_run_first(tmp_path: Path) -> None:
    """--redact rewrites the lines on disk before a password is typed; if the disk is full that
    rewrite fails, and the error stops the run before the password is typed (stages calls
    `mask` first), leaving the old lines whole."""
    from agent.engine.privacy import Privacy

    with tmpfs(tmp_path / "mnt", "64k") as mnt:
        writer = RunWriter.create(mnt / "runs", "join Wi-Fi", {"device": {}}, Privacy(redact=True))
        writer.add(StepRecord(step=1, raw_reply='{"action": "type", "text": "hunter2-hunter2"}'))
        whole = (writer.path / "trajectory.jsonl").read_bytes()
        fill(mnt)
        with pytest.raises(RunFolderError, match="the disk is full"):
            writer.mask("hunter2-hunter2")
        assert (writer.path / "trajectory.jsonl").read_bytes() == whole
        assert not list(writer.path.rglob("*.tmp"))
        writer.close()
