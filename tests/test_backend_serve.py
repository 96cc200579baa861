"""The server backend against a real OpenAI-compatible server: `transformers serve` (transformers'
own server, in the `serve` venv: tests/extra_venvs.sh serve) serving the tiny random Qwen3-VL.

What the server itself does is pinned first (so a transformers upgrade that changes it shows up
here, not as a mystery elsewhere): it returns the thinking in `reasoning_content`, streams, takes
images as data URLs, refuses `top_k` and the continuation fields with 422, and ignores
`response_format`. It has no way to continue an assistant message and no thinking-budget
parameter, so a reply cut inside its thinking is asked for once more (the vLLM/SGLang
continuation is tested against a stand-in in test_backend_openai.py / test_native_replies.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

pytest.importorskip("torch")

from agent.backends.http_client import Retry  # noqa: E402
from agent.backends.openai_backend import OpenAIModel, ServerOptions  # noqa: E402
from agent.backends.openai_wire import data_url  # noqa: E402
from agent.backends.options import History, Prompting, Sampling  # noqa: E402
from agent.backends.server_check import check_server  # noqa: E402
from agent.engine.model import DecideRequest  # noqa: E402
from tests.helpers import REPO  # noqa: E402
from tests.serve_tiny import post, transformers_serve  # noqa: E402
from tests.tiny_model import cached_tiny_model  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    log = tmp_path_factory.mktemp("serve") / "transformers-serve.log"
    with transformers_serve(cached_tiny_model(), log) as base:
        yield base


@pytest.fixture(scope="module")
def name() -> str:
    return str(cached_tiny_model())


def request(step: int = 1) -> DecideRequest:
    from devices.sim import SimPhone

    phone = SimPhone(screen="settings")
    try:
        shot = phone.screenshot().resize((256, 576))  # 144 visual tokens: quick on a CPU
    finally:
        phone.close()
    return DecideRequest(goal="turn off Bluetooth", image=shot, screen=(1080, 2400), step=step)


def model(base: str, name: str, prompting: Prompting = Prompting(), **sampling) -> OpenAIModel:  # noqa: B008
    options = ServerOptions(base, name, timeout=120, retry=Retry(1))
    return OpenAIModel(options, Sampling(temperature=0, **sampling), History(), prompting)


# --- what transformers serve does ------------------------------------------------------------


def test_the_server_refuses_top_k_and_the_continuation_fields_and_ignores_response_format(server, name):
    text = {"model": name, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}
    status, body = post(server, {**text, "top_k": 20})
    assert status == 422 and "top_k" in body
    status, body = post(server, {**text, "continue_final_message": True, "add_generation_prompt": False})
    assert status == 422 and "continue_final_message" in body
    status, body = post(server, {**text, "response_format": {"type": "json_object"}})
    assert status == 200  # accepted and ignored: no structured output here


def test_the_thinking_comes_apart_and_images_go_as_data_urls(server, name):
    image = Image.new("RGB", (64, 64), "red")
    status, body = post(server, {"model": name, "max_tokens": 4, "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": data_url(image)}}, {"type": "text", "text": "colour?"}]}]})
    data = json.loads(body)
    assert status == 200 and data["choices"][0]["message"]["reasoning_content"]
    assert data["usage"]["prompt_tokens"] >= 4  # 64x64 px: 4 visual tokens, expanded by the server


# --- the backend against it ------------------------------------------------------------------


def test_streamed_native_step_with_a_cut_budget(server, name):
    """One decide: top_k refused (422) and dropped, the thinking streamed from `reasoning_content`,
    cut by the budget, the continuation refused (422), asked once more."""
    backend = model(server, name, max_new_tokens=6, answer_tokens=16)
    assert backend.prompt_format == "native"  # a Qwen3-VL checkpoint
    seen: list[str] = []
    reply = backend.decide(request(), on_text=seen.append)
    assert "".join(seen).startswith("<think>\n")
    assert reply.thinking and reply.extra["thinking_cut"] is True
    assert reply.extra["continued"] == "asked again"
    assert backend._dropped == {"top_k", "continue_final_message", "add_generation_prompt"}
    assert reply.prompt_tokens and reply.prompt_tokens > reply.image_tokens == 144
    backend.decide(request(2))  # remembered: no second 422 round (non-streamed this time)
    assert backend._dropped == {"top_k", "continue_final_message", "add_generation_prompt"}


def test_json_prompt_keeps_response_format_the_server_accepts(server, name):
    backend = model(server, name, Prompting(format="json"), max_new_tokens=4, answer_tokens=8)
    reply = backend.decide(request())
    assert "response_format" not in backend._dropped and reply.extra["structured"] is True


def test_doctor_checks_the_server(server, name):
    checks = {c.name: c for c in check_server(server, timeout=120)}
    assert all(c.ok for c in checks.values()), [c.line() for c in checks.values()]
    assert name in checks["model"].message and "reasoning_content" in checks["reasoning"].message


def test_a_native_run_end_to_end_on_the_simulated_phone(server, name, tmp_path):
    code = "import sys; from agent.commands import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.run(
        [sys.executable, "-c", code, "run", "turn off Bluetooth", "--device", "sim", "--backend", "openai",
         "--base-url", server, "--model", name, "--prompt", "native", "--max-steps", "2", "--thinking-budget", "6",
         "--max-pixels", "65536", "--temperature", "0", "--runs-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    # The random model never writes a valid call: two cut, re-asked, invalid replies end the run.
    assert proc.returncode == 1, proc.stderr[-2000:]
    (run,) = [p for p in Path(tmp_path).iterdir() if p.is_dir()]
    steps = [json.loads(line) for line in (run / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()]
    assert steps and all(s["raw_reply"].startswith("<think>\n") and s["thinking"] for s in steps)
    meta = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert meta["backend"] == "openai"
