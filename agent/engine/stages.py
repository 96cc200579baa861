"""The stages of one step: decide, then act (review and perform, primitive by primitive), and the
record every step leaves on disk whatever happens (a denial, a disconnect, Ctrl-C).

A step's action becomes its primitives (`devices.primitives.decompose`). The first is reviewed
with the action itself before anything happens (the kind, the confidence, the model's words and
the device's truth about that primitive) — a `confirm` asks the person then. Each later
primitive is reviewed just before it runs, against the screen as the earlier ones left it: a
`type` aimed at a Wi-Fi row is a tap (harmless) and then text into the password field the tap
opened (sensitive). Who carries the action out is the `Person`'s call: the device through
`perform_primitives`, or in guide mode the person's own finger.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING

from actions import Action, ActionFormatError, AskUser, Done, Wait, grid_to_pixels, parse_reply
from agent.engine.errors import RunStopped
from agent.engine.model import DecideRequest, StepNote
from agent.engine.perceive import Frame
from agent.engine.person import Performed
from agent.engine.screen_words import read_effect
from agent.engine.step import PrimitiveRecord, StepRecord
from devices import primitives as p
from devices.base import Effect, KnowsEffects
from devices.errors import ActionFailed, DeviceError, SecureScreen
from devices.redact import MASK
from policies import StepContext, Verdict

if TYPE_CHECKING:
    from agent.engine.loop import Agent


@dataclass(frozen=True)
class Decided:
    action: Action
    record: StepRecord  # the step so far: reply, thinking, action, frame


def decide(run: Agent, goal: str, step: int, frame: Frame, feedback: str | None) -> Decided:
    """Ask the model; an invalid reply is recorded and fed back once, a second one stops the run."""
    frame_path = run.writer.save_frame(step, frame.model_image) if frame.writable else None
    if frame.hidden:
        hidden = (f"The screenshot is hidden for privacy ({frame.hidden}); hand over to the person "
                  "(ask_user) if you cannot go on without seeing the screen.")
        feedback = f"{feedback} {hidden}" if feedback else hidden
    error = ""
    for attempt in (1, 2):
        request = DecideRequest(goal=goal, image=frame.model_image, screen=frame.size, step=step,
                                history=tuple(run.history), feedback=feedback,
                                language=run.options.language,
                                device_kind=run.device.name.split(":", 1)[0])
        t0 = time.monotonic()
        reply = run.model.decide(request, on_text=run.view.text)
        record = StepRecord(
            step=step, attempt=attempt, time=round(time.time(), 3), screen=tuple(frame.size),
            model_image=tuple(frame.model_image.size), frame_hash=frame.digest,
            raw_reply=reply.text, thinking=reply.thinking, frame=frame_path,
            frame_withheld=frame.withheld,
            timings={"capture": round(frame.capture_s, 4),
                     "model": round(reply.seconds or time.monotonic() - t0, 4)},
            tokens={"prompt": reply.prompt_tokens, "completion": reply.completion_tokens,
                    "image": reply.image_tokens},
            model_notes=_notes(reply.extra))
        try:
            parsed = parse_reply(reply.text)
        except ActionFormatError as err:
            error = str(err)
            run.writer.add(record.with_(error=f"invalid reply: {error}"))
            run.view.invalid(error, attempt)
            feedback = f"Your last reply was not a valid action: {error}"
            continue
        return Decided(parsed.action, record.with_(
            thinking=record.thinking or parsed.thinking, action=parsed.action.to_dict(),
            action_text=parsed.action.describe(), reply_format=parsed.source,
            assumed=tuple(parsed.assumed)))
    run.history.append(StepNote(step, None, f"invalid: {error}"))
    raise RunStopped(f"the model gave an invalid action twice: {error}", "invalid_output")


def _notes(extra: dict) -> dict:
    """What the backend says about its reply (thinking cut by the budget, continued, the prompt
    format, a verified replay's check), as plain data for the trajectory."""
    return {k: v for k, v in extra.items() if isinstance(v, (str, int, float, bool)) or v is None}


@dataclass
class Progress:
    """What happened to a step's primitives so far (the record is built from it at the end)."""

    primitives: list[PrimitiveRecord] = field(default_factory=list)
    verdict: Verdict | None = None  # the decisive one: the first that was not "allow", else the first
    performed: Performed = field(default_factory=lambda: Performed(False))
    seconds: float = 0.0
    redacted: str | None = None  # text typed into a password field under --redact

    def judged(self, primitive: p.Primitive, effect: Effect | None, verdict: Verdict) -> None:
        self.primitives.append(PrimitiveRecord(p.describe(primitive), asdict(effect) if effect else None,
                                               verdict.to_dict()))
        if self.verdict is None or (self.verdict.decision == "allow" and verdict.decision != "allow"):
            self.verdict = verdict

    def done(self, count: int = 1) -> None:
        """The last `count` judged primitives were carried out."""
        for i in range(len(self.primitives) - count, len(self.primitives)):
            self.primitives[i] = replace(self.primitives[i], executed=True)


def act(run: Agent, step: int, frame: Frame, decided: Decided) -> tuple[str | None, str | None]:
    """Review and carry out the decided action; record the step. Returns (summary if the goal is
    done, feedback for the next step)."""
    action = decided.action
    primitives = p.decompose(action)
    pixel = grid_to_pixels(action.target, frame.size) if action.target is not None else None
    run.view.decided(action, pixel)
    progress = Progress()
    try:  # whatever happens from here on (a denial, a phone unplugged, Ctrl-C), the step is saved
        base = StepContext(step=step, action=action, pixel=pixel, screen=run.device.size(),
                           frame_hash=frame.digest, elapsed=run.sandbox.elapsed())
        first = primitives[0] if primitives else None
        verdict = review(run, replace(base, primitive=first, effect=effect_of(run, first)), progress)
        if verdict.decision == "deny":
            raise verdict.stop()
        if verdict.decision == "allow" or (verdict.decision == "confirm" and run.sandbox.config.dry_run):
            t0 = time.monotonic()
            progress.performed = carry_out(run, action, frame, primitives, base, progress)
            progress.seconds = time.monotonic() - t0
    except DeviceError as err:
        progress.performed = Performed(False, error=str(err))
        raise
    finally:
        record_step(run, frame, decided, pixel, progress)
    run.view.acted(progress.performed.executed, progress.performed.error, progress.seconds)
    final = progress.verdict or verdict
    run.sandbox.record(replace(base, primitive=primitives[0] if primitives else None), final,
                       progress.performed.executed)
    return _after(run, step, frame, action, final, progress.performed)


def review(run: Agent, ctx: StepContext, progress: Progress) -> Verdict:
    """The sandbox's verdict on one primitive; a `confirm` is put to the person (not in a dry run,
    which executes nothing and so asks nobody)."""
    verdict = run.sandbox.review(ctx)
    run.view.verdict(verdict)
    if verdict.decision == "confirm" and not run.sandbox.config.dry_run:
        verdict = run.sandbox.resolve(ctx, verdict)
        run.view.verdict(verdict)
    if ctx.primitive is not None:
        progress.judged(ctx.primitive, ctx.effect, verdict)
    elif progress.verdict is None:
        progress.verdict = verdict
    return verdict


def effect_of(run: Agent, primitive: p.Primitive | None) -> Effect | None:
    """What the device says `primitive` does on its screen now; where it cannot say, the words at
    its point read off the screen (`screen_words`); None when neither can tell."""
    if primitive is None:
        return None
    if not isinstance(run.device, KnowsEffects):
        return read_effect(run.device, primitive)
    try:
        return run.device.effect(primitive)
    except (DeviceError, ValueError):
        return None


def carry_out(run: Agent, action: Action, frame: Frame, primitives: tuple[p.Primitive, ...],
              base: StepContext, progress: Progress) -> Performed:
    """An allowed action: the loop's own kinds here, device actions through the person."""
    if isinstance(action, Done):
        return Performed(True)
    if isinstance(action, AskUser):
        answer = run.person.ask(action.text)  # raises RunStopped when nobody can answer
        return Performed(True, f"the person answered: {answer}" if answer else "the person did what was asked")
    if isinstance(action, Wait):
        remaining = run.sandbox.config.max_seconds - run.sandbox.elapsed()
        time.sleep(min(action.seconds, max(0.0, remaining)))
        return Performed(True)
    if run.sandbox.config.dry_run:
        return Performed(False, "dry run: not executed")
    sensitive = progress.verdict is not None and progress.verdict.confirmed is True
    return run.person.perform(action, frame, sensitive,
                              lambda: perform_primitives(run, primitives, base, progress))


def perform_primitives(run: Agent, primitives: tuple[p.Primitive, ...], base: StepContext,
                       progress: Progress) -> Performed:
    """Perform each primitive on the device; the first was reviewed already, each later one is
    reviewed now, on the screen the earlier ones left. Two identical presses on something inert
    (or on a device that cannot tell) go as one gesture: a real double tap."""
    i = 0
    while i < len(primitives):
        primitive = primitives[i]
        effect = effect_of(run, primitive) if i else None
        if i:
            ctx = replace(base, primitive=primitive, index=i, effect=effect, elapsed=run.sandbox.elapsed())
            verdict = review(run, ctx, progress)
            if verdict.decision == "deny":
                raise verdict.stop()
            if verdict.decision != "allow":
                return Performed(False, error=None)
        else:
            effect = _first_effect(progress)
        # Words read off the screen say nothing of what a first press changes: on such a device
        # identical presses still go as one gesture (a desktop's double click), judged as one.
        count = _repeats(primitives, i, effect if isinstance(run.device, KnowsEffects) else None)
        try:
            _perform(run, primitive if count == 1 else replace(primitive, count=count), effect)  # type: ignore[call-arg]
        except ActionFailed as err:
            return Performed(False, error=str(err))
        progress.done(1)
        for _ in range(count - 1):  # the merged presses were judged as one: record them too
            progress.primitives.append(replace(progress.primitives[-1]))
        i += count
    return Performed(True)


def _first_effect(progress: Progress) -> Effect | None:
    data = progress.primitives[0].effect if progress.primitives else None
    return Effect(**data) if data else None


def _repeats(primitives: tuple[p.Primitive, ...], i: int, effect: Effect | None) -> int:
    """How many identical presses from `i` may go as one gesture: only while the device says the
    first changes nothing (or cannot tell at all, so a later review could not differ)."""
    first = primitives[i]
    if not isinstance(first, p.Press) or (effect is not None and not effect.inert):
        return 1
    count = 1
    while i + count < len(primitives) and primitives[i + count] == first:
        count += 1
    return count


def _perform(run: Agent, primitive: p.Primitive, effect: Effect | None) -> None:
    """Perform one primitive, keeping what it types private where it lands in a password field."""
    writer = run.writer
    if isinstance(primitive, p.Text):
        secret = bool(writer.privacy.secret_names(primitive.text))
        password = effect is not None and effect.role == "password_field"
        if password and writer.privacy.redact and not secret:
            writer.mask(primitive.text)  # before it is typed: no file holds it, even after a SIGKILL
        if secret:
            writer.privacy = replace(writer.privacy, secret_typed=True,
                                     secret_in_view=writer.privacy.secret_in_view or not password)
    run.device.perform(writer.privacy.fill(primitive))


def record_step(run: Agent, frame: Frame, decided: Decided, pixel: tuple[int, int] | None,
                progress: Progress) -> None:
    action, record = decided.action, decided.record
    marked = run.writer.save_marked(record.step, frame.model_image, action.target,
                                    getattr(action, "to", None), record.attempt) if frame.writable else None
    performed = progress.performed
    record = record.with_(
        pixel=tuple(pixel) if pixel else None, frame_marked=marked,
        verdict=progress.verdict.to_dict() if progress.verdict else None,
        primitives=tuple(progress.primitives), executed=performed.executed, error=performed.error,
        note=performed.note, timings={**record.timings, "act": round(progress.seconds, 4)})
    typed = _password_text(run, decided, progress)
    if typed:
        record = _masked(record, typed)
    run.writer.add(record)


def _password_text(run: Agent, decided: Decided, progress: Progress) -> str | None:
    """Under --redact: the action's text, if any of it went into a password field."""
    if not run.writer.privacy.redact or decided.action.kind != "type":
        return None
    into_password = any(r.effect and r.effect.get("role") == "password_field"
                        for r in progress.primitives if r.primitive.startswith("text"))
    return getattr(decided.action, "text", None) if into_password else None


def _masked(record: StepRecord, text: str) -> StepRecord:
    """The record with `text` (typed into a password field) masked wherever it appears."""
    def hide(value: str | None) -> str | None:
        return value.replace(text, MASK) if value else value
    action = {**record.action, "text": MASK} if record.action and "text" in record.action else record.action
    return record.with_(raw_reply=hide(record.raw_reply), thinking=hide(record.thinking),
                        action_text=hide(record.action_text), action=action, redacted=True,
                        primitives=tuple(replace(r, primitive=hide(r.primitive) or "")
                                         for r in record.primitives))


def _after(run: Agent, step: int, frame: Frame, action: Action, verdict: Verdict,
           performed: Performed) -> tuple[str | None, str | None]:
    """Tell the history how the step went; return (summary if done, feedback)."""
    if performed.executed:
        note = performed.note or "done"
    elif verdict.decision != "allow":
        note = f"refused: {verdict.reason}"
    else:
        note = performed.note or f"failed: {performed.error}"
    run.history.append(StepNote(step, action.to_dict(), note, image=frame.model_image,
                                waiting=performed.waiting))
    if isinstance(action, Done) and performed.executed:
        return action.text, None
    if verdict.decision == "retry":
        return None, f"Your last action was not carried out: {verdict.reason}"
    if performed.error:
        return None, f"Your last action failed: {performed.error}"
    if performed.note and performed.note.startswith("the person"):
        return None, performed.note
    return None, None


def secure_screen(run: Agent, step: int, err: SecureScreen) -> str:
    """A screen that captures black (password, payment, banking) is the person's to handle:
    hand the step over rather than retry blind. Returns the note for the model."""
    question = "The screen is protected and I cannot see it; please do this step yourself."
    run.view.invalid(f"{err} — handing over to the person", 2)
    record = StepRecord(
        step=step, time=round(time.time(), 3),
        action={"action": "ask_user", "text": question, "confidence": 1.0},
        action_text=f"ask_user {question!r}", error=str(err),
        verdict={"decision": "allow", "reason": "secure screen: handed over", "policy": "secure_screen"},
        timings={"capture": 0.0, "model": 0.0, "act": 0.0})
    try:
        answer = run.person.ask(question)
        record = record.with_(executed=True)
    finally:
        if err.image is not None and run.writer.privacy.frames:
            record = record.with_(frame=run.writer.save_frame(step, err.image),
                                  frame_marked=run.writer.save_marked(step, err.image, None))
        run.writer.add(record)
    run.history.append(StepNote(step, record.action, "the person handled a protected screen"))
    return f"The screen was protected; the person handled it{': ' + answer if answer else ''}."
