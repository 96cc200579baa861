"""`qwen-agent run GOAL`: reach a goal on a device with the model."""

from __future__ import annotations

import argparse
from typing import Any

from agent.commands.common import (
    device_options,
    model_args,
    output_args,
    plan_from_args,
    policy_args,
    privacy_args,
)


def add_parser(sub: Any) -> None:
    p = sub.add_parser("run", help="reach a goal on a device with the model")
    p.add_argument("goal", help='what to do, e.g. "turn off Bluetooth" or "把字体调大"')
    p.add_argument("--device", default="sim", help="sim | desktop | adb | adb:SERIAL (default sim)")
    p.add_argument("--lang", choices=("en", "zh"), help="the simulated phone's language (default: the goal's)")
    p.add_argument("--display", metavar=":N", help="the X display for --device desktop (see `sandbox`)")
    policy_args(p)
    output_args(p)
    privacy_args(p)
    model_args(p)
    p.set_defaults(handler=cmd_run)


def cmd_run(args: argparse.Namespace, model: Any = None) -> int:
    from agent.commands.model import model_from_args
    from agent.engine import execute, goal_language
    from devices.registry import open_device, parse_spec

    kind, _ = parse_spec(args.device)
    options = device_options(kind, args, {"lang": args.lang or goal_language(args.goal)} if kind == "sim" else {})
    plan = plan_from_args(args, goal=args.goal, device_spec=args.device, device_options=options)
    # The device first: a missing phone is a usage error (exit 2) before minutes of model loading.
    device = open_device(plan.device_spec, **plan.device_options)
    try:
        model = model or model_from_args(args)
    except BaseException:
        device.close()
        raise
    return execute(plan, model, device).exit_code
