"""The engine: one run of the perceive -> think -> act loop, readable in one sitting.

    session.py   RunPlan -> execute(): the parts put together, expectations, report
    loop.py      Agent: the loop itself (a few lines), LoopOptions, RunResult
    stages.py    decide -> act (each primitive reviewed, then performed) -> record
    step.py      StepRecord: the one schema of a trajectory line
    model.py     the Model protocol: DecideRequest -> ModelReply
    perceive.py  capture, settle, the privacy filter on images, downscale
    privacy.py   secrets, redaction: the filter every line and image passes
    rundir.py    RunWriter: the run folder, flushed per step
    person.py    the Person port: ask, confirm, perform, show
    view.py      observers: the console view and JSON lines
    outcomes.py  an exception -> a run outcome and an exit code, in one place
    errors.py    ModelError, RunStopped

Dependencies point one way: actions <- devices <- policies <- agent.engine <- the rest of agent/.
"""

from agent.engine.errors import ModelError, RunStopped
from agent.engine.loop import Agent, LoopOptions, RunResult
from agent.engine.model import DecideRequest, Model, ModelReply, StepNote, TextSink
from agent.engine.outcomes import Outcome, classify, exit_code
from agent.engine.person import Performed, Person, ScriptedPerson, TerminalPerson, Unattended
from agent.engine.privacy import Privacy
from agent.engine.session import RunPlan, execute, goal_language
from agent.engine.step import PrimitiveRecord, StepRecord

__all__ = [
    "Agent", "DecideRequest", "LoopOptions", "Model", "ModelError", "ModelReply", "Outcome",
    "Performed", "Person", "PrimitiveRecord", "Privacy", "RunPlan", "RunResult", "RunStopped",
    "ScriptedPerson", "StepNote", "StepRecord", "TerminalPerson", "TextSink", "Unattended",
    "classify", "execute", "exit_code", "goal_language",
]
