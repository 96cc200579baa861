"""The extra virtualenvs some model tests run in (built by tests/extra_venvs.sh).

    floor   the oldest supported transformers beside the CPU torch
    serve   `transformers serve` with a torch/torchvision pair that work together

A test that needs one fails loudly when CI=true and it is missing (CI builds them; a missing one
is a broken CI, not a reason to skip); locally it is skipped with the command that builds it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def venv_bin(name: str, program: str = "python") -> Path:
    """`program` inside the `name` venv ($QWEN_AGENT_<NAME>_VENV or .venv-<name> in the checkout)."""
    root = Path(os.environ.get(f"QWEN_AGENT_{name.upper()}_VENV") or REPO / f".venv-{name}")
    path = root / "bin" / program
    if path.exists():
        return path
    message = f"the {name} venv is missing ({root}); build it with: bash tests/extra_venvs.sh {name}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)
    raise AssertionError("unreachable")
