"""Scenarios (ARCHITECTURE.md, "Scenario") and run folders, loaded as something to replay.

`scenario.yaml`: name, goal, device (mapping with `kind`; for sim also `lang`, `screen`, `state`),
steps (actions as the model would emit them, or raw replies), expect (end-state checks), and
optionally frames (per step, the recorded screen before it, for verified replay). Steps and the
goal may hold `{name}` placeholders, filled by `fill` (`--set name=value`).
A run folder replays the same way: its recorded raw replies, in order, on the recorded device.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from actions import UsageError
from agent.engine.rundir import RUN_JSON, TRAJECTORY, read_trajectory
from agent.expect import normalize

SCENARIO_FILE = "scenario.yaml"
DEVICE_KEYS = {"kind", "lang", "screen", "state", "serial", "monitor", "display"}
# Device keys that become constructor options (the rest name the device in its spec).
OPTION_KEYS = {"sim": ("lang", "screen", "state"), "desktop": ("display",), "adb": ()}


@dataclass(frozen=True)
class Scenario:
    name: str
    goal: str
    device: dict[str, Any]
    steps: tuple[Any, ...]
    expect: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    frames: tuple[str | None, ...] = ()  # per step: the recorded frame before it (a file path)

    @property
    def device_spec(self) -> str:
        kind = self.device.get("kind", "sim")
        arg = self.device.get("serial") if kind == "adb" else self.device.get("monitor")
        return f"{kind}:{arg}" if arg else kind

    @property
    def device_options(self) -> dict[str, Any]:
        """Constructor options for the device (the simulated phone's starting point, an X display)."""
        keys = OPTION_KEYS.get(self.device.get("kind", "sim"), ())
        return {k: self.device[k] for k in keys if k in self.device}


def load(path: str | Path) -> Scenario:
    """A scenario folder (or its scenario.yaml) or a run folder. Raises UsageError, one line."""
    path = Path(path)
    if path.is_file() and path.name == SCENARIO_FILE:
        path = path.parent
    if (path / SCENARIO_FILE).is_file():
        return _load_scenario(path)
    if (path / RUN_JSON).is_file() and (path / TRAJECTORY).is_file():
        return _load_run(path)
    raise UsageError(f"{path} is neither a scenario folder (with {SCENARIO_FILE}) nor a run folder")


def _load_scenario(folder: Path) -> Scenario:
    file = folder / SCENARIO_FILE
    try:
        # libyaml's safe loader where built (10x faster; the fuzz test loads 10,000 scenarios).
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise UsageError(f"{file}: cannot read it: {str(err).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{file}: must be a mapping with name, goal, device, steps, expect")
    unknown = set(data) - {"name", "goal", "device", "steps", "expect", "description",
                       "frames"}
    if unknown:
        raise UsageError(f"{file}: unknown keys {sorted(map(str, unknown))}")  # YAML keys need not be strings
    for key in ("goal", "steps"):
        if key not in data:
            raise UsageError(f"{file}: missing {key!r}")
    device = data.get("device") or {"kind": "sim"}
    if not isinstance(device, dict) or not set(device) <= DEVICE_KEYS:
        raise UsageError(f"{file}: device must be a mapping with keys from {sorted(DEVICE_KEYS)}")
    steps = data["steps"]
    if not isinstance(steps, list) or not steps:
        raise UsageError(f"{file}: steps must be a non-empty list")
    expect = normalize(data.get("expect"), folder, str(file))
    frames = data.get("frames") or []
    if not isinstance(frames, list) or len(frames) > len(steps):
        raise UsageError(f"{file}: frames must be a list of image paths, at most one per step")
    return Scenario(name=str(data.get("name") or folder.name), goal=str(data["goal"]), device=device,
                    steps=tuple(steps), expect=expect, source=str(folder),
                    frames=tuple(str(folder / f) if f else None for f in frames))


def _load_run(folder: Path) -> Scenario:
    try:
        run = json.loads((folder / RUN_JSON).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UsageError(f"{folder / RUN_JSON}: cannot read it: {err}") from None
    if not isinstance(run, dict):  # found by tests/test_fuzz.py
        raise UsageError(f"{folder / RUN_JSON}: must be a JSON object")
    try:
        entries = [e for e in read_trajectory(folder) if e.raw_reply is not None]
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"{folder / TRAJECTORY}: cannot read it: {err}") from None
    steps = [e.raw_reply for e in entries]
    if not steps:
        raise UsageError(f"{folder}: the run recorded no model replies to replay")
    device = run.get("device") or {"kind": "sim"}
    if not isinstance(device, dict) or not isinstance(device.get("start", {}), dict) or not isinstance(
            run.get("expect") or {}, dict):
        raise UsageError(f"{folder / RUN_JSON}: 'device.start' and 'expect' must be mappings")
    return Scenario(name=folder.name, goal=str(run.get("goal", "")), device=dict(device.get("start", {"kind": "sim"})),
                    steps=tuple(steps), expect=run.get("expect") or {}, source=str(folder),
                    frames=tuple(str(folder / e.frame) if e.frame else None for e in entries))


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def placeholders(scenario: Scenario) -> list[str]:
    """The `{name}` placeholders used in the goal and steps, in order of first use."""
    found: dict[str, None] = {}
    for value in _strings([scenario.goal, list(scenario.steps), scenario.expect]):
        for name in _PLACEHOLDER.findall(value):
            found.setdefault(name)
    return list(found)


def fill(scenario: Scenario, values: dict[str, str], secrets: frozenset[str] = frozenset()) -> Scenario:
    """The scenario with every `{name}` replaced. Raises UsageError (one line, before anything
    runs) naming each placeholder without a value, and each value no placeholder uses.
    Placeholders named in `secrets` (`--secret NAME=env:VAR`) stay: the executor types them."""
    clash = sorted(set(values) & secrets)
    if clash:
        raise UsageError(f"{', '.join(clash)}: given both as --set and as --secret")
    used = [n for n in placeholders(scenario) if n not in secrets]
    missing = [n for n in used if n not in values]
    if missing:
        raise UsageError(f"{scenario.name} needs " + ", ".join(f"--set {n}=VALUE" for n in missing)
                         + " (or, for a password, --secret NAME=env:VAR)")
    unused = sorted(set(values) - set(used))
    if unused:
        raise UsageError(f"{scenario.name} has no placeholder {', '.join('{' + n + '}' for n in unused)}")

    def sub(value: Any) -> Any:
        if isinstance(value, str):
            return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), value)
        if isinstance(value, dict):
            return {k: sub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [sub(v) for v in value]
        return value

    return replace(scenario, goal=sub(scenario.goal), steps=tuple(sub(list(scenario.steps))),
                   expect=sub(scenario.expect))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []
