"""The policy checks: small classes with a `name` and `check(ctx) -> Verdict`, one rule each.

`Sandbox` composes them (see `default_checks`); none of them knows about the others, and only
`LoopCheck` keeps state, which it learns through `observe` after each step.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from pathlib import Path

from actions import LimitReached
from devices import DEVICE_KINDS
from devices.base import UNKNOWN_ROLE
from policies.config import PolicyConfig
from policies.truth import TargetCheck
from policies.verdict import ALLOW, Check, StepContext, Verdict

GRID = 1000


def _one_line(text: str, limit: int = 60) -> str:
    """Reasons are one line: the model and the terminal both read them."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


class KillSwitchCheck:
    """Deny every action while the kill file exists: a person can stop a run from outside it
    (`touch ~/.qwen-agent/STOP`) even mid-step, after the model has answered."""

    name = "kill_switch"

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
                return self._retry(f"{label} {_one_line(repr(point))} is off the 0-1000 grid")
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


class KeywordMatcher:
    """Find sensitive keywords in a text.

    ASCII keywords match whole words, case-insensitively, with any run of spaces between their
    words ("Pay now" and "pay_now" match "pay"; "Display" and "Sender" do not match "pay" and
    "send"). Others (Chinese) match as substrings: Chinese has no spaces between words.
    """

    def __init__(self, keywords: Iterable[str]) -> None:
        self.keywords = tuple(keywords)
        self._patterns: list[tuple[str, re.Pattern[str] | None]] = []
        for keyword in self.keywords:
            if keyword.isascii():
                # Letters and digits are "inside a word"; "_" and "-" are not, so widget ids
                # like "btn_delete" still match.
                body = r"\s+".join(re.escape(w) for w in keyword.split())
                pattern = re.compile(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])", re.IGNORECASE)
                self._patterns.append((keyword, pattern))
            else:
                self._patterns.append((keyword.casefold(), None))

    def find(self, text: str) -> str | None:
        """The first keyword (in list order) found in `text`, or None."""
        folded = text.casefold()
        for keyword, pattern in self._patterns:
            if pattern.search(text) if pattern is not None else keyword in folded:
                return keyword
        return None


class SensitiveCheck:
    """Ask a person before an action whose element, text or app mentions a sensitive keyword
    (paying, transferring, buying, deleting, sending, uninstalling, passwords, factory reset).

    Only kinds that act on the device are checked: `done`, `ask_user` and `wait` change nothing,
    and a final "Payment sent" report must not need a yes.
    """

    name = "sensitive"
    FIELDS = ("element", "text", "app")

    def __init__(self, keywords: Iterable[str]) -> None:
        self.matcher = KeywordMatcher(keywords)

    def check(self, ctx: StepContext) -> Verdict:
        if ctx.action.kind not in DEVICE_KINDS:
            return ALLOW
        if ctx.action.kind == "type" and ctx.password_field:
            # The device read its UI tree: a password field, whatever the model called it.
            return Verdict("confirm", "sensitive: typing into a password field", self.name)
        for field in self.FIELDS:
            value = getattr(ctx.action, field, None)
            if not isinstance(value, str) or not value:
                continue
            keyword = self.matcher.find(value)
            if keyword is not None:
                return Verdict(
                    "confirm", f'sensitive: "{keyword}" in {field} "{_one_line(value)}"', self.name
                )
        target = ctx.target
        if target is not None and target.role == UNKNOWN_ROLE and target.label:
            # The device's own label for what is really there, whatever the model called it.
            keyword = self.matcher.find(target.label)
            if keyword is not None:
                said = getattr(ctx.action, "element", None) or ctx.action.kind
                return Verdict("confirm", f'sensitive: "{keyword}" in the real target '
                               f'"{_one_line(target.label)}" (the model called it "{_one_line(said)}")',
                               self.name)
        return ALLOW


class ConfirmKindsCheck:
    """Ask a person before every action of the kinds in `confirm_actions`."""

    name = "confirm_actions"

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
                f"loop: {_one_line(ctx.action.describe())} was already done {self._count} times "
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
                    f"loop: the model kept repeating {_one_line(ctx.action.describe())} on an "
                    "unchanged screen after being asked to re-plan", "loop")


def default_checks(config: PolicyConfig) -> list[Check]:
    """The checks a config asks for, in the order their reasons are preferred within a kind."""
    return [
        KillSwitchCheck(config.kill_file),
        KindCheck(config.allow_actions, config.deny_actions),
        ConfidenceCheck(config.min_confidence),
        OnScreenCheck(),
        LoopCheck(config.loop_repeats),
        SensitiveCheck(config.sensitive_keywords),
        TargetCheck(),
        ConfirmKindsCheck(config.confirm_actions),
    ]
