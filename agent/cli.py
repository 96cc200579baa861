"""`qwen-agent`: the command line (contracts in design.md §1).

Exit codes: 0 done · 1 stopped without finishing · 2 usage or bad input · 3 stopped by the sandbox.
User errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Callable, Sequence

from actions import ActionFormatError, QwenAgentError, UsageError, parse_reply
from actions.errors import EXIT_SANDBOX, EXIT_USAGE
from agent.imaging import DEFAULT_MAX_PIXELS
from agent.perceive import Settle
from agent.session import VERSION


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line (its default prints usage + error, also exit 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"qwen-agent: error: {message} (see --help)\n")


def _policy_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("sandbox")
    g.add_argument("--policy", metavar="FILE", help="YAML policy file (defaults: policies/default.yaml)")
    g.add_argument("--max-steps", type=int, metavar="N", help="stop after N steps (default 20)")
    g.add_argument("--min-confidence", type=float, metavar="X",
                   help="below this confidence an action is not executed (default 0.6)")
    g.add_argument("--max-seconds", type=float, metavar="S", help="wall-clock limit for the run")
    g.add_argument("--dry-run", action="store_true", default=None,
                   help="decide and record every step, execute nothing")
    g.add_argument("--yes", action="store_true", help="confirm sensitive actions without asking")


def _output_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--runs-dir", default="runs", metavar="DIR", help="where run folders go (default runs/)")
    p.add_argument("--json", action="store_true", help="JSON lines on stdout instead of the console view")
    p.add_argument("--settle", type=float, metavar="S",
                   help="how long to wait for the screen to stop changing (default: 0 on sim, 3 otherwise)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="qwen-agent", description="A GUI agent driven by Qwen3-VL Thinking.")
    parser.add_argument("--version", action="version", version=f"qwen-agent {VERSION}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="reach a goal on a device with the model")
    run.add_argument("goal", help='what to do, e.g. "turn off Bluetooth" or "把字体调大"')
    run.add_argument("--device", default="sim", help="sim | desktop | adb | adb:SERIAL (default sim)")
    run.add_argument("--lang", choices=("en", "zh"), help="the simulated phone's language (default: the goal's)")
    run.add_argument("--display", metavar=":N", help="the X display for --device desktop (see `sandbox`)")
    _policy_args(run)
    _output_args(run)
    from agent.privacy import add_privacy_arguments

    add_privacy_arguments(run)
    from agent.backends import add_model_arguments

    add_model_arguments(run)
    run.set_defaults(handler=_lazy("agent.commands", "cmd_run"))

    replay = sub.add_parser("replay", help="re-execute a recorded run or scenario folder")
    replay.add_argument("path", help="scenarios/<name> or runs/<run>")
    replay.add_argument("--device", help="override the recorded device")
    replay.add_argument("--display", metavar=":N", help="the X display for --device desktop")
    replay.add_argument("--set", action="append", metavar="NAME=VALUE",
                        help="fill a {NAME} placeholder of the scenario (repeatable)")
    replay.add_argument("--on-drift", choices=("stop", "model"),
                        help="when the screen stops matching the recorded frames: stop, or hand the "
                             "rest to the model (default: model when --model/--base-url is given)")
    replay.add_argument("--resume", action="store_true",
                        help="continue an interrupted run folder with the model from its last step")
    replay.add_argument("--no-verify", action="store_true",
                        help="replay blind, without comparing the screen with the recorded frames")
    _policy_args(replay)
    _output_args(replay)
    add_privacy_arguments(replay)
    add_model_arguments(replay)
    replay.set_defaults(handler=_lazy("agent.commands", "cmd_replay"))

    parse = sub.add_parser("parse", help="raw model reply (stdin or FILE) -> validated action JSON")
    parse.add_argument("file", nargs="?", help="a file with the reply (default: stdin)")
    parse.set_defaults(handler=cmd_parse)

    from agent.demo import add_parser as add_demo

    add_demo(sub, _policy_args, _output_args)
    from agent.assist.command import add_parser as add_assist

    add_assist(sub, _policy_args, _output_args)
    from agent.ui.command import add_parser as add_ui

    add_ui(sub)

    devices = sub.add_parser("devices", help="list what can be driven")
    devices.add_argument("--json", action="store_true")
    devices.set_defaults(handler=_lazy("agent.commands", "cmd_devices"))

    doctor = sub.add_parser("doctor", help="check the set-up and say what to fix, one line each")
    doctor.add_argument("--model", help="also check this model is in the local cache "
                        "(with --base-url: the model the server should serve)")
    doctor.add_argument("--json", action="store_true")
    doctor.add_argument("--base-url", metavar="URL", help="check an OpenAI-compatible server instead: "
                        "reachable, serves the model, returns reasoning, accepts images")
    doctor.add_argument("--api-key-env", default="OPENAI_API_KEY", metavar="VAR",
                        help="environment variable holding the server's API key")
    doctor.add_argument("--timeout", type=float, default=60.0, metavar="S", help="seconds per server request")
    doctor.set_defaults(handler=_lazy("agent.backends.server_check", "cmd_doctor"))

    from agent.record import add_parser as add_record

    add_record(sub)

    from agent.bench import add_parser as add_bench

    add_bench(sub)
    from agent.adversarial import add_parser as add_adversarial

    add_adversarial(sub)
    from agent.eval import add_parser as add_eval

    add_eval(sub, _policy_args)

    sandbox = sub.add_parser("sandbox", help="start a virtual X display (Xvfb) for desktop runs")
    sandbox.add_argument("--size", default="1920x1080", help="WIDTHxHEIGHT (default 1920x1080)")
    sandbox.set_defaults(handler=_lazy("agent.commands", "cmd_sandbox"))
    return parser


def _lazy(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """Import a command's module only when it runs, so `parse` stays fast."""

    def handler(args: argparse.Namespace) -> int:
        import importlib

        return getattr(importlib.import_module(module), name)(args)

    return handler


def cmd_parse(args: argparse.Namespace) -> int:
    try:
        if args.file:
            with open(args.file, encoding="utf-8") as fh:
                text = fh.read()
        else:
            text = sys.stdin.read()
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read {args.file or 'stdin'}: {err}") from None
    try:
        parsed = parse_reply(text)
    except ActionFormatError as err:
        print(f"qwen-agent: invalid reply: {err}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(parsed.action.to_dict(), ensure_ascii=False))
    return 0


def settle_for(device_spec: str, seconds: float | None) -> Settle | None:
    if seconds is None:
        seconds = 0.0 if device_spec.startswith("sim") else 3.0
    return Settle(timeout=seconds) if seconds > 0 else None


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM ends a run exactly like Ctrl-C: cleanly, recorded


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        args = build_parser().parse_args(argv)
        return int(args.handler(args))
    except QwenAgentError as err:
        print(f"qwen-agent: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("qwen-agent: interrupted", file=sys.stderr)
        return EXIT_SANDBOX
    except BrokenPipeError:
        return 1


__all__ = ["DEFAULT_MAX_PIXELS", "build_parser", "main", "settle_for"]
