"""Shared by the tests: the installed console script and the repository root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXE = shutil.which("qwen-agent", path=str(Path(sys.executable).parent)) or "qwen-agent"


def run_cli(*args: str, stdin: str = "", timeout: float = 120, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `qwen-agent` as a user would (stdin is a pipe, not a terminal)."""
    return subprocess.run([EXE, *args], input=stdin, capture_output=True, text=True, timeout=timeout,
                          cwd=cwd or REPO, env={**os.environ, **(env or {})})
