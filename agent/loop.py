"""The perceive -> think -> act loop. Short on purpose; limits and rules live in the sandbox.

    capture (settled, downscaled) -> model.decide -> parse + validate (one re-ask with the error)
    -> sandbox review (allow / retry / confirm / deny) -> execute -> record (flushed per step)
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from actions import (
    Action,
    ActionFormatError,
    AskUser,
    DeviceError,
    Done,
    ModelError,
    QwenAgentError,
    RunStopped,
    Type,
    Wait,
    grid_to_pixels,
    parse_reply,
)
from actions.errors import EXIT_DONE, EXIT_NOT_DONE, EXIT_SANDBOX
from agent.handover import HandOver
from agent.model import DecideRequest, Model, ModelReply, StepNote
from agent.perceive import Frame, Settle, capture
from agent.privacy import Privacy, mask_typed
from agent.recorder import Recorder
from agent.view import View
from devices.base import ActionFailed, Device, SecureScreen, Target
from policies import Sandbox, StepContext, Verdict


class Actor(Protocol):
    """Carries out an allowed device action instead of the device doing it directly — e.g. guide
    mode, where a person is shown where to tap and does it. Returns (note for the model, executed,
    error); `executed` means the action happened on the device, by whoever did it."""

    def perform(self, action: Action, frame: Frame) -> tuple[str | None, bool, str | None]: ...


# Kinds whose real target the device is asked about (`key` only for enter, which submits).
TARGETED_KINDS = frozenset({"tap", "double_tap", "long_press", "type", "key"})


@dataclass(frozen=True)
class LoopOptions:
    max_pixels: int
    settle: Settle | None = Settle()
    language: str = "en"
    history_images: int = 0  # earlier frames handed to the model besides the current one


@dataclass(frozen=True)
class RunResult:
    outcome: str  # done | limit | loop | retries | sandbox | kill_switch | interrupted | error | ...
    exit_code: int
    message: str
    run_dir: str
    steps: int


@dataclass
class Agent:
    model: Model
    device: Device
    sandbox: Sandbox
    recorder: Recorder
    view: View
    options: LoopOptions
    handover: HandOver
    actor: Actor | None = None  # who carries out device actions; None: the device itself
    privacy: Privacy = field(default_factory=Privacy)  # secrets to type, redaction
    history: list[StepNote] = field(default_factory=list)

    def run(self, goal: str) -> RunResult:
        outcome, code, message = "error", EXIT_NOT_DONE, ""
        self.sandbox.start()
        try:
            outcome, message = self._loop(goal)
            code = EXIT_DONE
        except RunStopped as stop:
            outcome, code, message = stop.outcome, stop.exit_code, str(stop)
        except KeyboardInterrupt:
            outcome, code, message = "interrupted", EXIT_SANDBOX, "stopped by the user (Ctrl-C / SIGTERM)"
        except QwenAgentError as err:
            outcome, code, message = "error", err.exit_code, str(err)
        finally:
            self.recorder.write_run_json(outcome=outcome, exit_code=code, message=message)
            self.recorder.close()
        result = RunResult(outcome, code, message, str(self.recorder.path), self.recorder.steps)
        self.view.end(result)
        return result

    def _loop(self, goal: str) -> tuple[str, str]:
        feedback: str | None = None
        step = 0
        while True:
            step += 1
            self.sandbox.before_step(step)
            try:
                frame = capture(self.device, max_pixels=self.options.max_pixels, settle=self.options.settle,
                                find_passwords=self.recorder.privacy.hides_passwords)
            except SecureScreen as err:
                feedback = self._secure_screen(step, err)
                continue
            self.view.step(step, frame)
            done, feedback = self._step(goal, step, frame, feedback)
            if done is not None:
                return "done", done

    def _step(self, goal: str, step: int, frame: Frame, feedback: str | None) -> tuple[str | None, str | None]:
        """One decided step. Returns (summary if the goal is done, feedback for the next step)."""
        parsed = None
        for attempt in (1, 2):
            request = DecideRequest(
                goal=goal, image=frame.model_image, screen=frame.size, step=step,
                history=tuple(self.history), feedback=feedback, language=self.options.language,
            )
            t0 = time.monotonic()
            reply = self.model.decide(request, on_text=self.view.text)
            model_s = time.monotonic() - t0
            entry = self._entry(step, attempt, frame, reply, model_s)
            try:
                parsed = parse_reply(reply.text)
                break
            except ActionFormatError as err:
                entry.update(error=f"invalid reply: {err}", executed=False)
                self._save(entry, frame, None)
                self.view.invalid(str(err), attempt)
                feedback = f"Your last reply was not a valid action: {err}"
                if attempt == 2:
                    self.history.append(StepNote(step, None, f"invalid: {err}"))
                    raise RunStopped(f"the model gave an invalid action twice: {err}", "invalid_output") from None
        assert parsed is not None
        action = parsed.action
        entry.update(
            thinking=entry["thinking"] or parsed.thinking, action=action.to_dict(),
            action_text=action.describe(), reply_format=parsed.source,
        )
        if parsed.assumed:
            entry["assumed"] = list(parsed.assumed)
        pixel = grid_to_pixels(action.target, frame.size) if action.target is not None else None
        entry["pixel"] = list(pixel) if pixel else None
        self.view.decided(action, pixel)
        executed, error, act_s, outcome = False, None, 0.0, None
        try:  # whatever happens from here on (a denial, a phone unplugged, Ctrl-C), the step is saved
            ctx = StepContext(step=step, action=action, pixel=pixel, screen=self.device.size(),
                              frame_hash=frame.digest, elapsed=self.sandbox.elapsed(),
                              password_field=self._password_field(action),
                              target=self._target(action))
            if ctx.target is not None:
                entry["target"] = asdict(ctx.target)
            hidden = bool(ctx.password_field or (ctx.target is not None and ctx.target.role == "password_field"))
            secret = self.privacy.fill(action) is not action  # it types a --secret
            if self.privacy.redact and isinstance(action, Type) and hidden:
                mask_typed(entry, action.text)
                if not secret:  # a --secret is scrubbed already
                    self.recorder.privacy = self.recorder.privacy.mask(action.text)
            if secret and not hidden and self.recorder.privacy.frames:
                # A secret typed where the screen may show it: no frame from now on holds it.
                self.recorder.privacy = replace(self.recorder.privacy, frames=False)
                entry["frames_stopped"] = "a secret was typed into a field that is not a password field"
            verdict = self._review(ctx)
            entry["verdict"] = verdict.to_dict()
            if verdict.decision == "deny":
                raise verdict.stop()
            if verdict.decision == "allow" or (verdict.decision == "confirm" and self.sandbox.config.dry_run):
                t0 = time.monotonic()
                outcome, executed, error = self._act(action, frame)
                act_s = time.monotonic() - t0
        except DeviceError as err:
            error = str(err)
            raise
        finally:
            entry.update(executed=executed, error=error)
            entry["timings"]["act"] = round(act_s, 4)
            self._save(entry, frame, action)
        self.view.acted(executed, error, act_s)
        self.sandbox.record(ctx, verdict, executed)
        note = "done" if executed else (
            f"refused: {verdict.reason}" if verdict.decision != "allow" else f"failed: {error}")
        if verdict.decision == "allow" and error is None and outcome is not None:
            note = outcome
        self.history.append(StepNote(step, action.to_dict(), note, image=frame.model_image))
        if isinstance(action, Done) and executed:
            return action.text, None
        if verdict.decision == "retry":
            return None, f"Your last action was not carried out: {verdict.reason}"
        if error:
            return None, f"Your last action failed: {error}"
        if outcome and outcome.startswith("the person"):
            return None, outcome
        return None, None

    def _act(self, action: Any, frame: Frame) -> tuple[str | None, bool, str | None]:
        """Carry out an allowed action. Returns (note for the model, executed, error)."""
        if isinstance(action, Done):
            return None, True, None
        if isinstance(action, AskUser):
            answer = self.handover.ask(action.text)  # raises RunStopped when nobody can answer
            return f"the person answered: {answer}" if answer else "the person did what was asked", True, None
        if isinstance(action, Wait):
            remaining = self.sandbox.config.max_seconds - self.sandbox.elapsed()
            time.sleep(min(action.seconds, max(0.0, remaining)))
            return None, True, None
        if self.sandbox.config.dry_run:
            return "dry run: not executed", False, None
        action = self.privacy.fill(action)  # {NAME} -> the secret, only on its way to the device
        if self.actor is not None:
            return self.actor.perform(action, frame)
        try:
            self.device.execute(action)
        except ActionFailed as err:
            return None, False, str(err)
        return None, True, None

    def _review(self, ctx: StepContext) -> Verdict:
        verdict = self.sandbox.review(ctx)
        self.view.verdict(verdict)
        if verdict.decision == "confirm" and not self.sandbox.config.dry_run:
            # A dry run executes nothing, so nobody is asked; the verdict is recorded as "confirm".
            verdict = self.sandbox.resolve(ctx, verdict)
            self.view.verdict(verdict)
        return verdict

    def _password_field(self, action: Any) -> bool | None:
        """Ask the device (where it can tell) whether a `type` goes into a password field."""
        probe = getattr(self.device, "is_password_field", None)
        if probe is None or action.kind != "type":
            return None
        try:
            return probe(action.target)
        except DeviceError:
            return None

    def _target(self, action: Any) -> Target | None:
        """Ask the device (where it can tell) what the action really reaches: the sandbox holds
        that truth against the model's `element` name, which a hostile screen can fool."""
        probe = getattr(self.device, "describe_target", None)
        if probe is None or action.kind not in TARGETED_KINDS:
            return None
        if action.kind == "key" and getattr(action, "key", None) != "enter":
            return None
        try:
            return probe(action.target, action.kind)
        except (DeviceError, ValueError):
            return None

    def _secure_screen(self, step: int, err: SecureScreen) -> str:
        """A screen that captures black (password, payment, banking) is the person's to handle:
        hand the step over rather than retry blind. Returns the note for the model."""
        question = "The screen is protected and I cannot see it; please do this step yourself."
        self.view.invalid(f"{err} — handing over to the person", 2)
        entry: dict[str, Any] = {
            "step": step, "attempt": 1, "time": round(time.time(), 3), "raw_reply": None,
            "thinking": None, "action": {"action": "ask_user", "text": question, "confidence": 1.0},
            "action_text": f"ask_user {question!r}", "pixel": None, "error": str(err),
            "verdict": {"decision": "allow", "reason": "secure screen: handed over", "policy": "secure_screen"},
            "executed": False, "timings": {"capture": 0.0, "model": 0.0, "act": 0.0}, "tokens": {},
        }
        try:
            answer = self.handover.ask(question)
            entry["executed"] = True
        finally:
            if err.image is not None:
                entry["frame"], entry["frame_marked"] = self.recorder.save_frame(step, err.image, None)
            self.recorder.add_step(entry)
        self.history.append(StepNote(step, entry["action"], "the person handled a protected screen"))
        return f"The screen was protected; the person handled it{': ' + answer if answer else ''}."

    def _entry(self, step: int, attempt: int, frame: Frame, reply: ModelReply, model_s: float) -> dict[str, Any]:
        return {
            "step": step, "attempt": attempt, "time": round(time.time(), 3),
            "screen": list(frame.size), "model_image": list(frame.model_image.size),
            "frame_hash": frame.digest, "raw_reply": reply.text, "thinking": reply.thinking,
            "action": None, "pixel": None, "verdict": None, "executed": False, "error": None,
            "timings": {"capture": round(frame.capture_s, 4), "model": round(reply.seconds or model_s, 4)},
            "tokens": {"prompt": reply.prompt_tokens, "completion": reply.completion_tokens,
                       "image": reply.image_tokens},
        }

    def _save(self, entry: dict[str, Any], frame: Frame, action: Any) -> None:
        target = action.target if action is not None else None
        to = getattr(action, "to", None)
        hide = frame.hidden_in(frame.model_image)
        if hide is None:  # --redact, and the device could not say where its password fields are
            entry["frame"] = entry["frame_marked"] = None
            entry["frame_withheld"] = "the password fields on this screen could not be located"
        else:
            entry["frame"], entry["frame_marked"] = self.recorder.save_frame(
                entry["step"], frame.model_image, target, to, hide=hide)
        self.recorder.add_step(entry)


__all__ = ["Agent", "LoopOptions", "ModelError", "RunResult", "Verdict"]
