"""One run, put together: a `RunPlan` + model + device + person + view -> the loop -> expectations
checked -> report.html. Every command that runs the agent comes through `execute`."""

from __future__ import annotations

import re
import sys
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from actions.errors import EXIT_DONE, EXIT_NOT_DONE
from agent.engine.loop import Agent, LoopOptions, RunResult
from agent.engine.model import Model
from agent.engine.person import Person, TerminalPerson, Unattended
from agent.engine.privacy import Privacy
from agent.engine.report import write_report
from agent.engine.rundir import RunWriter
from agent.engine.view import ConsoleView, JsonView, View
from agent.expect import check_expect
from devices.base import Device
from devices.registry import open_device, parse_spec
from policies import PolicyConfig, Sandbox

VERSION = "0.1.0"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def goal_language(goal: str) -> str:
    """"zh" when the goal is written in Chinese, else "en" (the phone's UI language is separate)."""
    return "zh" if _CJK.search(goal) else "en"


@dataclass(frozen=True)
class RunPlan:
    """Everything a run needs besides its model and person; built from the command line by
    `agent.commands.common.plan_from_args`."""

    goal: str
    device_spec: str
    device_options: dict[str, Any]
    policy: PolicyConfig
    loop: LoopOptions
    runs_dir: str = "runs"
    yes: bool = False
    json: bool = False
    interactive: bool = True  # a person may be at the terminal to ask and confirm
    expect: dict[str, Any] = field(default_factory=dict)
    extra_meta: dict[str, Any] = field(default_factory=dict)
    privacy: Privacy = field(default_factory=Privacy)  # --secret / --redact / --no-frames


def default_person(plan: RunPlan) -> Person:
    return TerminalPerson(yes=plan.yes) if plan.interactive else Unattended(yes=plan.yes)


def execute(plan: RunPlan, model: Model, device: Device | None = None, *,
            person: Person | None = None, view: View | None = None) -> RunResult:
    """Run the loop once and record it. Opens the device unless one is given; always closes it.
    `person` replaces the terminal one (guide mode, a UI, a test playing the person); `view`
    replaces the console."""
    device = device or open_device(plan.device_spec, **plan.device_options)
    try:
        return _execute(plan, model, device, person or default_person(plan), view)
    finally:
        device.close()


def _meta(plan: RunPlan, model: Model) -> dict[str, Any]:
    kind, _ = parse_spec(plan.device_spec)
    return {
        "version": VERSION,
        "device": {"spec": plan.device_spec, "kind": kind, "start": {"kind": kind, **plan.device_options}},
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


def _execute(plan: RunPlan, model: Model, device: Device, person: Person,
             view: View | None) -> RunResult:
    writer = RunWriter.create(plan.runs_dir, plan.goal, _meta(plan, model), plan.privacy)
    if view is None:
        view = JsonView() if plan.json else ConsoleView()
    view.header(plan.goal, device.name, model.name, str(writer.path))
    agent = Agent(model=model, device=device, sandbox=Sandbox(plan.policy, person), writer=writer,
                  view=view, options=plan.loop, person=person)
    result = agent.run(plan.goal)
    if plan.expect:
        problems = check_expect(plan.expect, device)
        extra = {"expect_met": not problems, "expect_problems": problems}
        if problems and result.exit_code == EXIT_DONE:
            result = replace(result, outcome="expect_failed", exit_code=EXIT_NOT_DONE,
                             message="the end state is not as expected: " + "; ".join(problems))
        writer.write_run_json(outcome=result.outcome, exit_code=result.exit_code,
                              message=result.message, extra=extra)
    try:
        write_report(writer.path)
    finally:  # a report that cannot be written (a full disk) still leaves the person told
        view.end(result)
        person.show(result)
    return result
