"""`qwen-agent assist GOAL`: guide mode on the terminal (the web UI is `qwen-agent ui`).

Each step prints one big sentence and the path of the marked picture (on a desktop the ring is
drawn on the screen itself), says it with `--speak`, and waits: the person does it on the device,
or types d (do it for me), r (repeat), s (stop), or just Enter once done.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from agent.commands.common import (
    device_options,
    model_args,
    output_args,
    policy_args,
    policy_from_args,
)


def add_parser(sub: Any) -> None:
    p = sub.add_parser("assist", help="guide mode: show and say where to tap; act only when asked")
    p.add_argument("goal", help='what the person wants, e.g. "turn off Bluetooth" or "把字体调大"')
    p.add_argument("--device", default="sim", help="sim | desktop | adb | adb:SERIAL (default sim)")
    p.add_argument("--display", metavar=":N", help="the X display for --device desktop")
    p.add_argument("--lang", choices=("en", "zh"), help="language of the instructions (default: the goal's)")
    p.add_argument("--speak", action="store_true", help="read each instruction aloud (espeak-ng)")
    p.add_argument("--wait", type=float, default=120.0, metavar="S",
                   help="how long to wait for the person each step (default 120)")
    p.add_argument("--replay", metavar="SCENARIO", help="follow a recorded scenario instead of a model")
    policy_args(p)
    output_args(p)
    model_args(p)
    p.set_defaults(handler=cmd_assist)


def cmd_assist(args: argparse.Namespace) -> int:
    from agent.assist.run import GuideSettings, guide
    from agent.assist.terminal import TerminalChannel
    from agent.engine import goal_language
    from agent.engine.perceive import settle_for
    from agent.engine.view import ConsoleView, JsonView
    from devices.registry import open_device, parse_spec
    from policies import AutoConfirm, TerminalConfirmer

    scenario = None
    if args.replay:
        from agent.scenario import load

        scenario = load(args.replay)
    device_spec = args.device if not (scenario and args.device == "sim") else scenario.device_spec
    kind, _ = parse_spec(device_spec)
    lang = args.lang or goal_language(args.goal)
    options: dict[str, Any] = {}
    if scenario is not None and kind == scenario.device.get("kind", "sim"):
        options = dict(scenario.device_options)
    elif kind == "sim":
        options = {"lang": lang}
    options = device_options(kind, args, options)
    # A recorded scenario's end state is what "done" must show; the person's steps alone decide
    # it otherwise (agent.assist.guide).
    settings = GuideSettings(goal=args.goal, device_spec=device_spec, device_options=options,
                             lang=lang, speak=args.speak, timeout=args.wait, runs_dir=args.runs_dir,
                             settle=settle_for(device_spec, args.settle),
                             expect=scenario.expect if scenario is not None else {})
    device = open_device(device_spec, **options)
    try:
        if scenario is not None:
            from agent.replay import ReplayModel

            model: Any = ReplayModel(scenario.steps, name=f"replay:{scenario.name}")
        else:
            from agent.commands.model import model_from_args

            model = model_from_args(args)
    except BaseException:
        device.close()
        raise
    overlay = None
    if kind == "desktop":
        from agent.assist.overlay import open_overlay

        overlay = open_overlay(os.environ.get("DISPLAY") or options.get("display"))
    channel = TerminalChannel(lang, overlay=overlay)
    view = JsonView() if args.json else ConsoleView(show_thinking=False)
    try:
        result, _ = guide(settings, model, channel, AutoConfirm() if args.yes else TerminalConfirmer(),
                          policy=policy_from_args(args), view=view, device=device)
    finally:
        if overlay is not None:
            overlay.close()
    return result.exit_code
