"""X displays: pick one before pyautogui connects, start a sandbox one with Xvfb, list them."""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, NamedTuple

from actions.errors import UsageError

X11_SOCKETS = Path("/tmp/.X11-unix")


def ensure_xauthority() -> str:
    """Point XAUTHORITY at an existing file and return it.

    python-xlib (under pyautogui) refuses to connect when neither $XAUTHORITY nor ~/.Xauthority
    exists, even to a display that needs no cookie (Xvfb, a container). An empty file means "no
    cookies", which is exactly what such displays want; a user's real cookie file is never replaced.
    """
    current = os.environ.get("XAUTHORITY")
    if current and Path(current).is_file():
        return current
    home_file = Path.home() / ".Xauthority"
    if not current and home_file.is_file():
        return str(home_file)
    fd, path = tempfile.mkstemp(prefix="qwen-agent-", suffix=".Xauthority")
    with os.fdopen(fd, "wb") as out:
        out.write(_NO_MATCH_ENTRY)
    os.environ["XAUTHORITY"] = path
    return path


def _xauth_field(data: bytes) -> bytes:
    return len(data).to_bytes(2, "big") + data


# One entry for a host and display that do not exist: it matches no display, so no cookie is sent
# (as with an empty file), but python-xlib does not print "Xlib.xauth: warning, no xauthority
# details available" on every connection, as it does for a file with no entries at all.
_NO_MATCH_ENTRY = ((256).to_bytes(2, "big") + _xauth_field(b"qwen-agent-no-such-host")
                   + _xauth_field(b"65535") + _xauth_field(b"MIT-MAGIC-COOKIE-1") + _xauth_field(bytes(16)))


def use_display(display: str | None) -> str:
    """Make `display` (or $DISPLAY) the one this process drives; return its name.

    pyautogui connects at import time to $DISPLAY, so the variable is set first; if pyautogui was
    already imported, its X connection is replaced by a fresh one to `display` — even for the same
    name, since an Xvfb that stopped and a new one given the same number leave the old connection
    dead (a broken pipe at the first click).
    """
    name = display or os.environ.get("DISPLAY", "")
    if not name:
        raise UsageError("no X display: set DISPLAY (e.g. DISPLAY=:0), pass --display :N, "
                         "or start a sandbox display with `qwen-agent sandbox`")
    if not name.startswith(":") and ":" not in name:
        name = ":" + name
    ensure_xauthority()
    previous = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = name
    x11 = sys.modules.get("pyautogui._pyautogui_x11")
    if x11 is not None:
        from Xlib.display import Display

        try:
            fresh = Display(name)
        except Exception as err:  # python-xlib's DisplayError family and socket errors
            os.environ["DISPLAY"] = previous or ""
            raise UsageError(f"cannot connect to the X display {name}: {err}") from None
        old, x11._display = x11._display, fresh  # type: ignore[attr-defined]
        with contextlib.suppress(Exception):  # the old server may be gone already
            old.close()
    return name


class VirtualDisplay(NamedTuple):
    """A running Xvfb: `display` (":N") and its `process`. Unpacks as (display, process)."""

    display: str
    process: subprocess.Popen

    def stop(self) -> None:
        """Stop this Xvfb (by its own pid) and wait for it; safe to call twice."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


FIRST_NUMBER = 99  # sandbox displays start here: ":0" is left to a real X server


def start_virtual_display(size: tuple[int, int] = (1920, 1080), depth: int = 24,
                          timeout: float = 10.0) -> VirtualDisplay:
    """Start a private Xvfb display of `size` and return it once it accepts clients.

    Its number is the first free one from `FIRST_NUMBER` (never ":0", which a person's own X
    server expects to get); where another process takes the same number at the same moment, Xvfb
    refuses it and the next one is tried. Xvfb says when it is ready through `-displayfd`. TCP
    stays off (`-nolisten tcp`). The caller owns the process: `VirtualDisplay.stop()` ends it.
    """
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise UsageError("Xvfb not found: install it (Debian/Ubuntu: sudo apt install xvfb)")
    problem = "no free display number"
    for number in range(FIRST_NUMBER, FIRST_NUMBER + 100):
        if Path(f"/tmp/.X{number}-lock").exists() or (X11_SOCKETS / f"X{number}").exists():
            continue
        try:
            return _start_xvfb(xvfb, number, size, depth, timeout)
        except _Taken as taken:
            problem = str(taken)
    raise UsageError(f"Xvfb did not start: {problem}")


class _Taken(Exception):
    """Xvfb could not have this display number (another server took it meanwhile)."""


def _start_xvfb(xvfb: str, number: int, size: tuple[int, int], depth: int,
                timeout: float) -> VirtualDisplay:
    width, height = size
    read_fd, write_fd = os.pipe()
    # Xvfb's messages go to a file, not a pipe: a pipe nobody reads would block it, a closed one
    # would kill it with SIGPIPE.
    with tempfile.TemporaryFile() as log:
        try:
            process = subprocess.Popen(
                [xvfb, f":{number}", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x{depth}",
                 "-nolisten", "tcp", "-noreset"],
                pass_fds=(write_fd,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=log, start_new_session=True, preexec_fn=die_with_parent(),
            )
        finally:
            os.close(write_fd)
        try:
            number = _read_display_number(read_fd, process, timeout, log)
        except BaseException:  # Ctrl-C while it starts: the caller never got it to stop
            VirtualDisplay(f":{number}", process).stop()
            raise
    return VirtualDisplay(f":{number}", process)


def die_with_parent() -> Callable[[], None] | None:
    """Linux: the child gets SIGTERM when the process that started it dies, even by SIGKILL, so
    an Xvfb is never left behind by a parent that could not run its `finally`. (Started in its
    own session, it does not get the terminal's Ctrl-C: its owner stops it.) The libc handle is
    made here, before the fork, so the child only makes the one call."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig, sigterm = 1, int(signal.SIGTERM)

    def set_pdeathsig() -> None:
        prctl(pr_set_pdeathsig, sigterm, 0, 0, 0)

    return set_pdeathsig


def _read_display_number(read_fd: int, process: subprocess.Popen, timeout: float,
                         log: IO[bytes]) -> str:
    import select

    data = b""
    try:
        while not data.endswith(b"\n"):
            ready, _, _ = select.select([read_fd], [], [], timeout)
            chunk = os.read(read_fd, 64) if ready else b""
            if not chunk:
                break
            data += chunk
    finally:
        os.close(read_fd)
    if not data.strip().isdigit():
        process.kill()
        process.wait()
        log.seek(0)
        text = log.read().decode(errors="replace")
        reason = text.strip().splitlines()
        if "already active" in text:
            raise _Taken(reason[-1] if reason else "display number taken")
        raise UsageError(f"Xvfb did not start: {reason[-1] if reason else 'no display number'}")
    return data.decode().strip()


def local_displays() -> list[str]:
    """X displays with a socket on this machine (":0", ":99", ...), sorted by number."""
    if not X11_SOCKETS.is_dir():
        return []
    numbers = []
    for entry in X11_SOCKETS.iterdir():
        if entry.name.startswith("X") and entry.name[1:].isdigit():
            numbers.append(int(entry.name[1:]))
    return [f":{n}" for n in sorted(numbers)]
