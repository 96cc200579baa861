"""The thinking budget: when the reasoning runs out of tokens or time, close it Qwen's way.

Qwen's recipe for a thinking budget (QwenLM/Qwen3, docs/source/getting_started/thinking_budget.md)
stops the reasoning at the budget, appends a blank line and the sentence "Considering the limited
time by the user, I have to give the solution based on the thinking directly now.", closes it with
`</think>` and lets the model write its answer from the thinking so far. Qwen3 models were trained
so that this works (the Qwen3 technical report calls it thinking budget control). A cut budget
therefore still ends in an action, never in a reply cut off inside `<think>`.

Locally, `ThinkingBudget` is a logits processor: from the budget's last token (or its deadline)
on, it allows only the next token of that sentence and then `</think>`; with constrained decoding
the grammar accepts that text (it is free reasoning) and then forces the action. Servers get the
same text as an assistant prefix to continue (`openai_backend.py`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

EARLY_STOP = ("Considering the limited time by the user, I have to give the solution based on the "
              "thinking directly now.")
# What goes between the cut reasoning and `</think>`, spelled as Qwen's recipe spells it.
EARLY_STOP_TEXT = "\n\n" + EARLY_STOP + "\n"
# Leave this much of a per-step time limit for the answer after the thinking is closed.
ANSWER_TIME_SHARE = 0.2
# Tokens the cut may wait for a grammar that does not yet allow it (the reasoning ends inside a
# multi-byte character; the grammar accepts only whole UTF-8 text).
MAX_WAIT = 8


def early_stop_ids(tokenizer: Any, close_id: int) -> list[int]:
    """The token ids forced when the budget runs out: the sentence, then `</think>`."""
    return [*tokenizer.encode(EARLY_STOP_TEXT, add_special_tokens=False), int(close_id)]


def thinking_deadline(step_timeout: float | None, start: float) -> float | None:
    """When the thinking must stop so the answer still fits in the step's time limit."""
    if not step_timeout:
        return None
    return start + step_timeout * (1 - ANSWER_TIME_SHARE)


def close_reasoning(reasoning: str) -> str:
    """The reasoning of a cut reply as the assistant prefix a server continues from."""
    return "<think>\n" + reasoning.strip("\n") + EARLY_STOP_TEXT + "</think>\n\n"


class ThinkingBudget:
    """A transformers logits processor enforcing the budget, one state per row of the batch.

    transformers calls it with the ids so far and the next token's scores; it must come after
    any grammar processor (the grammar allows the forced tokens; forcing narrows to one).
    """

    def __init__(self, budget: int, close_id: int, forced: Sequence[int], deadline: float | None = None,
                 clock: Any = time.monotonic) -> None:
        if budget < 1:
            raise ValueError("the thinking budget must be at least one token")
        self.budget = budget
        self.close_id = int(close_id)
        self.forced = list(forced)
        self.deadline = deadline
        self._clock = clock
        self._prompt_len: int | None = None
        self._closed: list[bool] = []
        self._next: list[int | None] = []  # index into `forced` while forcing, else None
        self._waited: list[int] = []
        self.cut: list[bool] = []  # rows whose thinking was closed by the budget

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        rows, length = input_ids.shape
        if self._prompt_len is None:
            self._prompt_len = length
            self._closed = [False] * rows
            self._next = [None] * rows
            self._waited = [0] * rows
            self.cut = [False] * rows
        generated = length - self._prompt_len
        out_of_time = self.deadline is not None and self._clock() >= self.deadline
        for row in range(rows):
            if generated and int(input_ids[row, -1]) == self.close_id:
                self._closed[row] = True
                self._next[row] = None
            if self._closed[row]:
                continue
            if self._next[row] is None and (generated >= self.budget or out_of_time):
                if not bool(scores[row, self.forced[0]].isfinite()) and self._waited[row] < MAX_WAIT:
                    self._waited[row] += 1  # let the model finish the character first
                    continue
                self._next[row] = 0
                self.cut[row] = True
            index = self._next[row]
            if index is not None and index < len(self.forced):
                token = self.forced[index]
                self._next[row] = index + 1
                keep = scores[row, token].clone()
                scores[row, :] = float("-inf")
                # A finite score, whatever the grammar did to it: forcing wins.
                scores[row, token] = keep if bool(keep.isfinite()) else 0.0
        return scores
