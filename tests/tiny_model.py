"""A tiny random Qwen3-VL saved like a real checkpoint: `python -m tests.tiny_model OUT_DIR`.

The builder lives in the package (`agent.backends.tiny`) so `qwen-agent bench` can use it too;
this module is the documented entry point and what tests import. `cached_tiny_model()` builds it
once per test session (in a temporary folder removed at exit) for every test file that needs it.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from agent.backends.tiny import (
    CHAT_TEMPLATE,
    build_tiny_model,
    main,
    tiny_config_dict,
    tokenizer_dir,
)

__all__ = ["CHAT_TEMPLATE", "build_tiny_model", "cached_tiny_model", "main", "tiny_config_dict", "tokenizer_dir"]


@cache
def cached_tiny_model() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="qwen-agent-tiny-"))
    atexit.register(shutil.rmtree, folder, True)
    return build_tiny_model(folder / "tiny-qwen3-vl")


if __name__ == "__main__":
    raise SystemExit(main())
