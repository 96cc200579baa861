"""The OpenAI-compatible backend against real HTTP servers on 127.0.0.1.

The server speaks the wire formats of vLLM (reasoning in `reasoning_content` / `reasoning`, SSE
streaming with usage) and of a server that returns the thinking inline in the content; scripted
failures cover 429 with retry, 500, a stall past the timeout, malformed bodies, 401, 404, 400 on
`response_format`, and a refused connection.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from PIL import Image

from actions import UsageError, parse_reply
from agent.backends.budget import EARLY_STOP
from agent.backends.http_client import Retry
from agent.backends.openai_backend import OpenAIModel, ServerOptions
from agent.backends.options import History, Sampling
from agent.commands.model import add_model_arguments, model_from_args
from agent.engine.errors import ModelError
from agent.engine.model import DecideRequest

ACTION = {"action": "tap", "element": "Bluetooth toggle", "coordinates": [880, 312], "confidence": 0.9}
ANSWER = json.dumps(ACTION)


@dataclass
class Scripted:
    status: int = 200
    body: Any = None  # dict -> JSON; str/bytes -> raw
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    events: list[Any] | None = None  # SSE: dicts (JSON) or raw strings


class FakeServer:
    """A loopback HTTP server answering scripted responses in order (the last one repeats)."""

    def __init__(self, script: list[Scripted]) -> None:
        self.script = script
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's spelling
                length = int(self.headers.get("Content-Length", 0))
                server.requests.append(json.loads(self.rfile.read(length)))
                server.headers.append(dict(self.headers))
                step = server.script[min(len(server.requests), len(server.script)) - 1]
                time.sleep(step.delay)
                if step.events is not None:
                    self.send_response(step.status)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    for event in step.events:
                        data = event if isinstance(event, str) else json.dumps(event)
                        self.wfile.write(f"data: {data}\n\n".encode())
                        self.wfile.flush()
                    self.wfile.write(b"data: [DONE]\n\n")
                    return
                body = step.body
                raw = json.dumps(body).encode() if isinstance(body, dict) else (body.encode() if isinstance(body, str) else body or b"")
                self.send_response(step.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for key, value in step.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(raw)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True  # a handler still sleeping (timeout test) is not waited for
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def completion(content: str, reasoning: str | None = None, field_name: str = "reasoning_content",
               finish: str = "stop") -> dict[str, Any]:
    """A non-streamed chat completion as vLLM writes it."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if reasoning is not None:
        message[field_name] = reasoning
    return {"id": "chatcmpl-1", "object": "chat.completion", "model": "qwen",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 1500, "completion_tokens": 120, "total_tokens": 1620}}


def chunk(**delta: Any) -> dict[str, Any]:
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}


def model_for(url: str, timeout: float = 5.0, constrain: bool = True, attempts: int = 4) -> OpenAIModel:
    server = ServerOptions(url, "qwen", api_key="sk-test", timeout=timeout, retry=Retry(attempts, backoff=0.01))
    return OpenAIModel(server, Sampling(constrain=constrain), History())


def request() -> DecideRequest:
    return DecideRequest(goal="turn off Bluetooth", image=Image.new("RGB", (96, 192), "white"),
                         screen=(1080, 2400), step=1)


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[FakeServer] = []

    def start(*script: Scripted) -> FakeServer:
        server = FakeServer(list(script)).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__()


