"""The thinking budget: closing the reasoning Qwen's way when tokens or time run out."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from agent.backends.budget import (  # noqa: E402
    EARLY_STOP,
    EARLY_STOP_TEXT,
    MAX_WAIT,
    ThinkingBudget,
    close_reasoning,
    early_stop_ids,
    thinking_deadline,
)

CLOSE = 9
FORCED = [5, 6, CLOSE]
VOCAB = 12


def step(processor: ThinkingBudget, ids: list[list[int]], allowed: list[int] | None = None) -> list[int]:
    """One decoding step: the processor's scores, and the token each row may take (argmax)."""
    scores = torch.zeros((len(ids), VOCAB))
    if allowed is not None:  # what a grammar would leave: everything else is -inf
        mask = torch.full((VOCAB,), float("-inf"))
        mask[allowed] = 0.0
        scores = scores + mask
    out = processor(torch.tensor(ids), scores)
    return [int(torch.argmax(row)) if bool(torch.isfinite(row).sum() == 1) else -1 for row in out]


def test_forced_sentence_after_the_budget_then_free_again():
    budget = ThinkingBudget(2, CLOSE, FORCED)
    rows = [[1, 1]]  # the prompt
    taken = []
    for token in (3, 4):  # two tokens of free thinking
        assert step(budget, rows) == [-1]  # free choice
        rows[0].append(token)
    for _ in FORCED:
        (forced,) = step(budget, rows)
        taken.append(forced)
        rows[0].append(forced)
    assert taken == FORCED and budget.cut == [True]
    assert step(budget, rows) == [-1]  # the answer is the model's (or the grammar's) again


def test_a_row_that_closes_its_thinking_itself_is_left_alone():
    budget = ThinkingBudget(2, CLOSE, FORCED)
    rows = [[1], [1]]
    step(budget, rows)
    rows[0].append(CLOSE)  # row 0 ends its thinking in time
    rows[1].append(3)
    step(budget, rows)
    rows[0].append(7)
    rows[1].append(3)
    assert step(budget, rows) == [-1, FORCED[0]]
    assert budget.cut == [False, True]


def test_the_deadline_cuts_before_the_token_budget():
    now = [0.0]
    budget = ThinkingBudget(10_000, CLOSE, FORCED, deadline=5.0, clock=lambda: now[0])
    rows = [[1]]
    assert step(budget, rows) == [-1]
    rows[0].append(3)
    now[0] = 5.0
    assert step(budget, rows) == [FORCED[0]] and budget.cut == [True]


def test_waits_while_the_grammar_forbids_the_cut_but_not_forever():
    budget = ThinkingBudget(1, CLOSE, FORCED)
    rows = [[1, 3]]
    step(budget, [[1]])
    for _ in range(MAX_WAIT):  # mid-character: the grammar allows only token 4
        assert step(budget, rows, allowed=[4]) == [4]
        rows[0].append(4)
    assert step(budget, rows, allowed=[4]) == [FORCED[0]]


def test_deadline_leaves_time_for_the_answer():
    assert thinking_deadline(None, 100.0) is None
    assert thinking_deadline(300.0, 100.0) == pytest.approx(340.0)


def test_the_sentence_is_qwens_and_tokenizes_before_the_close_token():
    from transformers import AutoTokenizer

    from tests.tiny_model import tokenizer_dir

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir())
    ids = early_stop_ids(tokenizer, 151668)
    assert ids[-1] == 151668 and tokenizer.decode(ids[:-1]) == EARLY_STOP_TEXT
    assert EARLY_STOP == ("Considering the limited time by the user, I have to give the solution based on "
                          "the thinking directly now.")


def test_server_prefix_spells_the_same_text():
    assert close_reasoning("\nI see Settings.\n") == "<think>\nI see Settings." + EARLY_STOP_TEXT + "</think>\n\n"
