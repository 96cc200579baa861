"""Sensitive keywords: finding "pay", "send", "删除" in a label, the model's words or typed text."""

from __future__ import annotations

import re
from collections.abc import Iterable


def one_line(text: object, limit: int = 60) -> str:
    """Reasons are one line: the model and the terminal both read them. Device text is data, not
    trusted to be one line, so it is squeezed like the model's words."""
    flat = " ".join(str(text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


class KeywordMatcher:
    """Find sensitive keywords in a text.

    ASCII keywords match whole words, case-insensitively, with any run of spaces between their
    words ("Pay now" and "pay_now" match "pay"; "Display" and "Sender" do not match "pay" and
    "send"). Others (Chinese) match as substrings: Chinese has no spaces between words.
    """

    def __init__(self, keywords: Iterable[str]) -> None:
        self.keywords = tuple(keywords)
        self._patterns: list[tuple[str, re.Pattern[str] | None]] = []
        for keyword in self.keywords:
            if keyword.isascii():
                # Letters and digits are "inside a word"; "_" and "-" are not, so widget ids
                # like "btn_delete" still match.
                body = r"\s+".join(re.escape(w) for w in keyword.split())
                pattern = re.compile(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])", re.IGNORECASE)
                self._patterns.append((keyword, pattern))
            else:
                self._patterns.append((keyword.casefold(), None))

    def find(self, text: str) -> str | None:
        """The first keyword (in list order) found in `text`, or None."""
        folded = text.casefold()
        for keyword, pattern in self._patterns:
            if pattern.search(text) if pattern is not None else keyword in folded:
                return keyword
        return None
