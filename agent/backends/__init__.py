"""Model backends and the one factory that builds them from typed options (the command line's
model arguments are in `agent/commands/model.py`).

    transformers  Qwen3-VL in-process (GPU, quantized, offloaded, or CPU); default
    openai        any OpenAI-compatible server: vLLM, SGLang, Ollama, a cloud endpoint

Nothing heavy is imported here: torch and transformers load inside `build_model` only, so
commands that never touch a model (`qwen-agent parse`) stay fast.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from actions.errors import UsageError
from agent.backends.options import DEFAULT_PROMPTING, History, Loading, Prompting, Sampling
from agent.engine.model import Model

BACKENDS = ("transformers", "openai")
# The oldest transformers the local backend runs on (pyproject's floor; CI runs a tiny-model step
# with it). 4.57.x, Qwen3-VL's first release, refuses a Qwen3VLProcessor without its video part,
# which torch builds without torchvision cannot have.
TRANSFORMERS_FLOOR = (5, 0)
DEFAULT_TIMEOUT = 120.0
MODEL_EXTRAS = "pip install 'qwen-agent[model]'"


def build_model(backend: str, *, loading: Loading | None, server: Any, sampling: Sampling,
                history: History, prompting: Prompting = DEFAULT_PROMPTING, progress: bool = True) -> Model:
    """The backend asked for: `openai` with `server` (`openai_backend.ServerOptions`), else the
    local transformers model with `loading`. Raises `UsageError` / `ModelError` (one line)."""
    if backend == "openai":
        from agent.backends.openai_backend import OpenAIModel

        return OpenAIModel(server, sampling, history, prompting)
    assert loading is not None
    return load_transformers(loading, sampling, history, progress=progress, prompting=prompting)


def load_transformers(loading: Loading, sampling: Sampling, history: History, progress: bool = True,
                      prompting: Prompting = DEFAULT_PROMPTING) -> Any:
    missing = [name for name in ("torch", "transformers", "accelerate") if importlib.util.find_spec(name) is None]
    if missing:
        raise UsageError(f"the local backend needs {', '.join(missing)}: {MODEL_EXTRAS}")
    check_transformers_version()
    if sampling.constrain and importlib.util.find_spec("llguidance") is None:
        raise UsageError("constrained decoding needs llguidance: pip install 'qwen-agent[constrain]' (or pass --no-constrain)")
    from agent.backends.checkpoint import resolve_checkpoint

    folder = resolve_checkpoint(loading.model)
    from agent.backends.hf_load import load
    from agent.backends.transformers_backend import TransformersModel

    return TransformersModel(load(folder, loading, progress=progress), loading.model, sampling, history, prompting)


def check_transformers_version() -> None:
    """A one-line UsageError for a transformers older than the floor (before anything imports it)."""
    from importlib.metadata import version

    installed = version("transformers")
    numbers = tuple(int(p) for p in installed.split(".")[:2] if p.isdigit())
    if len(numbers) == 2 and numbers < TRANSFORMERS_FLOOR:
        floor = ".".join(map(str, TRANSFORMERS_FLOOR))
        raise UsageError(f"transformers {installed} is too old for Qwen3-VL here (needs {floor} or later): "
                         f"pip install -U 'transformers>={floor}'")
