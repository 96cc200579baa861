"""Fresh virtualenvs holding qwen-agent with one extra each, as a new user installs it.

Each venv is built once per pyproject.toml (its hash names the cache folder) under
`~/.cache/qwen-agent-ci/` (or $QWEN_AGENT_CI_CACHE) and reused by later runs, since building all
of them costs minutes. The project itself is installed from this checkout, but the commands run
with PYTHONPATH pointing at the checkout, so the code under test is always the working tree's and a
cached venv never serves stale code: the venv only brings the dependencies an extra installs.

torch is always asked for as `torch==2.13.0` (the small CPU build kept on local disk); any other
torch spec would pull a multi-gigabyte CUDA build.

`python -m tests.extras_env [EXTRA|bare ...]` builds them ahead of time and prints how long each
took. Sets for older pyproject.toml versions unused for three days are removed when one is built.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# "" is the bare install: no extra at all.
EXTRAS = ("", "model", "desktop", "android", "ui", "ocr", "quant", "train")
TORCH = "torch==2.13.0"
_NEEDS_TORCH = {"model", "quant", "train"}
_DONE = "built-ok"
_SOURCES = ("pyproject.toml", "README.md", "actions", "devices", "policies", "agent")


def cache_root() -> Path:
    base = os.environ.get("QWEN_AGENT_CI_CACHE") or Path.home() / ".cache" / "qwen-agent-ci"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:12]
    return Path(base) / f"extras-{digest}-py{sys.version_info[0]}{sys.version_info[1]}"


def venv_dir(extra: str) -> Path:
    return cache_root() / (extra or "bare")


def build(extra: str) -> tuple[Path, float]:
    """The venv for `extra` (built now if it is not cached) and the seconds building it took.
    Two test runs at once (two checkouts on one machine) take turns: a lock file per venv."""
    folder = venv_dir(extra)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (folder / _DONE).is_file():
            (folder / _DONE).touch()  # in use: `clean_stale` keeps it
            return folder, 0.0
        clean_stale()
        return folder, _build(extra, folder)


def _build(extra: str, folder: Path) -> float:
    shutil.rmtree(folder, ignore_errors=True)  # a half-built one from an interrupted run
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    with tempfile.TemporaryDirectory(prefix="qwen-agent-src-") as source:
        # Not editable, and built from a copy: the venv must not depend on where this checkout
        # lies (CI clones elsewhere), and the build leaves nothing in the working tree.
        for name in _SOURCES:
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, Path(source) / name,
                                ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(ROOT / name, Path(source) / name)
        target = f"{source}[{extra}]" if extra else source
        packages = ([TORCH] if extra in _NEEDS_TORCH else []) + [target]
        done = subprocess.run([str(folder / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
                               *packages], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"pip install {' '.join(packages)} failed:\n{done.stderr[-3000:]}")
    seconds = time.perf_counter() - started
    (folder / _DONE).write_text(f"{seconds:.1f}\n")
    return seconds


def clean_stale(days: float = 3.0) -> None:
    """Remove venvs of other pyproject.toml versions that no run has used for `days` (each set is
    gigabytes; another checkout on this machine may still use a recent one)."""
    current = cache_root()
    if not current.parent.is_dir():
        return
    cutoff = time.time() - days * 86400
    for other in current.parent.glob("extras-*"):
        if other == current or not other.is_dir():
            continue
        used = [p.stat().st_mtime for p in other.glob(f"*/{_DONE}")]
        if max(used, default=0.0) < cutoff:
            shutil.rmtree(other, ignore_errors=True)


def main(argv: list[str]) -> int:
    for extra in [("" if a in ("bare", "none") else a) for a in argv] or EXTRAS:
        folder, seconds = build(extra)
        print(f"[{extra or 'no extra'}] {folder}: {seconds:.1f} s "
              f"({'cached' if not seconds else 'built'})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
