"""The server backend: any OpenAI-compatible chat endpoint (vLLM, SGLang, Ollama, clouds).

Screenshots go as base64 PNG data URLs. The reasoning comes back in one of three ways, all
handled: a separate `reasoning_content` (vLLM/SGLang with a reasoning parser, DeepSeek-style
APIs) or `reasoning` (newer vLLM, OpenRouter) field, or inline in the content as
`<think>...</think>` (or only `...</think>` when the chat template already opened the block). The
reply handed to the loop is always "<think>\\nREASONING\\n</think>\\n\\nANSWER", so the parser and
the trajectory see the same shape as from the local backend.

With constraining on, the request asks for structured output (`response_format` json_schema,
the grammar-friendly schema); a server that rejects it (400) is asked again without it, and the
answer is parsed as usual. Likewise for the non-standard `top_k`.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import time
from dataclasses import dataclass
from typing import Any

from PIL import Image

from actions.errors import UsageError
from agent.backends.grammar import grammar_schema
from agent.backends.http_client import HTTPStatusError, Retry, post, read_json, sse_events
from agent.backends.options import History, Sampling
from agent.engine.errors import ModelError
from agent.engine.model import DecideRequest, ModelReply, TextSink
from agent.imaging import visual_tokens
from agent.prompt import ImagePart, Prompt, build_prompt

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
OPTIONAL_FIELDS = ("response_format", "top_k")  # dropped, once, by a server that rejects them


@dataclass(frozen=True)
class ServerOptions:
    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 120.0
    retry: Retry = Retry()

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"


def server_options(args: argparse.Namespace) -> ServerOptions:
    if not args.base_url:
        raise UsageError("--backend openai needs --base-url, e.g. http://localhost:8000/v1")
    if not args.base_url.startswith(("http://", "https://")):
        raise UsageError(f"--base-url {args.base_url}: expected an http:// or https:// URL")
    if not args.model:
        raise UsageError("--backend openai needs --model: the model name the server serves")
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    return ServerOptions(args.base_url, args.model, os.environ.get(args.api_key_env) or None, args.timeout)


class OpenAIModel:
    backend = "openai"  # recorded in run.json

    def __init__(self, server: ServerOptions, sampling: Sampling, history: History) -> None:
        self.server = server
        self.sampling = sampling
        self.history = history
        self.name = server.model
        self._dropped: set[str] = set()  # optional fields this server rejected

    def decide(self, request: DecideRequest, on_text: TextSink | None = None) -> ModelReply:
        start = time.perf_counter()
        prompt = build_prompt(request, self.history.steps, self.history.images)
        body = self.request_body(prompt, stream=on_text is not None)
        data = self._send(body, on_text)
        reply = _reply_from(data, self.server.url)
        return ModelReply(
            text=reply.text,
            thinking=reply.thinking,
            prompt_tokens=reply.usage.get("prompt_tokens"),
            completion_tokens=reply.usage.get("completion_tokens"),
            image_tokens=sum(visual_tokens(image.size) for image in prompt.images()),
            seconds=time.perf_counter() - start,
            extra={"finish_reason": reply.finish_reason, "structured": "response_format" in body},
        )

    def request_body(self, prompt: Prompt, stream: bool) -> dict[str, Any]:
        s = self.sampling
        body: dict[str, Any] = {
            "model": self.server.model,
            "messages": messages(prompt),
            # The thinking budget plus room for the action (the server cannot cut the reasoning
            # alone, so the whole reply gets both).
            "max_tokens": s.max_new_tokens + s.answer_tokens,
            "temperature": s.temperature,
            "top_p": s.top_p,
            "stream": stream,
        }
        if s.top_k > 0:
            body["top_k"] = s.top_k
        if stream:
            body["stream_options"] = {"include_usage": True}
        if s.constrain:
            schema = grammar_schema()
            schema.pop("x-guidance", None)
            body["response_format"] = {"type": "json_schema", "json_schema": {"name": "action", "schema": schema}}
        for name in self._dropped:
            body.pop(name, None)
        return body

    def _send(self, body: dict[str, Any], on_text: TextSink | None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.server.api_key}"} if self.server.api_key else {}
        try:
            return self._exchange(body, headers, on_text)
        except HTTPStatusError as err:
            optional = [f for f in OPTIONAL_FIELDS if f in body and err.status in (400, 422)]
            if not optional:
                raise
            # An older or stricter server: ask again without the optional fields, and remember.
            self._dropped.update(optional)
            return self._exchange({k: v for k, v in body.items() if k not in optional}, headers, on_text)

    def _exchange(self, body: dict[str, Any], headers: dict[str, str], on_text: TextSink | None) -> dict[str, Any]:
        url, timeout = self.server.url, self.server.timeout
        with post(url, body, headers, timeout, self.server.retry) as response:
            if not body.get("stream"):
                return read_json(response, url, timeout)
            return _collect_stream(sse_events(response, url, timeout), on_text)


def messages(prompt: Prompt) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = []
    for part in prompt.parts:
        if isinstance(part, ImagePart):
            content.append({"type": "image_url", "image_url": {"url": data_url(part.image)}})
        else:
            content.append({"type": "text", "text": part})
    return [{"role": "system", "content": prompt.system}, {"role": "user", "content": content}]


def data_url(image: Image.Image) -> str:
    """PNG, lossless: small UI text must stay legible after the downscale."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@dataclass(frozen=True)
