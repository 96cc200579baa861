"""The `Model` protocol: one call that looks at the screen and answers with one reply.

Backends (transformers, OpenAI-compatible servers, the replay of a recording) implement `decide`;
the loop parses and validates the reply, so a backend never needs to know the action schema
beyond putting it in its prompt. Backends raise `agent.engine.errors.ModelError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from PIL import Image

from actions import Size


@dataclass(frozen=True)
class StepNote:
    """What the model is told about one earlier step."""

    index: int
    action: dict[str, Any] | None  # the action as the schema spells it; None if the reply was invalid
    outcome: str  # "done", "refused: <why>", "failed: <why>", "invalid: <why>"
    image: Image.Image | None = field(default=None, compare=False, repr=False)
    waiting: bool = False  # shown to the person (guide mode), who has not done it yet


@dataclass(frozen=True)
class DecideRequest:
    goal: str
    image: Image.Image  # the current screen, already downscaled to the model's pixel budget
    screen: Size  # the device screen in pixels (what the 0-1000 grid maps onto)
    step: int  # 1-based
    history: tuple[StepNote, ...] = ()
    feedback: str | None = None  # why the last reply or action was not accepted, to fix now
    language: str = "en"  # "en" or "zh": the language of the goal
    device_kind: str = ""  # "sim", "adb", "desktop": native prompts call mobile_use or computer_use


@dataclass(frozen=True)
class ModelReply:
    text: str  # the raw reply; the action is parsed from what follows the last </think>
    thinking: str | None = None  # reasoning the backend delivered apart from `text` (servers)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    image_tokens: int | None = None
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


TextSink = Callable[[str], None]


@runtime_checkable
class Model(Protocol):
    """`name` says which model it is (recorded in run.json); `decide` makes one reply.

    `on_text`, when given, receives the reply's text as it is generated (thinking included), so the
    console can show progress. Backends raise `ModelError` with a one-line message on failure.
    """

    name: str

    def decide(self, request: DecideRequest, on_text: TextSink | None = None) -> ModelReply: ...
