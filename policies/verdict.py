"""What a check decides about one step (`Verdict`) and what it decides from (`StepContext`).

Both are frozen values: a check can only read the step and answer, never change either, so the
checks compose in any order and a verdict can be written to the trajectory as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from actions import Action, Pixel, Size
from devices.base import Effect
from devices.primitives import Primitive
from policies.errors import SandboxStop

Decision = Literal["allow", "deny", "confirm", "retry"]

# deny beats retry beats confirm beats allow: a step that must not run is never put to a person,
# and a step the model should redo (low confidence, off screen) is not worth a person's time yet.
STRENGTH: dict[str, int] = {"allow": 0, "confirm": 1, "retry": 2, "deny": 3}


@dataclass(frozen=True)
class Verdict:
    """One check's answer.

    - `allow`: run the action.
    - `deny`: do not run it; the run stops with `SandboxStop` (exit 3), see `stop()`.
    - `retry`: do not run it; `reason` is fed back to the model, which is asked again.
    - `confirm`: a person must say yes first (`Sandbox.resolve`).

    `reason` is one line a person and the model can read; `policy` names the check that decided.
    `confirmed` is None unless a person was asked, then their answer: the trajectory shows who
    decided, and a refusal stops the run as "declined" rather than "denied".
    """

    decision: Decision
    reason: str = ""
    policy: str = ""
    confirmed: bool | None = None

    def __post_init__(self) -> None:
        if self.decision not in STRENGTH:
            raise ValueError(f"unknown decision {self.decision!r}")

    @property
    def strength(self) -> int:
        return STRENGTH[self.decision]

    @property
    def outcome(self) -> str:
        """The run.json outcome word should this verdict stop the run."""
        if self.policy == "kill_switch":
            return "kill_switch"
        if self.confirmed is False:
            return "declined"
        return "denied"

    def stop(self) -> SandboxStop:
        """The exception that ends the run after a `deny` (the loop raises it)."""
        return SandboxStop(self.reason or f"denied by policy {self.policy!r}", self.outcome)

    def to_dict(self) -> dict[str, Any]:
        """For the trajectory: `confirmed` only when a person was asked."""
        out: dict[str, Any] = {"decision": self.decision, "reason": self.reason,
                               "policy": self.policy}
        if self.confirmed is not None:
            out["confirmed"] = self.confirmed
        return out


ALLOW = Verdict("allow")


@dataclass(frozen=True)
class StepContext:
    """Everything a check may look at for one primitive of a step.

    An action is reviewed as the primitives it is made of (`devices.primitives.decompose`), each
    just before it runs, against what the device says it really does on the screen as it is then
    (`effect`). The first primitive (`index` 0) is reviewed together with the action itself
    (its kind, confidence, the model's words); later ones only by the checks that judge effects.
    """

    step: int  # 1-based index of the step being decided
    action: Action
    pixel: Pixel | None  # action.target through grid_to_pixels(…, screen); None without a target
    screen: Size  # the device screen in pixels now
    frame_hash: str  # hash of the screen the model saw for this step
    elapsed: float  # seconds since the run started
    primitive: Primitive | None = None  # about to run; None for wait, ask_user and done
    index: int = 0  # the primitive's place in the action
    effect: Effect | None = None  # what the device says the primitive does (None: it cannot tell)


@runtime_checkable
class Check(Protocol):
    """A policy check: a `name` and a pure `check(ctx)`.

    `check` must not raise for any action (the hypothesis test holds every check to that) and must
    not change state; checks that learn from the run (loop detection) also have
    `observe(ctx, verdict, executed)`, which `Sandbox.record` calls. `per_primitive`: the check
    also judges the primitives after the first (effects, the kill switch); the others judge the
    action once, with its first primitive.
    """

    name: str
    per_primitive: bool

    def check(self, ctx: StepContext) -> Verdict: ...
