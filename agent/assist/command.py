"""`qwen-agent assist GOAL`: guide mode on the terminal (the web UI is `qwen-agent ui`).

Each step prints one big sentence and the path of the marked picture (on a desktop the ring is
drawn on the screen itself), says it with `--speak`, and waits: the person does it on the device,
or types d (do it for me), r (repeat), s (stop), or just Enter once done.
"""

from __future__ import annotations

import argparse
import os
import select
import sys
from typing import Any, TextIO

from rich.console import Console
from rich.panel import Panel

from agent.assist.guide import DID, DO, REPEAT, STOP, Guidance

_KEYS = {"d": DO, "do": DO, "做": DO, "r": REPEAT, "repeat": REPEAT, "重复": REPEAT,
         "s": STOP, "q": STOP, "stop": STOP, "停": STOP, "": DID}
_HINT = {"en": "Do it yourself on the screen — or type  d = do it for me · r = repeat · s = stop  (Enter when done)",
         "zh": "请您自己在屏幕上操作 — 或输入  d = 帮我做 · r = 重复 · s = 停止  （做完按回车）"}


def add_parser(sub: argparse._SubParsersAction, policy_args: Any, output_args: Any) -> None:
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
    from agent.backends import add_model_arguments

    add_model_arguments(p)
    p.set_defaults(handler=cmd_assist)


class TerminalPerson:
    """Shows guidance in large, plain panels on stderr and reads choices from stdin without
    blocking the screen-change check (select with a timeout)."""

    def __init__(self, lang: str = "en", stdin: TextIO | None = None, console: Console | None = None,
                 overlay: Any = None) -> None:
        self.lang = lang
        self.stdin = stdin or sys.stdin
        self.console = console or Console(stderr=True, highlight=False)
        self.overlay = overlay
        self._eof = False

    def show(self, guidance: Guidance) -> None:
        style = {"done": "bold green", "stopped": "bold red", "ask": "bold yellow"}.get(guidance.kind, "bold")
        self.console.print(Panel(guidance.text, style=style, expand=False))
        if guidance.image_path is not None:
            self.console.print(f"  picture: {guidance.image_path}")
        if guidance.kind in ("step", "ask"):
            self.console.print(f"  [dim]{_HINT[self.lang]}[/]")
        if self.overlay is not None:
            if guidance.kind == "step" and guidance.action is not None:
                self.overlay.show(guidance)
            elif guidance.kind in ("done", "stopped"):
                self.overlay.hide()

    def choice(self, seconds: float) -> str | None:
        if self._eof:
            return None
        try:
            ready, _, _ = select.select([self.stdin], [], [], max(0.0, seconds))
        except (ValueError, OSError, TypeError):  # no real file (a test's StringIO): read directly
            ready = [self.stdin]
        if not ready:
            return None
        line = self.stdin.readline()
        if not line:
            self._eof = True  # nobody types any more: keep watching the screen only
            return None
        word = line.strip()
        return _KEYS.get(word.casefold(), word)


def cmd_assist(args: argparse.Namespace) -> int:
    from agent.assist.run import GuideSettings, guide
    from agent.cli import settle_for
    from agent.commands import device_options, policy_from_args
    from agent.session import goal_language
    from agent.view import ConsoleView, JsonView
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
    settings = GuideSettings(goal=args.goal, device_spec=device_spec, device_options=options,
                             lang=lang, speak=args.speak, timeout=args.wait, runs_dir=args.runs_dir,
                             settle=settle_for(device_spec, args.settle))
    device = open_device(device_spec, **options)
    try:
        if scenario is not None:
            from agent.replay import ReplayModel

            model: Any = ReplayModel(scenario.steps, name=f"replay:{scenario.name}")
        else:
            from agent.backends import model_from_args

            model = model_from_args(args)
    except BaseException:
        device.close()
        raise
    overlay = None
    if kind == "desktop":
        from agent.assist.overlay import open_overlay

        overlay = open_overlay(os.environ.get("DISPLAY") or options.get("display"))
    person = TerminalPerson(lang, overlay=overlay)
    view = JsonView() if args.json else ConsoleView(show_thinking=False)
    try:
        result, _ = guide(settings, model, person, AutoConfirm() if args.yes else TerminalConfirmer(),
                          policy=policy_from_args(args), view=view, device=device)
    finally:
        if overlay is not None:
            overlay.close()
    return result.exit_code
