"""Capping the grammar's strings (for the answer budget) leaves the action schema itself alone:
the validator must still accept a `done` text longer than the grammar's cap."""

from __future__ import annotations

from actions import action_schema, parse_reply
from actions.toolcall import COMPUTER, MOBILE
from agent.backends.grammar import tool_call_schema


def test_capping_a_tool_call_grammar_does_not_shrink_the_action_schema() -> None:
    before = action_schema()["$defs"]["done"]["properties"]["text"].get("maxLength")
    for tool in (MOBILE, COMPUTER):
        tool_call_schema(tool, 8)
    assert action_schema()["$defs"]["done"]["properties"]["text"].get("maxLength") == before
    parsed = parse_reply('{"action": "done", "text": "Done: Turn off Bluetooth", "confidence": 0.9}')
    assert parsed.action.to_dict()["text"] == "Done: Turn off Bluetooth"
