"""The local backend on the tiny random Qwen3-VL, loaded from disk the way a real checkpoint is.

The weights are random, so the text is nonsense; what is tested is the path: config -> model
class -> tokenizer + image-only processor -> chat template with `<think>` -> processor ->
generate (streamed, constrained) -> a reply the parser accepts.
"""

from __future__ import annotations

import argparse
import importlib.util

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from actions import UsageError, parse_reply  # noqa: E402
from agent.backends import load_transformers  # noqa: E402
from agent.backends.options import History, Loading, Prompting, Sampling  # noqa: E402
from agent.commands.model import add_model_arguments, model_from_args  # noqa: E402
from agent.engine.errors import ModelError  # noqa: E402
from agent.engine.model import DecideRequest, Model, StepNote  # noqa: E402
from agent.imaging import DEFAULT_MAX_PIXELS, fit_pixel_budget, visual_tokens  # noqa: E402
from tests.tiny_model import cached_tiny_model  # noqa: E402

SMALL_PIXELS = 128 * 256  # 32 visual tokens: keeps the many-sample tests quick


def parse_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="sim")
    add_model_arguments(parser)
    return parser.parse_args(list(argv))


def screenshot():
    from devices.sim import SimPhone

    phone = SimPhone(screen="settings")
    try:
        return phone.screenshot()
    finally:
        phone.close()


def request(image, step: int = 1, goal: str = "turn off Bluetooth", language: str = "en") -> DecideRequest:
    history = tuple(StepNote(i, {"action": "back", "confidence": 0.9}, "done") for i in range(1, step))
    return DecideRequest(goal=goal, image=image, screen=(1080, 2400), step=step, history=history, language=language)


@pytest.fixture(scope="module")
def tiny():
    return cached_tiny_model()


@pytest.fixture(scope="module")
def model(tiny):
    """Built exactly as `qwen-agent run --model DIR` builds it."""
    return model_from_args(parse_args("--model", str(tiny), "--max-new-tokens", "24"), progress=False)


def test_loads_through_the_real_path(model, tiny):
    from transformers import Qwen3VLForConditionalGeneration

    from agent.backends.hf_load import ImageOnlyProcessor

    assert isinstance(model, Model)
    assert isinstance(model.loaded.model, Qwen3VLForConditionalGeneration)
    processor = model.loaded.processor
    assert isinstance(processor, ImageOnlyProcessor) and processor.image_processor is not None
    assert not hasattr(processor, "video_processor")
    assert model.loaded.model.config._attn_implementation == "sdpa"
    assert str(model.loaded.model.dtype) == "torch.bfloat16"  # dtype auto: the checkpoint's


def test_decide_on_a_real_screenshot_streams_thinking_and_parses(model):
    image = fit_pixel_budget(screenshot(), DEFAULT_MAX_PIXELS)
    chunks: list[str] = []
    reply = model.decide(request(image), on_text=chunks.append)
    assert reply.text.startswith("<think>\n")
    assert "".join(chunks).strip() == reply.text.removeprefix("<think>\n").strip()
    assert reply.image_tokens == visual_tokens(image.size) == 1272
    assert reply.prompt_tokens > reply.image_tokens and reply.completion_tokens > 0
    parsed = parse_reply(reply.text)
    assert parsed.thinking is not None and reply.extra["constrained"] is True


def test_chat_template_opens_think_and_renders_the_image(model):
    from agent.prompt import build_prompt

    image = fit_pixel_budget(screenshot(), SMALL_PIXELS)
    prepared_text = model.render(build_prompt(request(image, goal="把字体调大", language="zh")))
    assert prepared_text.endswith("<|im_start|>assistant\n<think>\n")
    assert prepared_text.count("<|vision_start|><|image_pad|><|vision_end|>") == 1
    assert "把字体调大" in prepared_text


def test_prompt_tokens_flat_from_step_1_to_30(model):
    image = fit_pixel_budget(screenshot(), DEFAULT_MAX_PIXELS)
    counts = {step: model.prepare(request(image, step)).prompt_tokens for step in (1, 10, 30)}
    assert counts[30] - counts[10] <= 10
    assert counts[30] <= counts[1] * 1.2  # only the bounded history differs


def test_sampled_replies_parse_with_constrained_decoding(tiny, model):
    # Qwen's Thinking sampling, a short thinking budget and a small screenshot; top-p is off
    # because sorting a 152k vocabulary each token dominates the CPU time of a random model.
    sampled = load_transformers(
        Loading(str(tiny)), Sampling(max_new_tokens=4, top_p=1.0, answer_tokens=128), History(), progress=False
    )
    image = fit_pixel_budget(screenshot(), SMALL_PIXELS)
    kinds = set()
    for i in range(24):
        reply = sampled.decide(request(image, step=1 + i % 3))
        kinds.add(type(parse_reply(reply.text).action).__name__)  # raises on any invalid reply
    assert len(kinds) >= 4  # sampled, not one reply repeated


def test_a_cut_budget_is_closed_with_qwens_sentence_and_the_action_follows(tiny):
    from agent.backends.budget import EARLY_STOP

    constrained = load_transformers(
        Loading(str(tiny)), Sampling(max_new_tokens=3, temperature=0, answer_tokens=128), History(), progress=False
    )
    reply = constrained.decide(request(fit_pixel_budget(screenshot(), SMALL_PIXELS)))
    thinking, _, answer = reply.text.partition("</think>")
    assert thinking.rstrip().endswith(EARLY_STOP) and reply.extra["thinking_cut"] is True
    assert answer.startswith("\n\n<tool_call>\n{\"name\": \"mobile_use\"")
    parsed = parse_reply(reply.text)  # the cut step is an action, not a format error
    assert parsed.source == "tool_call" and not set(parsed.assumed) & {"confidence"}