class _Reply:
    text: str
    thinking: str | None
    finish_reason: str | None
    usage: dict[str, Any]


def _collect_stream(events: Any, on_text: TextSink | None) -> dict[str, Any]:
    """Fold streamed deltas into the shape of a non-streamed response, echoing text live."""
    reasoning: list[str] = []
    content: list[str] = []
    finish: str | None = None
    usage: dict[str, Any] = {}
    opened = False
    for event in events:
        if isinstance(event.get("usage"), dict):
            usage = event["usage"]
        for choice in event.get("choices") or []:
            delta = choice.get("delta") or {}
            think = delta.get("reasoning_content") or delta.get("reasoning")
            if isinstance(think, str) and think:
                if on_text and not opened:
                    on_text(THINK_OPEN + "\n")
                opened = True
                reasoning.append(think)
                if on_text:
                    on_text(think)
            text = delta.get("content")
            if isinstance(text, str) and text:
                if on_text and opened and not content:
                    on_text("\n" + THINK_CLOSE + "\n\n")
                content.append(text)
                if on_text:
                    on_text(text)
            finish = choice.get("finish_reason") or finish
    message = {"role": "assistant", "content": "".join(content)}
    if reasoning:
        message["reasoning_content"] = "".join(reasoning)
    return {"choices": [{"message": message, "finish_reason": finish}], "usage": usage}


def _reply_from(data: dict[str, Any], url: str) -> _Reply:
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise ModelError(f"the reply from {url} has no choices (not an OpenAI chat completion)")
    message = choices[0].get("message")
    if not isinstance(message, dict):
        raise ModelError(f"the reply from {url} has no message")
    content = message.get("content") or ""
    if isinstance(content, list):  # some servers return content parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    if not isinstance(content, str):
        raise ModelError(f"the reply from {url} has content of type {type(content).__name__}")
    thinking = message.get("reasoning_content") or message.get("reasoning")
    finish = choices[0].get("finish_reason")
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    if isinstance(thinking, str) and thinking:
        # A reply cut off while thinking has no answer: leave <think> unclosed so the parser
        # reports the budget was used up.
        closed = bool(content.strip()) or finish != "length"
        text = f"{THINK_OPEN}\n{thinking.strip()}\n" + (f"{THINK_CLOSE}\n\n{content.strip()}" if closed else "")
        return _Reply(text, thinking.strip(), finish, usage)
    if THINK_OPEN not in content and (THINK_CLOSE in content or finish == "length"):
        # The template opened the block in the prompt; a reply cut off by the budget without
        # `</think>` then reads as unfinished thinking, which the parser reports as such.
        content = f"{THINK_OPEN}\n{content}"
    return _Reply(content, None, finish, usage)
