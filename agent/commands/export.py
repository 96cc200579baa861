"""`qwen-agent export RUNS_OR_SCENARIOS... --out DIR`: run folders and scenarios as training data
for Qwen3-VL (`agent.training`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from agent.commands.model import add_view_arguments
from agent.prompt_parts import NATIVE, PROMPT_FORMATS


def add_parser(sub: Any) -> None:
    p = sub.add_parser("export", help="turn run folders and scenarios into Qwen3-VL training data")
    p.add_argument("paths", nargs="+", metavar="RUNS_OR_SCENARIOS",
                   help="run folders, scenario folders, or folders of them (e.g. runs/ or scenarios/)")
    p.add_argument("--out", required=True, metavar="DIR", help="the dataset folder to write (new or empty)")
    p.add_argument("--prompt", choices=PROMPT_FORMATS, default=NATIVE,
                   help="the prompt format to train (default native, the agent's default for Qwen3-VL)")
    add_view_arguments(p.add_argument_group("the prompt, as the agent will run (export with the settings you will run with)"))
    p.add_argument("--rationale", action="store_true",
                   help="write the short rationale as the thinking even where one was recorded")
    p.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from agent.training.dataset import write
    from agent.training.folder import ExportOptions
    from agent.training.samples import collect

    out = Path(args.out)
    options = ExportOptions(format=args.prompt, max_pixels=args.max_pixels, history_steps=args.history_steps,
                            history_images=args.history_images, rationale_only=args.rationale)
    summary = write(collect(args.paths, args.prompt, args.max_pixels), out, options)
    left = sum(summary.skipped.values())
    print(f"exported {summary.examples} examples ({len(summary.per_goal)} goals, {summary.images} images) "
          f"to {out}" + (f"; {left} steps left out (see {out / 'README.md'})" if left else ""))
    for note in summary.notes:
        print(f"note: {note}")
    return 0
