"""`qwen-agent`: the command line (contracts in ARCHITECTURE.md, "Command line").

One module per subcommand in this package, each with `add_parser(sub)` and its handler; heavy
imports wait inside the handlers, so `qwen-agent parse` stays fast. Errors reach the person as
one line (exit codes from `agent.engine.outcomes`), never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from collections.abc import Sequence

from actions.errors import EXIT_NOT_DONE, EXIT_SANDBOX, EXIT_USAGE, QwenAgentError
from agent.commands.common import Parser

VERSION = "0.1.0"
# In the order `--help` lists them.
COMMANDS = ("run", "replay", "parse", "demo", "assist", "ui", "devices", "doctor", "record",
            "bench", "adversarial", "eval", "sandbox", "export", "finetune")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="qwen-agent", description="A GUI agent driven by Qwen3-VL Thinking.")
    parser.add_argument("--version", action="version", version=f"qwen-agent {VERSION}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name in COMMANDS:
        importlib.import_module(f"agent.commands.{name}").add_parser(sub)
    return parser


def _interrupt(signum: int, frame: object) -> None:
    # Installed explicitly: a shell that starts us in the background ignores SIGINT for us, and
    # SIGTERM must end a run exactly like Ctrl-C: cleanly, recorded.
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        args = build_parser().parse_args(argv)
        return int(args.handler(args))
    except QwenAgentError as err:
        from agent.engine.outcomes import exit_code

        print(f"qwen-agent: error: {err}", file=sys.stderr)
        return exit_code(err)
    except ImportError as err:
        from agent.commands.extras import install_hint

        hint = install_hint(err)
        if hint is None:
            raise  # no extra brings it: a bug, shown as one
        print(f"qwen-agent: error: {hint}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("qwen-agent: interrupted", file=sys.stderr)
        return EXIT_SANDBOX
    except BrokenPipeError:
        return EXIT_NOT_DONE
    except OSError as err:
        # A disk that fills up (or turns read-only) after the run folder's own writes, e.g. while
        # report.html or verify.json is written: bad input like any unwritable runs folder.
        from agent.engine.outcomes import exit_code
        from agent.engine.rundir import STORAGE_ERRNOS, RunFolderError, storage_problem

        if err.errno not in STORAGE_ERRNOS:
            raise
        error = RunFolderError(f"cannot write {err.filename or 'the run folder'}: {storage_problem(err)}")
        print(f"qwen-agent: error: {error}", file=sys.stderr)
        return exit_code(error)
    finally:
        _stop_children()


def _stop_children() -> None:
    """What the command started outside its own process tree and must not outlive it: an adb
    server it started (Xvfb displays and the overlay are stopped by their owners' `finally`)."""
    adb_server = sys.modules.get("devices.android.server")
    if adb_server is not None:
        adb_server.stop_started()


__all__ = ["VERSION", "build_parser", "main"]
