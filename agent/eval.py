"""`qwen-agent eval SCENARIOS...`: how well a model does on a set of tasks.

Each scenario's *goal* is given to the model (its recorded steps are ignored) on the scenario's
starting device, the run goes through the real loop and sandbox with nobody to confirm anything,
and `expect` is checked at the end. Per scenario and in total: success, steps, sandbox stops,
invalid replies, latency per step (p50 / p95) and tokens, as a table or JSON.

`--concurrency N` runs N scenarios at once (threads: the work is waiting on the model server).
Against one OpenAI-compatible server (vLLM, SGLang) the requests are batched there, so a test suite
or a fleet of devices shares one serving cluster. A local transformers model is not thread-safe,
so its calls are serialised (the devices and recording still overlap).
"""

from __future__ import annotations

import io
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actions.errors import EXIT_DONE, EXIT_SANDBOX, QwenAgentError, UsageError
from agent.engine.loop import LoopOptions
from agent.engine.model import DecideRequest, Model, ModelReply, TextSink
from agent.engine.outcomes import exit_code
from agent.engine.perceive import settle_for
from agent.engine.person import Unattended
from agent.engine.privacy import Privacy
from agent.engine.rundir import read_trajectory
from agent.engine.session import RunPlan, execute, goal_language
from agent.engine.view import JsonView
from agent.eval_stats import percentile
from agent.scenario import Scenario, fill, placeholders
from devices.registry import parse_spec
from policies import PolicyConfig

SANDBOX_OUTCOMES = frozenset({"denied", "declined", "kill_switch"})
NO_PRIVACY = Privacy()  # frozen: safe to share as a default


@dataclass(frozen=True)
class Outcome:
    """One scenario's result."""

    scenario: str
    success: bool  # the model said done and `expect` holds
    exit_code: int
    outcome: str
    steps: int
    sandbox_stop: bool  # the run ended at the sandbox (exit 3)
    refused_steps: int  # steps the sandbox did not let run (retry / confirm refused / deny)
    invalid_replies: int
    step_seconds: tuple[float, ...]  # model latency per decided step
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    run_dir: str
    message: str


class SerialModel:
    """Lets threads share a model that is not thread-safe: one `decide` at a time."""

    def __init__(self, model: Model) -> None:
        self._model = model
        self._lock = threading.Lock()
        self.name = model.name
        self.backend = getattr(model, "backend", model.name.split(":")[0])

    def decide(self, request: DecideRequest, on_text: TextSink | None = None) -> ModelReply:
        with self._lock:
            return self._model.decide(request, on_text)


