"""The adb server: started quietly when a command needs one and none is running, and stopped again
by the process that started it, so qwen-agent leaves adb as it found it.

adbutils, left to itself, runs `adb start-server` with adb's own output on our terminal ("daemon
not running; starting now at tcp:5037") and leaves the server behind. Here the start is explicit
(`adb -P PORT start-server`, output captured) and remembered; `stop_started()` (the CLI's exit
path) and `stop()` (doctor) end only servers this process started. A server on another host is
never started or stopped.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess

_LOCAL = {"127.0.0.1", "localhost", "::1"}
_started: set[int] = set()  # ports of the servers this process started


def listening(host: str, port: int, timeout: float = 1.0) -> bool:
    """Something accepts connections at host:port (an adb server, we assume)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def ensure(host: str, port: int) -> bool:
    """Start a local adb server on `port` when none is listening; True if this call started one.
    Where adb cannot be started, nothing is raised: the caller's connection fails with its own
    one-line message."""
    if host not in _LOCAL or listening(host, port):
        return False
    try:
        subprocess.run([_adb(), "-P", str(port), "start-server"], capture_output=True, timeout=30,
                       stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError, RuntimeError):
        return False
    if listening(host, port):
        _started.add(port)
        return True
    return False


def stop(port: int) -> None:
    """Stop the server on `port` if this process started it."""
    if port in _started:
        _started.discard(port)
        with contextlib.suppress(OSError, subprocess.SubprocessError, RuntimeError):
            subprocess.run([_adb(), "-P", str(port), "kill-server"], capture_output=True, timeout=30,
                           stdin=subprocess.DEVNULL)


def stop_started() -> None:
    """Stop every server this process started (the CLI calls this on every exit path)."""
    for port in sorted(_started):
        stop(port)


def started() -> frozenset[int]:
    return frozenset(_started)


def _adb() -> str:
    """The adb adbutils would use: $ADBUTILS_ADB_PATH, adb on PATH, or its bundled one."""
    try:
        from adbutils import adb_path
    except ImportError as err:
        raise RuntimeError(str(err)) from None
    try:
        return adb_path()
    except Exception as err:  # noqa: BLE001 - adbutils raises its AdbError when there is none
        raise RuntimeError(str(err)) from None
