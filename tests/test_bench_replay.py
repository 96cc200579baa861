"""The bench figure "verified replay step vs live step with the tiny model" is measured end to end
(the figure is printed, not asserted: no timing asserts)."""

from __future__ import annotations

import re

from agent.backends import load_transformers
from agent.backends.options import History, Loading, Sampling
from agent.bench_replay import replay_vs_live
from tests.tiny_model import cached_tiny_model


def test_replay_vs_live_prints_the_ratio() -> None:
    # Few tokens and a one-tap demonstration: the figure's wiring, not its value, is tested here.
    model = load_transformers(Loading(str(cached_tiny_model())),
                              Sampling(max_new_tokens=4, answer_tokens=32, constrain=False),
                              History(), progress=False)
    lines: list[str] = []
    ratio = replay_vs_live(model, lines.append, demo=("tap Settings",))
    assert ratio > 0
    assert re.fullmatch(r"verified replay  \d+ ms per step vs \d+ ms per live step with .+ = [\d.]+x "
                        r"\(2 steps on the simulated phone, one run each\)", lines[0]), lines
