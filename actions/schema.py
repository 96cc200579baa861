"""The action schema file (`action.schema.json`) and validators derived from it.

The file is the single source of truth: the kinds, the per-kind validators, the prompt text and the
grammar for constrained decoding are all read from it, never written out again by hand.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_FILE = "action.schema.json"


@cache
def action_schema() -> dict[str, Any]:
    """The whole schema (a fresh copy must be taken before mutating it)."""
    text = resources.files("actions").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def action_kinds() -> tuple[str, ...]:
    """Action kinds in the order the schema lists them."""
    return tuple(ref["$ref"].rsplit("/", 1)[1] for ref in action_schema()["oneOf"])


def kind_schema(kind: str) -> dict[str, Any]:
    """The sub-schema of one kind, self-contained (its `$defs` copied in)."""
    schema = action_schema()
    sub = copy.deepcopy(schema["$defs"][kind])
    sub["$defs"] = schema["$defs"]
    return sub


@cache
def kind_validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(kind_schema(kind))


@cache
def validator() -> Draft202012Validator:
    return Draft202012Validator(action_schema())


def fields_of(kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, optional) field names of one kind, `action` excluded."""
    sub = action_schema()["$defs"][kind]
    required = tuple(f for f in sub["required"] if f != "action")
    optional = tuple(f for f in sub["properties"] if f not in sub["required"])
    return required, optional


def describe_kind(kind: str) -> str:
    return action_schema()["$defs"][kind].get("description", "")
