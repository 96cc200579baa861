"""No secret from a `--secret` or `--redact` run in any exported file or image.

The run is the one tests/test_privacy_images.py makes: a model (a loopback OpenAI-compatible
stand-in) joins NETGEAR-42 with the password `{WIFI}`, turns "Show password" on and looks at the
dialog, so the password is in clear on the phone's screen. The run folder is exported; every file
of the export is searched for the secret, and every exported image is read back with OCR, which
does read the network's name off them (so it could have read the password).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agent.commands.main import main
from tests.helpers import run_cli
from tests.test_privacy_images import NET, SECRET, ModelStandIn, _leaks, _read, _steps

pytest.importorskip("agent.ocr")


def test_no_exported_file_or_image_holds_the_secret(tmp_path: Path) -> None:
    out, examples = _run_and_export(tmp_path, _steps(), f"Join {NET} with the password {{WIFI}}",
                                    "--secret", "WIFI=env:MY_WIFI", env={"MY_WIFI": SECRET})
    assert len(examples) >= 6  # the steps are there ...
    typed = [e for e in examples if '"type"' in e["messages"][2]["content"][0]["text"]]
    assert typed and "{WIFI}" in typed[0]["messages"][2]["content"][0]["text"]  # ... with the placeholder
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    images = sorted((out / "images").glob("*.png"))
    texts = _read(iter(p.read_bytes() for p in images))
    assert len(texts) >= 4 and sum("NETGEAR" in text for text in texts) >= 2  # OCR reads these images
    for text in texts:
        assert not _leaks(text), text
    assert "## Privacy" in (out / "README.md").read_text(encoding="utf-8")


def test_a_redacted_run_exports_masked_text_and_leaves_the_typed_step_out(tmp_path: Path) -> None:
    """--redact: the password is typed as it is (no placeholder); the run folder masks it from the
    moment it reaches the password field, the export holds only the mask, and the step that typed
    it (its text masked: nothing to learn from) is left out."""
    steps = [{**s, "text": SECRET} if s["action"] == "type" else s for s in _steps()]
    out, examples = _run_and_export(tmp_path, steps, f"Join {NET} with the password {SECRET}", "--redact")
    assert examples and not any('"type"' in e["messages"][2]["content"][0]["text"] for e in examples)
    assert "its typed text is masked (--redact): 1" in (out / "README.md").read_text(encoding="utf-8")
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    for text in _read(iter(p.read_bytes() for p in sorted((out / "images").glob("*.png")))):
        assert not _leaks(text), text


def _run_and_export(tmp_path: Path, steps: list[dict[str, Any]], goal: str, *flags: str,
                    env: dict[str, str] | None = None) -> tuple[Path, list[dict[str, Any]]]:
    """A run against a loopback model answering `steps`, then `qwen-agent export` of its folder:
    (the export folder, its examples)."""
    server = ModelStandIn(steps)
    try:
        proc = run_cli("run", goal, "--backend", "openai", "--base-url", server.url, "--model", "qwen", *flags,
                       "--yes", "--runs-dir", str(tmp_path / "runs"), "--json", env=env or {}, timeout=300)
    finally:
        server.close()
    assert proc.returncode == 0, proc.stderr
    run = next((tmp_path / "runs").iterdir())
    out = tmp_path / "data"
    assert main(["export", str(run), "--out", str(out)]) == 0
    return out, [json.loads(line) for line in (out / "train.jsonl").read_text(encoding="utf-8").splitlines()]
