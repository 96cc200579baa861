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
    p.add_argument("--concurrency", type=int, default=None, metavar="N",
                   help="scenarios run at once (default 1; with --ray: as many as the cluster "
                        "runs); use with --backend openai")
    p.add_argument("--device", action="append", metavar="SPEC",
                   help="run on these devices instead of each scenario's own (repeatable: a pool)")
    p.add_argument("--runs-dir", default="runs", metavar="DIR", help="where run folders go (default runs/)")
    p.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    p.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="fill {NAME} in the scenarios that use it (repeatable)")
    ray = p.add_argument_group("Ray (pip install 'qwen-agent[scale]')")
    ray.add_argument("--ray", metavar="ADDRESS",
                     help="run each scenario as a Ray task on the cluster at ADDRESS (auto, "
                          "HOST:6379, ray://HOST:10001), or `local` to start one here")
    ray.add_argument("--ray-model-actors", type=int, default=1, metavar="N",
                     help="with a local model (not --backend openai): Ray actors that each load "
                          "it once (default 1)")
    ray.add_argument("--ray-model-gpus", type=float, default=0.0, metavar="G",
                     help="GPUs each model actor takes (default 0)")
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

    if args.concurrency is not None and args.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    if args.ray_model_actors < 1 or args.ray_model_gpus < 0:
        raise UsageError("--ray-model-actors must be at least 1 and --ray-model-gpus at least 0")
    scenarios = [load(f) for f in find(args.paths)]
    policy = policy_from_args(args)
    privacy, values = privacy_from_args(args), parse_sets(args.set or [])
    if args.ray:
        outcomes, wall, concurrency, name = _on_ray(args, scenarios, policy, privacy, values, model)
    else:
        concurrency = args.concurrency or 1
        model = model or model_from_args(args)
        if getattr(args, "backend", "openai") != "openai" and concurrency > 1:
            model = SerialModel(model)
        outcomes, wall = run_all(scenarios, model, policy, args.runs_dir, concurrency=concurrency,
                                 devices=args.device, max_pixels=args.max_pixels, yes=args.yes,
                                 privacy=privacy, values=values)
        name = model.name
    summary = summarise(outcomes, wall, concurrency)
    if args.json:
        print(json.dumps({"model": name, "totals": summary,
                          "scenarios": [asdict(o) for o in outcomes]}, ensure_ascii=False))
    else:
        print(table(outcomes, summary, name))
    return 0


def _on_ray(args: argparse.Namespace, scenarios: list[Any], policy: Any, privacy: Any,
            values: dict[str, str], model: Any) -> tuple[list[Any], float, int, str]:
    """The scenarios as Ray tasks (`agent.eval_ray`): a server's client (or a given model) goes to
    every task as it is; a local model is loaded once per Ray actor, not here."""
    from functools import partial

    from agent.commands.model import model_from_args
    from agent.eval_ray import Job, import_ray, resources_for, run_on_ray

    import_ray()  # the missing extra says so before anything loads
    jobs = [Job(s, None, policy, args.max_pixels, args.yes, privacy, values) for s in scenarios]
    for spec in args.device or [job.spec for job in jobs]:
        resources_for(spec)  # a device Ray cannot place is a usage error, before the cluster starts
    make_model = None
    if model is None and args.backend != "openai":
        make_model = partial(model_from_args, args, False)  # loaded in each actor, not here
    elif model is None:
        model = model_from_args(args)
    result = run_on_ray(jobs, args.runs_dir, address=args.ray, model=model, make_model=make_model,
                        model_actors=args.ray_model_actors, model_gpus=args.ray_model_gpus,
                        concurrency=args.concurrency, pool=args.device)
    return result.outcomes, result.wall, result.slots, result.model_name