def test_without_the_grammar_the_thinking_is_still_closed(tiny):
    from agent.backends.budget import EARLY_STOP

    unconstrained = load_transformers(
        Loading(str(tiny)), Sampling(max_new_tokens=3, temperature=0, constrain=False, answer_tokens=8), History(),
        progress=False,
    )
    reply = unconstrained.decide(request(fit_pixel_budget(screenshot(), SMALL_PIXELS)))
    # 3 tokens of thinking, the sentence and </think>, then at most 8 of (random) answer
    assert (EARLY_STOP + "\n</think>") in reply.text and reply.extra["thinking_cut"] is True
    assert reply.completion_tokens <= 3 + 8 + 30 + 8


def test_json_prompt_gives_a_json_action(tiny):
    json_model = load_transformers(
        Loading(str(tiny)), Sampling(max_new_tokens=4, top_p=1.0, answer_tokens=128), History(), progress=False,
        prompting=Prompting(format="json"),
    )
    reply = json_model.decide(request(fit_pixel_budget(screenshot(), SMALL_PIXELS)))
    assert "<tool_call>" not in reply.text and parse_reply(reply.text).source == "json"
    assert reply.extra["prompt"] == "json"


def test_native_is_the_default_and_a_desktop_calls_computer_use(tiny):
    desktop = model_from_args(parse_args("--model", str(tiny), "--thinking-budget", "4", "--device", "desktop"),
                              progress=False)
    assert desktop.prompt_format == "native" and desktop.prompting.tool == "computer_use"
    prepared = desktop.prepare(request(fit_pixel_budget(screenshot(), SMALL_PIXELS)))
    assert prepared.tool == "computer_use"


@pytest.mark.parametrize("bits", ["4bit", "8bit"])
def test_quantized_loading_on_cpu(tiny, bits):
    pytest.importorskip("bitsandbytes")
    import bitsandbytes as bnb

    quantized = load_transformers(
        Loading(str(tiny), quantize=bits), Sampling(max_new_tokens=4, top_p=1.0, answer_tokens=128), History(), progress=False
    )
    inner = quantized.loaded.model
    kind = bnb.nn.Linear4bit if bits == "4bit" else bnb.nn.Linear8bitLt
    layer = inner.model.language_model.layers[0].mlp.down_proj
    assert isinstance(layer, kind)
    assert not any(isinstance(m, kind) for m in inner.model.visual.modules())  # skipped by full prefix
    assert not isinstance(inner.lm_head, kind)
    reply = quantized.decide(request(fit_pixel_budget(screenshot(), SMALL_PIXELS)))
    parse_reply(reply.text)


def test_skip_modules_are_full_prefixes(tiny):
    from transformers import AutoConfig, Qwen3VLForConditionalGeneration

    from agent.backends.hf_load import skip_modules

    assert sorted(skip_modules(Qwen3VLForConditionalGeneration, AutoConfig.from_pretrained(tiny))) == ["lm_head", "model.visual"]


def test_missing_folder_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no model folder"):
        model_from_args(parse_args("--model", str(tmp_path / "nope")))
    with pytest.raises(UsageError, match="no config.json"):
        model_from_args(parse_args("--model", str(tmp_path)))


def test_hub_id_without_network_fails_fast_with_alternatives(monkeypatch, tmp_path):
    import socket
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    start = time.monotonic()
    with pytest.raises(ModelError, match=r"cannot download Qwen/Qwen3-VL-4B-Thinking: no connection.*tiny") as err:
        model_from_args(parse_args())
    assert time.monotonic() - start < 10 and "\n" not in str(err.value)


def test_offline_flag_is_honoured(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(ModelError, match="HF_HUB_OFFLINE"):
        model_from_args(parse_args("--model", "Qwen/Qwen3-VL-2B-Thinking"))


def test_missing_extras_name_the_pip_command(monkeypatch, tiny):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    with pytest.raises(UsageError, match=r"pip install 'qwen-agent\[model\]'"):
        model_from_args(parse_args("--model", str(tiny)))


def test_not_a_qwen3_vl_checkpoint(tmp_path):
    (tmp_path / "config.json").write_text('{"model_type": "bert"}')
    with pytest.raises(UsageError, match="Qwen3-VL"):
        model_from_args(parse_args("--model", str(tmp_path), "--no-constrain"))


def test_flash_attention_requested_but_missing(tiny):
    if importlib.util.find_spec("flash_attn"):
        pytest.skip("flash-attn is installed")
    with pytest.raises(UsageError, match="flash-attn"):
        model_from_args(parse_args("--model", str(tiny), "--attn", "flash_attention_2"))


def test_streamer_emits_exact_text_incrementally(tiny):
    import torch
    from transformers import AutoTokenizer

    from agent.backends.streaming import CallbackStreamer

    tokenizer = AutoTokenizer.from_pretrained(tiny)
    text = "先看屏幕：蓝牙开关在右边 🙂 then tap</think>\n\n{\"action\": \"back\"}"
    ids = tokenizer.encode(text)
    pieces: list[str] = []
    streamer = CallbackStreamer(tokenizer, pieces.append)
    streamer.put(torch.tensor([[1, 2, 3]]))  # the prompt: skipped
    for token in ids:
        streamer.put(torch.tensor([token]))
    streamer.end()
    assert "".join(pieces) == text
    assert len(pieces) > 5 and not any("\ufffd" in p for p in pieces)
