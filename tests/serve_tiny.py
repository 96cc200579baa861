"""`transformers serve` (transformers' own OpenAI-compatible server) serving the tiny random
Qwen3-VL on 127.0.0.1, for the tests of the server backend against a real server.

It runs from the `serve` venv (tests/extra_venvs.sh serve: it needs torchvision, which the CPU
torch of the main venv lacks). Startup is bounded in time, and the server (its whole process
group) is always stopped, by its pid.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.extra_venv import venv_bin

START_SECONDS = 240.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def transformers_serve(checkpoint: Path, log: Path) -> Iterator[str]:
    """Yield the server's base URL (…/v1) while it runs; stop it afterwards whatever happened."""
    exe = venv_bin("serve", "transformers")
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(exe), "serve", str(checkpoint), "--host", "127.0.0.1", "--port", str(port), "--device", "cpu"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
        )
    try:
        _wait_healthy(proc, port, log)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        _stop(proc)


def _wait_healthy(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"transformers serve exited ({proc.returncode}): {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"transformers serve did not answer within {START_SECONDS:g} s: {log.read_text()[-2000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


def post(base: str, body: dict, timeout: float = 120) -> tuple[int, str]:
    """One raw request (status, body text), for pinning down what the server itself does."""
    request = urllib.request.Request(base + "/chat/completions", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()
