"""`qwen-agent doctor`: check the set-up and say what to fix, one line each."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser("doctor", help="check the set-up and say what to fix, one line each")
    p.add_argument("--model", help="check this model (hub id or folder) is on disk (default: the "
                                   "default model, the one `run` loads)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    from agent.backends.checkpoint import DEFAULT_MODEL
    from devices.doctor import run_checks

    # The model `run` would load, so the advice matches what the other commands do.
    checks = run_checks(model=getattr(args, "model", None) or DEFAULT_MODEL)
    if args.json:
        print(json.dumps([asdict(c) for c in checks], ensure_ascii=False, indent=2))
    else:
        for check in checks:
            print(check.line())
    return 1 if any(c.required and not c.ok for c in checks) else 0
