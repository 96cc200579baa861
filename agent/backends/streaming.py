"""Live text from `generate`: a streamer that hands each new piece of text to a callback.

transformers calls a streamer's `put` from inside its decoding loop, in the caller's thread, so
no worker thread is needed (and Ctrl-C and exceptions behave as usual). Its own
`TextIteratorStreamer` re-decodes everything since the last newline on every token, which costs
quadratic time on long reasoning; this one decodes a short window (the standard incremental
detokenizer: text of tokens[prefix:] minus text of tokens[prefix:read]) and holds back a piece
that ends in the middle of a multi-byte character.
"""

from __future__ import annotations

from typing import Any

from transformers.generation.streamers import BaseStreamer

from agent.engine.model import TextSink

REPLACEMENT = "\ufffd"  # what a partial UTF-8 sequence decodes to


class CallbackStreamer(BaseStreamer):
    def __init__(self, tokenizer: Any, on_text: TextSink) -> None:
        self._tokenizer = tokenizer
        self._on_text = on_text
        self._ids: list[int] = []
        self._prefix = 0  # start of the decoding window
        self._read = 0  # tokens before this are already emitted
        self._prompt_skipped = False

    def put(self, value: Any) -> None:
        if not self._prompt_skipped:  # the first call carries the prompt
            self._prompt_skipped = True
            return
        self._ids.extend(int(t) for t in value.reshape(-1).tolist())
        self._emit(final=False)

    def end(self) -> None:
        self._emit(final=True)

    def _emit(self, final: bool) -> None:
        decode = self._tokenizer.decode
        before = decode(self._ids[self._prefix:self._read], skip_special_tokens=True)
        text = decode(self._ids[self._prefix:], skip_special_tokens=True)
        if len(text) > len(before) and (final or not text.endswith(REPLACEMENT)):
            self._on_text(text[len(before):])
            self._prefix, self._read = self._read, len(self._ids)
