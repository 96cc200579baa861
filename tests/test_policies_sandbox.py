"""The run-level rules of `Sandbox`: loops, consecutive retries, step / time limits, kill switch."""

from __future__ import annotations

import pytest

from agent.engine.outcomes import exit_code
from policies import LimitReached, Sandbox, SandboxStop, ScriptedConfirmer, Verdict, load_policy
from tests.test_policies import ctx, sandbox, tap


class FakeClock:
    """A clock the test moves by hand: no sleeping, no timing asserts."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def step(box: Sandbox, c) -> Verdict:
    """One step as the loop runs it: review, resolve, execute if allowed, record."""
    verdict = box.resolve(c, box.review(c))
    box.record(c, verdict, executed=verdict.decision == "allow" and not box.config.dry_run)
    return verdict


# --- loop detection -----------------------------------------------------------------------------

def test_loop_allows_repeats_up_to_the_limit_and_varied_actions():
    box = sandbox()  # loop_repeats: 3
    for n in range(3):
        assert step(box, ctx(tap(), step=n + 1)).decision == "allow"
    # A different screen or a different action is not a loop.
    assert box.review(ctx(tap(), frame="frame-b")).decision == "allow"
    assert box.review(ctx(tap("Wi-Fi toggle"))).decision == "allow"


def test_loop_asks_to_replan_then_stops():
    box = sandbox()
    for n in range(3):
        step(box, ctx(tap(confidence=0.9 - n / 100), step=n + 1))  # confidence is ignored
    verdict = step(box, ctx(tap(), step=4))
    assert verdict.decision == "retry" and verdict.policy == "loop"
    assert "re-plan" in verdict.reason and "3 times" in verdict.reason
    with pytest.raises(LimitReached) as err:
        step(box, ctx(tap(), step=5))
    assert err.value.outcome == "loop" and exit_code(err.value) == 1


def test_loop_second_time_later_in_the_run_stops():
    box = sandbox(max_retries=5)
    for _ in range(3):
        step(box, ctx(tap()))
    assert step(box, ctx(tap())).policy == "loop"
    step(box, ctx(tap("Other")))  # re-planned: the streak is broken
    for _ in range(3):
        step(box, ctx(tap()))
    with pytest.raises(LimitReached, match="loop"):
        step(box, ctx(tap()))


def test_loop_streak_is_broken_by_another_executed_action_only():
    box = sandbox(loop_repeats=2)
    step(box, ctx(tap()))
    step(box, ctx(tap("Other")))
    step(box, ctx(tap()))
    assert box.review(ctx(tap())).decision == "allow"  # only one in a row
    step(box, ctx(tap(confidence=0.1)))  # refused for confidence: neither extends nor breaks
    step(box, ctx(tap()))
    assert box.review(ctx(tap())).policy == "loop"


def test_loop_detection_counts_allowed_steps_in_a_dry_run():
    box = sandbox(dry_run=True)
    for _ in range(3):
        assert step(box, ctx(tap())).decision == "allow"
    assert step(box, ctx(tap())).policy == "loop"


# --- consecutive retries ------------------------------------------------------------------------

def test_retries_up_to_max_then_stop():
    box = sandbox()  # max_retries: 2
    assert step(box, ctx(tap(confidence=0.1))).decision == "retry"
    assert step(box, ctx(tap(confidence=0.2))).decision == "retry"
    assert box.consecutive_retries == 2
    with pytest.raises(LimitReached) as err:
        step(box, ctx(tap(confidence=0.3)))
    assert err.value.outcome == "retries" and "confidence 0.3" in str(err.value)


def test_an_allowed_step_resets_the_retry_count():
    box = sandbox()
    step(box, ctx(tap(confidence=0.1)))
    step(box, ctx(tap(confidence=0.1)))
    assert step(box, ctx(tap())).decision == "allow"
    assert box.consecutive_retries == 0
    step(box, ctx(tap(confidence=0.1)))
    step(box, ctx(tap(confidence=0.1)))  # two again: still within the limit


def test_max_retries_zero_stops_at_the_first_retry():
    with pytest.raises(LimitReached, match="retries"):
        step(sandbox(max_retries=0), ctx(tap(confidence=0.1)))


# --- step limit ---------------------------------------------------------------------------------

def test_step_limit():
    box = sandbox(max_steps=3)
    box.start()
    for n in (1, 2, 3):
        box.before_step(n)
    with pytest.raises(LimitReached) as err:
        box.before_step(4)
    assert err.value.outcome == "step_limit" and exit_code(err.value) == 1
    assert "3 steps" in str(err.value)


# --- wall-clock limit ---------------------------------------------------------------------------

def test_time_limit_uses_the_injected_clock():
    clock = FakeClock()
    box = Sandbox(load_policy().with_overrides(max_seconds=60), ScriptedConfirmer(), clock=clock)
    box.start()
    clock.now += 59.5
    box.before_step(1)
    assert box.elapsed() == pytest.approx(59.5)
    clock.now += 1
    with pytest.raises(LimitReached) as err:
        box.before_step(2)
    assert err.value.outcome == "time_limit" and "max_seconds" in str(err.value)


def test_start_restarts_the_clock():
    clock = FakeClock()
    box = Sandbox(load_policy().with_overrides(max_seconds=10), ScriptedConfirmer(), clock=clock)
    assert box.elapsed() == 0.0
    box.start()
    clock.now += 100
    box.start()
    box.before_step(1)  # a new run, a new clock


def test_before_step_without_start_still_limits_time():
    clock = FakeClock()
    box = Sandbox(load_policy().with_overrides(max_seconds=10), ScriptedConfirmer(), clock=clock)
    box.before_step(1)  # starts the clock
    clock.now += 11
    with pytest.raises(LimitReached, match="time limit"):
        box.before_step(2)


# --- kill switch --------------------------------------------------------------------------------

def test_kill_switch_absent_lets_the_run_go(tmp_path):
    box = sandbox(kill_file=str(tmp_path / "STOP"))
    box.before_step(1)
    assert box.review(ctx(tap())).decision == "allow"


def test_kill_switch_file_stops_before_the_next_step(tmp_path):
    kill = tmp_path / "STOP"
    box = sandbox(kill_file=str(kill))
    box.start()
    box.before_step(1)
    kill.touch()
    with pytest.raises(SandboxStop) as err:
        box.before_step(2)
    assert err.value.outcome == "kill_switch" and exit_code(err.value) == 3
    assert str(kill) in str(err.value)


def test_kill_switch_denies_an_action_decided_after_it_appeared(tmp_path):
    kill = tmp_path / "STOP"
    box = sandbox(kill_file=str(kill))
    box.before_step(1)
    kill.touch()  # while the model was thinking
    verdict = box.review(ctx(tap()))
    assert verdict.decision == "deny" and verdict.policy == "kill_switch"
    assert verdict.stop().outcome == "kill_switch"


def test_kill_switch_expands_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "STOP").touch()
    with pytest.raises(SandboxStop, match="kill switch"):
        sandbox(kill_file="~/STOP").before_step(1)


def test_denial_stops_with_exit_3_and_outcome_denied():
    verdict = sandbox(deny_actions=["tap"]).review(ctx(tap()))
    stop = verdict.stop()
    assert isinstance(stop, SandboxStop)
    assert exit_code(stop) == 3 and stop.outcome == "denied" and str(stop) == verdict.reason


# --- dry run ------------------------------------------------------------------------------------

def test_dry_run_from_yaml(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("dry_run: true\n", encoding="utf-8")
    config = load_policy(path)
    assert config.dry_run is True
    assert load_policy().dry_run is False
    # The sandbox still decides every step as usual; the loop reads `config.dry_run`.
    box = Sandbox(config, ScriptedConfirmer())
    assert box.config.dry_run and box.review(ctx(tap())).decision == "allow"
