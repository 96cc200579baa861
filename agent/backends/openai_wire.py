"""The OpenAI chat-completions wire format: messages out, one reply in.

    messages(prompt)             system + user turn, screenshots as base64 PNG data URLs
    collect_stream(events, ...)  streamed deltas folded into the shape of a non-streamed response
    reply_from(data, url)        a response -> (reasoning, answer, finish reason, usage)

The reasoning comes back in one of three ways, all handled: a separate `reasoning_content`
(vLLM/SGLang with a reasoning parser, transformers serve, DeepSeek-style APIs) or `reasoning`
(newer vLLM, OpenRouter) field, or inline in the content as `<think>...</think>` (or only
`...</think>` when the chat template opened the block). A `<tool_call>` a server parsed out of the
content (vLLM `--tool-call-parser hermes`, transformers serve) comes back as `tool_calls` and is
written back into the answer as the `<tool_call>` block the model wrote.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from agent.engine.errors import ModelError
from agent.engine.model import TextSink
from agent.prompt import ImagePart, Prompt

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"


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


@dataclass
class Reply:
    reasoning: str | None  # None: the server returned none apart (it may be inline in `answer`)
    answer: str  # what follows the reasoning: the action (JSON or a <tool_call>)
    finish_reason: str | None
    usage: dict[str, Any] = field(default_factory=dict)
    inline: bool = False  # the reasoning came inline in the content (`...</think>`)
    stopped: str | None = None  # "deadline": the client stopped reading while the model thought

    @property
    def thinking_open(self) -> bool:
        """The reply ended inside its thinking: cut by the token budget or the step's deadline."""
        return self.stopped == "deadline" or (self.finish_reason == "length" and not self.answer.strip())

    def text(self) -> str:
        """The raw reply as the local backend writes it: "<think>\\nR\\n</think>\\n\\nANSWER"."""
        if self.reasoning is None:
            return self.answer
        closed = not self.thinking_open
        return f"{THINK_OPEN}\n{self.reasoning.strip()}\n" + (f"{THINK_CLOSE}\n\n{self.answer.strip()}" if closed else "")


def collect_stream(events: Iterable[dict[str, Any]], on_text: TextSink | None, deadline: float | None = None,
                   answer_only: bool = False) -> dict[str, Any]:
    """Fold streamed deltas into the shape of a non-streamed response, echoing text live.

    With `deadline` (a `time.monotonic()` value), reading stops once it has passed while the model
    is still reasoning: the response is closed, the server stops generating, and the reply is
    marked `stopped`. With `answer_only` (a continuation after `</think>`), every delta is answer
    text, whatever field a reasoning parser put it in."""
    reasoning: list[str] = []
    content: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    finish: str | None = None
    usage: dict[str, Any] = {}
    stopped: str | None = None
    for event in events:
        if isinstance(event.get("usage"), dict):
            usage = event["usage"]
        for choice in event.get("choices") or []:
            delta = choice.get("delta") or {}
            think = delta.get("reasoning_content") or delta.get("reasoning")
            if isinstance(think, str) and think:
                if answer_only:
                    _echo(on_text, think)
                    content.append(think)
                else:
                    _echo(on_text, (THINK_OPEN + "\n") if not reasoning else "")
                    reasoning.append(think)
                    _echo(on_text, think)
            text = delta.get("content")
            if isinstance(text, str) and text:
                if reasoning and not content and not answer_only:
                    _echo(on_text, "\n" + THINK_CLOSE + "\n\n")
                content.append(text)
                _echo(on_text, text)
            for call in delta.get("tool_calls") or []:
                _fold_call(calls, call)
            finish = choice.get("finish_reason") or finish
        if deadline is not None and not content and not calls and time.monotonic() >= deadline:
            stopped = "deadline"
            break
    message: dict[str, Any] = {"role": "assistant", "content": "".join(content)}
    if reasoning:
        message["reasoning_content"] = "".join(reasoning)
    if calls:
        message["tool_calls"] = [calls[i] for i in sorted(calls)]
    return {"choices": [{"message": message, "finish_reason": finish}], "usage": usage,
            **({"stopped": stopped} if stopped else {})}


def _echo(on_text: TextSink | None, text: str) -> None:
    if on_text and text:
        on_text(text)


def _fold_call(calls: dict[int, dict[str, Any]], delta: dict[str, Any]) -> None:
    """OpenAI streams a tool call as pieces of its name and JSON arguments, keyed by index."""
    index = delta.get("index", 0) if isinstance(delta.get("index", 0), int) else 0
    call = calls.setdefault(index, {"type": "function", "function": {"name": "", "arguments": ""}})
    function = delta.get("function") or {}
    for key in ("name", "arguments"):
        piece = function.get(key)
        if isinstance(piece, str):
            call["function"][key] += piece


def reply_from(data: dict[str, Any], url: str) -> Reply:
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
    content += tool_call_text(message.get("tool_calls"))
    thinking = message.get("reasoning_content") or message.get("reasoning")
    finish = choices[0].get("finish_reason")
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    stopped = data.get("stopped")
    if isinstance(thinking, str) and thinking:
        return Reply(thinking.strip(), content.strip(), finish, usage, stopped=stopped)
    if THINK_CLOSE in content:
        # Inline thinking; the template may have opened the block in the prompt (no <think>).
        before, _, answer = content.rpartition(THINK_CLOSE)
        return Reply(before.replace(THINK_OPEN, "", 1).strip(), answer.strip(), finish, usage, inline=True,
                     stopped=stopped)
    if finish == "length" or stopped or content.lstrip().startswith(THINK_OPEN):
        # Cut before </think>: what came is reasoning (the template opened the block).
        return Reply(content.replace(THINK_OPEN, "", 1).strip(), "", finish, usage, inline=True, stopped=stopped)
    return Reply(None, content, finish, usage)


def tool_call_text(calls: Any) -> str:
    """Tool calls a server parsed out of the content, written back as the model wrote them."""
    if not isinstance(calls, list):
        return ""
    out = []
    for call in calls:
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict):
            continue
        arguments = function.get("arguments")
        if isinstance(arguments, str):
            with contextlib.suppress(json.JSONDecodeError):  # kept as text; the parser reports it
                arguments = json.loads(arguments)
        payload = json.dumps({"name": function.get("name"), "arguments": arguments}, ensure_ascii=False)
        out.append(f"<tool_call>\n{payload}\n</tool_call>")
    return ("\n" if out else "") + "\n".join(out)
