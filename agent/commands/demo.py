"""`qwen-agent demo`: the main job on the built-in simulated phone.

With the Thinking model available (downloaded by transformers, a local checkpoint, or a server) the
agent reaches the goal live. Where the model cannot be had, one line says so and how to get one,
and a recorded run of the same goal is replayed through the same loop, so the agent is still seen
at work.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from actions import UsageError
from agent.commands.common import model_args, output_args, policy_args
from agent.commands.replay import cmd_replay
from agent.commands.run import cmd_run
from agent.engine.errors import ModelError

DEMO_GOAL = "Turn off Bluetooth"
DEMO_SCENARIO = "bluetooth-off"


def add_parser(sub: Any) -> None:
    demo = sub.add_parser("demo", help="watch the agent turn off Bluetooth on the simulated phone")
    demo.add_argument("--goal", default=DEMO_GOAL)
    policy_args(demo)
    output_args(demo)
    model_args(demo)
    demo.set_defaults(handler=cmd_demo)


def find_scenario(name: str) -> Path:
    for base in (Path.cwd() / "scenarios", Path(__file__).resolve().parents[2] / "scenarios"):
        if (base / name / "scenario.yaml").is_file():
            return base / name
    raise UsageError(f"the recorded scenario {name!r} was not found; run the demo from a clone of the repository")


def cmd_demo(args: argparse.Namespace) -> int:
    args.device, args.lang = "sim", None
    args.goal = args.goal or DEMO_GOAL
    try:
        from agent.commands.model import model_from_args

        model = model_from_args(args)
    except (ModelError, UsageError) as err:
        # The backend's message already says how to get a model (checkpoint, server, tiny model).
        print(f"qwen-agent: the Thinking model is not available here: {err}. "
              "Replaying a recorded run of the same goal instead:", file=sys.stderr)
        args.path = str(find_scenario(DEMO_SCENARIO))
        args.device = None
        return cmd_replay(args)
    return cmd_run(args, model=model)
