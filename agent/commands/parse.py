"""`qwen-agent parse [FILE]`: a raw model reply -> the validated action as JSON (exit 0), or one
line saying why it is not one (exit 2)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from actions import ActionFormatError, UsageError, parse_reply
from actions.errors import EXIT_USAGE
from actions.safe_files import REPLY_BYTES, read_text


def add_parser(sub: Any) -> None:
    p = sub.add_parser("parse", help="raw model reply (stdin or FILE) -> validated action JSON")
    p.add_argument("file", nargs="?", help="a file with the reply (default: stdin)")
    p.set_defaults(handler=cmd_parse)


def cmd_parse(args: argparse.Namespace) -> int:
    if args.file:  # a regular file within a cap: never a FIFO or /dev/zero
        text = read_text(args.file, str(args.file), REPLY_BYTES)
    else:
        try:
            text = sys.stdin.read(REPLY_BYTES + 1)
        except (OSError, UnicodeDecodeError) as err:
            raise UsageError(f"cannot read stdin: {err}") from None
        if len(text) > REPLY_BYTES:
            raise UsageError(f"stdin: a reply of more than {REPLY_BYTES // 1024 // 1024} MiB")
    try:
        parsed = parse_reply(text)
    except ActionFormatError as err:
        print(f"qwen-agent: invalid reply: {err}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(parsed.action.to_dict(), ensure_ascii=False))
    return 0
