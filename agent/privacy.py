"""Private recordings: secrets typed by the executor, redaction, frame-less runs.

- `--secret NAME=env:VAR`: the value of `$VAR` is typed wherever the model writes `{NAME}` in a
  `type` action. The model only ever sees and writes the placeholder (the goal names it, the
  history keeps it), and the recorder scrubs the value from every line it writes, so it is never
  shown to the model nor written to disk.
- `--redact`: password fields (the device's UI tree: `password_regions`) are blacked out of every
  saved frame, and text typed into one (the device says so: `is_password_field` or its
  `describe_target`) is masked in its step, in every later line, in run.json (the goal too) and,
  when the run ends, in the lines written before it. The run folder's name leaves the goal out.
  A password the goal gives belongs in `--secret`: then the model never sees it at all.
- `--no-frames`: no screenshots are written; the run folder keeps text only.
Run folders are created private to the user (0700) by the recorder in every case.
"""

from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass, field, replace
from typing import Any

from actions import Action, Type, UsageError
from devices.redact import MASK

MIN_MASKED = 3
_SPEC = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=env:([A-Za-z_][A-Za-z0-9_]*)$")


@dataclass(frozen=True)
class Privacy:
    secrets: dict[str, str] = field(default_factory=dict)  # NAME -> value (kept in memory only)
    redact: bool = False
    frames: bool = True
    masked: frozenset[str] = frozenset()  # text typed into password fields (--redact), shown as MASK

    @property
    def hides_passwords(self) -> bool:
        """Password fields are blacked out of frames: asked for, or a secret may be typed into one
        (a password field showing its text - "Show password" - must not put it in a frame)."""
        return self.frames and (self.redact or bool(self.secrets))

    def mask(self, text: str) -> Privacy:
        """This privacy, with `text` (just typed into a password field) masked from now on. Text
        too short to search for safely (one or two characters) is masked in its own step only."""
        return self if len(text) < MIN_MASKED else replace(self, masked=self.masked | {text})

    def fill(self, action: Action) -> Action:
        """The action the device executes: `{NAME}` placeholders replaced by the secret values."""
        if not self.secrets or not isinstance(action, Type):
            return action
        text = action.text
        for name, value in self.secrets.items():
            text = text.replace("{" + name + "}", value)
        return action if text == action.text else replace(action, text=text)

    def scrub(self, data: Any) -> Any:
        """`data` with every secret value replaced by its placeholder (strings, lists, dicts)."""
        if not self.secrets and not self.masked:
            return data
        if isinstance(data, str):
            for name, value in self.secrets.items():
                data = data.replace(value, "{" + name + "}")
            for text in sorted(self.masked, key=len, reverse=True):  # "abc123" before "abc"
                data = data.replace(text, MASK)
            return data
        if isinstance(data, dict):
            return {k: self.scrub(v) for k, v in data.items()}
        if isinstance(data, (list, tuple)):
            return [self.scrub(v) for v in data]
        return data


def mask_typed(entry: dict[str, Any], text: str) -> None:
    """Mask `text` (typed into a password field) everywhere in one trajectory entry."""
    if not text:
        return
    for key in ("raw_reply", "thinking", "action_text"):
        if isinstance(entry.get(key), str):
            entry[key] = entry[key].replace(text, MASK)
    if isinstance(entry.get("action"), dict) and "text" in entry["action"]:
        entry["action"] = {**entry["action"], "text": MASK}
    entry["redacted"] = True


def parse_secrets(specs: list[str] | None, environ: dict[str, str] | None = None) -> dict[str, str]:
    env = os.environ if environ is None else environ
    out: dict[str, str] = {}
    for spec in specs or []:
        match = _SPEC.match(spec)
        if not match:
            raise UsageError(f"--secret {spec!r}: expected NAME=env:VAR, e.g. PIN=env:MY_PIN")
        name, var = match.groups()
        value = env.get(var)
        if not value:
            raise UsageError(f"--secret {name}: the environment variable {var} is not set or empty")
        out[name] = value
    return out


def add_privacy_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("privacy")
    g.add_argument("--secret", action="append", metavar="NAME=env:VAR",
                   help="type $VAR wherever the model writes {NAME}; never shown to the model or saved")
    g.add_argument("--redact", action="store_true",
                   help="black out password fields in frames; mask text typed into them everywhere")
    g.add_argument("--no-frames", dest="frames", action="store_false",
                   help="write no screenshots: the run folder keeps text only")


def privacy_from_args(args: argparse.Namespace) -> Privacy:
    return Privacy(secrets=parse_secrets(getattr(args, "secret", None)),
                   redact=bool(getattr(args, "redact", False)), frames=getattr(args, "frames", True))
