"""Where a model's files are: a local folder, the Hugging Face cache, or a download.

Everything later loads from the one local folder this returns, so a hub id and a path take the
same path through the loader. Before downloading, the hub is probed with a few seconds' timeout
(DNS included): without a network the command stops at once with one line saying what to do,
instead of retrying for minutes inside a download library.
"""

from __future__ import annotations

import os
import re
import socket
import threading
from pathlib import Path
from urllib.parse import urlparse

from actions.errors import UsageError
from agent.engine.errors import ModelError

DEFAULT_MODEL = "Qwen/Qwen3-VL-4B-Thinking"
PROBE_SECONDS = 4.0
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")

ALTERNATIVES = (
    "use a local checkpoint (--model PATH), a server (--backend openai --base-url URL --model NAME), "
    "or the tiny test model (python -m tests.tiny_model DIR, then --model DIR)"
)

# The files the agent needs; weights and code-free configs only (no videos, no training files).
_PATTERNS = ["*.json", "*.safetensors", "*.jinja", "*.txt", "*.model", "tokenizer*"]


def resolve_checkpoint(model: str, probe_seconds: float = PROBE_SECONDS) -> Path:
    """The local folder holding `model` (a path, or a hub id found in the cache or downloaded)."""
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise UsageError(f"{path} is not a model checkpoint (no config.json)")
        return path
    if path.exists():
        raise UsageError(f"--model {model}: expected a checkpoint folder or a hub id, got a file")
    if not _HUB_ID.match(model):
        raise UsageError(f"no model folder {model!r}, and it is not a hub id like {DEFAULT_MODEL}")
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import LocalEntryNotFoundError
    except ImportError:
        raise UsageError("the local backend needs its extras: pip install 'qwen-agent[model]'") from None
    try:
        return Path(snapshot_download(model, allow_patterns=_PATTERNS, local_files_only=True))
    except (LocalEntryNotFoundError, FileNotFoundError, OSError):
        pass  # not (fully) cached: download below
    if _truthy(os.environ.get("HF_HUB_OFFLINE")) or _truthy(os.environ.get("TRANSFORMERS_OFFLINE")):
        raise ModelError(f"{model} is not in the local cache and HF_HUB_OFFLINE is set; {ALTERNATIVES}")
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    problem = probe(endpoint, probe_seconds)
    if problem:
        raise ModelError(f"cannot download {model}: {problem}; {ALTERNATIVES}")
    print(f"downloading {model} (once; cached by Hugging Face for later runs) ...", flush=True)
    try:
        return Path(snapshot_download(model, allow_patterns=_PATTERNS))
    except Exception as err:  # the hub library raises many types; the user needs one line
        raise ModelError(f"cannot download {model}: {_first_line(err)}; {ALTERNATIVES}") from None


def probe(url: str, seconds: float) -> str | None:
    """None when a TCP connection to `url`'s host opens within `seconds`, else why not.

    Name resolution has no timeout of its own, so the whole probe runs in a daemon thread.
    """
    parsed = urlparse(url)
    host = parsed.hostname or url
    port = parsed.port or (443 if parsed.scheme != "http" else 80)
    outcome: list[str | None] = []

    def connect() -> None:
        try:
            with socket.create_connection((host, port), timeout=seconds):
                outcome.append(None)
        except socket.gaierror:
            outcome.append(f"no network ({host} does not resolve)")
        except OSError as err:
            outcome.append(f"no connection to {host} ({err.strerror or type(err).__name__})")

    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(seconds + 0.5)
    return outcome[0] if outcome else f"no answer from {host} within {seconds:g} s"


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0][:200] if text else type(err).__name__
