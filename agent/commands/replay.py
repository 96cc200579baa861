"""`qwen-agent replay PATH`: re-execute a recorded scenario or run folder through the same loop and
sandbox (verified against its frames when it has them), or `--resume` an interrupted run."""

from __future__ import annotations

import argparse
from typing import Any

from agent.commands.common import (
    device_options,
    model_args,
    output_args,
    parse_sets,
    plan_from_args,
    policy_args,
    privacy_args,
    privacy_from_args,
)


def add_parser(sub: Any) -> None:
    p = sub.add_parser("replay", help="re-execute a recorded run or scenario folder")
    p.add_argument("path", help="scenarios/<name> or runs/<run>")
    p.add_argument("--device", help="override the recorded device")
    p.add_argument("--display", metavar=":N", help="the X display for --device desktop")
    p.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="fill a {NAME} placeholder of the scenario (repeatable)")
    p.add_argument("--on-drift", choices=("stop", "model"),
                   help="when the screen stops matching the recorded frames: stop, or hand the "
                        "rest to the model (default: model when --model/--base-url is given)")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted run folder with the model from its last step")
    p.add_argument("--no-verify", action="store_true",
                   help="replay blind, without comparing the screen with the recorded frames")
    policy_args(p)
    output_args(p)
    privacy_args(p)
    model_args(p)
    p.set_defaults(handler=cmd_replay)


def cmd_replay(args: argparse.Namespace) -> int:
    from agent.engine import execute
    from agent.engine.report import write_report
    from agent.replay import ReplayModel
    from agent.scenario import fill, load
    from devices.registry import parse_spec

    if getattr(args, "resume", False):
        return cmd_resume(args)
    privacy = privacy_from_args(args)  # `{NAME}` of a --secret stays for the executor to type
    scenario = fill(load(args.path), parse_sets(getattr(args, "set", None) or []), frozenset(privacy.secrets))
    device_spec = args.device or scenario.device_spec
    kind, _ = parse_spec(device_spec)
    options = scenario.device_options if kind == scenario.device.get("kind", "sim") else {}
    plan = plan_from_args(args, goal=scenario.goal, device_spec=device_spec,
                          device_options=device_options(kind, args, options), interactive=False,
                          privacy=privacy, expect=scenario.expect,
                          extra_meta={"replay_of": scenario.source, "scenario": scenario.name})
    if not any(scenario.frames) or getattr(args, "no_verify", False):
        return execute(plan, ReplayModel(scenario.steps, name=f"replay:{scenario.name}")).exit_code
    from agent.replay_verified import VerifiedReplayModel, load_frames

    # Verified: the model is only loaded if the screen stops matching (`--on-drift model`).
    configured = bool(getattr(args, "model", None) or getattr(args, "base_url", None))
    on_drift = getattr(args, "on_drift", None) or ("model" if configured else "stop")

    def fallback() -> Any:
        from agent.commands.model import model_from_args

        return model_from_args(args)

    model = VerifiedReplayModel(scenario.steps, load_frames(scenario.frames), scenario.goal,
                                fallback=fallback if on_drift == "model" else None,
                                name=f"replay:{scenario.name}")
    result = execute(plan, model)
    model.write_findings(result.run_dir, images=plan.privacy.frames)
    write_report(result.run_dir)
    return result.exit_code


def cmd_resume(args: argparse.Namespace) -> int:
    """Continue an interrupted run folder: the simulated phone is brought back by re-executing the
    run's executed steps, then the model goes on (see `agent.resume`)."""
    from agent.commands.model import model_from_args
    from agent.engine import execute
    from agent.resume import ResumeModel, check_restorable, resumable

    run, steps, masked = resumable(args.path)
    privacy = privacy_from_args(args)
    start = dict((run.get("device") or {}).get("start") or {"kind": "sim"})
    kind = start.pop("kind", "sim")
    spec = args.device or (run.get("device") or {}).get("spec") or kind
    if kind != "sim" or (args.device and not args.device.startswith("sim")):
        steps = []  # a real device is still where the run left it: nothing to re-execute
    else:
        check_restorable(run, masked, set(privacy.secrets))
    goal = str(run.get("goal", ""))
    plan = plan_from_args(args, goal=goal, device_spec=spec,
                          device_options=device_options(kind, args, start if kind == "sim" else {}),
                          interactive=False, privacy=privacy, expect=run.get("expect") or {},
                          extra_meta={"resumed_from": str(args.path), "restored_steps": len(steps)})
    return execute(plan, ResumeModel(steps, lambda: model_from_args(args))).exit_code
