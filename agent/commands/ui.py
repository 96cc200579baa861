"""`qwen-agent ui`: the large-print web page (Gradio is imported only when this command runs)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from actions import UsageError
from agent.commands.common import model_args


def add_parser(sub: Any) -> None:
    p = sub.add_parser("ui", help="the large-print web page for guide mode (Gradio)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this computer only)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--device", default="sim", help="sim | desktop | adb | adb:SERIAL (default sim)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="the page's language at start")
    p.add_argument("--replay", metavar="SCENARIO",
                   help="follow a recorded scenario instead of a model (demos and tests without weights)")
    p.add_argument("--runs-dir", default="runs", metavar="DIR", help="where run folders go (default runs/)")
    p.add_argument("--wait", type=float, default=120.0, metavar="S",
                   help="how long to wait for the person each step (default 120)")
    p.add_argument("--no-speech", action="store_true", help="do not make the spoken WAVs")
    model_args(p)
    p.set_defaults(handler=cmd_ui)


def make_session(args: argparse.Namespace) -> tuple[Any, Any]:
    """The session and the model factory for the screenshot mode, from the command's options."""
    from agent.assist.recorded import shipped_tasks
    from agent.assist.run import GuideSettings
    from agent.engine.perceive import settle_for
    from agent.ui.controller import UISession
    from devices.registry import parse_spec

    device_spec, options = args.device, {}
    if args.replay:
        from agent.replay import ReplayModel
        from agent.scenario import load

        scenario = load(args.replay)
        if args.device == "sim":
            device_spec, options = scenario.device_spec, dict(scenario.device_options)

        def factory() -> Any:
            return ReplayModel(scenario.steps, name=f"replay:{scenario.name}")
    else:
        factory = _model_factory(args)
    parse_spec(device_spec)  # an unknown device is a usage error now, not on the first goal
    settings = GuideSettings(goal="", device_spec=device_spec, device_options=options, lang=args.lang,
                             timeout=args.wait, runs_dir=args.runs_dir,
                             settle=settle_for(device_spec, None))
    recorded = shipped_tasks() if factory is None else []
    return UISession(settings, factory, speak=not args.no_speech, recorded=recorded), factory


def _model_factory(args: argparse.Namespace) -> Any:
    """The loaded model's factory; None (and one line saying why and how to connect one) when no
    model can be had here: the page then offers the recorded help instead of failing."""
    from agent.commands.model import model_from_args
    from agent.engine.errors import ModelError

    print("qwen-agent ui: loading the model…", file=sys.stderr, flush=True)
    try:
        model = model_from_args(args)
    except (ModelError, UsageError) as err:
        print(f"qwen-agent ui: no model ({err}); serving recorded help for the shipped tasks — "
              "connect a model with --model PATH or --backend openai --base-url URL --model NAME",
              file=sys.stderr, flush=True)
        return None
    return lambda: model


def cmd_ui(args: argparse.Namespace) -> int:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    try:
        from agent.ui.app import build, launch
    except ImportError as err:
        raise UsageError(f"the web UI needs gradio: pip install 'qwen-agent[ui]' ({err})") from None
    session, factory = make_session(args)
    app = build(session, args.lang, factory)
    print(f"qwen-agent ui: open http://{args.host}:{args.port} in a browser (Ctrl-C stops it)",
          file=sys.stderr, flush=True)
    launch(app, args.runs_dir, args.host, args.port, block=True)
    return 0
