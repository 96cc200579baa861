"""Guide mode: the loop's `Actor` shows the person each step and waits for them to do it.

Per device action: the dimmed screenshot with the ring, one sentence (spoken with `--speak`), then
wait until the screen changes (the person did it) or a timeout, while the person may choose
"do it for me" (the device executes it — the sandbox already allowed it), "repeat" or "stop".
Sensitive actions reach the actor only after a yes from the confirmer (the sandbox asks first);
even then they are left to the person's own finger: "do it for me" is refused for them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from PIL import Image

from actions import Action, RunStopped, SandboxStop
from agent.assist.instruct import done_text, instruction, stopped_text
from agent.assist.marking import guide_image
from agent.assist.speech import Speaker
from agent.perceive import Frame, screen_digest
from devices.base import ActionFailed, Device
from policies import Confirmer

# What a person can answer while a step is shown. Anything else is a typed answer to `ask_user`.
DO, REPEAT, STOP, DID = "do", "repeat", "stop", "did"


@dataclass(frozen=True)
class Guidance:
    """One thing shown to the person: a step to do, a question, or the end."""

    step: int
    text: str
    image: Image.Image | None  # the marked screen (None at the end)
    action: Action | None = None
    kind: str = "step"  # step | ask | done | stopped | note
    audio: Path | None = None  # the spoken text, when speaking
    image_path: Path | None = None
    sensitive: bool = False  # "do it for me" is not offered


class Person(Protocol):
    """Where guidance is shown and choices come from: the terminal, the web UI, a test."""

    def show(self, guidance: Guidance) -> None: ...

    def choice(self, seconds: float) -> str | None:
        """Wait up to `seconds` for a choice (DO, REPEAT, STOP, DID or a typed answer); None if
        the person chose nothing in that time."""
        ...


class RememberingConfirmer:
    """Wraps the real confirmer and remembers what was said yes to, so the actor knows which
    step is sensitive (and shows the question to the person first)."""

    def __init__(self, inner: Confirmer, on_ask: Callable[[Action, str], None] | None = None) -> None:
        self.inner = inner
        self.on_ask = on_ask
        self.approved: list[Action] = []

    def confirm(self, action: Action, reason: str) -> bool:
        if self.on_ask is not None:
            self.on_ask(action, reason)
        ok = self.inner.confirm(action, reason)
        if ok:
            self.approved.append(action)
        return ok


@dataclass
class GuideActor:
    device: Device
    person: Person
    lang: str = "en"
    speaker: Speaker | None = None
    timeout: float = 120.0  # seconds to wait for the person before asking the model again
    poll: float = 0.3  # how often the screen is checked for a change
    folder: Path | None = None  # where marked frames go (the run folder's guide/, set at start)
    confirmer: RememberingConfirmer | None = None
    shown: list[Guidance] = field(default_factory=list)
    steps: int = 0

    # -- the loop's Actor protocol -------------------------------------------------------------
    def perform(self, action: Action, frame: Frame) -> tuple[str | None, bool, str | None]:
        self.steps += 1
        sensitive = self.confirmer is not None and action in self.confirmer.approved
        before = self._digest()
        guidance = self._guidance(action, frame.image, sensitive)
        self._present(guidance)
        deadline = time.monotonic() + self.timeout
        while True:
            picked = self.person.choice(min(self.poll, max(0.0, deadline - time.monotonic())))
            if picked == STOP:
                raise SandboxStop("stopped by the user", "stopped")
            if picked == REPEAT:
                self._present(guidance)
            elif picked == DO and not sensitive:
                try:
                    self.device.execute(action)
                except ActionFailed as err:
                    return None, False, str(err)
                return None, True, None
            elif picked == DO:
                self._note("这一步请您自己来做。" if self.lang == "zh" else "Please do this one yourself.")
            if self._digest() != before:
                return "the person did it", True, None
            if picked == DID:  # they say they did it, though the screen looks the same
                return "the person says they did it, but the screen did not change", True, None
            if time.monotonic() >= deadline:
                return "the person has not done it yet; the screen is unchanged", False, None

    # -- pieces ----------------------------------------------------------------------------------
    def _digest(self) -> str:
        return screen_digest(self.device.screenshot())

    def _guidance(self, action: Action, image: Image.Image, sensitive: bool) -> Guidance:
        marked = guide_image(image, action)
        path = None
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{self.steps:04d}-guide.png"
            marked.save(path)
        return Guidance(self.steps, instruction(action, self.lang), marked, action,
                        image_path=path, sensitive=sensitive)

    def _present(self, guidance: Guidance) -> Guidance:
        if self.speaker is not None:
            guidance = Guidance(**{**guidance.__dict__, "audio": self.speaker.say(guidance.text)})
        self.shown.append(guidance)
        self.person.show(guidance)
        return guidance

    def _note(self, text: str) -> None:
        self._present(Guidance(self.steps, text, None, kind="note"))

    def ask(self, question: str) -> str:
        """`HandOver` for `ask_user`: show and say the question; the person does it or answers."""
        self._present(Guidance(self.steps, question, self._screen(), kind="ask"))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            picked = self.person.choice(min(self.poll * 10, deadline - time.monotonic()))
            if picked == STOP:
                raise SandboxStop("stopped by the user", "stopped")
            if picked in (DID, DO):
                return ""
            if picked and picked != REPEAT:
                return picked
        raise RunStopped(f"the agent needs the person: {question}", "ask_user")

    def _screen(self) -> Image.Image | None:
        try:
            return self.device.screenshot().convert("RGB")
        except Exception:  # a protected screen cannot be shown; the question still can
            return None

    def finish(self, done: bool, summary: str | None) -> None:
        # The person pressed Stop themselves: "Stopped." says it; other reasons are spelled out.
        reason = "" if not summary or summary == "stopped by the user" else f" {summary}"
        text = done_text(summary, self.lang) if done else stopped_text(self.lang) + reason
        self._present(Guidance(self.steps, text, None, kind="done" if done else "stopped"))


class GuideView:
    """Forwards the loop's events to a view (console, JSON) and tells the actor where the run
    folder is and how the run ended."""

    def __init__(self, inner: Any, actor: GuideActor) -> None:
        self.inner = inner
        self.actor = actor

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def header(self, goal: str, device: str, model: str, run_dir: str) -> None:
        self.actor.folder = Path(run_dir) / "guide"
        if self.actor.speaker is not None:
            self.actor.speaker.folder = Path(run_dir) / "speech"
        self.inner.header(goal, device, model, run_dir)

    def end(self, result: Any) -> None:
        self.inner.end(result)
        done = result.exit_code == 0
        self.actor.finish(done, _summary(result) if done else result.message)


def _summary(result: Any) -> str:
    return result.message or ""
