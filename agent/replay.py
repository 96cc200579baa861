"""The replay model: plays back recorded replies through the same loop and sandbox as a live run."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from agent.engine.errors import ModelError, RunStopped
from agent.engine.model import DecideRequest, ModelReply, TextSink


class ReplayModel:
    """Answers each `decide` with the next recorded step: an action dict (sent as JSON, exactly as
    a model would write it) or a raw reply string (sent verbatim, thinking and all)."""

    def __init__(self, steps: Sequence[str | dict[str, Any]], name: str = "replay") -> None:
        if not steps:
            raise ModelError("the recording has no steps to replay")
        self.steps = list(steps)
        self.name = name
        self.position = 0

    def decide(self, request: DecideRequest, on_text: TextSink | None = None) -> ModelReply:
        if request.history and request.history[-1].waiting and self.position > 0:
            self.position -= 1  # guide mode: the person has not done it yet; show the same step
        if self.position >= len(self.steps):
            raise RunStopped(
                f"the recording ended after {len(self.steps)} steps without `done`", "recording_ended")
        t0 = time.monotonic()
        step = self.steps[self.position]
        self.position += 1
        text = step if isinstance(step, str) else json.dumps(step, ensure_ascii=False)
        if on_text is not None and isinstance(step, str) and "</think>" in step:
            on_text(step.rpartition("</think>")[0].replace("<think>", "", 1).strip())
        return ModelReply(text=text, seconds=time.monotonic() - t0)
