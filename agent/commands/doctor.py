"""`qwen-agent doctor`: check the set-up and say what to fix, one line each."""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import asdict
from typing import Any

from actions import UsageError


def add_parser(sub: Any) -> None:
    p = sub.add_parser("doctor", help="check the set-up and say what to fix, one line each")
    p.add_argument("--model", help="check this model (hub id or folder) is on disk (default: the one "
                   "`run` loads); with --base-url: the model the server should serve")
    p.add_argument("--json", action="store_true")
    p.add_argument("--base-url", metavar="URL", help="check an OpenAI-compatible server instead: "
                   "reachable, serves the model, returns reasoning, accepts images")
    p.add_argument("--api-key-env", default="OPENAI_API_KEY", metavar="VAR",
                   help="environment variable holding the server's API key")
    p.add_argument("--timeout", type=float, default=60.0, metavar="S", help="seconds per server request")
    p.set_defaults(handler=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    """The machine's checks; with --base-url, the server's."""
    if args.base_url:
        return _server(args)
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


def _server(args: argparse.Namespace) -> int:
    from agent.backends.server_check import check_server

    if not args.base_url.startswith(("http://", "https://")):
        raise UsageError(f"--base-url {args.base_url}: expected an http:// or https:// URL")
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    checks = check_server(args.base_url, args.model, os.environ.get(args.api_key_env) or None, args.timeout)
    if args.json:
        print(json.dumps([asdict(c) for c in checks], ensure_ascii=False, indent=2))
    else:
        for check in checks:
            print(check.line())
    return 1 if any(c.required and not c.ok for c in checks) else 0
