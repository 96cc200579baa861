"""Grammar-constrained decoding for transformers `generate`, with llguidance.

At every step llguidance computes the set of tokens the grammar allows next (a bitmask over the
vocabulary, ~0.1 ms); the logits of all other tokens become -inf before sampling. Constraining
runs before temperature/top-k/top-p (transformers applies custom processors first), so sampling
happens among allowed tokens only. Imported only when constrained decoding is on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import llguidance
import llguidance.hf
import numpy as np
import torch
from transformers import LogitsProcessor

from agent.backends.grammar import lark_grammar
from agent.engine.errors import ModelError


class ActionGrammar:
    """The compiled grammar for one tokenizer; hands out a fresh matcher per reply.

    Building llguidance's view of a 150k-token vocabulary takes about a second, so it is done
    once per loaded model, not per step.
    """

    def __init__(
        self,
        tokenizer: Any,
        vocab_size: int,
        eos_ids: Sequence[int],
        think_close_id: int | None,
        max_think_tokens: int,
        answer_tokens: int | None = None,
        tool: str | None = None,
        tool_call_ids: tuple[int, int] | None = None,
    ) -> None:
        try:
            self._tokenizer = llguidance.hf.from_tokenizer(
                tokenizer, n_vocab=vocab_size, eos_token=list(eos_ids)
            )
        except ValueError as err:  # a slow (Python) tokenizer: llguidance needs the fast one
            raise ModelError(f"constrained decoding needs a fast tokenizer ({err}); use --no-constrain") from None
        self.grammar = lark_grammar(think_close_id, max_think_tokens, answer_tokens, tool, tool_call_ids)
        self._template = llguidance.LLMatcher(self._tokenizer, self.grammar, log_level=0)
        if self._template.is_error():
            raise ModelError(f"the action grammar does not compile: {self._template.get_error()}")
        self.vocab_size = vocab_size

    def matcher(self) -> llguidance.LLMatcher:
        return self._template.deep_copy()

    def processor(self) -> GrammarLogitsProcessor:
        return GrammarLogitsProcessor(self)


class GrammarLogitsProcessor(LogitsProcessor):
    """Masks disallowed tokens; one matcher per sequence of the batch. Use once per generate."""

    def __init__(self, grammar: ActionGrammar) -> None:
        self._grammar = grammar
        self._matchers: list[llguidance.LLMatcher] = []
        self._prompt_len = 0
        self._bitmask: np.ndarray | None = None
        self.steps = 0  # tokens masked, for the benchmark's time-per-token figure

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        batch, vocab = scores.shape
        if not self._matchers:
            self._matchers = [self._grammar.matcher() for _ in range(batch)]
            self._prompt_len = input_ids.shape[1]
            words = (vocab + 31) // 32
            self._bitmask = np.empty((batch, words), dtype=np.int32)
        else:
            last = input_ids[:, -1].tolist()
            for matcher, token in zip(self._matchers, last, strict=True):
                # A finished row is padded by generate; its matcher has already stopped.
                if not matcher.is_stopped():
                    matcher.consume_token(token)
        assert self._bitmask is not None
        for row, matcher in enumerate(self._matchers):
            mask = self._bitmask[row]
            matcher.unsafe_compute_mask_ptr(mask.ctypes.data, mask.nbytes)
        # Bit i of the mask (little-endian words) allows token i; invert to get what to block.
        blocked = np.unpackbits(~self._bitmask.view(np.uint8), axis=1, bitorder="little")[:, :vocab]
        self.steps += 1
        return scores.masked_fill_(torch.from_numpy(blocked).to(device=scores.device, dtype=torch.bool), float("-inf"))

    def errors(self) -> list[str]:
        """Grammar errors met while decoding (a matcher in error allows only end of text)."""
        return [m.get_error() for m in self._matchers if m.is_error()]
