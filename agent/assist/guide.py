"""Guide mode: the `Person` who does the steps themselves (`GuidePerson`).

Per device action: the dimmed screenshot with the ring, one sentence (spoken with `--speak`), then
wait until the screen changes (the person did it) or a timeout, while the person may choose
"do it for me" (the device performs it, each primitive reviewed by the sandbox as in any run),
"repeat" or "stop". Sensitive actions reach the person only after a yes (the sandbox asks first);
even then they are left to the person's own finger: "do it for me" is refused for them.

Nothing is called done that was not seen: a step the person did not do is recorded as not
executed, and the model's `done` is accepted only once the last step shown was seen done (a
scenario's `expect`, where there is one, is checked on top). Where nobody is there at all (the
terminal's input is closed) a step left undone ends the run.

`GuideChannel` is where guidance is shown and choices come from: the terminal
(`agent.assist.terminal`), the web page (`agent.ui.controller`), a test.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from PIL import Image

from actions import Action, Done
from agent.assist.instruct import done_text, instruction, stopped_text
from agent.assist.marking import guide_image
from agent.assist.speech import Speaker
from agent.engine.errors import RunStopped
from agent.engine.perceive import Frame, screen_digest
from agent.engine.person import DoIt, Performed
from devices.base import Device
from policies import Confirmer, SandboxStop

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


class GuideChannel(Protocol):
    """Where guidance is shown and choices come from: the terminal, the web page, a test."""

    def show(self, guidance: Guidance) -> None: ...

    def choice(self, seconds: float) -> str | None:
        """Wait up to `seconds` for a choice (DO, REPEAT, STOP, DID or a typed answer); None if
        the person chose nothing in that time."""
        ...

    @property
    def absent(self) -> bool:
        """Nobody can answer any more (the terminal's input is closed)."""
        ...


@dataclass
class GuidePerson:
    """The engine's `Person` in guide mode: shows each allowed step and waits for the person."""

    device: Device
    channel: GuideChannel
    confirmer: Confirmer  # who says yes to sensitive steps (the terminal, the page's buttons)
    lang: str = "en"
    speaker: Speaker | None = None
    timeout: float = 120.0  # seconds to wait for the person before asking the model again
    poll: float = 0.3  # how often the screen is checked for a change
    folder: Path | None = None  # where marked frames go (the run folder's guide/)
    shown: list[Guidance] = field(default_factory=list)
    steps: int = 0
    waiting: bool = False  # the last step shown has not been seen done

    # -- the engine's Person port --------------------------------------------------------------
    def confirm(self, action: Action, reason: str) -> bool:
        return self.confirmer.confirm(action, reason)

    def perform(self, action: Action, frame: Frame, sensitive: bool, do_it: DoIt) -> Performed:
        if isinstance(action, Done):
            if self.waiting:  # the screen never showed the last step done: the goal is not seen
                return Performed(False, "the person has not done the last step yet, so the goal "
                                 "is not reached; show it again")
            return do_it()
        self.steps += 1
        self.waiting = True
        before = self._digest()
        guidance = self._present(self._guidance(action, frame.image, sensitive))
        deadline = time.monotonic() + self.timeout
        while True:
            picked = self.channel.choice(min(self.poll, max(0.0, deadline - time.monotonic())))
            if picked == STOP:
                raise SandboxStop("stopped by the user", "stopped")
            if picked == REPEAT:
                self._present(guidance)
            elif picked == DO and not sensitive:
                performed = do_it()
                self.waiting = not performed.executed
                return performed
            elif picked == DO:
                self._note("这一步请您自己来做。" if self.lang == "zh" else "Please do this one yourself.")
            if self._digest() != before:
                self.waiting = False
                return Performed(True, "the person did it")
            if time.monotonic() >= deadline:
                return self._missed()

    def _missed(self) -> Performed:
        if self.channel.absent:
            raise RunStopped(f"nobody did step {self.steps} (the screen did not change); "
                             "the goal was not reached", "not_done")
        return Performed(False, "the person has not done it yet; the screen is unchanged",
                         waiting=True)

    def ask(self, question: str) -> str:
        """`ask_user`: show and say the question; the person does it or answers."""
        self._present(Guidance(self.steps, question, self._screen(), kind="ask"))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline and not self.channel.absent:
            picked = self.channel.choice(min(self.poll * 10, deadline - time.monotonic()))
            if picked == STOP:
                raise SandboxStop("stopped by the user", "stopped")
            if picked in (DID, DO):
                return ""
            if picked and picked != REPEAT:
                return picked
        raise RunStopped(f"the agent needs the person: {question}", "ask_user")

    def show(self, result: Any) -> None:
        done = result.exit_code == 0
        summary = result.message
        # The person pressed Stop themselves: "Stopped." says it; other reasons are spelled out.
        reason = "" if not summary or summary == "stopped by the user" else f" {summary}"
        text = done_text(summary, self.lang) if done else stopped_text(self.lang) + reason
        self._present(Guidance(self.steps, text, None, kind="done" if done else "stopped"))

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
        self.channel.show(guidance)
        return guidance

    def _note(self, text: str) -> None:
        self._present(Guidance(self.steps, text, None, kind="note"))

    def _screen(self) -> Image.Image | None:
        try:
            return self.device.screenshot().convert("RGB")
        except Exception:  # a protected screen cannot be shown; the question still can
            return None


class GuideView:
    """Forwards the loop's events to a view (console, JSON) and tells the person where the run
    folder is, for the marked pictures and the spoken sentences."""

    def __init__(self, inner: Any, person: GuidePerson) -> None:
        self.inner = inner
        self.person = person

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def header(self, goal: str, device: str, model: str, run_dir: str) -> None:
        self.person.folder = Path(run_dir) / "guide"
        if self.person.speaker is not None:
            self.person.speaker.folder = Path(run_dir) / "speech"
        self.inner.header(goal, device, model, run_dir)
