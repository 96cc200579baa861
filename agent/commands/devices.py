"""`qwen-agent devices`: what can be driven from here."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from actions.errors import EXIT_USAGE


def add_parser(sub: Any) -> None:
    p = sub.add_parser("devices", help="list what can be driven")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_devices)


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
