"""The grammar for constrained decoding, derived from the one action schema file.

The reply is shaped "free reasoning, `</think>`, the action", the action being one JSON object
(`--prompt json`) or Qwen's `<tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>`
(`--prompt native`, the arguments constrained per action by `actions.toolcall.arguments_schema`).
The reasoning is any text but bounded in tokens (so a runaway chain of thought still ends in an
action; `budget.py` closes it with Qwen's early-stop sentence before this bound is reached);
special tokens (`</think>`, `<tool_call>`) are referred to by id (their text could also be spelled
with ordinary tokens, which the model never does); the JSON is forced to the schema. This module
only writes the grammar text (llguidance's Lark dialect); `constrained.py` runs it.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from actions.schema import action_schema
from actions.toolcall import arguments_schema

# What the chat template puts between `</think>` and the answer when it renders a past turn,
# i.e. what the model was trained to write there.
AFTER_THINK = "\n\n"
# The separators `json.dumps` writes and the prompt's examples show: one fixed spelling, so the
# model writes what it was shown and a random model cannot pad the object with whitespace.
ITEM_SEPARATOR = ", "
KEY_SEPARATOR = ": "


# Tokens an action needs besides its strings' contents (keys, punctuation, numbers).
STRUCTURE_TOKENS = 96


def string_cap(answer_tokens: int) -> int:
    """The longest string (in characters) the grammar allows, so the JSON fits `answer_tokens`.

    A character costs at most one token and an action has at most two free-text fields, so two
    strings of this length plus the structure always fit: a model that loops inside a string is
    still cut off with a complete, parseable action.
    """
    return max(8, (answer_tokens - STRUCTURE_TOKENS) // 2)


def grammar_schema(max_string_chars: int | None = None) -> dict[str, Any]:
    """The action schema in the form grammar engines handle best.

    `oneOf` becomes `anyOf`: the kinds are told apart by their `action` constant, so exactly one
    branch can ever match and the two mean the same, but `anyOf` needs no exclusivity check
    while decoding. Whitespace between JSON tokens is fixed to the separators: with flexible
    whitespace a random or confused model emits spaces forever inside a valid object. With
    `max_string_chars`, every string's `maxLength` is lowered to it (see `string_cap`); what the
    grammar accepts then stays a subset of what the schema accepts.
    """
    schema = copy.deepcopy(action_schema())
    if max_string_chars is not None:
        _cap_strings(schema, max_string_chars)
    for key in ("$schema", "$id", "title", "description"):
        schema.pop(key, None)
    schema["anyOf"] = schema.pop("oneOf")
    schema["x-guidance"] = {
        "whitespace_flexible": False,
        "item_separator": ITEM_SEPARATOR,
        "key_separator": KEY_SEPARATOR,
    }
    return schema


def tool_call_schema(tool: str, max_string_chars: int | None = None) -> dict[str, Any]:
    """The JSON inside `<tool_call>`: {"name": tool, "arguments": one action's arguments}."""
    schema: dict[str, Any] = {
        "type": "object",
        # A copy: the branches share sub-schemas with the cached action schema, which capping
        # would otherwise change for every validation after it.
        "properties": {"name": {"const": tool}, "arguments": copy.deepcopy(arguments_schema(tool))},
        "required": ["name", "arguments"],
        "additionalProperties": False,
    }
    if max_string_chars is not None:
        _cap_strings(schema, max_string_chars)
    schema["x-guidance"] = {
        "whitespace_flexible": False,
        "item_separator": ITEM_SEPARATOR,
        "key_separator": KEY_SEPARATOR,
    }
    return schema


def _cap_strings(node: Any, cap: int) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and "pattern" not in node and "enum" not in node:
            node["maxLength"] = min(int(node.get("maxLength", cap)), cap)
            node["minLength"] = min(int(node.get("minLength", 0)), cap)
        for value in node.values():
            _cap_strings(value, cap)
    elif isinstance(node, list):
        for value in node:
            _cap_strings(value, cap)


def lark_grammar(
    think_close_id: int | None,
    max_think_tokens: int,
    answer_tokens: int | None = None,
    tool: str | None = None,
    tool_call_ids: tuple[int, int] | None = None,
) -> str:
    """llguidance Lark text: bounded reasoning + `</think>` + the action, then end of turn.

    With `think_close_id=None` (a model whose template does not open a thinking block) the reply
    is the action alone. With `answer_tokens`, strings are capped so the action always fits.
    With `tool`, the action is a `<tool_call>` of that function (`tool_call_ids`: the ids of the
    `<tool_call>` and `</tool_call>` tokens, when the tokenizer has them).
    """
    lines = ["%llguidance {}"]
    if think_close_id is None:
        lines.append("start: action")
    else:
        if max_think_tokens < 1:
            raise ValueError("max_think_tokens must be positive")
        lines.append(f"start: think <[{int(think_close_id)}]> {json.dumps(AFTER_THINK)} action")
        lines.append(f"think[max_tokens={int(max_think_tokens)}]: /(?s:.*)/")
    cap = string_cap(answer_tokens) if answer_tokens else None
    if tool is None:
        lines.append("action: %json " + json.dumps(grammar_schema(cap), ensure_ascii=False))
    else:
        open_tag, close_tag = (
            (f"<[{int(tool_call_ids[0])}]>", f"<[{int(tool_call_ids[1])}]>") if tool_call_ids
            else ('"<tool_call>"', '"</tool_call>"')
        )
        # The spelling Qwen's prompt shows and its template writes: tags on lines of their own.
        lines.append(f'action: {open_tag} "\\n" call "\\n" {close_tag}')
        lines.append("call: %json " + json.dumps(tool_call_schema(tool, cap), ensure_ascii=False))
    return "\n".join(lines) + "\n"