def find(paths: list[str]) -> list[Path]:
    """Scenario folders: each path is one, or a folder of them (sorted)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if (path / "scenario.yaml").is_file():
            out.append(path)
        elif path.is_dir():
            found = sorted(p.parent for p in path.glob("*/scenario.yaml"))
            if not found:
                raise UsageError(f"{path}: no scenario folders in it")
            out += found
        else:
            raise UsageError(f"{path}: no such scenario folder")
    return out


def run_one(scenario: Scenario, model: Model, policy: PolicyConfig, runs_dir: str,
            device_spec: str | None, max_pixels: int, yes: bool = False,
            privacy: Privacy = NO_PRIVACY, values: dict[str, str] | None = None) -> Outcome:
    """The scenario's goal with `model`, unattended (confirmations are refused unless `yes`),
    then `expect`. `{name}` placeholders are filled from `values` (those the scenario uses) or
    left for the executor when `privacy` has that secret; a scenario missing one fails alone."""
    t0 = time.monotonic()
    try:
        wanted = placeholders(scenario)
        scenario = fill(scenario, {k: v for k, v in (values or {}).items() if k in wanted},
                        frozenset(privacy.secrets))
    except UsageError as err:
        return Outcome(scenario.name, False, exit_code(err), "usage", 0, False, 0, 0, (), 0, 0,
                       round(time.monotonic() - t0, 3), "", str(err))
    spec = device_spec or scenario.device_spec
    kind, _ = parse_spec(spec)
    options = scenario.device_options if kind == scenario.device.get("kind", "sim") else {}
    plan = RunPlan(
        goal=scenario.goal, device_spec=spec, device_options=options, policy=policy,
        loop=LoopOptions(max_pixels=max_pixels, settle=settle_for(spec, None),
                         language=goal_language(scenario.goal)),
        runs_dir=runs_dir, interactive=False, expect=scenario.expect, privacy=privacy,
        extra_meta={"scenario": scenario.name, "eval": True},
    )
    try:
        result = execute(plan, model, person=Unattended(yes=yes),
                         view=JsonView(io.StringIO()))
    except QwenAgentError as err:  # the device could not be opened: this scenario fails, not all
        return Outcome(scenario.name, False, exit_code(err), "error", 0, False, 0, 0, (), 0, 0,
                       round(time.monotonic() - t0, 3), "", str(err))
    entries = read_trajectory(result.run_dir)
    return Outcome(
        scenario=scenario.name,
        success=result.exit_code == EXIT_DONE,  # session turns done-but-expect-failed into exit 1
        exit_code=result.exit_code, outcome=result.outcome, steps=result.steps,
        sandbox_stop=result.exit_code == EXIT_SANDBOX or result.outcome in SANDBOX_OUTCOMES,
        refused_steps=sum(1 for e in entries if e.verdict and e.verdict.get("decision") != "allow"
                          and not e.executed),
        invalid_replies=sum(1 for e in entries if (e.error or "").startswith("invalid reply")),
        step_seconds=tuple(float(e.timings.get("model") or 0.0) for e in entries),
        prompt_tokens=sum(int(e.tokens.get("prompt") or 0) for e in entries),
        completion_tokens=sum(int(e.tokens.get("completion") or 0) for e in entries),
        seconds=round(time.monotonic() - t0, 3), run_dir=result.run_dir, message=result.message,
    )


def run_all(scenarios: list[Scenario], model: Model, policy: PolicyConfig, runs_dir: str, *,
            concurrency: int = 1, devices: list[str] | None = None,
            max_pixels: int = 1_310_720, yes: bool = False, privacy: Privacy = NO_PRIVACY,
            values: dict[str, str] | None = None) -> tuple[list[Outcome], float]:
    """Every scenario, `concurrency` at a time; returns the outcomes (in input order) and the
    wall-clock seconds. `devices`: a pool of device specs, one scenario on each at a time."""
    pool: queue.Queue[str | None] = queue.Queue()
    for spec in devices or [None] * max(1, concurrency):  # type: ignore[list-item]
        pool.put(spec)
    workers = max(1, min(concurrency, len(devices) if devices else concurrency))

    def one(scenario: Scenario) -> Outcome:
        spec = pool.get()
        try:
            return run_one(scenario, model, policy, runs_dir, spec, max_pixels, yes, privacy, values)
        finally:
            pool.put(spec)

    t0 = time.monotonic()
    with ThreadPoolExecutor(workers, "eval") as ex:
        outcomes = list(ex.map(one, scenarios))
    return outcomes, time.monotonic() - t0


def table(outcomes: list[Outcome], s: dict[str, Any], model_name: str) -> str:
    rows = [f"{'scenario':<34} {'ok':<3} {'exit':>4} {'steps':>5} {'stop':>4} {'invalid':>7} "
            f"{'p50 s':>6} {'p95 s':>6} {'tokens':>7}  outcome"]
    for o in outcomes:
        p50 = percentile(o.step_seconds, 50)
        p95 = percentile(o.step_seconds, 95)
        rows.append(f"{o.scenario:<34} {'yes' if o.success else 'no':<3} {o.exit_code:>4} {o.steps:>5} "
                    f"{'yes' if o.sandbox_stop else '':>4} {o.invalid_replies:>7} "
                    f"{p50 if p50 is not None else '-':>6} {p95 if p95 is not None else '-':>6} "
                    f"{o.prompt_tokens + o.completion_tokens:>7}  {o.outcome}")
    rows.append("")
    rows.append(
        f"{model_name}: success {s['succeeded']}/{s['scenarios']} ({s['success_rate']:.0%}), "
        f"mean steps {s['mean_steps']}, sandbox stops {s['sandbox_stops']}, "
        f"invalid replies {s['invalid_replies']} ({s['invalid_reply_rate']:.0%} of replies), "
        f"latency per step p50 {s['latency_p50_s']} s / p95 {s['latency_p95_s']} s, "
        f"tokens {s['prompt_tokens']} prompt + {s['completion_tokens']} completion, "
        f"{s['wall_seconds']} s wall at concurrency {s['concurrency']}")
    return "\n".join(rows)
