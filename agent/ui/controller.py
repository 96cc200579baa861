"""What the web page drives, without Gradio: one guided run in a background thread, the person's
button presses as a queue, and a snapshot of what to show. The run itself is `assist.run.guide`,
the same loop, sandbox and backends as the command line.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from PIL import Image

from actions import Action, ActionFormatError, Size, Tap, UsageError, parse_reply
from actions.safe_files import RUN_JSON_BYTES, load_json
from agent.assist.guide import REPEAT, STOP, Guidance
from agent.assist.instruct import instruction
from agent.assist.marking import guide_image
from agent.assist.recorded import NO_MODEL, RecordedTask, match
from agent.assist.run import GuideSettings, guide
from agent.assist.speech import Speaker
from agent.engine import DecideRequest, Model, RunStopped, goal_language
from agent.imaging import fit_pixel_budget
from agent.replay import ReplayModel
from devices.base import execute
from devices.registry import open_device

YES, NO = "yes", "no"


class UIChannel:
    """Guide mode's channel on the web page: guidance goes to the session, choices come from the
    buttons (a queue the guide polls while it watches the screen)."""

    absent = False  # the page stays open; a person may come back to it

    def __init__(self, on_show: Callable[[Guidance], None]) -> None:
        self.on_show = on_show
        self.choices: queue.Queue[str] = queue.Queue()

    def show(self, guidance: Guidance) -> None:
        self.on_show(guidance)

    def choice(self, seconds: float) -> str | None:
        try:
            return self.choices.get(timeout=max(0.0, seconds))
        except queue.Empty:
            return None


class UIConfirmer:
    """Sensitive steps ask on the page: the question is shown with Yes / No; nothing but Yes (or
    nobody answering within `timeout`) lets the action through."""

    def __init__(self, session: UISession, timeout: float = 300.0) -> None:
        self.session = session
        self.timeout = timeout

    def confirm(self, action: Action, reason: str) -> bool:
        s = self.session
        lang = s.settings_lang
        text = (f"需要您同意：{instruction(action, 'zh')}（{reason}）" if lang == "zh"
                else f"This needs your yes: {instruction(action, 'en')} ({reason})")
        s.show(Guidance(0, text, None, action, kind="confirm"))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            picked = s.person.choice(0.2)
            if picked in (YES, NO, STOP):
                return picked == YES
        return False


@dataclass
class Snapshot:
    version: int
    status: str  # idle | running | confirm | done | stopped
    text: str
    image: Image.Image | None
    audio: str | None
    thinking: str
    run_dir: str | None


class _ThinkingView:
    """Collects the model's streamed thinking for the collapsible panel."""

    def __init__(self, session: UISession) -> None:
        self.session = session

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None

    def header(self, goal: str, device: str, model: str, run_dir: str) -> None:
        self.session.run_dir = run_dir

    def step(self, step: int, frame: Any) -> None:
        self.session.add_thinking(f"\n— step {step} —\n")

    def text(self, chunk: str) -> None:
        self.session.add_thinking(chunk)

    def decided(self, action: Any, pixel: Any) -> None:
        self.session.add_thinking(f"\n→ {action.describe()}\n")


