"""Handlers of the agent-running commands: run, replay, devices."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from actions import UsageError
from actions.errors import EXIT_USAGE
from agent.cli import settle_for
from agent.imaging import DEFAULT_MAX_PIXELS
from agent.loop import LoopOptions
from agent.model import Model
from agent.privacy import privacy_from_args
from agent.replay import ReplayModel
from agent.scenario import load
from agent.session import RunPlan, execute, goal_language
from devices.registry import open_device, parse_spec
from policies import PolicyConfig, load_policy


def policy_from_args(args: argparse.Namespace) -> PolicyConfig:
    return load_policy(args.policy).with_overrides(
        max_steps=args.max_steps, min_confidence=args.min_confidence,
        max_seconds=args.max_seconds, dry_run=args.dry_run,
    )


def device_options(kind: str, args: argparse.Namespace, options: dict) -> dict:
    """`--display :N` picks the X display a desktop run works in (e.g. one from `qwen-agent sandbox`)."""
    display = getattr(args, "display", None)
    if display:
        if kind != "desktop":
            raise UsageError("--display applies to --device desktop only")
        options = {**options, "display": display}
    return options


def cmd_run(args: argparse.Namespace, model: Model | None = None) -> int:
    from agent.backends import model_from_args

    kind, _ = parse_spec(args.device)
    policy = policy_from_args(args)
    language = goal_language(args.goal)
    options = device_options(kind, args, {"lang": args.lang or language} if kind == "sim" else {})
    max_pixels = getattr(args, "max_pixels", None) or DEFAULT_MAX_PIXELS
    plan = RunPlan(
        goal=args.goal, device_spec=args.device, device_options=options, policy=policy,
        loop=LoopOptions(max_pixels=max_pixels, settle=settle_for(args.device, args.settle),
                         language=language, history_images=getattr(args, "history_images", 0) or 0),
        runs_dir=args.runs_dir, yes=args.yes, json=args.json, privacy=privacy_from_args(args),
    )
    # The device first: a missing phone is a usage error (exit 2) before minutes of model loading.
    device = open_device(plan.device_spec, **plan.device_options)
    try:
        model = model or model_from_args(args)
    except BaseException:
        device.close()
        raise
    return execute(plan, model, device).exit_code


def cmd_replay(args: argparse.Namespace) -> int:
    from agent.replay_verified import VerifiedReplayModel, load_frames, parse_sets
    from agent.report import write_report
    from agent.scenario import fill

    if getattr(args, "resume", False):
        from agent.resume import cmd_resume

        return cmd_resume(args)
    privacy = privacy_from_args(args)  # `{NAME}` of a --secret stays for the executor to type
    scenario = fill(load(args.path), parse_sets(getattr(args, "set", None) or []), frozenset(privacy.secrets))
    device_spec = args.device or scenario.device_spec
    kind, _ = parse_spec(device_spec)
    options = scenario.device_options if kind == scenario.device.get("kind", "sim") else {}
    options = device_options(kind, args, options)
    plan = RunPlan(
        goal=scenario.goal, device_spec=device_spec, device_options=options,
        policy=policy_from_args(args),
        loop=LoopOptions(max_pixels=getattr(args, "max_pixels", None) or DEFAULT_MAX_PIXELS,
                         settle=settle_for(device_spec, args.settle),
                         language=goal_language(scenario.goal)),
        runs_dir=args.runs_dir, yes=args.yes, json=args.json, interactive=False,
        privacy=privacy,
        expect=scenario.expect, extra_meta={"replay_of": scenario.source, "scenario": scenario.name},
    )
    if not any(scenario.frames) or getattr(args, "no_verify", False):
        return execute(plan, ReplayModel(scenario.steps, name=f"replay:{scenario.name}")).exit_code
    # Verified: the model is only loaded if the screen stops matching (`--on-drift model`).
    configured = bool(getattr(args, "model", None) or getattr(args, "base_url", None))
    on_drift = getattr(args, "on_drift", None) or ("model" if configured else "stop")

    def fallback() -> Model:
        from agent.backends import model_from_args

        return model_from_args(args)

    model = VerifiedReplayModel(scenario.steps, load_frames(scenario.frames), scenario.goal,
                                fallback=fallback if on_drift == "model" else None,
                                name=f"replay:{scenario.name}")
    result = execute(plan, model)
    model.write_findings(result.run_dir)
    write_report(result.run_dir)
    return result.exit_code


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


def cmd_doctor(args: argparse.Namespace) -> int:
    from devices.doctor import run_checks

    checks = run_checks(model=getattr(args, "model", None))
    if args.json:
        print(json.dumps([asdict(c) for c in checks], ensure_ascii=False, indent=2))
    else:
        for check in checks:
            print(check.line())
    return 1 if any(c.required and not c.ok for c in checks) else 0


def cmd_sandbox(args: argparse.Namespace) -> int:
    """Start a virtual X display to watch the agent work in, until Ctrl-C."""
    import time

    from devices.desktop import start_virtual_display

    width, _, height = args.size.partition("x")
    try:
        size = (int(width), int(height))
    except ValueError:
        raise UsageError(f"--size must look like 1920x1080, got {args.size!r}") from None
    display = start_virtual_display(size)
    print(f"virtual display {display.display} is up ({size[0]}x{size[1]}); run the agent in it with:\n"
          f"  qwen-agent run GOAL --device desktop --display {display.display}\n"
          f"watch it with e.g. `x11vnc -display {display.display}`; Ctrl-C stops it", flush=True)
    try:
        while display.process.poll() is None:
            time.sleep(0.5)
        raise UsageError(f"Xvfb on {display.display} exited with code {display.process.returncode}")
    except KeyboardInterrupt:
        return 0
    finally:
        display.stop()


__all__ = ["cmd_devices", "cmd_doctor", "cmd_replay", "cmd_run", "cmd_sandbox"]
