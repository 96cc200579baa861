"""Handlers of the agent-running commands: run, replay, devices."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from actions.errors import EXIT_USAGE
from agent.cli import settle_for
from agent.imaging import DEFAULT_MAX_PIXELS
from agent.loop import LoopOptions
from agent.model import Model
from agent.replay import ReplayModel
from agent.scenario import load
from agent.session import RunPlan, execute, goal_language
from devices.registry import parse_spec
from policies import PolicyConfig, load_policy


def policy_from_args(args: argparse.Namespace) -> PolicyConfig:
    return load_policy(args.policy).with_overrides(
        max_steps=args.max_steps, min_confidence=args.min_confidence,
        max_seconds=args.max_seconds, dry_run=args.dry_run,
    )


def cmd_run(args: argparse.Namespace, model: Model | None = None) -> int:
    from agent.backends import model_from_args

    parse_spec(args.device)  # an unknown device is a usage error before any model loads
    policy = policy_from_args(args)
    language = goal_language(args.goal)
    options = {"lang": args.lang or language} if args.device == "sim" else {}
    max_pixels = getattr(args, "max_pixels", None) or DEFAULT_MAX_PIXELS
    plan = RunPlan(
        goal=args.goal, device_spec=args.device, device_options=options, policy=policy,
        loop=LoopOptions(max_pixels=max_pixels, settle=settle_for(args.device, args.settle),
                         language=language, history_images=getattr(args, "history_images", 0) or 0),
        runs_dir=args.runs_dir, yes=args.yes, json=args.json,
    )
    model = model or model_from_args(args)
    return execute(plan, model).exit_code


def cmd_replay(args: argparse.Namespace) -> int:
    scenario = load(args.path)
    device_spec = args.device or scenario.device_spec
    kind, _ = parse_spec(device_spec)
    options = scenario.device_options if kind == scenario.device.get("kind", "sim") else {}
    plan = RunPlan(
        goal=scenario.goal, device_spec=device_spec, device_options=options,
        policy=policy_from_args(args),
        loop=LoopOptions(max_pixels=DEFAULT_MAX_PIXELS, settle=settle_for(device_spec, args.settle),
                         language=goal_language(scenario.goal)),
        runs_dir=args.runs_dir, yes=args.yes, json=args.json, interactive=False,
        expect=scenario.expect, extra_meta={"replay_of": scenario.source, "scenario": scenario.name},
    )
    model = ReplayModel(scenario.steps, name=f"replay:{scenario.name}")
    return execute(plan, model).exit_code


def cmd_devices(args: argparse.Namespace) -> int:
    from devices.listing import list_devices

    found = list_devices()
    if args.json:
        print(json.dumps([asdict(d) for d in found], ensure_ascii=False, indent=2))
        return 0
    for d in found:
        state = "ready" if d.ready else f"not ready: {d.problem}"
        print(f"{d.spec:<24} {d.description}  [{state}]")
    return 0 if found else EXIT_USAGE


__all__ = ["cmd_devices", "cmd_replay", "cmd_run"]
