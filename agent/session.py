"""One run, put together: device + model + sandbox + recorder + view -> the loop -> report."""

from __future__ import annotations

import re
import sys
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from actions.errors import EXIT_DONE, EXIT_NOT_DONE
from agent.expect import check_expect
from agent.handover import HandOver, NoHandOver, TerminalHandOver
from agent.loop import Actor, Agent, LoopOptions, RunResult
from agent.model import Model
from agent.privacy import Privacy
from agent.recorder import Recorder
from agent.report import write_report
from agent.view import ConsoleView, JsonView
from devices.base import Device
from devices.registry import open_device, parse_spec
from policies import AutoConfirm, Confirmer, PolicyConfig, Sandbox, TerminalConfirmer

VERSION = "0.1.0"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def goal_language(goal: str) -> str:
    """"zh" when the goal is written in Chinese, else "en" (the phone's UI language is separate)."""
    return "zh" if _CJK.search(goal) else "en"


@dataclass(frozen=True)
class RunPlan:
    goal: str
    device_spec: str
    device_options: dict[str, Any]
    policy: PolicyConfig
    loop: LoopOptions
    runs_dir: str = "runs"
    yes: bool = False
    json: bool = False
    interactive: bool = True  # hand-overs may ask on the terminal
    expect: dict[str, Any] = field(default_factory=dict)
    extra_meta: dict[str, Any] = field(default_factory=dict)
    privacy: Privacy = field(default_factory=Privacy)  # --secret / --redact / --no-frames


def execute(plan: RunPlan, model: Model, device: Device | None = None, *,
            handover: HandOver | None = None, confirmer: Confirmer | None = None,
            actor: Actor | None = None, view: Any = None) -> RunResult:
    """Run the loop once and record it. Opens the device unless one is given; always closes it.
    `handover` and `confirmer` replace the terminal ones (a UI, a test playing the person); `actor`
    carries out device actions instead of the device (guide mode); `view` replaces the console."""
    device = device or open_device(plan.device_spec, **plan.device_options)
    try:
        return _execute(plan, model, device, handover, confirmer, actor, view)
    finally:
        device.close()


def _execute(plan: RunPlan, model: Model, device: Device, handover: HandOver | None,
             confirmer: Confirmer | None, actor: Actor | None, view: Any) -> RunResult:
    kind, _ = parse_spec(plan.device_spec)
    meta = {
        "version": VERSION,
        "device": {"spec": plan.device_spec, "kind": kind,
                   "start": {"kind": kind, **plan.device_options}},
        "model": model.name,
        "backend": getattr(model, "backend", model.name.split(":")[0]),
        "policy": asdict(plan.policy),
        "language": plan.loop.language,
        "argv": sys.argv[1:],
        **({"expect": plan.expect} if plan.expect else {}),
        **plan.extra_meta,
        "privacy": {"secrets": sorted(plan.privacy.secrets), "redact": plan.privacy.redact,
                    "frames": plan.privacy.frames},
    }
    recorder = Recorder.create(plan.runs_dir, plan.goal, meta, plan.privacy)
    if view is None:
        view = JsonView() if plan.json else ConsoleView()
    view.header(plan.goal, device.name, model.name, str(recorder.path))
    if confirmer is None:
        confirmer = AutoConfirm() if plan.yes else TerminalConfirmer()
    if handover is None:
        handover = TerminalHandOver() if plan.interactive else NoHandOver()
    agent = Agent(model=model, device=device, sandbox=Sandbox(plan.policy, confirmer),
                  recorder=recorder, view=_Deferred(view), options=plan.loop, handover=handover,
                  actor=actor, privacy=plan.privacy)
    result = agent.run(plan.goal)
    if plan.expect:
        problems = check_expect(plan.expect, device)
        extra = {"expect_met": not problems, "expect_problems": problems}
        if problems and result.exit_code == EXIT_DONE:
            result = replace(result, outcome="expect_failed", exit_code=EXIT_NOT_DONE,
                             message="the end state is not as expected: " + "; ".join(problems))
        recorder.write_run_json(outcome=result.outcome, exit_code=result.exit_code,
                                message=result.message, extra=extra)
    write_report(recorder.path)
    view.end(result)
    return result


class _Deferred:
    """Passes everything to the view except `end`, which `_execute` calls once the expectations
    are checked (so the person sees the final verdict, not the loop's provisional one)."""

    def __init__(self, view: Any) -> None:
        self._view = view

    def __getattr__(self, name: str) -> Any:
        return getattr(self._view, name)

    def end(self, result: RunResult) -> None:
        pass
