"""A model trained here that works: export -> finetune -> eval, end to end on the CPU.

A small random Qwen3-VL (`tests/tiny_trainable.py`: the tiny test checkpoint's tokenizer, template
and processor, a 128-wide 4-layer language model) is fine-tuned on shipped scenarios played on the
simulated phone by `qwen-agent export`, then `qwen-agent eval` gives it each scenario's goal (not
its steps) on the scenario's starting screen, through the real transformers backend with
constrained decoding, greedy, and checks the expected end state.

- The short version (in every run of the suite, about four minutes): bluetooth-off and
  zh-font-bigger (English and Chinese) plus send-message-guarded, whose last step presses Send;
  both tasks are completed, and the Send it learned is stopped by the sandbox (exit 3, nothing sent).
- The full version (marker `train`, tens of minutes: `pytest -m train tests/test_trained_model.py`):
  the six everyday scenarios, at least 5 of 6 reached, through the backend and through
  `transformers serve` serving the same checkpoint. The measured figures are printed.
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

SHORT = ("bluetooth-off", "zh-font-bigger")
SIX = ("bluetooth-off", "wifi-on", "font-larger", "note-add", "zh-font-bigger", "zh-dark-theme")
GUARDED = "send-message-guarded"
PIXELS = "65536"  # the budget the data is exported at and the model runs at
EPOCHS = {"short": "40", "full": "50"}
LR = "3e-3"
# Greedy, the reply's thinking well inside the budget, and the prompt the data was made with.
RUN_FLAGS = ("--temperature", "0", "--thinking-budget", "96", "--max-pixels", PIXELS, "--prompt", "native")


def _scenarios(*names: str) -> list[str]:
    return [str(REPO / "scenarios" / name) for name in names]


def _train(root: Path, names: tuple[str, ...], epochs: str) -> Path:
    base = build_trainable_model(root / "base")
    data = root / "data"
    proc = run_cli("export", *_scenarios(*names), "--out", str(data), "--max-pixels", PIXELS)
    assert proc.returncode == 0, proc.stderr
    out = root / "model"
    started = time.monotonic()
    proc = run_cli("finetune", str(data), "--model", str(base), "--out", str(out), "--epochs", epochs,
                   "--lr", LR, timeout=3600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    record = json.loads((out / "training.json").read_text(encoding="utf-8"))["result"]
    print(f"\n[trained on {', '.join(names)}] {record['examples']} examples, {record['steps']} steps, "
          f"{record['seconds']} s training ({time.monotonic() - started:.0f} s with loading and saving), "
          f"loss {record['first_loss']:.3f} -> {record['last_loss']:.4f}, load average {os.getloadavg()[0]:.1f}")
    return out


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _train(tmp_path_factory.mktemp("short"), (*SHORT, GUARDED), EPOCHS["short"])


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _train(tmp_path_factory.mktemp("trained"), (*SIX, GUARDED), EPOCHS["full"])


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


def _constrained_native(result: dict[str, Any]) -> None:
    for scenario in result["scenarios"]:
        lines = (Path(scenario["run_dir"]) / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()
        notes = [json.loads(line)["model_notes"] for line in lines]
        assert notes and all(n.get("constrained") is True and n.get("prompt") == "native" for n in notes)


def test_a_short_training_completes_its_tasks(short: Path, tmp_path: Path) -> None:
    result = _eval(str(short), tmp_path / "runs", *SHORT)
    assert _report("short: eval, transformers backend", result) == len(SHORT)
    _constrained_native(result)


def test_a_sensitive_action_it_learned_is_still_stopped(short: Path, tmp_path: Path) -> None:
    result = _eval(str(short), tmp_path / "runs", GUARDED)
    (scenario,) = result["scenarios"]
    _report("short: eval, the learned Send", result)
    assert scenario["exit_code"] == 3 and scenario["sandbox_stop"], scenario
    run = Path(scenario["run_dir"])
    meta = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert meta["expect_met"] is True  # state.messages == []: nothing was sent
    lines = [json.loads(line) for line in (run / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["executed"] for line in lines[:-1]] == [True] * (len(lines) - 1)  # it did learn the way there
    last = lines[-1]
    assert last["action"]["element"] == "Send button" and not last["executed"]
    assert last["verdict"]["decision"] != "allow"


@pytest.mark.train
def test_the_trained_model_completes_the_everyday_scenarios(trained: Path, tmp_path: Path) -> None:
    result = _eval(str(trained), tmp_path / "runs", *SIX)
    assert _report("full: eval, transformers backend", result) >= 5
    _constrained_native(result)


@pytest.mark.train
def test_the_trained_model_served_by_transformers_serve(trained: Path, tmp_path: Path) -> None:
    from tests.serve_tiny import transformers_serve  # skips, or fails on CI, without the serve venv

    with transformers_serve(trained, tmp_path / "serve.log") as base:
        result = _eval(str(trained), tmp_path / "runs", *SIX,
                       extra=("--backend", "openai", "--base-url", base, "--timeout", "300"))
    succeeded = _report("full: eval, transformers serve", result)
    # Unconstrained (the server has no grammar for a <tool_call>), greedy: the same replies, mostly.
    assert succeeded >= 5
