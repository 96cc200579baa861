"""Privacy: a filter every image and every line passes on its way out of the device layer.

- `--secret NAME=env:VAR`: the value of `$VAR` is typed wherever the model writes `{NAME}`. The
  model only ever sees and writes the placeholder (the goal names it, the history keeps it), and
  every line written has the value scrubbed back to its placeholder.
- `--redact`: text that reaches a password field (the device says so, primitive by primitive) is
  masked in its step, in every later line, in run.json (the goal too) and in the lines written
  before it — at once, before it is typed, so a run killed right after holds it nowhere. The run
  folder's name leaves the goal out.
- Images: under `--redact`, or with a `--secret`, password fields are blacked out of everything
  that leaves the device layer — the screenshot sent to the model, saved frames, drift images,
  report.html — since a "Show password" box can put a password on screen. Where the device cannot
  locate its password fields, the image is withheld instead (from the model once a secret has
  been typed: it is told the screen is hidden for privacy). A secret typed into a field that is
  not a password field shows on screen: from then on no image leaves at all.
- `--no-frames`: no image of any kind is written; the run folder keeps text only.
Run folders are created private to the user (0700) in every case.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import Any

from actions import UsageError
from devices.primitives import Primitive, Text
from devices.redact import MASK

MIN_MASKED = 3
_SPEC = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=env:([A-Za-z_][A-Za-z0-9_]*)$")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Privacy:
    secrets: dict[str, str] = field(default_factory=dict)  # NAME -> value (kept in memory only)
    redact: bool = False
    frames: bool = True
    masked: frozenset[str] = frozenset()  # text typed into password fields (--redact), shown as MASK
    secret_typed: bool = False  # a --secret value has reached the device
    secret_in_view: bool = False  # ... into a field that shows it: no image may leave any more

    @property
    def hides_passwords(self) -> bool:
        """Password fields are blacked out of every image: asked for, or a secret may be typed
        into one (a password field showing its text - "Show password" - must not leak it)."""
        return self.redact or bool(self.secrets)

    def mask(self, text: str) -> Privacy:
        """This privacy, with `text` (just typed into a password field) masked from now on. Text
        too short to search for safely (one or two characters) is masked in its own step only."""
        return self if len(text) < MIN_MASKED or text in self.masked else replace(
            self, masked=self.masked | {text})

    def secret_names(self, text: str) -> list[str]:
        """The --secret placeholders `text` holds."""
        return [name for name in _PLACEHOLDER.findall(text) if name in self.secrets]

    def fill(self, primitive: Primitive) -> Primitive:
        """The primitive the device performs: `{NAME}` placeholders replaced by secret values."""
        if not self.secrets or not isinstance(primitive, Text):
            return primitive
        text = primitive.text
        for name, value in self.secrets.items():
            text = text.replace("{" + name + "}", value)
        return primitive if text == primitive.text else Text(text)

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
