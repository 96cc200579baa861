"""Verified replay: a recording played at device speed while the screen matches it, that notices
when it does not, and then stops or hands the rest of the goal to a real model.

It is a `Model` like any other (so every step still goes through the loop and the sandbox): before
giving recorded step k it compares the live frame (`request.image`) with the frame recorded before
step k around the step's target (`agent.verify.compare`). A match gives the step unchanged; a target
that moved gives the step with corrected coordinates; anything else is a drift. On a drift it
either stops (`RunStopped`, outcome "drift") or asks the fallback model from then on, telling it
the recorded steps as guidance. What it saw is kept in `checks` and `drift`, and `write_findings`
puts them in the run folder (verify.json, the two frames side by side) for report.html.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PIL import Image

from actions import ActionFormatError, parse_reply
from actions.safe_files import FileMissing, ImageTruncated, open_image
from agent.engine.errors import RunStopped
from agent.engine.model import DecideRequest, Model, ModelReply, TextSink
from agent.engine.rundir import mark_target, storage_error, write_text_atomic
from agent.verify import Check, compare, side_by_side

VERIFY_JSON = "verify.json"


@dataclass(frozen=True)
class Drift:
    step: int  # 1-based recorded step that no longer matched
    reason: str
    check: Check
    recorded: Image.Image
    live: Image.Image
    target: tuple[int, int]
    handed_to: str  # "stop" or the fallback model's name


class VerifiedReplayModel:
    """Replays `steps` (action dicts or raw replies), checking each against `frames` (one recorded
    frame per step, None where there is none: such a step is given unchecked).

    `fallback` builds the model that takes over on a drift (called at most once, only when needed:
    a replay that matches never loads a model); None means stop on a drift."""

    def __init__(self, steps: Sequence[str | dict[str, Any]], frames: Sequence[Image.Image | None],
                 goal: str, *, fallback: Callable[[], Model] | None = None,
                 name: str = "replay") -> None:
        if not steps:
            raise RunStopped("the recording has no steps to replay", "recording_ended")
        self.steps = list(steps)
        self.frames = list(frames) + [None] * (len(steps) - len(frames))
        self.goal = goal
        self.fallback = fallback
        self.name = name
        self.position = 0
        self.checks: list[dict[str, Any]] = []
        self.drift: Drift | None = None
        self.model: Model | None = None  # the fallback, once it has taken over
        self.model_calls = 0

    def decide(self, request: DecideRequest, on_text: TextSink | None = None) -> ModelReply:
        if self.model is not None:
            return self._ask_model(request, on_text)
        if self.position >= len(self.steps):
            raise RunStopped(f"the recording ended after {len(self.steps)} steps without `done`",
                             "recording_ended")
        t0 = time.monotonic()
        index = self.position
        step = self.steps[index]
        text = step if isinstance(step, str) else json.dumps(step, ensure_ascii=False)
        try:
            action = parse_reply(text).action
        except ActionFormatError:
            action = None  # the loop will report the bad step exactly as for a plain replay
        target = action.target if action is not None else None
        recorded = self.frames[index]
        if target is None or recorded is None:
            # Nothing to compare (a key press, `done`, a recording without frames): give it as recorded.
            self.checks.append({"step": index + 1, "status": "unchecked"})
            self.position += 1
            return ModelReply(text=text, seconds=time.monotonic() - t0, extra={"verify": "unchecked"})
        check = compare(recorded, request.image, target)
        self.checks.append({"step": index + 1, "status": check.status, "score": round(check.score, 3),
                            "shift": list(check.shift), "reason": check.reason})
        if check.ok:
            self.position += 1
            if check.status == "moved" and action is not None:
                text = json.dumps(_moved(action.to_dict(), check.shift), ensure_ascii=False)
            return ModelReply(text=text, seconds=time.monotonic() - t0,
                              extra={"verify": check.status, "score": round(check.score, 3)})
        self.drift = Drift(index + 1, check.reason, check, recorded, request.image.copy(), target, "stop")
        what = action.describe() if action is not None else text[:80]
        if self.fallback is None:
            raise RunStopped(f"the screen no longer matches the recording at step {index + 1} "
                             f"({what}): {check.reason}", "drift")
        self.model = self.fallback()
        self.drift = replace(self.drift, handed_to=self.model.name)
        return self._ask_model(request, on_text)

    def _ask_model(self, request: DecideRequest, on_text: TextSink | None) -> ModelReply:
        self.model_calls += 1
        assert self.model is not None
        return self.model.decide(replace(request, goal=self.guidance(request.goal)), on_text)

    def guidance(self, goal: str) -> str:
        """The goal, with the recorded steps as a hint of the way (the screen has changed)."""
        assert self.drift is not None
        lines = []
        for i, step in enumerate(self.steps, 1):
            text = step if isinstance(step, str) else json.dumps(step, ensure_ascii=False)
            try:
                described = parse_reply(text).action.describe()
            except ActionFormatError:
                continue
            mark = "done" if i < self.drift.step else ("no longer matched the screen" if i == self.drift.step
                                                       else "not done")
            lines.append(f"{i}. {described} ({mark})")
        return (f"{goal}\n\nA recording of this task was being replayed; at step {self.drift.step} the "
                f"screen stopped matching it ({self.drift.reason}). The recorded steps, as guidance "
                f"only (the screen may differ now):\n" + "\n".join(lines))

    def write_findings(self, run_dir: str | Path, images: bool = True) -> None:
        """verify.json (each step's check, the drift) and, unless `images` is off (--no-frames),
        drift-NNNN.png, read by report.html. Both frames in it passed the privacy filter: the
        live one is what the model was shown, the recorded one was filtered when recorded."""
        run_dir = Path(run_dir)
        data: dict[str, Any] = {"steps": self.checks, "model_calls": self.model_calls, "drift": None}
        if self.drift is not None:
            d = self.drift
            name = f"drift-{d.step:04d}.png" if images else None
            if name is not None:
                recorded = mark_target(d.recorded, d.target)
                try:
                    side_by_side(recorded, d.live, d.check, f"step {d.step}").save(run_dir / name)
                except OSError as err:  # a full disk: one line naming the folder
                    raise storage_error(err, run_dir, name) from None
            data["drift"] = {"step": d.step, "reason": d.reason, "score": round(d.check.score, 3),
                             "image": name, "handed_to": d.handed_to}
        write_text_atomic(run_dir, VERIFY_JSON, json.dumps(data, ensure_ascii=False, indent=2))


def _moved(action: dict[str, Any], shift: tuple[int, int]) -> dict[str, Any]:
    """The action with its points moved by `shift` (a swipe's end moves with its start)."""
    out = dict(action)
    for key in ("coordinates", "to"):
        if out.get(key) is not None:
            x, y = out[key]
            out[key] = [min(1000, max(0, x + shift[0])), min(1000, max(0, y + shift[1]))]
    return out


def load_frames(paths: Sequence[str | None]) -> list[Image.Image | None]:
    """The recorded frames, read now so a hostile one (a FIFO, a device file, a decompression bomb,
    not an image) is a usage error before anything runs. A frame that is missing or cut short -
    a run killed mid-step, by a version that wrote a line before its frame - leaves its step
    unverified (None), so a killed run always replays."""
    frames: list[Image.Image | None] = []
    for path in paths:
        try:
            frames.append(None if path is None else open_image(path, f"recorded frame {path}"))
        except (FileMissing, ImageTruncated):
            frames.append(None)
    return frames
