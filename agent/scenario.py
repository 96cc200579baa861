"""Scenarios (ARCHITECTURE.md, "Scenario") and run folders, loaded as something to replay.

`scenario.yaml`: name, goal, device (mapping with `kind`; for sim also `lang`, `screen`, `state`),
steps (actions as the model would emit them, or raw replies), expect (end-state checks), and
optionally frames (per step, the recorded screen before it, for verified replay). Steps and the
goal may hold `{name}` placeholders, filled by `fill` (`--set name=value`).
A run folder replays the same way: its recorded raw replies, in order, on the recorded device.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from actions import UsageError
from actions.safe_files import (
    IMAGE_BYTES,
    RUN_JSON_BYTES,
    SCENARIO_BYTES,
    TRAJECTORY_BYTES,
    check_regular,
    load_json,
    parse_yaml,
    read_text,
)
from agent.engine.rundir import RUN_JSON, TRAJECTORY, read_trajectory
from agent.expect import normalize

SCENARIO_FILE = "scenario.yaml"
DEVICE_KINDS = ("sim", "desktop", "adb")
DEVICE_KEYS = {"kind", "lang", "screen", "state", "serial", "monitor", "display"}
# Device keys that become constructor options (the rest name the device in its spec).
OPTION_KEYS = {"sim": ("lang", "screen", "state"), "desktop": ("display",), "adb": ()}
SCENARIO_KEYS = {"name", "goal", "device", "steps", "expect", "description", "frames"}
MAX_GOAL = 10_000  # characters: a goal is a sentence, not a document


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
    try:
        path = Path(path)
        if path.is_file() and path.name == SCENARIO_FILE:
            path = path.parent
        if (path / SCENARIO_FILE).exists():
            return _load_scenario(path)
        if (path / RUN_JSON).exists() and (path / TRAJECTORY).exists():
            return _load_run(path)
    except (OSError, ValueError) as err:  # a path too long, a loop of links, a NUL
        raise UsageError(f"{path}: cannot read it: {err}") from None
    raise UsageError(f"{path} is neither a scenario folder (with {SCENARIO_FILE}) nor a run folder")


def _load_scenario(folder: Path) -> Scenario:
    file = folder / SCENARIO_FILE
    data = parse_yaml(read_text(file, str(file), SCENARIO_BYTES), f"{file}: cannot read it")
    if not isinstance(data, dict):
        raise UsageError(f"{file}: must be a mapping with name, goal, device, steps, expect")
    unknown = set(data) - SCENARIO_KEYS
    if unknown:
        raise UsageError(f"{file}: unknown keys {sorted(map(str, unknown))}")  # YAML keys need not be strings
    for key in ("goal", "steps"):
        if key not in data:
            raise UsageError(f"{file}: missing {key!r}")
    steps = data["steps"]
    if not isinstance(steps, list) or not steps or not all(isinstance(s, (str, dict)) for s in steps):
        raise UsageError(f"{file}: steps must be a non-empty list of actions (mappings) or raw replies")
    frames = data.get("frames") or []
    if not isinstance(frames, list) or len(frames) > len(steps) or not all(
            f is None or (isinstance(f, str) and f) for f in frames):
        raise UsageError(f"{file}: frames must be a list of image paths (or null), at most one per step")
    for f in frames:  # read (and refused: a FIFO, a bomb) before replaying; here: that they exist
        if f:
            check_regular(folder / f, f"{file}: frame {f}", IMAGE_BYTES)
    return Scenario(name=_name(data.get("name"), folder.name), goal=_goal(data["goal"], str(file)),
                    device=check_device(data.get("device"), str(file)), steps=tuple(steps),
                    expect=normalize(data.get("expect"), folder, str(file)), source=str(folder),
                    frames=tuple(str(folder / f) if f else None for f in frames))


def _load_run(folder: Path) -> Scenario:
    run = read_run_json(folder)
    check_regular(folder / TRAJECTORY, str(folder / TRAJECTORY), TRAJECTORY_BYTES)
    entries = [e for e in read_trajectory(folder) if e.raw_reply is not None]
    if not entries:
        raise UsageError(f"{folder}: the run recorded no model replies to replay")
    return Scenario(name=folder.name, goal=run["goal"], device=run["device"]["start"],
                    steps=tuple(e.raw_reply for e in entries), expect=run["expect"], source=str(folder),
                    frames=tuple(_run_frame(folder, e.frame) for e in entries))


def read_run_json(folder: Path) -> dict[str, Any]:
    """A run folder's run.json, with the fields a replay or a resume uses checked and normalised:
    `goal` a string, `device.start` a device mapping, `device.spec` a string, `expect` checked as a
    scenario's, `privacy.secrets` a list of names. UsageError, one line, for anything else."""
    where = str(folder / RUN_JSON)
    run = load_json(folder / RUN_JSON, where, RUN_JSON_BYTES)
    if not isinstance(run, dict):  # found by tests/test_fuzz.py
        raise UsageError(f"{where}: must be a JSON object")
    device = run.get("device") or {"kind": "sim"}
    if not isinstance(device, dict):
        raise UsageError(f"{where}: 'device' must be a mapping")
    start = check_device(device.get("start"), f"{where}: device.start")
    spec = device.get("spec") or start["kind"]
    if not isinstance(spec, str) or len(spec) > 200:
        raise UsageError(f"{where}: 'device.spec' must be a device name like sim or adb:SERIAL")
    privacy = run.get("privacy") or {}
    secrets = (privacy.get("secrets") or []) if isinstance(privacy, dict) else None
    if not isinstance(secrets, list) or not all(isinstance(n, str) for n in secrets):
        raise UsageError(f"{where}: 'privacy.secrets' must be a list of names")
    return {**run, "goal": _goal(run.get("goal", ""), where), "device": {**device, "start": start, "spec": spec},
            "expect": normalize(run.get("expect"), folder, where),
            "privacy": {**privacy, "secrets": secrets}}


