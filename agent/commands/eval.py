"""`qwen-agent eval SCENARIOS...`: how well a model does on a set of tasks (`agent.eval`)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from actions import UsageError
from agent.commands.common import (
    model_args,
    parse_sets,
    policy_args,
    policy_from_args,
    privacy_args,
    privacy_from_args,
)


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("eval", help="run scenarios' goals with a model and report success, steps, "
                                    "sandbox stops, invalid replies, latency and tokens")
    p.add_argument("paths", nargs="+", metavar="SCENARIOS", help="scenario folders or folders of them")
    p.add_argument("--concurrency", type=int, default=1, metavar="N",
                   help="scenarios run at once (default 1); use with --backend openai")
    p.add_argument("--device", action="append", metavar="SPEC",
                   help="run on these devices instead of each scenario's own (repeatable: a pool)")
    p.add_argument("--runs-dir", default="runs", metavar="DIR", help="where run folders go (default runs/)")
    p.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    p.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="fill {NAME} in the scenarios that use it (repeatable)")
    privacy_args(p)
    policy_args(p)
    model_args(p)
    p.set_defaults(handler=cmd_eval)
    return p


def cmd_eval(args: argparse.Namespace, model: Any = None) -> int:
    from agent.commands.model import model_from_args
    from agent.eval import SerialModel, find, run_all, table
    from agent.eval_stats import summarise
    from agent.scenario import load

    if args.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    scenarios = [load(f) for f in find(args.paths)]
    policy = policy_from_args(args)
    model = model or model_from_args(args)
    if getattr(args, "backend", "openai") != "openai" and args.concurrency > 1:
        model = SerialModel(model)
    privacy, values = privacy_from_args(args), parse_sets(args.set or [])
    outcomes, wall = run_all(scenarios, model, policy, args.runs_dir, concurrency=args.concurrency,
                             devices=args.device, max_pixels=args.max_pixels, yes=args.yes,
                             privacy=privacy, values=values)
    summary = summarise(outcomes, wall, args.concurrency)
    if args.json:
        print(json.dumps({"model": model.name, "totals": summary,
                          "scenarios": [asdict(o) for o in outcomes]}, ensure_ascii=False))
    else:
        print(table(outcomes, summary, model.name))
    return 0