def test_vllm_reasoning_content_and_request_shape(serve):
    server = serve(Scripted(body=completion(ANSWER, "The toggle is on the right.")))
    reply = model_for(server.url).decide(request())
    parsed = parse_reply(reply.text)
    assert parsed.action.element == "Bluetooth toggle"
    assert parsed.thinking == reply.thinking == "The toggle is on the right."
    assert (reply.prompt_tokens, reply.completion_tokens, reply.image_tokens) == (1500, 120, 18)
    sent = server.requests[0]
    assert server.headers[0]["Authorization"] == "Bearer sk-test"
    assert sent["model"] == "qwen" and sent["stream"] is False and sent["top_k"] == 20
    assert sent["response_format"]["type"] == "json_schema"
    assert "x-guidance" not in sent["response_format"]["json_schema"]["schema"]
    image = [p for p in sent["messages"][1]["content"] if p["type"] == "image_url"][0]
    url = image["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).size == (96, 192)


def test_newer_vllm_reasoning_field(serve):
    server = serve(Scripted(body=completion(ANSWER, "thinking here", field_name="reasoning")))
    reply = model_for(server.url).decide(request())
    assert parse_reply(reply.text).thinking == "thinking here"


@pytest.mark.parametrize("content", [f"<think>\nlook\n</think>\n\n{ANSWER}", f"look\n</think>\n\n{ANSWER}"])
def test_inline_think_server(serve, content):
    server = serve(Scripted(body=completion(content)))
    reply = model_for(server.url).decide(request())
    parsed = parse_reply(reply.text)
    assert parsed.thinking == "look"
    assert parsed.action.element == "Bluetooth toggle"


def test_streaming_sse_echoes_reasoning_then_answer(serve):
    events = [chunk(role="assistant"), chunk(reasoning_content="The "), chunk(reasoning_content="toggle."),
              chunk(content=ANSWER[:10]), chunk(content=ANSWER[10:]),
              {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
              {"choices": [], "usage": {"prompt_tokens": 1400, "completion_tokens": 30}}]
    server = serve(Scripted(events=events))
    seen: list[str] = []
    reply = model_for(server.url).decide(request(), on_text=seen.append)
    assert parse_reply(reply.text).thinking == "The toggle."
    assert "".join(seen).startswith("<think>\nThe toggle.\n</think>\n\n{")
    assert reply.completion_tokens == 30 and server.requests[0]["stream"] is True


def test_a_reply_cut_inside_its_thinking_is_continued_with_qwens_sentence(serve):
    server = serve(Scripted(body=completion("", "I keep thinking and", finish="length")),
                   Scripted(body=completion(ANSWER)))
    reply = model_for(server.url).decide(request())
    parsed = parse_reply(reply.text)  # not a format error: the action came after the sentence
    assert parsed.action.element == "Bluetooth toggle"
    assert parsed.thinking == "I keep thinking and\n\n" + EARLY_STOP
    assert reply.extra["thinking_cut"] is True and reply.extra["continued"] == "continue_final_message"
    first, second = server.requests
    assert first["max_tokens"] == Sampling().max_new_tokens
    assert second["continue_final_message"] is True and second["add_generation_prompt"] is False
    assert second["messages"][-1] == {"role": "assistant",
                                      "content": "<think>\nI keep thinking and\n\n" + EARLY_STOP + "\n</think>\n\n"}
    assert second["max_tokens"] == Sampling().answer_tokens and second["response_format"] == first["response_format"]


def test_a_continuation_returned_as_reasoning_is_still_the_answer(serve):
    # Newer vLLM with the qwen3 parser: output without </think> comes back as `reasoning`.
    server = serve(Scripted(body=completion("", "thinking", finish="length")),
                   Scripted(body=completion("", ANSWER)))
    assert parse_reply(model_for(server.url).decide(request()).text).action.element == "Bluetooth toggle"


def test_a_server_that_cannot_continue_is_asked_again_with_the_reasoning_quoted(serve):
    rejected = {"detail": "Unexpected fields in the request: {'continue_final_message', 'add_generation_prompt'}"}
    server = serve(Scripted(body=completion("", "half a thought", finish="length")),
                   Scripted(status=422, body=rejected),
                   Scripted(body=completion(ANSWER, "short")))
    model = model_for(server.url)
    reply = model.decide(request())
    assert parse_reply(reply.text).action.element == "Bluetooth toggle"
    assert reply.extra["continued"] == "asked again"
    again = server.requests[2]
    assert "continue_final_message" not in again and again["messages"][-1]["role"] == "user"
    quoted = "".join(p.get("text", "") for p in again["messages"][-1]["content"])
    assert "half a thought" in quoted and EARLY_STOP in quoted
    assert {"continue_final_message", "add_generation_prompt"} <= model._dropped  # remembered


def test_streamed_reply_stops_at_the_deadline_and_is_continued(serve):
    events = [chunk(reasoning_content="slow ")] * 3
    server = serve(Scripted(events=events), Scripted(events=[chunk(content=ANSWER)]))
    model = OpenAIModel(ServerOptions(server.url, "qwen", retry=Retry(1)), Sampling(step_timeout=1e-9), History())
    seen: list[str] = []
    reply = model.decide(request(), on_text=seen.append)
    assert parse_reply(reply.text).action.element == "Bluetooth toggle"
    assert reply.extra["thinking_cut"] is True
    assert "".join(seen) == "<think>\nslow " + "\n\n" + EARLY_STOP + "\n</think>\n\n" + ANSWER


def test_native_prompt_for_qwen3_vl_names_and_tool_calls_parsed_out_by_the_server(serve):
    call = {"type": "function", "function": {"name": "mobile_use", "arguments": json.dumps(
        {"action": "click", "coordinate": [870, 233], "element": "Bluetooth toggle", "confidence": 0.9})}}
    message = {"role": "assistant", "content": "", "reasoning_content": "Tap it.", "tool_calls": [call]}
    server = serve(Scripted(body={"choices": [{"message": message, "finish_reason": "tool_calls"}]}))
    model = OpenAIModel(ServerOptions(server.url, "Qwen/Qwen3-VL-8B-Thinking", retry=Retry(1)), Sampling(), History())
    reply = model.decide(request())
    parsed = parse_reply(reply.text)
    assert parsed.source == "tool_call" and parsed.assumed == ()
    assert parsed.action.to_dict() == {**ACTION, "coordinates": [870, 233]}
    sent = server.requests[0]
    assert "response_format" not in sent  # structured output cannot express a <tool_call>
    assert "<tools>" in sent["messages"][0]["content"] and "999x999" in sent["messages"][0]["content"]
    assert reply.extra["prompt"] == "native"


def test_streamed_tool_call_deltas_are_joined(serve):
    arguments = json.dumps({"action": "system_button", "button": "Back", "confidence": 0.8})
    events = [chunk(reasoning_content="Go back."),
              chunk(tool_calls=[{"index": 0, "function": {"name": "mobile_use", "arguments": arguments[:15]}}]),
              chunk(tool_calls=[{"index": 0, "function": {"arguments": arguments[15:]}}])]
    server = serve(Scripted(events=events))
    model = OpenAIModel(ServerOptions(server.url, "qwen3-vl:8b-thinking", retry=Retry(1)), Sampling(), History())
    reply = model.decide(request(), on_text=lambda _t: None)
    assert parse_reply(reply.text).action.to_dict() == {"action": "back", "confidence": 0.8}


def test_a_server_without_reasoning_is_warned_about_once(serve, capsys):
    server = serve(Scripted(body=completion(ANSWER)))
    model = model_for(server.url)
    model.decide(request())
    model.decide(request())
    err = capsys.readouterr().err
    assert err.count("warning: the server's replies carry no reasoning") == 1


def test_optional_fields_a_server_names_are_dropped_one_by_one(serve):
    server = serve(Scripted(status=422, body={"detail": "Unexpected fields in the request: {'top_k'}"}),
                   Scripted(body=completion(ANSWER, "ok")))
    model = model_for(server.url)
    model.decide(request())
    assert "top_k" not in server.requests[1] and "response_format" in server.requests[1]


def test_429_is_retried_with_backoff(serve):
    server = serve(Scripted(status=429, body={"error": {"message": "slow down"}}, headers={"Retry-After": "0"}),
                   Scripted(status=503, body="busy"),
                   Scripted(body=completion(ANSWER, "ok")))
    reply = model_for(server.url).decide(request())
    assert parse_reply(reply.text).action.element == "Bluetooth toggle"
    assert len(server.requests) == 3


def test_500_after_retries_is_one_clear_line(serve):
    server = serve(Scripted(status=500, body={"error": {"message": "CUDA error: device-side assert"}}))
    with pytest.raises(ModelError, match=r"failed \(500: CUDA error: device-side assert\) after retries") as err:
        model_for(server.url, attempts=2).decide(request())
    assert "\n" not in str(err.value) and len(server.requests) == 2


def test_timeout_is_one_clear_line(serve):
    server = serve(Scripted(body=completion(ANSWER), delay=1.5))
    start = time.monotonic()
    with pytest.raises(ModelError, match="within 0.3 s"):
        model_for(server.url, timeout=0.3).decide(request())
    assert time.monotonic() - start < 1.4


@pytest.mark.parametrize("body,message", [
    ("<html>Bad Gateway</html>", "not JSON"),
    ({"object": "error"}, "no choices"),
    ({"choices": [{"text": "completion API"}]}, "no message"),
    (b"", "not JSON"),
])
def test_malformed_bodies(serve, body, message):
    server = serve(Scripted(body=body))
    with pytest.raises(ModelError, match=message):
        model_for(server.url).decide(request())


@pytest.mark.parametrize("event,message", [
    ("{not json", "sent an event that is not JSON"),
    # transformers serve's error when its tool-call parser fails, cut at a raw newline in it
    ('{"error": "json parser could not parse region as JSON.', "server reported an error mid-stream: .*json parser"),
])
def test_malformed_stream_event(serve, event, message):
    server = serve(Scripted(events=[chunk(content="{"), event]))
    with pytest.raises(ModelError, match=message):
        model_for(server.url).decide(request(), on_text=lambda _c: None)


def test_401_and_404_name_what_to_fix(serve):
    server = serve(Scripted(status=401, body={"error": {"message": "invalid api key"}}))
    with pytest.raises(ModelError, match="API key"):
        model_for(server.url).decide(request())
    server = serve(Scripted(status=404, body={"error": {"message": "The model `qwen` does not exist."}}))
    with pytest.raises(ModelError, match="does not exist.*--base-url"):
        model_for(server.url).decide(request())


def test_response_format_rejected_falls_back_to_parsing(serve):
    server = serve(Scripted(status=400, body={"error": {"message": "response_format json_schema unsupported"}}),
                   Scripted(body=completion(ANSWER, "ok")))
    model = model_for(server.url)
    assert parse_reply(model.decide(request()).text).action.element == "Bluetooth toggle"
    assert "response_format" in server.requests[0] and "response_format" not in server.requests[1]
    model.decide(request())
    assert "response_format" not in server.requests[2]  # remembered


def test_no_constrain_sends_no_response_format(serve):
    server = serve(Scripted(body=completion(ANSWER, "ok")))
    model_for(server.url, constrain=False).decide(request())
    assert "response_format" not in server.requests[0]


def test_connection_refused_is_one_line_and_fast():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    start = time.monotonic()
    with pytest.raises(ModelError, match="connection refused"):
        model_for(f"http://127.0.0.1:{port}/v1").decide(request())
    assert time.monotonic() - start < 3


def parse_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_model_arguments(parser)
    return parser.parse_args(list(argv))


def test_model_from_args_builds_the_server_backend(serve, monkeypatch):
    server = serve(Scripted(body=completion(ANSWER, "ok")))
    monkeypatch.setenv("MY_KEY", "sk-env")
    model = model_from_args(parse_args("--backend", "openai", "--base-url", server.url, "--model", "qwen",
                                       "--api-key-env", "MY_KEY", "--temperature", "0.6"))
    model.decide(request())
    assert server.headers[0]["Authorization"] == "Bearer sk-env"
    assert server.requests[0]["temperature"] == 0.6


@pytest.mark.parametrize("argv,message", [
    (("--backend", "openai", "--model", "qwen"), "--base-url"),
    (("--backend", "openai", "--base-url", "localhost:8000"), "http"),
    (("--backend", "openai", "--base-url", "http://x/v1"), "--model"),
])
def test_usage_errors(argv, message):
    with pytest.raises(UsageError, match=message):
        model_from_args(parse_args(*argv))
