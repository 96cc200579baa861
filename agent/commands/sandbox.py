"""`qwen-agent sandbox`: a virtual X display (Xvfb) to run desktop goals in, away from yours."""

from __future__ import annotations

import argparse
import time
from typing import Any

from actions import UsageError


def add_parser(sub: Any) -> None:
    p = sub.add_parser("sandbox", help="start a virtual X display (Xvfb) for desktop runs")
    p.add_argument("--size", default="1920x1080", help="WIDTHxHEIGHT (default 1920x1080)")
    p.set_defaults(handler=cmd_sandbox)


def cmd_sandbox(args: argparse.Namespace) -> int:
    """Start a virtual X display to watch the agent work in, until Ctrl-C."""
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
