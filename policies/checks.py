"""The policy checks: small classes with a `name` and `check(ctx) -> Verdict`, one rule each.

`Sandbox` composes them (see `default_checks`); none of them knows about the others, and only
`LoopCheck` keeps state, which it learns through `observe` after each step. The checks that judge
what an action really does (the device's truth, text by where it lands) are in `policies.effects`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path

from policies.config import PolicyConfig
from policies.effects import EffectCheck, ModelWordsCheck, TextWordsCheck
from policies.errors import LimitReached
from policies.keywords import one_line
from policies.verdict import ALLOW, Check, StepContext, Verdict

GRID = 1000


class KillSwitchCheck:
    """Deny every action while the kill file exists: a person can stop a run from outside it
    (`touch ~/.qwen-agent/STOP`) even mid-step, after the model has answered."""

    name = "kill_switch"
    per_primitive = True  # a person may flip it while an action is half done

    def __init__(self, kill_file: str | None) -> None:
        self.path = Path(kill_file).expanduser() if kill_file else None

    def triggered(self) -> bool:
        if self.path is None:
            return False
        try:
            return self.path.exists()
        except (OSError, ValueError):  # an unusable path cannot be a switch someone flipped
            return False

    def check(self, ctx: StepContext) -> Verdict:
        if self.triggered():
            return Verdict("deny", f"kill switch: {self.path} exists", self.name)
        return ALLOW


class KindCheck:
    """Deny kinds outside `allow_actions` or inside `deny_actions`."""

    name = "kinds"
    per_primitive = False

    def __init__(self, allow: Iterable[str] | None, deny: Iterable[str]) -> None:
        self.allow = None if allow is None else frozenset(allow)
        self.deny = frozenset(deny)

    def check(self, ctx: StepContext) -> Verdict:
        kind = ctx.action.kind
        if kind in self.deny:
            return Verdict("deny", f"action {kind!r} is denied by the policy (deny_actions)",
                           self.name)
        if self.allow is not None and kind not in self.allow:
            return Verdict("deny", f"action {kind!r} is not allowed by the policy (allow_actions: "
                           f"{', '.join(sorted(self.allow)) or 'none'})", self.name)
        return ALLOW


class ConfidenceCheck:
    """Ask the model again when it is not sure enough.

    `ask_user` is exempt: handing over to the person is exactly what an unsure model should do.
    """

    name = "confidence"
    per_primitive = False
    EXEMPT = frozenset({"ask_user"})

    def __init__(self, min_confidence: float) -> None:
        self.minimum = min_confidence

    def check(self, ctx: StepContext) -> Verdict:
        if ctx.action.kind in self.EXEMPT:
            return ALLOW
        try:
            confidence = float(ctx.action.confidence)
        except (TypeError, ValueError):
            confidence = math.nan
        # Written as "not >=" so that NaN is refused too.
        if not confidence >= self.minimum:
            return Verdict(
                "retry",
                f"your confidence {confidence:.3g} was below the minimum {self.minimum:g}: "
                "look at the screen again and choose an action you are sure of, or a clearer one",
                self.name,
            )
        return ALLOW


class OnScreenCheck:
    """The target must be a grid point whose pixel lies inside the current screen.

    `grid_to_pixels` clamps, so this mostly catches a pixel computed for a stale size (the phone
    rotated) or a point off the 0-1000 grid; either way the model should point again.
    """

    name = "on_screen"
    per_primitive = False

    def check(self, ctx: StepContext) -> Verdict:
        action = ctx.action
        if action.target is None:
            return ALLOW
        points = [("target", action.target)]
        to = getattr(action, "to", None)
        if to is not None:
            points.append(("end point", to))
        for label, point in points:
            if not _on_grid(point):
                return self._retry(f"{label} {one_line(repr(point))} is off the 0-1000 grid")
        width, height = ctx.screen
        pixel = ctx.pixel
        if pixel is None:
            return self._retry("the target could not be placed on the screen")
        if not (0 <= pixel[0] < width and 0 <= pixel[1] < height):
            return self._retry(
                f"target pixel ({pixel[0]}, {pixel[1]}) is outside the {width}x{height} screen"
            )
        return ALLOW

    def _retry(self, what: str) -> Verdict:
        return Verdict("retry", f"{what}: point at something visible on the screenshot",
                       self.name)


def _on_grid(point: object) -> bool:
    if not isinstance(point, (tuple, list)) or len(point) != 2:
        return False
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= GRID
               for v in point)


class ConfirmKindsCheck:
    """Ask a person before every action of the kinds in `confirm_actions`."""

    name = "confirm_actions"
    per_primitive = False

    def __init__(self, kinds: Iterable[str]) -> None:
        self.kinds = frozenset(kinds)

    def check(self, ctx: StepContext) -> Verdict:
        if ctx.action.kind in self.kinds:
            return Verdict("confirm", f"{ctx.action.kind!r} actions need a yes (confirm_actions)",
                           self.name)
        return ALLOW


class LoopCheck:
    """Catch the model repeating an action that does nothing.

    Among executed steps, when the last `repeats` were all the same action (confidence aside) on
    the same screen (`frame_hash`), proposing it once more is refused with a request to re-plan.
    Steps that were not executed neither extend nor break the streak. The second time the run
    gets here, `observe` stops it with `LimitReached("loop")`: re-planning did not help.
    """

    name = "loop"
    per_primitive = False

    def __init__(self, repeats: int) -> None:
        self.repeats = repeats
        self._last: tuple[str, str] | None = None  # (action, frame) of the last executed step
        self._count = 0  # how many executed steps in a row had that key
        self._warnings = 0  # loop refusals so far in this run

    @staticmethod
    def key(ctx: StepContext) -> tuple[str, str]:
        data = {k: v for k, v in ctx.action.to_dict().items() if k != "confidence"}
        return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str), ctx.frame_hash

    def check(self, ctx: StepContext) -> Verdict:
        if self._count >= self.repeats and self.key(ctx) == self._last:
            return Verdict(
                "retry",
                f"loop: {one_line(ctx.action.describe())} was already done {self._count} times "
                "on this unchanged screen without effect; re-plan and try something different",
                self.name,
            )
        return ALLOW

    def observe(self, ctx: StepContext, verdict: Verdict, executed: bool) -> None:
        if executed:
            key = self.key(ctx)
            self._count = self._count + 1 if key == self._last else 1
            self._last = key
        elif self.check(ctx).decision == "retry":
            self._warnings += 1
            if self._warnings > 1:
                raise LimitReached(
                    f"loop: the model kept repeating {one_line(ctx.action.describe())} on an "
                    "unchanged screen after being asked to re-plan", "loop")


def default_checks(config: PolicyConfig) -> list[Check]:
    """The checks a config asks for, in the order their reasons are preferred within a kind."""
    return [
        KillSwitchCheck(config.kill_file),
        KindCheck(config.allow_actions, config.deny_actions),
        ConfidenceCheck(config.min_confidence),
        OnScreenCheck(),
        LoopCheck(config.loop_repeats),
        ModelWordsCheck(config.sensitive_keywords),
        EffectCheck(config.sensitive_keywords),
        TextWordsCheck(config.sensitive_keywords),
        ConfirmKindsCheck(config.confirm_actions),
    ]
