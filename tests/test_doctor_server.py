"""`doctor --base-url`: a loopback stand-in server (a fake, named as such) for the failure cases;
the real `transformers serve` case is in test_backend_serve.py."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from agent.backends.server_check import check_server
from tests.helpers import REPO

THINKING = {"role": "assistant", "content": "No.", "reasoning_content": "17 is prime... wait, the answer is yes."}


class StandIn:
    """A FAKE OpenAI-compatible server: GET /v1/models and POST /v1/chat/completions, behaving as
    told (`models`, `message` for text requests, `image_status` for requests with an image)."""

    def __init__(self, models: list[str], message: dict[str, Any] | None = None, finish: str = "stop",
                 image_status: int = 200) -> None:
        self.requests: list[dict[str, Any]] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                self._send(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in models]})

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                stand_in.requests.append(body)
                has_image = any(isinstance(m.get("content"), list) for m in body["messages"])
                if has_image and image_status != 200:
                    self._send(image_status, {"error": {"message": "this model does not support images"}})
                    return
                self._send(200, {"choices": [{"message": message or THINKING, "finish_reason": finish}],
                                 "usage": {"prompt_tokens": 80 if has_image else 20, "completion_tokens": 5}})

            def _send(self, status: int, data: dict[str, Any]) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> StandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def lines(checks) -> dict[str, Any]:
    return {c.name: c for c in checks}


def test_a_ready_thinking_vision_server():
    with StandIn(["Qwen/Qwen3-VL-8B-Thinking"]) as server:
        checks = lines(check_server(server.url, "Qwen/Qwen3-VL-8B-Thinking", timeout=5))
    assert all(c.ok for c in checks.values()) and list(checks) == ["server", "model", "reasoning", "images"]
    assert "reasoning_content" in checks["reasoning"].message


def test_nothing_listening():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    (check,) = check_server(f"http://127.0.0.1:{port}/v1", timeout=2)
    assert not check.ok and check.required and "connection refused" in check.message
    assert "--base-url" in check.line() and "\n" not in check.line()


def test_a_model_the_server_does_not_serve():
    with StandIn(["qwen3-vl:8b-instruct"]) as server:
        checks = check_server(server.url, "qwen3-vl:8b-thinking", timeout=5)
    assert [c.name for c in checks] == ["server", "model"]
    assert not checks[1].ok and "qwen3-vl:8b-instruct" in checks[1].message and "--model" in checks[1].fix


def test_one_served_model_is_used_when_none_is_named_and_several_need_a_name():
    with StandIn(["only-one"]) as server:
        checks = lines(check_server(server.url, timeout=5))
        assert checks["model"].ok and server.requests[0]["model"] == "only-one"
    with StandIn(["a", "b"]) as server:
        checks = lines(check_server(server.url, timeout=5))
    assert not checks["model"].ok and "pass --model" in checks["model"].fix


def test_an_instruct_model_or_thinking_turned_off():
    with StandIn(["m"], message={"role": "assistant", "content": "Yes."}) as server:
        checks = lines(check_server(server.url, "m", timeout=5))
    assert not checks["reasoning"].ok and "Thinking" in checks["reasoning"].fix
    assert "reasoning-parser" in checks["reasoning"].fix


@pytest.mark.parametrize(("message", "finish", "says"), [
    ({"role": "assistant", "content": "17 has no divisors...\n</think>\n\nYes."}, "stop", "inline"),
    ({"role": "assistant", "content": "Let me think about 17. It is odd, and"}, "length", "no reasoning parser"),
])
def test_inline_thinking_counts(message, finish, says):
    with StandIn(["m"], message=message, finish=finish) as server:
        checks = lines(check_server(server.url, "m", timeout=5))
    assert checks["reasoning"].ok and says in checks["reasoning"].message


def test_a_server_that_refuses_images():
    with StandIn(["m"], image_status=400) as server:
        checks = lines(check_server(server.url, "m", timeout=5))
    assert not checks["images"].ok and "does not support images" in checks["images"].message
    assert "vision" in checks["images"].fix


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from agent.commands import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60,
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})


def test_the_command_exits_1_on_a_failed_check_with_one_line_each():
    with StandIn(["m"], image_status=422) as server:
        proc = cli("doctor", "--base-url", server.url, "--model", "m", "--timeout", "5")
    out = proc.stdout.strip().splitlines()
    assert proc.returncode == 1 and len(out) == 4 and "Traceback" not in proc.stderr
    assert out[3].startswith("[FAIL] images:")
    with StandIn(["m"]) as server:
        proc = cli("doctor", "--base-url", server.url, "--json", "--timeout", "5")
    assert proc.returncode == 0 and [c["name"] for c in json.loads(proc.stdout)][-1] == "images"


def test_a_bad_url_is_a_usage_error():
    proc = cli("doctor", "--base-url", "localhost:8000")
    assert proc.returncode == 2 and "http://" in proc.stderr and "Traceback" not in proc.stderr
