"""What the commands share: the argument groups, and the one function that turns arguments into a
`RunPlan`. argparse lives in `agent/commands/` only; nothing below it sees a Namespace."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from actions import UsageError
from actions.errors import EXIT_USAGE
from policies import PolicyConfig, load_policy

if TYPE_CHECKING:  # the parser is built for every command; the engine loads when one runs
    from agent.engine import RunPlan
    from agent.engine.privacy import Privacy


class Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line (its default prints usage + error, also exit 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"qwen-agent: error: {message} (see --help)\n")


def policy_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("sandbox")
    g.add_argument("--policy", metavar="FILE", help="YAML policy file (defaults: policies/default.yaml)")
    g.add_argument("--max-steps", type=int, metavar="N", help="stop after N steps (default 20)")
    g.add_argument("--min-confidence", type=float, metavar="X",
                   help="below this confidence an action is not executed (default 0.6)")
    g.add_argument("--max-seconds", type=float, metavar="S", help="wall-clock limit for the run")
    g.add_argument("--dry-run", action="store_true", default=None,
                   help="decide and record every step, execute nothing")
    g.add_argument("--yes", action="store_true", help="confirm sensitive actions without asking")


def output_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--runs-dir", default="runs", metavar="DIR", help="where run folders go (default runs/)")
    p.add_argument("--json", action="store_true", help="JSON lines on stdout instead of the console view")
    p.add_argument("--settle", type=float, metavar="S",
                   help="how long to wait for the screen to stop changing (default: 0 on sim, 3 otherwise)")


def privacy_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("privacy")
    g.add_argument("--secret", action="append", metavar="NAME=env:VAR",
                   help="type $VAR wherever the model writes {NAME}; never shown to the model or saved")
    g.add_argument("--redact", action="store_true",
                   help="black out password fields in every image; mask text typed into them everywhere")
    g.add_argument("--no-frames", dest="frames", action="store_false",
                   help="write no image of any kind: the run folder keeps text only")


def model_args(p: argparse.ArgumentParser) -> None:
    from agent.commands.model import add_model_arguments

    add_model_arguments(p)


def policy_from_args(args: argparse.Namespace) -> PolicyConfig:
    return load_policy(args.policy).with_overrides(
        max_steps=args.max_steps, min_confidence=args.min_confidence,
        max_seconds=args.max_seconds, dry_run=args.dry_run,
    )


def privacy_from_args(args: argparse.Namespace) -> Privacy:
    from agent.engine.privacy import Privacy, parse_secrets

    return Privacy(secrets=parse_secrets(getattr(args, "secret", None)),
                   redact=bool(getattr(args, "redact", False)), frames=getattr(args, "frames", True))


def device_options(kind: str, args: argparse.Namespace, options: dict[str, Any]) -> dict[str, Any]:
    """`--display :N` picks the X display a desktop run works in (e.g. one from `qwen-agent sandbox`)."""
    display = getattr(args, "display", None)
    if display:
        if kind != "desktop":
            raise UsageError("--display applies to --device desktop only")
        options = {**options, "display": display}
    return options


def parse_sets(pairs: Sequence[str]) -> dict[str, str]:
    """`--set name=value` options as a mapping (UsageError, one line, for a malformed one)."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set takes NAME=VALUE, got {pair!r}")
        values[name.strip()] = value
    return values


def plan_from_args(args: argparse.Namespace, *, goal: str, device_spec: str,
                   device_options: dict[str, Any], interactive: bool = True,
                   expect: dict[str, Any] | None = None, extra_meta: dict[str, Any] | None = None,
                   privacy: Privacy | None = None) -> RunPlan:
    """The one place a command's arguments become a `RunPlan`."""
    from agent.engine import LoopOptions, RunPlan, goal_language
    from agent.engine.perceive import settle_for
    from agent.imaging import DEFAULT_MAX_PIXELS

    return RunPlan(
        goal=goal, device_spec=device_spec, device_options=device_options,
        policy=policy_from_args(args),
        loop=LoopOptions(max_pixels=getattr(args, "max_pixels", None) or DEFAULT_MAX_PIXELS,
                         settle=settle_for(device_spec, getattr(args, "settle", None)),
                         language=goal_language(goal),
                         history_images=getattr(args, "history_images", 0) or 0),
        runs_dir=args.runs_dir, yes=bool(getattr(args, "yes", False)),
        json=bool(getattr(args, "json", False)), interactive=interactive,
        privacy=privacy if privacy is not None else privacy_from_args(args),
        expect=expect or {}, extra_meta=extra_meta or {},
    )