@dataclass
class UISession:
    """One person, one run at a time (the page is for one household, bound to 127.0.0.1)."""

    settings: GuideSettings
    # A fresh replay per run, or the one loaded model; None when no model is connected: then the
    # person is guided through the `recorded` tasks only (`agent.assist.recorded`).
    model_factory: Callable[[], Model] | None
    speak: bool = True  # WAVs for the speaker button, when espeak-ng exists
    recorded: list[RecordedTask] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    version: int = 0
    status: str = "idle"
    guidance: Guidance | None = None
    thinking: str = ""
    run_dir: str | None = None
    thread: threading.Thread | None = None
    device: Any = None
    person: UIChannel = field(init=False)
    sim_follows_language: bool = field(init=False)
    _factory: Callable[[], Model] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.person = UIChannel(self.show)
        # A scenario fixes the phone's start (language included); a plain sim follows the goal.
        self.sim_follows_language = (self.settings.device_spec == "sim"
                                     and "lang" not in self.settings.device_options)

    @property
    def settings_lang(self) -> str:
        return self.settings.lang

    # -- from the run's thread ----------------------------------------------------------------
    def show(self, guidance: Guidance) -> None:
        if guidance.image is None and guidance.kind not in ("done", "stopped") and self.guidance:
            guidance = replace(guidance, image=self.guidance.image)  # a note keeps the picture
        if guidance.audio is None and self.speak and guidance.kind != "confirm":
            guidance = replace(guidance, audio=self._say(guidance.text))
        with self.lock:
            self.guidance = guidance
            self.status = {"confirm": "confirm", "done": "done", "stopped": "stopped"}.get(
                guidance.kind, "running")
            self.version += 1

    def add_thinking(self, chunk: str) -> None:
        with self.lock:
            self.thinking += chunk
            self.version += 1

    def _say(self, text: str) -> Path | None:
        try:
            folder = Path(self.run_dir or self.settings.runs_dir) / "speech"
            speaker = Speaker(folder, self.settings.lang, play=False,
                              count=len(list(folder.glob("*.wav"))) if folder.is_dir() else 0)
            return speaker.say(text)
        except Exception:  # no espeak-ng: the page still works, silently
            self.speak = False
            return None

    # -- from the page ------------------------------------------------------------------------
    def start(self, goal: str, lang: str) -> bool:
        """Start guiding toward `goal`; False if a run is already going."""
        if self.thread is not None and self.thread.is_alive():
            return False
        goal = goal.strip()
        if not goal:
            return False
        # A goal typed in Chinese is answered in Chinese, whatever the page's language.
        lang = "zh" if goal_language(goal) == "zh" else (lang or "en")
        if self.model_factory is None:
            factory = self._recorded(goal, lang)
            if factory is None:
                return False
        else:
            factory = self.model_factory
            self.settings = replace(self.settings, goal=goal, lang=lang)
            if self.sim_follows_language:  # the simulated phone speaks the person's language
                self.settings = replace(self.settings, device_options={"lang": self.settings.lang})
        self._factory = factory
        self.person = UIChannel(self.show)
        with self.lock:
            self.status, self.guidance, self.thinking, self.run_dir = "running", None, "", None
            self.version += 1
        self.thread = threading.Thread(target=self._run, name="guide", daemon=True)
        self.thread.start()
        return True

    def _recorded(self, goal: str, lang: str) -> Callable[[], Model] | None:
        """No model: the recorded task the goal names, set up as the run's device and model; or
        None, with the tasks there are shown on the page."""
        task = match(goal, self.recorded)
        if task is None:
            listing = "; ".join(t.goal for t in self.recorded) or "—"
            self.show(Guidance(0, f"{NO_MODEL[lang]} ({listing})", None, kind="stopped"))
            return None
        scenario = task.scenario()
        self.settings = replace(self.settings, goal=scenario.goal, lang=task.lang,
                                device_spec=scenario.device_spec,
                                device_options=dict(scenario.device_options), expect=scenario.expect)
        return lambda: ReplayModel(scenario.steps, name=f"recorded:{scenario.name}")

    def _run(self) -> None:
        try:
            model = self._factory()
            self.device = open_device(self.settings.device_spec, **self.settings.device_options)
            result, _ = guide(self.settings, model, self.person, UIConfirmer(self),
                              view=_ThinkingView(self), device=self.device)
            self.run_dir = result.run_dir
        except Exception as err:  # shown on the page; the page stays up for the next goal
            self.show(Guidance(0, f"{type(err).__name__}: {err}", None, kind="stopped"))

    def tap(self, point: tuple[int, int]) -> None:
        """The person touches the simulated phone's picture on the page: a tap there. Only the
        simulated phone is touched this way — a real phone is touched by hand."""
        device = self.device
        if device is None or self.settings.device_spec != "sim" or self.thread is None \
                or not self.thread.is_alive():
            return
        with contextlib.suppress(Exception):  # a tap off the screen's widgets simply does nothing
            execute(device, Tap(confidence=1.0, element="the person's tap", coordinates=point))

    def choose(self, choice: str) -> None:
        if self.thread is not None and self.thread.is_alive():
            self.person.choices.put(choice)

    def snapshot(self) -> Snapshot:
        with self.lock:
            g = self.guidance
            return Snapshot(self.version, self.status, g.text if g else "", g.image if g else None,
                            str(g.audio) if g and g.audio else None, self.thinking, self.run_dir)

    def wait(self, timeout: float = 30.0) -> None:
        if self.thread is not None:
            self.thread.join(timeout)


def where_to_tap(model: Model, image: Image.Image, question: str, lang: str | None = None,
                 max_pixels: int | None = None) -> tuple[Image.Image, str, str]:
    """No device: one decision on an uploaded screenshot. Returns (marked picture, instruction,
    thinking). Raises `ActionFormatError` / `RunStopped` / `ModelError` with a readable message."""
    lang = lang or goal_language(question)
    image = image.convert("RGB")
    small = fit_pixel_budget(image, max_pixels) if max_pixels else fit_pixel_budget(image)
    request = DecideRequest(goal=question, image=small, screen=Size(*image.size), step=1, language=lang)
    chunks: list[str] = []
    reply = model.decide(request, on_text=chunks.append)
    parsed = parse_reply(reply.text)
    thinking = reply.thinking or parsed.thinking or "".join(chunks)
    return guide_image(image, parsed.action), instruction(parsed.action, lang), thinking or ""


def past_runs(runs_dir: str | Path, limit: int = 30) -> list[dict[str, Any]]:
    """Recent run folders with a report, newest first: goal, outcome, when, the report's path."""
    base = Path(runs_dir)
    out: list[dict[str, Any]] = []
    if not base.is_dir():
        return out
    for folder in sorted((p for p in base.iterdir() if (p / "report.html").is_file()), reverse=True)[:limit]:
        try:  # a hostile folder (a FIFO, a bomb, not an object) is listed by its name only
            meta = load_json(folder / "run.json", str(folder / "run.json"), RUN_JSON_BYTES)
        except UsageError:
            meta = {}
        meta = meta if isinstance(meta, dict) else {}
        out.append({"name": folder.name, "goal": meta.get("goal", folder.name),
                    "outcome": meta.get("outcome", "?"), "report": str((folder / "report.html").resolve())})
    return out


__all__ = ["NO", "REPEAT", "STOP", "YES", "ActionFormatError", "RunStopped", "UIConfirmer",
           "UIChannel", "UISession", "past_runs", "where_to_tap"]
