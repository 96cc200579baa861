"""TerminalConfirmer in a real pseudo-terminal, and refusing without one."""

from __future__ import annotations

import io
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from actions import Tap
from policies import AutoConfirm, Confirmer, ScriptedConfirmer, TerminalConfirmer

ROOT = Path(__file__).resolve().parents[1]
ACTION = Tap(confidence=0.9, element="Send button", coordinates=(500, 900))
PROGRAM = """
from actions import Tap
from policies import TerminalConfirmer
action = Tap(confidence=0.9, element="Send button", coordinates=(500, 900))
answer = TerminalConfirmer().confirm(action, 'sensitive: "send" in element "Send button"')
print("RESULT", answer, flush=True)
"""

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


def _read_until(fd: int, done, seen: bytes, deadline: float) -> bytes:
    """Read the terminal until `done(seen)` or the deadline; EIO means the child has exited."""
    while not done(seen) and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


def _prompted(seen: bytes) -> bool:
    return b"[y/N]" in seen


def _answered(seen: bytes) -> bool:
    return b"RESULT" in seen and seen.endswith(b"\n")


def _start_in_pty() -> tuple[subprocess.Popen, int]:
    master, slave = os.openpty()
    proc = subprocess.Popen([sys.executable, "-c", PROGRAM], stdin=slave, stdout=slave,
                            stderr=slave, cwd=ROOT, close_fds=True)
    os.close(slave)  # the child holds it now; the master sees EIO once the child exits
    return proc, master


def _finish(proc: subprocess.Popen, master: int) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    os.close(master)


def run_in_pty(keys: bytes) -> str:
    """Run PROGRAM on a new pseudo-terminal, type `keys` once it asks, return what it showed."""
    proc, master = _start_in_pty()
    try:
        deadline = time.monotonic() + 30
        seen = _read_until(master, _prompted, b"", deadline)
        assert _prompted(seen), seen.decode(errors="replace")
        os.write(master, keys)
        seen = _read_until(master, _answered, seen, deadline)
        assert proc.wait(timeout=30) == 0
    finally:
        _finish(proc, master)
    return seen.decode(errors="replace").split("RESULT", 1)[-1]


def test_pty_yes_allows():
    assert "True" in run_in_pty(b"y\n")


def test_pty_no_refuses():
    assert "False" in run_in_pty(b"n\n")


def test_pty_enter_alone_refuses():
    assert "False" in run_in_pty(b"\n")


def test_pty_ctrl_d_refuses():
    assert "False" in run_in_pty(b"\x04")


def test_prompt_shows_the_action_and_the_reason():
    proc, master = _start_in_pty()
    try:
        seen = _read_until(master, _prompted, b"", time.monotonic() + 30).decode()
        assert 'Allow tap "Send button" @ (500, 900)? sensitive: "send" in element' in seen
        os.write(master, b"n\n")
        assert proc.wait(timeout=30) == 0
    finally:
        _finish(proc, master)


def test_not_a_tty_refuses_without_reading():
    # stdin is a pipe kept open and never written: reading it would block until the timeout.
    proc = subprocess.Popen([sys.executable, "-c", PROGRAM], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        code = proc.wait(timeout=30)
        out, err = proc.stdout.read(), proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            pipe.close()
    assert code == 0
    assert b"RESULT False" in out
    assert b"refused: stdin is not a terminal" in err


class FakeTTY(io.StringIO):
    """Typed lines that claim to be a terminal, to check how answers are read."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("typed", "expected"), [
    ("y\n", True), ("YES\n", True), ("  y  \n", True), ("是\n", True),
    ("n\n", False), ("\n", False), ("yep\n", False), ("", False),
])
def test_answers(typed, expected):
    shown = io.StringIO()
    assert TerminalConfirmer(stdin=FakeTTY(typed), stream=shown).confirm(ACTION, "why") is expected
    assert shown.getvalue().startswith('Allow tap "Send button" @ (500, 900)? why [y/N] ')


def test_a_non_tty_stream_is_never_read():
    stdin = io.StringIO("y\n")
    shown = io.StringIO()
    assert TerminalConfirmer(stdin=stdin, stream=shown).confirm(ACTION, "why") is False
    assert stdin.tell() == 0 and "refused" in shown.getvalue()


def test_auto_and_scripted_confirmers():
    assert AutoConfirm().confirm(ACTION, "why") is True
    scripted = ScriptedConfirmer([True, False], default=False)
    assert [scripted.confirm(ACTION, str(i)) for i in range(3)] == [True, False, False]
    assert [reason for _, reason in scripted.asked] == ["0", "1", "2"]
    scripted.push(True)
    assert scripted.remaining == 1 and scripted.confirm(ACTION, "again") is True
    assert ScriptedConfirmer(default=True).confirm(ACTION, "why") is True
    for confirmer in (AutoConfirm(), scripted, TerminalConfirmer()):
        assert isinstance(confirmer, Confirmer)
