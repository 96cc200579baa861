"""`qwen-agent record NAME --device sim|adb|desktop`: record a person doing a task once, as a
scenario folder (`agent.demonstration` writes it)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from actions import UsageError
from agent.commands.extras import require
from agent.demonstration import SCENARIO_FILE, changed_state, write_scenario
from agent.imaging import DEFAULT_MAX_PIXELS

if TYPE_CHECKING:
    from devices.recording import DemoEvent


def add_parser(sub: Any) -> None:
    p = sub.add_parser("record", help="record a person doing a task once, as a replayable scenario")
    p.add_argument("name", help="the scenario's name (a folder under --out)")
    p.add_argument("--goal", help="what the task achieves (default: the name)")
    p.add_argument("--device", default="sim", help="sim | desktop | adb | adb:SERIAL (default sim)")
    p.add_argument("--out", default="scenarios", metavar="DIR", help="where to write it (default scenarios/)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="the simulated phone's language")
    p.add_argument("--screen", default="home", help="the simulated phone's starting screen")
    p.add_argument("--display", metavar=":N", help="the X display for --device desktop")
    p.add_argument("--seconds", type=float, help="stop after this long (default: Ctrl-C or the hotkey)")
    p.add_argument("--max-pixels", type=int, default=DEFAULT_MAX_PIXELS, help="frame pixel budget")
    p.add_argument("--expect-text", action="append", metavar="TEXT", default=[],
                   help="text that must be on screen when a replay ends (repeatable; read from the "
                        "UI tree, or by OCR on a desktop)")
    p.set_defaults(handler=cmd_record)


def cmd_record(args: argparse.Namespace) -> int:
    from devices.registry import parse_spec

    folder = Path(args.out) / args.name
    if (folder / SCENARIO_FILE).exists():
        raise UsageError(f"{folder} already holds a scenario; pick another name or --out")
    goal = args.goal or args.name.replace("-", " ")
    kind, arg = parse_spec(args.device)
    recorders: dict[str, Callable[[argparse.Namespace, str | None], tuple[dict, list[DemoEvent], dict]]] = {
        "sim": _record_sim, "adb": _record_adb, "desktop": _record_desktop}
    if kind not in recorders:
        raise UsageError(f"cannot record on {args.device!r}; use sim, desktop or adb")
    if any(not t.strip() for t in args.expect_text):
        raise UsageError("--expect-text needs some text")
    device, events, expect = recorders[kind](args, arg)
    if args.expect_text:
        expect = {**expect, "text": list(args.expect_text)}
    write_scenario(folder, name=args.name, goal=goal, device=device, events=events, expect=expect,
                   max_pixels=args.max_pixels)
    print(f"recorded {len(events)} steps to {folder}; replay with: qwen-agent replay {folder}")
    return 0


def _record_sim(args: argparse.Namespace, _arg: str | None) -> tuple[dict, list[DemoEvent], dict]:
    from devices.sim import SimPhone
    from devices.sim.record import COMMANDS, SimPerson

    phone = SimPhone(lang=args.lang, screen=args.screen)
    person = SimPerson(phone)
    before = phone.state()
    interactive = sys.stdin.isatty()
    if interactive:
        print("Do the task; one action a line: " + "; ".join(COMMANDS) + ". Ctrl-D or `stop` ends.",
              file=sys.stderr)
    try:
        for line in sys.stdin:
            try:
                if not person.command(line):
                    break
            except UsageError as err:
                if not interactive:
                    raise
                print(f"  {err}", file=sys.stderr)
                continue
            if interactive:
                print(f"  ok; on screen: {', '.join(phone.labels()[:12])}", file=sys.stderr)
    except KeyboardInterrupt:
        pass  # Ctrl-C ends the demonstration; what was done so far is the recording
    device = {"kind": "sim", "lang": args.lang, "screen": args.screen}
    return device, person.events, {"state": changed_state(before, phone.state())}


def _record_adb(args: argparse.Namespace, serial: str | None) -> tuple[dict, list[DemoEvent], dict]:
    require("android", "recording a phone")
    from devices.android.record import record_touches

    print("Recording the phone's touchscreen: do the task on the phone; Ctrl-C here stops. "
          "Keys typed into a password field are not recorded (the replay asks for them).", file=sys.stderr)
    events = record_touches(serial, seconds=args.seconds)
    return ({"kind": "adb", **({"serial": serial} if serial else {})}, events, {})


def _record_desktop(args: argparse.Namespace, _arg: str | None) -> tuple[dict, list[DemoEvent], dict]:
    require("desktop", "recording the desktop")
    from devices.desktop.record import record_desktop

    print("Recording this desktop's mouse and keyboard: do the task; the Pause key (or Ctrl-C here) "
          "stops. Press Scroll Lock before typing a password: it is not recorded.", file=sys.stderr)
    events = record_desktop(display=args.display, seconds=args.seconds)
    return ({"kind": "desktop", **({"display": args.display} if args.display else {})}, events, {})
