"""`Sandbox`: the limits around a run and the checks around each action.

The agent loop uses it in this order for every step (limits are raised, never returned, so the
loop stays a few lines, like Gymnasium's `TimeLimit` wrapper rather than `if`s in the loop):

    sandbox.start()
    for step in itertools.count(1):
        sandbox.before_step(step)            # LimitReached / SandboxStop
        ... capture, ask the model ...
        for index, primitive in enumerate(decompose(action)):   # at least one pass
            ctx = StepContext(step, action, pixel, screen, frame_hash, sandbox.elapsed(),
                              primitive, index, device.effect(primitive))   # the screen *now*
            verdict = sandbox.resolve(ctx, sandbox.review(ctx))
            if verdict.decision != "allow": break     # deny -> verdict.stop(); retry -> re-ask
            ... perform the primitive ...
        sandbox.record(first_ctx, verdict, executed)   # LimitReached("retries" / "loop")
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from policies.checks import KillSwitchCheck, default_checks
from policies.config import PolicyConfig
from policies.confirm import Confirmer
from policies.errors import LimitReached, SandboxStop
from policies.verdict import ALLOW, Check, StepContext, Verdict


class Sandbox:
    """Checks each proposed action against a `PolicyConfig` and enforces the run's limits.

    `clock` is injectable (seconds, monotonic) so the wall-clock limit can be tested without
    sleeping. `checks` replaces the default set built from `config` (see `default_checks`).
    """

    def __init__(
        self,
        config: PolicyConfig,
        confirmer: Confirmer,
        *,
        clock: Callable[[], float] = time.monotonic,
        checks: Sequence[Check] | None = None,
    ) -> None:
        self.config = config
        self.confirmer = confirmer
        self.checks: tuple[Check, ...] = tuple(
            default_checks(config) if checks is None else checks
        )
        self._clock = clock
        self._kill = KillSwitchCheck(config.kill_file)
        self._started: float | None = None
        self._retries = 0  # steps in a row that were refused with "retry"

    def start(self) -> None:
        """Start the wall clock (again, if called twice: a new run)."""
        self._started = self._clock()

    def elapsed(self) -> float:
        """Seconds since `start()` (0 before it)."""
        return 0.0 if self._started is None else self._clock() - self._started

    @property
    def consecutive_retries(self) -> int:
        return self._retries

    def before_step(self, step: int) -> None:
        """Stop the run before step `step` (1-based) when a limit says so.

        The kill switch comes first: it is a person's explicit stop. A run whose loop forgot
        `start()` is started here rather than allowed to run unlimited.
        """
        if self._started is None:
            self.start()
        if self._kill.triggered():
            raise SandboxStop(f"kill switch: {self._kill.path} exists", "kill_switch")
        if step > self.config.max_steps:
            raise LimitReached(
                f"step limit reached: {self.config.max_steps} steps (max_steps)", "step_limit"
            )
        elapsed = self.elapsed()
        if elapsed > self.config.max_seconds:
            raise LimitReached(
                f"time limit reached: {elapsed:.0f} s > {self.config.max_seconds:g} s "
                "(max_seconds)", "time_limit"
            )

    def review(self, ctx: StepContext) -> Verdict:
        """Run the checks; the strongest decision wins (deny > retry > confirm > allow), and
        among equals the first check's verdict, so its reason is the one shown. The first
        primitive of an action (`ctx.index == 0`) meets every check; later primitives only those
        that judge effects (`per_primitive`)."""
        best = ALLOW
        for check in self.checks:
            if ctx.index > 0 and not check.per_primitive:
                continue
            verdict = check.check(ctx)
            if verdict.strength > best.strength:
                best = verdict
        return best

    def resolve(self, ctx: StepContext, verdict: Verdict) -> Verdict:
        """Put a `confirm` to the confirmer: yes -> allow, no -> deny. Others pass unchanged."""
        if verdict.decision != "confirm":
            return verdict
        if self.confirmer.confirm(ctx.action, verdict.reason):
            return Verdict("allow", "confirmed by the user", verdict.policy, confirmed=True)
        return Verdict("deny", f"declined: {verdict.reason}", verdict.policy, confirmed=False)

    def record(self, ctx: StepContext, verdict: Verdict, executed: bool) -> None:
        """Note how the step ended; raise `LimitReached` when the run must stop.

        In a dry run nothing executes, so an allowed step counts as executed for loop detection:
        the screen never changes and a model repeating itself should still be stopped.
        """
        counted = executed or (self.config.dry_run and verdict.decision == "allow")
        self._retries = self._retries + 1 if verdict.decision == "retry" and not executed else 0
        for check in self.checks:
            observe = getattr(check, "observe", None)
            if observe is not None:
                observe(ctx, verdict, counted)  # LoopCheck raises LimitReached("loop")
        if self._retries > self.config.max_retries:
            raise LimitReached(
                f"retries: {self._retries} actions in a row were refused "
                f"(max_retries {self.config.max_retries}); last: {verdict.reason}", "retries"
            )
