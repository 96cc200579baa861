"""`PolicyConfig`: the sandbox's settings, read from YAML and checked key by key.

The defaults live in one place, `policies/default.yaml` (shipped as package data), never as Python
literals: `load_policy()` reads it, a user file overrides any subset of its keys, and CLI flags go
through `PolicyConfig.with_overrides`. Every bad value becomes a one-line `UsageError` naming the
file (or flag) and the key, because a user who mistyped a policy must not get a traceback - nor a
run with a silently ignored safety setting.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from actions import UsageError, action_kinds
from actions.safe_files import POLICY_BYTES, load_yaml, parse_yaml

DEFAULT_FILE = "default.yaml"
# Only in files and overrides, not a field: it is folded into `sensitive_keywords` when loading.
EXTRA_KEYWORDS = "sensitive_keywords_extra"
# Upper bounds: a value beyond them is a typo or an attack, never a setting anyone needs.
MAX_SECONDS = 7 * 24 * 3600
MAX_LIST = 1000  # keywords, action kinds
MAX_WORDS = 100  # characters in one keyword


class _Bad(ValueError):
    """A value that fails its key's rule; the caller adds where it came from."""


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _int(minimum: int, maximum: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        # bool is an int in Python; `max_steps: yes` is a mistake, not 1.
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Bad(f"must be an integer, got {_show(value)}")
        if value < minimum:
            raise _Bad(f"must be >= {minimum}, got {_show(value)}")
        if value > maximum:  # a 400-digit step limit is a mistake (or an attack), not "no limit"
            raise _Bad(f"must be <= {maximum:,}, got {_show(value)}")
        return value
    return check


def _positive_seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Bad(f"must be a number of seconds, got {_show(value)}")
    if math.isnan(value) or value <= 0:
        raise _Bad(f"must be > 0, got {_show(value)}")
    if value > MAX_SECONDS:  # also infinity, and an integer too large for a float
        raise _Bad(f"must be <= {MAX_SECONDS:,} (a week), got {_show(value)}")
    return float(value)


def _fraction(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Bad(f"must be a number between 0 and 1, got {_show(value)}")
    if not 0 <= value <= 1:  # also rejects NaN
        raise _Bad(f"must be between 0 and 1, got {value}")
    return float(value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad(f"must be true or false, got {_show(value)}")
    return value


def _strings(value: Any, what: str) -> tuple[str, ...]:
    # A bare string would otherwise be iterated letter by letter.
    if not isinstance(value, (list, tuple)):
        raise _Bad(f"must be a list of {what}, got {_show(value)}")
    if len(value) > MAX_LIST:
        raise _Bad(f"must be a list of at most {MAX_LIST:,} {what}, got {len(value):,}")
    out = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise _Bad(f"must be a list of non-empty strings, got item {_show(item)}")
        if len(item) > MAX_WORDS:
            raise _Bad(f"must be a list of strings of at most {MAX_WORDS} characters, got {_show(item)}")
        out.append(item.strip())
    return tuple(dict.fromkeys(out))  # drop repeats, keep order


def _kinds(value: Any) -> tuple[str, ...]:
    kinds = _strings(value, "action kinds")
    unknown = [k for k in kinds if k not in action_kinds()]
    if unknown:
        raise _Bad(f"unknown action kind {unknown[0]!r} (known: {', '.join(action_kinds())})")
    return kinds


def _kinds_or_none(value: Any) -> tuple[str, ...] | None:
    return None if value is None else _kinds(value)


def _keywords(value: Any) -> tuple[str, ...]:
    return _strings(value, "keywords")


def _path_or_none(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or "\0" in value or len(value) > 4096:
        raise _Bad(f"must be a file path or null, got {_show(value)}")
    return value.strip()


_RULES: dict[str, Callable[[Any], Any]] = {
    "max_steps": _int(1, 10_000),
    "max_seconds": _positive_seconds,
    "min_confidence": _fraction,
    "max_retries": _int(0, 100),
    "allow_actions": _kinds_or_none,
    "deny_actions": _kinds,
    "confirm_actions": _kinds,
    "sensitive_keywords": _keywords,
    "loop_repeats": _int(1, 1000),
    "dry_run": _bool,
    "kill_file": _path_or_none,
}


def _checked(rule: str, value: Any, prefix: str) -> Any:
    """The value normalised by `rule`'s check, or a UsageError "<prefix>: <why>"."""
    try:
        return _RULES[rule](value)
    except _Bad as err:
        raise UsageError(f"{prefix}: {err}") from None


def _in_file(where: str, key: str) -> str:
    return f"{where}: key {key!r}"


@dataclass(frozen=True)
class PolicyConfig:
    """The sandbox settings; see `policies/default.yaml` for what each key means and its default.

    Build it with `load_policy()`; constructing it directly validates every field the same way.
    """

    max_steps: int
    max_seconds: float
    min_confidence: float
    max_retries: int
    allow_actions: tuple[str, ...] | None
    deny_actions: tuple[str, ...]
    confirm_actions: tuple[str, ...]
    sensitive_keywords: tuple[str, ...]
    loop_repeats: int
    dry_run: bool
    kill_file: str | None

    def __post_init__(self) -> None:
        for f in fields(self):
            # Normalise lists to tuples so the config stays hashable and immutable.
            value = _checked(f.name, getattr(self, f.name), _in_file("policy", f.name))
            object.__setattr__(self, f.name, value)

    @classmethod
    def default(cls) -> PolicyConfig:
        return load_policy(None)

    def with_overrides(self, **changes: Any) -> PolicyConfig:
        """A copy with CLI flags applied (`max_steps=30, dry_run=True`); None means "not given".

        `sensitive_keywords_extra` adds keywords. Bad values raise `UsageError` naming the flag.
        """
        given = {k: v for k, v in changes.items() if v is not None}
        known = {f.name for f in fields(self)} | {EXTRA_KEYWORDS}
        for key in given:
            if key not in known:
                raise UsageError(f"unknown policy setting {key!r}")
        updates = {k: _checked(k, v, _flag(k)) for k, v in given.items() if k != EXTRA_KEYWORDS}
        if EXTRA_KEYWORDS in given:
            extra = _checked("sensitive_keywords", given[EXTRA_KEYWORDS], _flag(EXTRA_KEYWORDS))
            base = updates.get("sensitive_keywords", self.sensitive_keywords)
            updates["sensitive_keywords"] = tuple(dict.fromkeys((*base, *extra)))
        return dataclasses.replace(self, **updates)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for run.json (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v
                for k, v in dataclasses.asdict(self).items()}


def _flag(key: str) -> str:
    return "--" + key.replace("_", "-")


def load_policy(path: str | Path | None = None) -> PolicyConfig:
    """The packaged defaults (`path=None`), or a user file laid over them.

    A user file may set any subset of keys. `sensitive_keywords` replaces the default list;
    `sensitive_keywords_extra` adds to it (to the file's own list if it sets both). Anything wrong
    (unreadable file, invalid YAML, unknown key, wrong type, out of range, unknown action kind)
    raises `UsageError` with one line naming the file and the key.
    """
    values = dict(_default_values())
    if path is None:
        return PolicyConfig(**values)
    where = f"policy file {path}"
    data = _read_yaml(Path(path), where)
    unknown = [k for k in data if k not in values and k != EXTRA_KEYWORDS]
    if unknown:
        raise UsageError(f"{where}: unknown key {str(unknown[0])!r} "
                         f"(known: {', '.join([*values, EXTRA_KEYWORDS])})")
    for key, value in data.items():
        if key != EXTRA_KEYWORDS:
            values[key] = _checked(key, value, _in_file(where, key))
    if EXTRA_KEYWORDS in data:
        extra = _checked("sensitive_keywords", data[EXTRA_KEYWORDS], _in_file(where, EXTRA_KEYWORDS))
        values["sensitive_keywords"] = tuple(dict.fromkeys((*values["sensitive_keywords"], *extra)))
    return PolicyConfig(**values)


@cache
def _default_values() -> dict[str, Any]:
    """default.yaml, checked once; a broken packaged file is our bug, so it fails loudly too."""
    text = resources.files("policies").joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
    data = _parse_yaml(text, f"packaged {DEFAULT_FILE}")
    missing = [f.name for f in fields(PolicyConfig) if f.name not in data]
    extra = [k for k in data if k not in _RULES]
    if missing or extra:
        raise RuntimeError(f"packaged {DEFAULT_FILE}: missing {missing}, unexpected {extra}")
    return {k: _checked(k, v, _in_file(f"packaged {DEFAULT_FILE}", k)) for k, v in data.items()}


def _read_yaml(path: Path, where: str) -> dict[str, Any]:
    # A regular file within a cap, never a FIFO or /dev/zero; YAML without alias bombs, deep
    # nesting or 400-digit numbers (actions.safe_files).
    return _mapping(load_yaml(path, where, POLICY_BYTES), where)


def _parse_yaml(text: str, where: str) -> dict[str, Any]:
    return _mapping(parse_yaml(text, where), where)


def _mapping(data: Any, where: str) -> dict[str, Any]:
    if data is None:  # an empty file (or only comments) keeps every default
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"{where}: must be a mapping of policy keys, got {type(data).__name__}")
    return data
