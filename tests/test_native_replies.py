"""Real published GUI-agent replies (tests/fixtures/replies, sources in SOURCES.md): each parses to
the action its author meant or is rejected with one clear line; and through the whole loop, a
native `<tool_call>` reply, and a Thinking reply cut by the budget, end in an executed action."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from actions import ActionFormatError, grid_to_pixels, parse_reply
from agent.backends.budget import EARLY_STOP
from tests.helpers import REPO
from tests.test_backend_openai import FakeServer, Scripted, chunk

FIXTURES = Path(__file__).parent / "fixtures" / "replies"
CASES = json.loads((FIXTURES / "cases.json").read_text(encoding="utf-8"))
COOKBOOK = (FIXTURES / "qwen3-vl-235b-a22b-instruct_mobile-cookbook.txt").read_text(encoding="utf-8")


def test_every_fixture_has_a_case_and_a_source():
    files = sorted(p.name for p in FIXTURES.glob("*.txt"))
    assert files == sorted(CASES)
    sources = (FIXTURES / "SOURCES.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in sources for name in files)


@pytest.mark.parametrize("name", sorted(CASES))
def test_published_reply(name):
    reply = (FIXTURES / name).read_text(encoding="utf-8")
    case = CASES[name]
    if "action" in case:
        parsed = parse_reply(reply)
        assert parsed.action.to_dict() == case["action"]
        assert sorted(parsed.assumed) == case["assumed"]
    else:
        with pytest.raises(ActionFormatError) as err:
            parse_reply(reply)
        assert case["error"] in str(err.value) and "\n" not in str(err.value)


def test_published_replies_in_tokens():
    """The numbers the README's "Thinking budget" quotes, counted with the real Qwen3 tokenizer."""
    from transformers import AutoTokenizer

    from tests.tiny_model import tokenizer_dir

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir())
    counts = {name: len(tokenizer.encode((FIXTURES / name).read_text(encoding="utf-8"), add_special_tokens=False))
              for name in sorted(CASES)}
    reasoning = COOKBOOK.split("<tool_call>")[0]
    assert len(tokenizer.encode(reasoning, add_special_tokens=False)) == 50
    # gui-plus: 35 + <|im_end|> = the 36 completion tokens its documentation's response reports.
    assert counts == {"gui-plus_computer-use-docs.txt": 35,
                      "qwen2.5-vl-7b-instruct_mobile-cookbook.txt": 35,
                      "qwen3-vl-235b-a22b-instruct_mobile-cookbook.txt": 83,
                      "qwen3-vl-235b_issue-1860.txt": 93}


# --- through the loop: `qwen-agent run` against a loopback server (a FAKE model server) --------


def streamed(content: str = "", reasoning: str = "", finish: str = "stop") -> Scripted:
    """A reply streamed the way vLLM with a reasoning parser streams it."""
    events = [chunk(role="assistant")]
    events += [chunk(reasoning_content=reasoning[i:i + 20]) for i in range(0, len(reasoning), 20)]
    events += [chunk(content=content[i:i + 20]) for i in range(0, len(content), 20)]
    events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
    return Scripted(events=events)


def run(server: FakeServer, runs: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], list[dict]]:
    code = "import sys; from agent.commands import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.run(
        [sys.executable, "-c", code, "run", "search for Musk in X", "--device", "sim", "--backend", "openai",
         "--base-url", server.url, "--model", "Qwen/Qwen3-VL-8B-Thinking", "--max-steps", "1",
         "--runs-dir", str(runs), *extra],
        capture_output=True, text=True, timeout=120, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    (folder,) = [p for p in runs.iterdir() if p.is_dir()]
    steps = [json.loads(line) for line in (folder / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()]
    return proc, steps


def test_an_official_tool_call_reply_is_executed_as_its_author_meant(tmp_path):
    with FakeServer([streamed(COOKBOOK, "Tap the search bar.")]) as server:
        proc, steps = run(server, tmp_path)
    assert "Traceback" not in proc.stderr and proc.returncode == 1  # one step, then the step limit
    (step,) = steps
    assert step["reply_format"] == "tool_call" and step["executed"] is True
    assert step["action"]["coordinates"] == [447, 81]
    assert step["pixel"] == list(grid_to_pixels((447, 81), (1080, 2400)))
    sent = server.requests[0]
    assert "<tools>" in sent["messages"][0]["content"]  # the native prompt: a Qwen3-VL model name


def test_a_thinking_reply_cut_by_the_budget_is_continued_and_executed(tmp_path):
    thought = "To search for Musk in X, I need to click on the search bar at the top of the screen. This"
    call = COOKBOOK[COOKBOOK.index("<tool_call>"):]
    with FakeServer([streamed(reasoning=thought, finish="length"), streamed(call)]) as server:
        proc, steps = run(server, tmp_path, "--thinking-budget", "24")
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    (step,) = steps
    assert step["executed"] is True and step["error"] is None and step["action"]["action"] == "tap"
    assert EARLY_STOP in step["thinking"] and thought in step["thinking"]
    first, second = server.requests
    assert first["max_tokens"] == 24
    assert second["continue_final_message"] is True and second["add_generation_prompt"] is False
    assert second["messages"][-1]["content"].endswith(EARLY_STOP + "\n</think>\n\n")


def test_locally_a_cut_budget_gives_an_action_not_an_invalid_step(tmp_path):
    pytest.importorskip("torch")
    from tests.tiny_model import cached_tiny_model

    code = "import sys; from agent.commands import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.run(
        [sys.executable, "-c", code, "run", "turn off Bluetooth", "--device", "sim", "--model",
         str(cached_tiny_model()), "--max-steps", "2", "--thinking-budget", "4", "--temperature", "0",
         "--min-confidence", "0", "--runs-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    steps = [json.loads(line) for line in (folder / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()]
    assert steps
    for step in steps:
        assert EARLY_STOP + "\n</think>" in step["raw_reply"]  # every step's thinking was cut ...
        assert step["action"] and not (step["error"] or "").startswith("invalid reply")  # ... and acted on
    assert any(step["executed"] for step in steps)