def check_device(device: Any, where: str) -> dict[str, Any]:
    """A scenario's `device` mapping (or a run's `device.start`), checked; None means the sim."""
    if device is None:
        return {"kind": "sim"}
    if not isinstance(device, dict) or not set(device) <= DEVICE_KEYS:
        raise UsageError(f"{where}: device must be a mapping with keys from {sorted(DEVICE_KEYS)}")
    out = dict(device)
    kind = out.setdefault("kind", "sim")
    if not isinstance(kind, str) or kind not in DEVICE_KINDS:
        raise UsageError(f"{where}: device kind must be one of {', '.join(DEVICE_KINDS)}, got {_show(kind)}")
    for key in ("serial", "monitor"):  # YAML reads a serial of digits as a number
        if isinstance(out.get(key), int) and not isinstance(out[key], bool):
            out[key] = str(out[key])
    for key in ("lang", "screen", "serial", "monitor", "display"):
        if key in out and not (isinstance(out[key], str) and 0 < len(out[key]) <= 200):
            raise UsageError(f"{where}: device {key} must be a short string, got {_show(out[key])}")
    if out.get("state") is not None and not isinstance(out["state"], dict):
        raise UsageError(f"{where}: device state must be a mapping of sim state keys, got {_show(out['state'])}")
    return out


def _run_frame(folder: Path, frame: str | None) -> str | None:
    """A trajectory line's frame as a path, or None: none recorded, or never written (a run killed
    mid-step by an older version, which wrote a line before its frame): that step replays
    unverified. A frame outside the run folder is not one of its frames."""
    if not frame:
        return None
    relative = PurePosixPath(frame)
    if relative.is_absolute() or ".." in relative.parts or "\0" in frame:
        raise UsageError(f"{folder / TRAJECTORY}: frame {_show(frame)} is not inside the run folder")
    path = folder / relative
    return str(path) if os.path.lexists(path) else None


def _goal(goal: Any, where: str) -> str:
    if not isinstance(goal, str) or len(goal) > MAX_GOAL:
        raise UsageError(f"{where}: goal must be a string of at most {MAX_GOAL:,} characters, got {_show(goal)}")
    return goal


def _name(name: Any, default: str) -> str:
    return str(name)[:200] if isinstance(name, (str, int, float)) and str(name) else default


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


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
