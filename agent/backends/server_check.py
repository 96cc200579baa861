"""`qwen-agent doctor --base-url URL [--model NAME]`: is this server ready for the agent?

Four checks, one line each with the fix, in the order a user would fix them:

    server      the URL answers `GET /models` (vLLM, SGLang, Ollama, transformers serve all do)
    model       it serves the model asked for (or exactly one, which is then used)
    reasoning   a reply carries the thinking: apart (`reasoning_content` / `reasoning`) or inline
                (`...</think>`); none means an Instruct model or thinking turned off
    images      it takes a screenshot as a data URL

Each check is a real request with a small `max_tokens`, so it costs seconds even on a slow server.
"""

from __future__ import annotations

from typing import Any

from PIL import Image

from agent.backends.http_client import Retry, get_json, post, read_json
from agent.backends.openai_wire import THINK_CLOSE, data_url
from agent.engine.errors import ModelError
from devices.doctor import Check

DEFAULT_TIMEOUT = 60.0
REASONING_TOKENS = 128  # enough for any model to show it thinks; a direct answer is a few tokens
FIX_SERVER = "start the server (README: Serving) or fix --base-url (it usually ends in /v1)"
FIX_REASONING = ("serve a Qwen3-VL *-Thinking model (Ollama: a -thinking tag); vLLM: --reasoning-parser "
                 "deepseek_r1 (0.11-0.12) or qwen3; SGLang: --reasoning-parser qwen3-thinking")
FIX_IMAGES = ("serve a vision model (Qwen3-VL) with images allowed, e.g. vLLM --limit-mm-per-prompt "
              "'{\"image\": 2}'")


def check_server(base_url: str, model: str | None = None, api_key: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> list[Check]:
    base = base_url.rstrip("/")
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        listing = get_json(base + "/models", headers, timeout)
    except ModelError as err:
        return [Check("server", False, str(err), FIX_SERVER, required=True)]
    served = [m.get("id") for m in listing.get("data", []) if isinstance(m, dict) and isinstance(m.get("id"), str)]
    checks = [Check("server", True, f"{base} answers ({len(served)} model{'s' * (len(served) != 1)} served)")]
    name, check = _served(model, served)
    checks.append(check)
    if name is None:
        return checks
    checks.append(_reasoning(base, name, headers, timeout))
    checks.append(_images(base, name, headers, timeout))
    return checks


def _served(model: str | None, served: list[str]) -> tuple[str | None, Check]:
    listed = ", ".join(served[:6]) + (" ..." if len(served) > 6 else "")
    if model:
        if model in served or not served:  # some servers list nothing but serve what they are asked
            return model, Check("model", True, f"serves {model}")
        return None, Check("model", False, f"{model!r} is not served; it serves {listed}",
                           "pass --model with one of those names (or start the server with this model)",
                           required=True)
    if len(served) == 1:
        return served[0], Check("model", True, f"serves {served[0]} (use --model {served[0]})")
    if not served:
        return None, Check("model", False, "the server lists no model", "pass --model NAME", required=True)
    return None, Check("model", False, f"several models are served ({listed})", "pass --model NAME", required=True)


def _chat(base: str, body: dict[str, Any], headers: dict[str, str], timeout: float) -> dict[str, Any]:
    url = base + "/chat/completions"
    with post(url, body, headers, timeout, Retry(attempts=1)) as response:
        return read_json(response, url, timeout)


def _reasoning(base: str, model: str, headers: dict[str, str], timeout: float) -> Check:
    body = {"model": model, "max_tokens": REASONING_TOKENS,
            "messages": [{"role": "user", "content": "Is 17 a prime number? Answer yes or no."}]}
    try:
        data = _chat(base, body, headers, timeout)
    except ModelError as err:
        return Check("reasoning", False, f"a text request failed: {err}", FIX_SERVER, required=True)
    choice = (data.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    content = message.get("content") if isinstance(message.get("content"), str) else ""
    for field in ("reasoning_content", "reasoning"):
        if isinstance(message.get(field), str) and message[field].strip():
            return Check("reasoning", True, f"the thinking comes apart in `{field}`")
    if THINK_CLOSE in content:
        return Check("reasoning", True, "the thinking comes inline, closed by </think> (read from the text)")
    if choice.get("finish_reason") == "length":
        return Check("reasoning", True, f"the reply ran past {REASONING_TOKENS} tokens for a yes/no question: "
                     "thinking inline, no reasoning parser (read from the text)")
    return Check("reasoning", False, f"the reply carries no reasoning ({content.strip()[:40]!r}): the model does "
                 "not think", FIX_REASONING, required=True)


def _images(base: str, model: str, headers: dict[str, str], timeout: float) -> Check:
    image = Image.new("RGB", (64, 64), (30, 120, 220))
    body = {"model": model, "max_tokens": 8, "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": data_url(image)}},
        {"type": "text", "text": "What colour is this picture?"},
    ]}]}
    try:
        data = _chat(base, body, headers, timeout)
    except ModelError as err:
        return Check("images", False, f"a screenshot was refused: {err}", FIX_IMAGES, required=True)
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    tokens = usage.get("prompt_tokens")
    return Check("images", True, "takes screenshots as data URLs" + (f" ({tokens} prompt tokens)" if tokens else ""))


__all__ = ["check_server"]
