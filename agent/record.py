"""`qwen-agent record NAME --device sim|adb|desktop`: a person does the task once; it becomes a
scenario folder (design.md §4) that `qwen-agent replay` plays back, verified against its frames.

    scenarios/<name>/scenario.yaml   name, goal, device, steps (the action schema), frames, expect
    scenarios/<name>/frames/0001.png the screen before step 1, at the model's pixel budget

Typed text in a password field is never written: that step becomes an `ask_user` hand-over.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from actions import UsageError
from agent.imaging import DEFAULT_MAX_PIXELS, fit_pixel_budget

if TYPE_CHECKING:  # the parser is built for every command; recording's imports wait until it runs
    from devices.recording import DemoEvent

SCENARIO_FILE = "scenario.yaml"  # agent.scenario's name for it, not imported for the same reason

PASSWORD_STEP = "Please type the password here."


def scenario_steps(events: Sequence[DemoEvent], goal: str) -> list[dict[str, Any]]:
    """The events as steps in the action schema, ending in `done`."""
    steps = []
    for event in events:
        if event.secret:
            steps.append({"action": "ask_user", "text": PASSWORD_STEP, "confidence": 1.0})
        else:
            steps.append(event.action.to_dict())
    steps.append({"action": "done", "text": f"Done: {goal}", "confidence": 1.0})
    return steps


def write_scenario(folder: str | Path, *, name: str, goal: str, device: dict[str, Any],
                   events: Sequence[DemoEvent], expect: dict[str, Any] | None = None,
                   max_pixels: int = DEFAULT_MAX_PIXELS) -> Path:
    """Write the scenario folder (frames at the model's budget, so replay compares like with like)."""
    import yaml

    if not events:
        raise UsageError("nothing was recorded: no taps, swipes, text or keys")
    folder = Path(folder)
    (folder / "frames").mkdir(parents=True, exist_ok=True)
    frames: list[str | None] = []
    for i, event in enumerate(events, 1):
        if event.frame is None:
            frames.append(None)
            continue
        rel = f"frames/{i:04d}.png"
        fit_pixel_budget(event.frame.convert("RGB"), max_pixels).save(folder / rel)
        frames.append(rel)
    data = {"name": name, "goal": goal, "device": device, "steps": scenario_steps(events, goal),
            "frames": frames, "expect": expect or {}}
    (folder / SCENARIO_FILE).write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
    return folder


def changed_state(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What the demonstration changed on a device with readable state: the replay's `expect`."""
    return {k: v for k, v in after.items() if before.get(k) != v}


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
    from devices.android.record import record_touches

    print("Recording the phone's touchscreen: do the task on the phone; Ctrl-C here stops. "
          "Keys typed into a password field are not recorded (the replay asks for them).", file=sys.stderr)
    events = record_touches(serial, seconds=args.seconds)
    return ({"kind": "adb", **({"serial": serial} if serial else {})}, events, {})


def _record_desktop(args: argparse.Namespace, _arg: str | None) -> tuple[dict, list[DemoEvent], dict]:
    from devices.desktop.record import record_desktop

    print("Recording this desktop's mouse and keyboard: do the task; the Pause key (or Ctrl-C here) "
          "stops. Press Scroll Lock before typing a password: it is not recorded.", file=sys.stderr)
    events = record_desktop(display=args.display, seconds=args.seconds)
    return ({"kind": "desktop", **({"display": args.display} if args.display else {})}, events, {})
