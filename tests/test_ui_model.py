"""The web UI's model comes from the same options and backends as `qwen-agent run`: with the tiny
random Qwen3-VL (`--model PATH`), the screenshot mode and a guided run both go through the real
transformers path. The tiny model's choices are nonsense; that they are well-formed and shown is
what is checked."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytest.importorskip("torch")

from agent.commands import build_parser  # noqa: E402
from agent.commands.ui import make_session  # noqa: E402
from agent.ui.controller import where_to_tap  # noqa: E402
from devices.sim import SimPhone  # noqa: E402
from tests.tiny_model import cached_tiny_model  # noqa: E402


def test_ui_with_the_tiny_model(tmp_path: Path) -> None:
    tiny = cached_tiny_model()
    args = build_parser().parse_args(["ui", "--model", str(tiny), "--temperature", "0",
                                      "--max-new-tokens", "16", "--runs-dir", str(tmp_path),
                                      "--no-speech", "--wait", "0.5"])
    session, factory = make_session(args)
    marked, words, _ = where_to_tap(factory(), SimPhone("en", "home", {}).screenshot(), "turn off Bluetooth")
    assert marked.size == (1080, 2400) and words and "{" not in words
    assert session.start("turn off Bluetooth", "en")
    deadline = time.monotonic() + 120
    while session.thread.is_alive() and time.monotonic() < deadline:
        session.choose("stop")  # the first thing shown is stopped; the run must end cleanly
        time.sleep(0.2)
    session.wait(5)
    snap = session.snapshot()
    assert snap.status in ("stopped", "done"), snap
    assert "Error" not in snap.text, snap.text
    assert snap.run_dir and (Path(snap.run_dir) / "report.html").is_file()
