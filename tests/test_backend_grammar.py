"""The constrained-decoding grammar is derived from the schema file, never written by hand."""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from actions.schema import action_schema
from agent.backends.grammar import grammar_schema, lark_grammar, string_cap


def test_grammar_schema_is_the_schema_with_any_of():
    derived = grammar_schema()
    original = action_schema()
    assert derived["$defs"] == original["$defs"]
    assert derived["anyOf"] == original["oneOf"]
    assert derived["x-guidance"]["whitespace_flexible"] is False


def test_capped_schema_accepts_a_subset():
    capped = grammar_schema(max_string_chars=20)
    assert capped["$defs"]["done"]["properties"]["text"]["maxLength"] == 20
    assert capped["$defs"]["key"]["properties"]["key"]["maxLength"] == 60  # patterns untouched
    validator = Draft202012Validator(capped)
    assert validator.is_valid({"action": "done", "text": "x" * 20, "confidence": 1})
    assert not validator.is_valid({"action": "done", "text": "x" * 21, "confidence": 1})


def test_lark_grammar_refers_to_think_close_by_id_and_bounds_reasoning():
    text = lark_grammar(151668, 300, answer_tokens=1024)
    assert "<[151668]>" in text and "max_tokens=300" in text
    schema = json.loads(text.split("%json ", 1)[1])
    assert schema["$defs"]["type"]["properties"]["text"]["maxLength"] == string_cap(1024)


def test_without_thinking_the_reply_is_json_alone():
    assert "think" not in lark_grammar(None, 300).split("action: %json")[0]


def test_string_cap_leaves_room_for_two_strings_and_structure():
    for budget in (128, 512, 1024):
        assert 2 * string_cap(budget) + 96 <= budget


def _matcher(grammar: str):
    import llguidance
    import llguidance.hf
    from transformers import AutoTokenizer

    from tests.tiny_model import tokenizer_dir

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir())
    ll = llguidance.hf.from_tokenizer(tokenizer, n_vocab=len(tokenizer), eos_token=[151645])
    matcher = llguidance.LLMatcher(ll, grammar, log_level=0)
    assert not matcher.is_error(), matcher.get_error()
    return tokenizer, matcher


def _consume(tokenizer, matcher, pieces: list[str | int]) -> bool:
    """Feed text pieces (tokenized) and special token ids; True if all were accepted."""
    for piece in pieces:
        ids = [piece] if isinstance(piece, int) else tokenizer.encode(piece, add_special_tokens=False)
        for token in ids:
            if not matcher.consume_token(token):
                return False
    return not matcher.is_error()


def test_native_grammar_takes_a_tool_call_with_element_and_confidence():
    import pytest

    pytest.importorskip("llguidance")
    text = lark_grammar(151668, 64, answer_tokens=256, tool="mobile_use", tool_call_ids=(151657, 151658))
    tokenizer, matcher = _matcher(text)
    call = '{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [870, 233], ' \
           '"element": "Bluetooth toggle", "confidence": 0.9}}'
    assert _consume(tokenizer, matcher, ["The toggle is on the right.", 151668, "\n\n", 151657, "\n", call, "\n", 151658])
    assert matcher.is_accepting()


def test_native_grammar_refuses_a_click_without_its_element():
    import pytest

    pytest.importorskip("llguidance")
    tokenizer, matcher = _matcher(lark_grammar(151668, 64, 256, tool="mobile_use", tool_call_ids=(151657, 151658)))
    call = '{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [870, 233], "confidence"'
    assert not _consume(tokenizer, matcher, ["ok", 151668, "\n\n", 151657, "\n", call])


def test_capping_the_native_grammar_leaves_the_action_schema_alone() -> None:
    """Found by the fuzz test in the full suite: lowering string caps for a native grammar changed
    the cached schema every later reply is validated against (a 20-character `done` text failed)."""
    import json

    from actions.schema import action_schema
    from actions.toolcall import COMPUTER, MOBILE
    from agent.backends.grammar import tool_call_schema

    before = json.dumps(action_schema(), sort_keys=True)
    for tool in (MOBILE, COMPUTER):
        tool_call_schema(tool, max_string_chars=8)
    assert json.dumps(action_schema(), sort_keys=True) == before
