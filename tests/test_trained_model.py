"""A model trained here that works: export -> finetune -> eval, end to end on the CPU.

A small random Qwen3-VL (`tests/tiny_trainable.py`: the tiny test checkpoint's tokenizer, template
and processor, a 128-wide 4-layer language model) is fine-tuned on the shipped everyday scenarios
-- English and Chinese, played on the simulated phone by `qwen-agent export` -- plus
send-message-guarded, whose last step presses Send. Then `qwen-agent eval` gives it each scenario's
goal (not its steps) on the scenario's starting screen, through the real transformers backend with
constrained decoding, greedy: it must reach the expected end state in at least 5 of the 6.
The sandbox still reviews every action it takes: the Send it learned is stopped (exit 3) and
nothing is sent. The same checkpoint served by `transformers serve` is evaluated the same way.

Minutes of CPU: marked slow. The measured figures (dataset size, training time, success per
scenario) are printed; tests/test_finetune.py is the quick version.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("peft")
pytest.importorskip("llguidance")

from tests.helpers import REPO, run_cli  # noqa: E402
from tests.tiny_trainable import build_trainable_model  # noqa: E402

pytestmark = pytest.mark.slow

SIX = ("bluetooth-off", "wifi-on", "font-larger", "note-add", "zh-font-bigger", "zh-dark-theme")
GUARDED = "send-message-guarded"
PIXELS = "65536"  # the budget the data is exported at and the model runs at
EPOCHS = "50"
LR = "3e-3"
# Greedy, the reply's thinking well inside the budget, and the prompt the data was made with.
RUN_FLAGS = ("--temperature", "0", "--thinking-budget", "96", "--max-pixels", PIXELS, "--prompt", "native")


def _scenarios(*names: str) -> list[str]:
    return [str(REPO / "scenarios" / name) for name in names]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("trained")
    base = build_trainable_model(root / "base")
    data = root / "data"
    proc = run_cli("export", *_scenarios(*SIX, GUARDED), "--out", str(data), "--max-pixels", PIXELS)
    assert proc.returncode == 0, proc.stderr
    out = root / "model"
    started = time.monotonic()
    proc = run_cli("finetune", str(data), "--model", str(base), "--out", str(out), "--epochs", EPOCHS,
                   "--lr", LR, timeout=3600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    record = json.loads((out / "training.json").read_text(encoding="utf-8"))["result"]
    print(f"\n[trained] {record['examples']} examples, {record['steps']} steps, {record['seconds']} s training "
          f"({time.monotonic() - started:.0f} s with loading and saving), loss {record['first_loss']} -> "
          f"{record['last_loss']}, load average {os.getloadavg()[0]:.1f}")
    return out


def _eval(model: str, runs: Path, *names: str, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    proc = run_cli("eval", *_scenarios(*names), "--model", model, *RUN_FLAGS, *extra, "--json",
                   "--runs-dir", str(runs), timeout=1800)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.splitlines()[-1])  # after the backend's loading line


def _report(label: str, result: dict[str, Any]) -> int:
    rows = {s["scenario"]: f"{'ok' if s['success'] else 'no'} ({s['outcome']}, {s['steps']} steps)"
            for s in result["scenarios"]}
    print(f"\n[{label}] {result['totals']['succeeded']}/{result['totals']['scenarios']}: {rows}")
    return int(result["totals"]["succeeded"])


def test_the_trained_model_completes_the_everyday_scenarios(trained: Path, tmp_path: Path) -> None:
    result = _eval(str(trained), tmp_path / "runs", *SIX)
    assert _report("eval, transformers backend", result) >= 5
    for scenario in result["scenarios"]:
        lines = (Path(scenario["run_dir"]) / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()
        notes = [json.loads(line)["model_notes"] for line in lines]
        assert all(n.get("constrained") is True and n.get("prompt") == "native" for n in notes)


def test_a_sensitive_action_it_learned_is_still_stopped(trained: Path, tmp_path: Path) -> None:
    result = _eval(str(trained), tmp_path / "runs", GUARDED)
    (scenario,) = result["scenarios"]
    _report("eval, the learned Send", result)
    assert scenario["exit_code"] == 3 and scenario["sandbox_stop"], scenario
    run = Path(scenario["run_dir"])
    meta = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert meta["expect_met"] is True  # state.messages == []: nothing was sent
    lines = [json.loads(line) for line in (run / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()]
    last = lines[-1]
    assert last["action"]["element"] == "Send button" and not last["executed"]
    assert last["verdict"]["decision"] != "allow"


def test_the_trained_model_served_by_transformers_serve(trained: Path, tmp_path: Path) -> None:
    from tests.serve_tiny import transformers_serve  # skips, or fails on CI, without the serve venv

    with transformers_serve(trained, tmp_path / "serve.log") as base:
        result = _eval(str(trained), tmp_path / "runs", *SIX,
                       extra=("--backend", "openai", "--base-url", base, "--timeout", "300"))
    succeeded = _report("eval, transformers serve", result)
    # Unconstrained (the server has no grammar for a <tool_call>), greedy: the same replies.
    assert succeeded >= 5
