"""The server backend: any OpenAI-compatible chat endpoint (vLLM, SGLang, Ollama, clouds,
transformers serve).

One `decide` = build the prompt (native for Qwen3-VL models: `<tools>` + `<tool_call>`; json
otherwise), send it with screenshots as data URLs (`openai_wire.py` folds the reply, streamed or
not, into "<think>\\nREASONING\\n</think>\\n\\nANSWER", the same shape as the local backend's).

The thinking budget: the request asks for at most `--thinking-budget` tokens, and a streamed
reply is dropped at the step's deadline. A reply cut inside its thinking is continued the way
Qwen's thinking-budget recipe does it (QwenLM/Qwen3 docs/source/getting_started/thinking_budget.md):
the reasoning so far, the early-stop sentence and `</think>` are sent back as the start of the
assistant message, which vLLM and SGLang continue with `continue_final_message: true,
add_generation_prompt: false`. A server that refuses those fields (transformers serve answers 422)
is asked once more with the cut reasoning quoted in the user turn.

Optional request fields a server rejects (400/422) are dropped and remembered: `response_format`
(structured output for the JSON action), `top_k`, `stream_options`, and the continuation fields.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass, replace
from typing import Any

from agent.backends.budget import EARLY_STOP, EARLY_STOP_TEXT, close_reasoning, thinking_deadline
from agent.backends.grammar import grammar_schema
from agent.backends.http_client import HTTPStatusError, Retry, post, read_json, sse_events
from agent.backends.openai_wire import (
    THINK_CLOSE,
    Reply,
    collect_stream,
    data_url,
    messages,
    reply_from,
)
from agent.backends.options import DEFAULT_PROMPTING, History, Prompting, Sampling
from agent.engine.model import DecideRequest, ModelReply, TextSink
from agent.imaging import visual_tokens
from agent.native_prompt import tool_for
from agent.prompt import JSON, NATIVE, Prompt, build_prompt

OPTIONAL_FIELDS = ("response_format", "top_k", "stream_options")  # dropped by a server that rejects them
CONTINUE_FIELDS = ("continue_final_message", "add_generation_prompt")
QWEN3_VL = re.compile(r"qwen3[-_.]?vl", re.IGNORECASE)
NO_REASONING = ("the server's replies carry no reasoning: the model is not thinking (an Instruct "
                "model, or thinking turned off) or the server drops it; this agent expects a Qwen3-VL "
                "Thinking model served with its reasoning (see README: Serving)")


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


class OpenAIModel:
    backend = "openai"  # recorded in run.json

    def __init__(self, server: ServerOptions, sampling: Sampling, history: History,
                 prompting: Prompting = DEFAULT_PROMPTING) -> None:
        self.server = server
        self.sampling = sampling
        self.history = history
        self.prompting = prompting
        self.name = server.model
        # Native for Qwen3-VL models (the format they were trained on); any other model gets json.
        self.prompt_format = prompting.resolve(bool(QWEN3_VL.search(server.model)))
        self._dropped: set[str] = set()  # optional fields this server rejected
        self._warned = False

    def decide(self, request: DecideRequest, on_text: TextSink | None = None) -> ModelReply:
        start = time.perf_counter()
        tool = tool_for(request, self.prompting.tool) if self.prompt_format == NATIVE else None
        prompt = build_prompt(request, self.history.steps, self.history.images, self.prompt_format, tool)
        deadline = thinking_deadline(self.sampling.step_timeout, time.monotonic())
        body = self.request_body(prompt, stream=on_text is not None)
        reply = reply_from(self._send(body, on_text, deadline), self.server.url)
        extra: dict[str, Any] = {"prompt": self.prompt_format}
        if reply.thinking_open and reply.reasoning is not None:
            reply, how = self._finish_cut(prompt, body, reply, on_text)
            extra.update(thinking_cut=True, continued=how)
        else:
            self._check_reasoning(reply)
        extra.update(finish_reason=reply.finish_reason, structured="response_format" in body)
        return ModelReply(
            text=reply.text(),
            thinking=reply.reasoning,
            prompt_tokens=reply.usage.get("prompt_tokens"),
            completion_tokens=reply.usage.get("completion_tokens"),
            image_tokens=sum(visual_tokens(image.size) for image in prompt.images()),
            seconds=time.perf_counter() - start,
            extra=extra,
        )

    def request_body(self, prompt: Prompt, stream: bool) -> dict[str, Any]:
        s = self.sampling
        body: dict[str, Any] = {
            "model": self.server.model,
            "messages": messages(prompt),
            # The thinking budget; a reply cut inside its thinking is continued (see the module doc).
            "max_tokens": s.max_new_tokens,
            "temperature": s.temperature,
            "top_p": s.top_p,
            "stream": stream,
        }
        if s.top_k > 0:
            body["top_k"] = s.top_k
        if stream:
            body["stream_options"] = {"include_usage": True}
        if s.constrain and prompt.format == JSON:
            # Structured output can express the JSON action, not a <tool_call> block.
            schema = grammar_schema()
            schema.pop("x-guidance", None)
            body["response_format"] = {"type": "json_schema", "json_schema": {"name": "action", "schema": schema}}
        return self._without_dropped(body)

    # --- a reply cut inside its thinking ----------------------------------------------------

    def _finish_cut(self, prompt: Prompt, first_body: dict[str, Any], cut: Reply,
                    on_text: TextSink | None) -> tuple[Reply, str]:
        """Close the cut reasoning with Qwen's sentence and get the action after it."""
        reasoning = (cut.reasoning or "").strip()
        prefix = close_reasoning(reasoning)
        if on_text:
            on_text(EARLY_STOP_TEXT + THINK_CLOSE + "\n\n")
        body = {**first_body, "messages": [*first_body["messages"], {"role": "assistant", "content": prefix}],
                "max_tokens": self.sampling.answer_tokens, "continue_final_message": True,
                "add_generation_prompt": False}
        for _ in range(len(OPTIONAL_FIELDS) + 1):  # each retry drops at least one field
            if self._dropped.intersection(CONTINUE_FIELDS):
                break
            try:
                data = self._exchange(self._without_dropped(body), on_text, answer_only=True)
            except HTTPStatusError as err:
                if err.status not in (400, 422) or not self._drop(body, err, OPTIONAL_FIELDS + CONTINUE_FIELDS):
                    raise
                continue
            answer = _answer_of(reply_from(data, self.server.url))
            closed = reasoning + "\n\n" + EARLY_STOP
            return Reply(closed, answer, "stop", _usage(cut.usage, data)), "continue_final_message"
        return self._ask_again(prompt, first_body, reasoning, on_text)

    def _ask_again(self, prompt: Prompt, first_body: dict[str, Any], reasoning: str,
                   on_text: TextSink | None) -> tuple[Reply, str]:
        """A server that cannot continue a message: ask once more, the cut reasoning quoted."""
        note = ("\n\nYour thinking on this step was cut off by the time limit:\n" + reasoning + "\n\n" + EARLY_STOP
                + " Think briefly, then give the action.")
        parts = (*prompt.parts[:-1], note, prompt.parts[-1]) if prompt.parts else (note,)
        again = replace(prompt, parts=parts)
        body = {**first_body, "messages": messages(again)}
        data = self._send(body, on_text, None)
        return reply_from(data, self.server.url), "asked again"

    # --- sending ------------------------------------------------------------------------------

    def _send(self, body: dict[str, Any], on_text: TextSink | None, deadline: float | None) -> dict[str, Any]:
        body = self._without_dropped(body)
        for _ in range(len(OPTIONAL_FIELDS) + 1):  # each retry drops at least one field
            try:
                return self._exchange(body, on_text, deadline)
            except HTTPStatusError as err:
                # An older or stricter server: ask again without the optional fields, and remember.
                if err.status not in (400, 422) or not self._drop(body, err, OPTIONAL_FIELDS):
                    raise
                body = self._without_dropped(body)
        return self._exchange(body, on_text, deadline)

    def _drop(self, body: dict[str, Any], err: HTTPStatusError, candidates: tuple[str, ...]) -> bool:
        """Remember the optional fields a 400/422 names (all present ones when it names none).
        False when there is nothing left to drop (the error is not about optional fields)."""
        present = [f for f in candidates if f in body and f not in self._dropped]
        named = [f for f in present if f in err.body]
        self._dropped.update(named or present)
        return bool(present)

    def _without_dropped(self, body: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in body.items() if k not in self._dropped}

    def _exchange(self, body: dict[str, Any], on_text: TextSink | None, deadline: float | None = None,
                  answer_only: bool = False) -> dict[str, Any]:
        url, timeout = self.server.url, self.server.timeout
        headers = {"Authorization": f"Bearer {self.server.api_key}"} if self.server.api_key else {}
        with post(url, body, headers, timeout, self.server.retry) as response:
            if not body.get("stream"):
                return read_json(response, url, timeout)
            return collect_stream(sse_events(response, url, timeout), on_text, deadline, answer_only)

    def _check_reasoning(self, reply: Reply) -> None:
        """Warn once when a reply that ended normally carried no reasoning at all."""
        if reply.reasoning is None and not self._warned and reply.finish_reason != "length":
            self._warned = True
            print(f"qwen-agent: warning: {NO_REASONING}", file=sys.stderr, flush=True)


def _answer_of(reply: Reply) -> str:
    """A continuation's text is all answer; a server that opened a new turn instead (ignoring
    continue_final_message) thought again, and its answer follows that reasoning."""
    if reply.answer.strip():
        return reply.answer
    return reply.reasoning or ""


def _usage(first: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    second = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    completion = [u.get("completion_tokens") for u in (first, second)]
    return {"prompt_tokens": first.get("prompt_tokens"),
            "completion_tokens": sum(c for c in completion if isinstance(c, int)) or None}


__all__ = ["OpenAIModel", "ServerOptions", "data_url", "messages"]
