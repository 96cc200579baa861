"""Guide mode on the terminal: each step in a large, plain panel on stderr, choices read from
stdin (d = do it for me, r = repeat, s = stop, Enter once done). On a desktop the ring is drawn on
the screen itself by the overlay."""

from __future__ import annotations

import select
import sys
from typing import Any, TextIO

from rich.console import Console
from rich.panel import Panel

from agent.assist.guide import DID, DO, REPEAT, STOP, Guidance
from agent.engine.view import log_console

_KEYS = {"d": DO, "do": DO, "做": DO, "r": REPEAT, "repeat": REPEAT, "重复": REPEAT,
         "s": STOP, "q": STOP, "stop": STOP, "停": STOP, "": DID}
_HINT = {"en": "Do it yourself on the screen — or type  d = do it for me · r = repeat · s = stop  (Enter when done)",
         "zh": "请您自己在屏幕上操作 — 或输入  d = 帮我做 · r = 重复 · s = 停止  （做完按回车）"}


class TerminalChannel:
    """Shows guidance in large, plain panels on stderr and reads choices from stdin without
    blocking the screen-change check (select with a timeout)."""

    def __init__(self, lang: str = "en", stdin: TextIO | None = None, console: Console | None = None,
                 overlay: Any = None) -> None:
        self.lang = lang
        self.stdin = stdin or sys.stdin
        self.console = console or log_console()
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

    @property
    def absent(self) -> bool:
        return self._eof

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
