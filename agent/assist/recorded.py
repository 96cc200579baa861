"""Recorded help: what guide mode offers when no model is connected.

The shipped scenarios (`scenarios/`) are tasks done once on the simulated phone; followed step by
step they are real guidance, through the same loop and sandbox as a live model. `ui` and `assist`
fall back to them, with a banner saying how to connect a model, instead of failing.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from agent.scenario import SCENARIO_FILE, Scenario, load, placeholders

# Where the shipped scenarios are: the current folder's (a clone), then the repository's.
_BASES = (Path.cwd() / "scenarios", Path(__file__).resolve().parents[2] / "scenarios")

# The sandbox's hostile-screen scenarios and their harmless twins: tests, not help for a person.
_TEST_FAMILIES = ("adv-", "benign-")

NO_MODEL = {
    "en": ("No model is connected, so I can only show recorded help: pick one of the tasks below. "
           "To connect a model, start me with --model PATH (a downloaded Qwen3-VL checkpoint) or "
           "--backend openai --base-url URL --model NAME (a model server)."),
    "zh": ("还没有连接模型，现在只能按录好的步骤帮您：请从下面选一件事。"
           "要连接模型，请用 --model 路径（下载好的 Qwen3-VL）或 "
           "--backend openai --base-url 地址 --model 名称（模型服务器）启动。"),
}


@dataclass(frozen=True)
class RecordedTask:
    """One shipped scenario a person can be guided through without a model."""

    name: str
    goal: str
    lang: str
    path: Path

    def scenario(self) -> Scenario:
        return load(self.path)


def shipped_tasks(bases: tuple[Path, ...] = _BASES) -> list[RecordedTask]:
    """The shipped scenarios that make sense to a person: on the simulated phone, not the
    hostile-screen test families (`adv-*`, `benign-*`: traps on screen), needing no value typed
    in (`{NAME}`); one per goal."""
    tasks: dict[str, RecordedTask] = {}
    for base in bases:
        if not base.is_dir():
            continue
        for folder in sorted(p.parent for p in base.glob(f"*/{SCENARIO_FILE}")):
            if folder.name.startswith(_TEST_FAMILIES):
                continue
            try:
                scenario = load(folder)
            except Exception:  # noqa: BLE001 - a broken file in the user's folder is not ours to fix here
                continue
            if scenario.device.get("kind", "sim") != "sim" or placeholders(scenario):
                continue
            key = _norm(scenario.goal)
            if key not in tasks:
                tasks[key] = RecordedTask(scenario.name, scenario.goal,
                                          str(scenario.device.get("lang", "en")), folder)
    return list(tasks.values())


def match(goal: str, tasks: list[RecordedTask]) -> RecordedTask | None:
    """The task whose goal is (nearly) what the person typed, e.g. "turn off bluetooth"."""
    wanted = _norm(goal)
    if not wanted:
        return None
    scored = [(difflib.SequenceMatcher(None, wanted, _norm(t.goal)).ratio(), t) for t in tasks]
    best = max(scored, key=lambda pair: pair[0], default=None)
    return best[1] if best and best[0] >= 0.8 else None


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()
