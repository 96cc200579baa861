"""The model arguments every agent-running command takes (run, replay, eval, assist, ui, bench,
demo), and the one function that turns them into a backend (`agent.backends.build_model`)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from actions.errors import UsageError
from agent.backends import BACKENDS, DEFAULT_TIMEOUT, build_model
from agent.backends.checkpoint import DEFAULT_MODEL
from agent.backends.options import (
    DEFAULT_MAX_NEW_TOKENS,
    DEFAULT_STEP_TIMEOUT,
    THINKING_TEMPERATURE,
    THINKING_TOP_K,
    THINKING_TOP_P,
    History,
    Loading,
    Prompting,
    Sampling,
    parse_max_memory,
)
from agent.imaging import DEFAULT_MAX_PIXELS
from agent.prompt import DEFAULT_HISTORY_IMAGES, DEFAULT_HISTORY_STEPS, PROMPT_FORMATS


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model")
    group.add_argument("--backend", choices=BACKENDS, default="transformers",
                       help="transformers: run the model here; openai: an OpenAI-compatible server")
    group.add_argument("--model", default=None, metavar="ID_OR_PATH",
                       help=f"hub id or local checkpoint folder (default {DEFAULT_MODEL}); "
                       "with --backend openai, the served model's name")
    group.add_argument("--base-url", default=None, metavar="URL",
                       help="OpenAI-compatible endpoint, e.g. http://localhost:8000/v1")
    group.add_argument("--api-key-env", default="OPENAI_API_KEY", metavar="VAR",
                       help="environment variable holding the API key (default OPENAI_API_KEY)")
    group.add_argument("--quantize", choices=("4bit", "8bit"), default=None,
                       help="load with bitsandbytes quantization (4bit fits 8B on a 24 GB GPU)")
    group.add_argument("--device-map", default=None, metavar="MAP",
                       help="accelerate device map: auto, cpu, cuda, cuda:1 (default: auto on GPU)")
    group.add_argument("--max-memory", default=None, metavar="LIMITS",
                       help="per-device memory for offload, e.g. 0=20GiB,cpu=64GiB")
    group.add_argument("--dtype", default="auto", choices=("auto", "bfloat16", "float16", "float32"))
    group.add_argument("--attn", default="auto", choices=("auto", "sdpa", "flash_attention_2", "eager"),
                       help="attention kernel (auto: flash-attention-2 when installed, else sdpa)")
    group.add_argument("--thinking-budget", "--max-new-tokens", dest="max_new_tokens", type=positive_int,
                       default=DEFAULT_MAX_NEW_TOKENS, metavar="TOKENS",
                       help=f"tokens of thinking per step; then the thinking is closed and the action "
                       f"follows (default {DEFAULT_MAX_NEW_TOKENS})")
    group.add_argument("--step-timeout", type=_non_negative_float, default=DEFAULT_STEP_TIMEOUT, metavar="S",
                       help=f"seconds one step's model call may take; the thinking is closed in time for "
                       f"the action (default {DEFAULT_STEP_TIMEOUT:g}; 0 = no limit)")
    group.add_argument("--prompt", choices=PROMPT_FORMATS, default=None,
                       help="native: Qwen's mobile_use/computer_use function calls (what Qwen3-VL was "
                       "trained on; the default for Qwen3-VL models); json: one JSON action")
    group.add_argument("--temperature", type=float, default=THINKING_TEMPERATURE,
                       help=f"sampling temperature, 0 = greedy (default {THINKING_TEMPERATURE:g}, Qwen's for Thinking)")
    group.add_argument("--top-p", type=float, default=THINKING_TOP_P)
    group.add_argument("--top-k", type=int, default=THINKING_TOP_K)
    group.add_argument("--no-constrain", dest="constrain", action="store_false",
                       help="turn off grammar-constrained decoding (local) / structured output (server)")
    add_view_arguments(group)
    group.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                       help=f"seconds to wait for a server reply (default {DEFAULT_TIMEOUT:g})")


def add_view_arguments(group: Any) -> None:
    """What the model is shown each step: the screenshot's budget and the history. One
    definition for the commands that run a model and for `export`, which must build the same
    prompts."""
    group.add_argument("--max-pixels", type=positive_int, default=DEFAULT_MAX_PIXELS,
                       help=f"screenshot pixel budget; one visual token per 32x32 px (default {DEFAULT_MAX_PIXELS})")
    group.add_argument("--history-steps", type=non_negative_int, default=DEFAULT_HISTORY_STEPS,
                       help=f"earlier steps shown to the model as text (default {DEFAULT_HISTORY_STEPS})")
    group.add_argument("--history-images", type=non_negative_int, default=DEFAULT_HISTORY_IMAGES,
                       help=f"earlier screenshots shown to the model (default {DEFAULT_HISTORY_IMAGES})")


def sampling_from_args(args: argparse.Namespace) -> Sampling:
    if args.temperature < 0 or not 0 < args.top_p <= 1 or args.top_k < 0:
        raise UsageError("--temperature must be >= 0, --top-p in (0, 1], --top-k >= 0")
    return Sampling(
        max_new_tokens=args.max_new_tokens,
        temperature=args.temperature,
        top_p=args.top_p,
        top_k=args.top_k,
        constrain=args.constrain,
        step_timeout=getattr(args, "step_timeout", DEFAULT_STEP_TIMEOUT) or None,
    )


def prompting_from_args(args: argparse.Namespace) -> Prompting:
    """The prompt format, and the function native prompts call: computer_use for `--device
    desktop`, mobile_use for phones and the simulated phone (commands without --device: mobile)."""
    from agent.native_prompt import tool_for_device

    return Prompting(format=getattr(args, "prompt", None), tool=tool_for_device(getattr(args, "device", None)))


def model_from_args(args: argparse.Namespace, progress: bool = True) -> Any:
    """Build the backend the options ask for. Raises `UsageError` / `ModelError` (one line)."""
    sampling = sampling_from_args(args)
    history = History(steps=args.history_steps, images=args.history_images)
    prompting = prompting_from_args(args)
    if args.backend == "openai":
        return build_model("openai", loading=None, server=server_options(args), sampling=sampling,
                           history=history, prompting=prompting)
    if args.base_url:
        raise UsageError("--base-url is for --backend openai")
    try:
        max_memory = parse_max_memory(args.max_memory)
    except ValueError as err:
        raise UsageError(str(err)) from None
    loading = Loading(
        model=args.model or DEFAULT_MODEL,
        quantize=args.quantize,
        device_map=args.device_map,
        max_memory=max_memory,
        dtype=args.dtype,
        attn=args.attn,
    )
    return build_model("transformers", loading=loading, server=None, sampling=sampling,
                       history=history, prompting=prompting, progress=progress)


def server_options(args: argparse.Namespace) -> Any:
    from agent.backends.openai_backend import ServerOptions

    if not args.base_url:
        raise UsageError("--backend openai needs --base-url, e.g. http://localhost:8000/v1")
    if not args.base_url.startswith(("http://", "https://")):
        raise UsageError(f"--base-url {args.base_url}: expected an http:// or https:// URL")
    if not args.model:
        raise UsageError("--backend openai needs --model: the model name the server serves")
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    return ServerOptions(args.base_url, args.model, os.environ.get(args.api_key_env) or None, args.timeout)



def positive_int(text: str) -> int:
    value = _int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected 0 or more seconds, got {text}")
    return value


def non_negative_int(text: str) -> int:
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {text}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
