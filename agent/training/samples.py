"""Training samples: each step of a run folder or scenario as the request the loop made at it.

A sample is the `DecideRequest` the loop hands the model at one step -- the goal, the screen at
the model's pixel budget, the earlier steps as the loop's history notes ("done", "refused: ..."),
the feedback on the last step -- and the action that was right there. The prompt itself is built
later by the same `agent.prompt.build_prompt` the backends call, so the exported prompt is the
one the agent sends.

- A run folder gives one sample per step that was decided, allowed and executed. Its history is
  rebuilt from every line (refused, failed and invalid steps included), as `agent/engine/stages.py`
  builds it. Its frames are what the model saw, already through the run's privacy filter; a step
  whose frame was withheld, or whose typed text was masked (`--redact`), is left out.
- A scenario on the simulated phone is played step by step on a fresh `SimPhone`: each screen
  goes through the loop's own `capture` (privacy filter, pixel budget), then the step's action
  is performed. Other scenarios use their recorded frames.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from actions import ActionFormatError, UsageError, parse_reply, validate_action
from agent.engine.model import DecideRequest, StepNote
from agent.engine.perceive import capture
from agent.engine.privacy import Privacy
from agent.engine.rundir import RUN_JSON, TRAJECTORY, read_trajectory
from agent.engine.session import goal_language
from agent.engine.step import StepRecord
from agent.imaging import fit_pixel_budget
from agent.native_prompt import tool_for_device
from agent.scenario import SCENARIO_FILE, Scenario, load, placeholders
from agent.training.targets import THINK_CLOSE, NoEquivalent, answer_text, translate
from devices.base import execute
from devices.errors import DeviceError


@dataclass(frozen=True)
class Sample:
    source: str  # the run or scenario folder
    name: str  # the scenario's name or the run folder's
    request: DecideRequest
    action: dict[str, Any]  # the right action, as the prompt format can write it (schema spelling)
    thinking: str | None  # recorded reasoning; None: a rationale is written
    private: bool = False  # from a run with --secret or --redact (its text is masked already)


@dataclass(frozen=True)
class Skipped:
    source: str
    step: int
    reason: str


@dataclass(frozen=True)
class Note:
    source: str
    text: str  # e.g. a scenario whose steps miss its expected end state


Item = Sample | Skipped | Note


def collect(paths: list[str], format: str, max_pixels: int) -> Iterator[Item]:
    """Every sample of the given run folders, scenario folders and folders of either, one
    source at a time (a large export never holds more than one run's images)."""
    for folder in sources(paths):
        if (folder / RUN_JSON).is_file():
            yield from _run(folder, format, max_pixels)
        else:
            yield from _scenario(load(folder), format, max_pixels)


def sources(paths: list[str]) -> list[Path]:
    """The run and scenario folders named, or found one level inside the folders named."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if _is_source(path):
            out.append(path)
        elif path.is_dir() and (found := sorted(p for p in path.iterdir() if _is_source(p))):
            out += found
        else:
            raise UsageError(f"{path}: not a run folder, a scenario folder or a folder of them")
    return out


def _is_source(path: Path) -> bool:
    return (path / SCENARIO_FILE).is_file() or ((path / RUN_JSON).is_file() and (path / TRAJECTORY).is_file())


# --- scenarios -------------------------------------------------------------------------------


def _scenario(scenario: Scenario, format: str, max_pixels: int) -> Iterator[Item]:
    kind = scenario.device.get("kind", "sim")
    if kind != "sim":
        yield from _framed(scenario, format, max_pixels)
        return
    from agent.expect import check_expect
    from devices.sim import SimPhone

    phone = SimPhone(**scenario.device_options)
    try:
        yield from _played(scenario, phone, format, max_pixels)
        problems = check_expect(scenario.expect, phone) if scenario.expect else []
        if problems:
            yield Note(scenario.source, "its steps, performed without the sandbox, do not reach its "
                       f"expected end state ({'; '.join(problems)})")
    finally:
        phone.close()


def _played(scenario: Scenario, phone: Any, format: str, max_pixels: int) -> Iterator[Item]:
    """Each step on the simulated phone: the screen as the loop captures it, then the action."""
    tool = tool_for_device("sim")
    # A scenario with {NAME} placeholders is replayed with secrets: password fields are blacked out.
    privacy = Privacy(secrets={n: "{" + n + "}" for n in placeholders(scenario)})
    goal, history, step = scenario.goal, [], 0
    for index, raw in enumerate(scenario.steps, 1):
        action, thinking = _step_action(raw, f"{scenario.source}: step {index}")
        for target in translate(action, format, tool):
            step += 1
            frame = capture(phone, max_pixels=max_pixels, settle=None, privacy=privacy)
            request = DecideRequest(goal=goal, image=frame.model_image, screen=frame.size, step=step,
                                    history=tuple(history), language=goal_language(goal), device_kind="sim")
            if frame.hidden:
                yield Skipped(scenario.source, step, f"the screen is hidden for privacy ({frame.hidden})")
            else:
                yield Sample(scenario.source, scenario.name, request, target, thinking)
            written = parse_reply(THINK_CLOSE + answer_text(target, format, tool)).action
            try:
                execute(phone, written)
            except DeviceError as err:
                raise UsageError(f"{scenario.source}: step {index} cannot be performed on the "
                                 f"simulated phone: {err}") from None
            history.append(StepNote(step, written.to_dict(), "done", image=frame.model_image))
            thinking = None  # recorded reasoning belongs to the first of the translated steps


def _framed(scenario: Scenario, format: str, max_pixels: int) -> Iterator[Item]:
    """A recorded scenario on a real device: its frames are the screens."""
    kind = scenario.device.get("kind", "sim")
    history: list[StepNote] = []
    for index, raw in enumerate(scenario.steps, 1):
        action, thinking = _step_action(raw, f"{scenario.source}: step {index}")
        path = scenario.frames[index - 1] if index <= len(scenario.frames) else None
        image = _image(path) if path else None
        targets = _single(action, format, kind)
        if image is None or isinstance(targets, str):
            yield Skipped(scenario.source, index, targets if isinstance(targets, str) else "no recorded frame")
        else:
            request = DecideRequest(goal=scenario.goal, image=fit_pixel_budget(image, max_pixels),
                                    screen=image.size, step=index, history=tuple(history),  # type: ignore[arg-type]
                                    language=goal_language(scenario.goal), device_kind=kind)
            yield Sample(scenario.source, scenario.name, request, targets, thinking)
        history.append(StepNote(index, action, "done", image=None))


def _step_action(raw: Any, where: str) -> tuple[dict[str, Any], str | None]:
    """A scenario step (an action or a raw reply) as an action dict and its reasoning."""
    try:
        if isinstance(raw, str):
            parsed = parse_reply(raw)
            return parsed.action.to_dict(), (parsed.thinking or "").strip() or None
        return validate_action(raw).to_dict(), None
    except ActionFormatError as err:
        raise UsageError(f"{where}: {err}") from None


# --- run folders -----------------------------------------------------------------------------


@dataclass
class _Loop:
    """The loop's memory between steps, rebuilt from the trajectory (agent/engine/stages.py)."""

    history: list[StepNote] = field(default_factory=list)
    feedback: str | None = None
    unknown: bool = False  # the feedback came from a person's answer that was not recorded


def _run(folder: Path, format: str, max_pixels: int) -> Iterator[Item]:
    meta = _run_json(folder)
    goal = str(meta.get("goal", ""))
    device = meta.get("device") if isinstance(meta.get("device"), dict) else {}
    kind = str(device.get("kind") or "sim")
    privacy = meta.get("privacy") if isinstance(meta.get("privacy"), dict) else {}
    private = bool(privacy.get("secrets") or privacy.get("redact"))
    language = meta.get("language") if meta.get("language") in ("en", "zh") else goal_language(goal)
    loop = _Loop()
    for rec in read_trajectory(folder):
        image = _image(str(folder / rec.frame)) if rec.frame else None
        seen = fit_pixel_budget(image, max_pixels) if image is not None else None
        reason = _unusable(rec, loop, format, kind)
        if reason is None and (image is None or seen is None):
            reason = "its frame is missing or unreadable"
        if reason is None and rec.action is not None and image is not None and seen is not None:
            request = DecideRequest(goal=goal, image=seen, screen=rec.screen or image.size,  # type: ignore[arg-type]
                                    step=rec.step, history=tuple(loop.history), feedback=loop.feedback,
                                    language=language, device_kind=kind)
            target = _single(rec.action, format, kind)
            assert isinstance(target, dict)  # _unusable said it is one step
            yield Sample(str(folder), folder.name, request, target, (rec.thinking or "").strip() or None, private)
        elif reason:
            yield Skipped(str(folder), rec.step, reason)
        _advance(loop, rec, seen)


def _unusable(rec: StepRecord, loop: _Loop, format: str, kind: str) -> str | None:
    """Why this line is not a sample ('' for an invalid reply: not a step at all), or None."""
    if rec.action is None:
        return ""
    verdict = rec.verdict or {}
    if verdict.get("decision") != "allow":
        return "refused by the sandbox"
    if not rec.executed:
        return "not executed"
    if verdict.get("policy") == "secure_screen":
        return "a protected screen handed to the person"
    if rec.redacted:
        return "its typed text is masked (--redact)"
    if loop.unknown:
        return "follows a person's answer that was not recorded"
    if not rec.frame:
        return f"no frame ({rec.frame_withheld or 'not written'})"
    target = _single(rec.action, format, kind)
    return target if isinstance(target, str) else None


def _advance(loop: _Loop, rec: StepRecord, image: Image.Image | None) -> None:
    """What the loop remembers after this line: its history note and the next feedback."""
    error = rec.error or ""
    if rec.action is None and error.startswith("invalid reply: "):
        reason = error[len("invalid reply: "):]
        loop.feedback, loop.unknown = f"Your last reply was not a valid action: {reason}", False
        if rec.attempt >= 2:
            loop.history.append(StepNote(rec.step, None, f"invalid: {reason}"))
        return
    if rec.action is None:
        return
    verdict = rec.verdict or {}
    if verdict.get("policy") == "secure_screen":
        loop.history.append(StepNote(rec.step, rec.action, "the person handled a protected screen"))
        loop.feedback, loop.unknown = None, True
        return
    if rec.executed:
        note = rec.note or "done"
    elif verdict.get("decision") != "allow":
        note = f"refused: {verdict.get('reason', '')}"
    else:
        note = rec.note or f"failed: {rec.error}"
    loop.history.append(StepNote(rec.step, rec.action, note, image=image))
    loop.unknown = False
    if verdict.get("decision") == "retry":
        loop.feedback = f"Your last action was not carried out: {verdict.get('reason', '')}"
    elif rec.error:
        loop.feedback = f"Your last action failed: {rec.error}"
    elif rec.note and rec.note.startswith("the person"):
        loop.feedback = rec.note
    else:
        loop.feedback = None


def _single(action: dict[str, Any], format: str, kind: str) -> dict[str, Any] | str:
    """The action as one step of the prompt format, or why it cannot be one."""
    try:
        targets = translate(action, format, tool_for_device(kind))
    except NoEquivalent as err:
        return str(err)
    return targets[0] if len(targets) == 1 else f"a {action.get('action')!r} needs {len(targets)} steps in this format"


def _run_json(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / RUN_JSON).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UsageError(f"{folder / RUN_JSON}: cannot read it: {err}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{folder / RUN_JSON}: must be a JSON object")
    return data


def _image(path: str) -> Image.Image | None:
    try:
        with Image.open(path) as image:
            return image.convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError):
        return None
