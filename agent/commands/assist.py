"""`qwen-agent assist GOAL`: guide mode on the terminal (the web UI is `qwen-agent ui`).

Each step prints one big sentence and the path of the marked picture (on a desktop the ring is
drawn on the screen itself), says it with `--speak`, and waits: the person does it on the device,
or types d (do it for me), r (repeat), s (stop), or just Enter once done.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from actions import UsageError
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
    from agent.engine.view import ConsoleView, JsonView, log_console
    from devices.registry import open_device, parse_spec
    from policies import AutoConfirm, TerminalConfirmer

    scenario, model = None, None
    if args.replay:
        from agent.scenario import load

        scenario = load(args.replay)
    elif parse_spec(args.device)[0] == "sim":
        # The simulated phone opens at once, so the model may come first: without one, the
        # person is guided through a recorded task instead (`agent.assist.recorded`).
        model, scenario = _model_or_recorded(args)
        if scenario is not None:
            args.goal = scenario.goal
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

            model = ReplayModel(scenario.steps, name=f"replay:{scenario.name}")
        elif model is None:
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
    view = JsonView() if args.json else ConsoleView(log_console(), show_thinking=False)
    try:
        result, _ = guide(settings, model, channel, AutoConfirm() if args.yes else TerminalConfirmer(),
                          policy=policy_from_args(args), view=view, device=device)
    finally:
        if overlay is not None:
            overlay.close()
    return result.exit_code


def _model_or_recorded(args: argparse.Namespace) -> tuple[Any, Any]:
    """(the model, None), or — where no model can be had — (None, the recorded scenario the goal
    names or the person picks), after one line saying why and how to connect a model."""
    from agent.assist.recorded import match, shipped_tasks
    from agent.commands.model import model_from_args
    from agent.engine.errors import ModelError

    try:
        return model_from_args(args), None
    except (ModelError, UsageError) as err:
        print(f"qwen-agent assist: no model ({err}); following recorded help instead — connect a "
              "model with --model PATH or --backend openai --base-url URL --model NAME",
              file=sys.stderr, flush=True)
    tasks = shipped_tasks()
    task = match(args.goal, tasks) or _pick(tasks)
    if task is None:
        names = ", ".join(f"scenarios/{t.path.name}" for t in tasks)
        raise UsageError(f"no model, and no recorded help for {args.goal!r}: follow one with "
                         f"--replay SCENARIO ({names}), or connect a model")
    return None, task.scenario()


def _pick(tasks: list[Any]) -> Any:
    """Ask the person which recorded task to follow (a number on stdin); None if none is picked."""
    if not tasks:
        return None
    print("Recorded help is there for:", file=sys.stderr)
    for number, task in enumerate(tasks, 1):
        print(f"  {number}. {task.goal}", file=sys.stderr)
    print("Type its number and Enter (just Enter: none): ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline().strip()
    if answer.isdigit() and 1 <= int(answer) <= len(tasks):
        return tasks[int(answer) - 1]
    print(file=sys.stderr)
    return None
