"""`qwen-agent eval`: goals run with a model (not the recorded steps), figures as a table and
JSON, and `--concurrency` against one OpenAI-compatible server (a loopback one here)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from agent.commands.model import add_model_arguments, model_from_args
from agent.eval import find, run_all, table
from agent.eval_stats import percentile, summarise
from agent.scenario import load
from policies import load_policy
from tests.helpers import REPO, run_cli
from tests.test_backend_openai import FakeServer, Scripted, chunk
from tests.tiny_model import cached_tiny_model

DONE = json.dumps({"action": "done", "text": "finished", "confidence": 0.9})
USAGE = {"id": "c", "object": "chat.completion.chunk", "choices": [],
         "usage": {"prompt_tokens": 1500, "completion_tokens": 40, "total_tokens": 1540}}


def _server(delay: float) -> FakeServer:
    return FakeServer([Scripted(delay=delay, events=[chunk(reasoning_content="It is done."),
                                                     chunk(content=DONE), USAGE])])


def _openai_model(url: str):
    parser = argparse.ArgumentParser()
    add_model_arguments(parser)
    return model_from_args(parser.parse_args(["--backend", "openai", "--base-url", url, "--model", "qwen"]))


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([float(i) for i in range(1, 101)], 95) == 95.0
    assert percentile([0.5], 95) == 0.5


def test_concurrency_4_against_one_server_is_faster_than_1(tmp_path: Path) -> None:
    scenarios = [load(f) for f in find([str(REPO / "scenarios")])][:4]
    policy = load_policy(None)
    with _server(delay=0.8) as server:
        model = _openai_model(server.url)
        serial, t1 = run_all(scenarios, model, policy, str(tmp_path / "c1"), concurrency=1)
        parallel, t4 = run_all(scenarios, model, policy, str(tmp_path / "c4"), concurrency=4)
    ratio = t1 / t4
    print(f"eval wall time, 4 scenarios: concurrency 1 {t1:.2f} s, 4 {t4:.2f} s, ratio {ratio:.2f}")
    assert ratio > 1.5
    # Same results either way, in input order, each in its own run folder.
    assert [o.scenario for o in parallel] == [o.scenario for o in serial] == [s.name for s in scenarios]
    assert [o.exit_code for o in parallel] == [o.exit_code for o in serial]
    assert len({o.run_dir for o in parallel}) == 4
    s = summarise(parallel, t4, 4)
    assert s["scenarios"] == 4 and s["mean_steps"] == 1.0 and s["invalid_replies"] == 0
    assert s["prompt_tokens"] == 4 * 1500 and s["completion_tokens"] == 4 * 40
    assert s["latency_p50_s"] >= 0.8
    # "done" on the first screen succeeds only where the start already meets `expect`.
    assert s["succeeded"] == sum(o.success for o in parallel) < 4
    assert "success" in table(parallel, s, "qwen") and "p95 s" in table(parallel, s, "qwen")


def test_eval_cli_with_the_tiny_model_reports_honest_numbers(tmp_path: Path) -> None:
    tiny = cached_tiny_model()
    proc = run_cli("eval", str(REPO / "scenarios" / "bluetooth-off"), str(REPO / "scenarios" / "wifi-join-secret"),
                   "--model", str(tiny), "--max-steps", "1", "--max-new-tokens", "16",
                   "--runs-dir", str(tmp_path), "--json", timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    totals = data["totals"]
    assert totals["scenarios"] == 2 and totals["succeeded"] == 0  # a random model does not succeed
    assert totals["prompt_tokens"] > 1000 and totals["latency_p50_s"] is not None
    assert data["scenarios"][0]["steps"] >= 1
    # A scenario that needs a secret nobody gave fails on its own, with the fix; the rest run.
    assert data["scenarios"][1]["outcome"] == "usage" and "--secret" in data["scenarios"][1]["message"]


def test_eval_types_a_secret_and_writes_it_nowhere(tmp_path: Path) -> None:
    from agent.engine.privacy import Privacy
    from agent.eval import run_one
    from agent.replay import ReplayModel

    scenario = load(REPO / "scenarios" / "wifi-join-secret")
    secret = "eval-secret-5150"
    outcome = run_one(scenario, ReplayModel(scenario.steps), load_policy(), str(tmp_path), None, 1_310_720,
                      yes=True, privacy=Privacy(secrets={"WIFI_PASSWORD": secret}))
    assert outcome.success, outcome.message
    assert not [p for p in Path(outcome.run_dir).rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


@pytest.mark.parametrize("argv", [["eval", "/nonexistent"], ["eval", "scenarios", "--concurrency", "0"]])
def test_eval_usage_errors_are_one_line(argv: list[str]) -> None:
    proc = run_cli(*argv, "--backend", "openai", "--base-url", "http://127.0.0.1:9/v1", "--model", "q")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
