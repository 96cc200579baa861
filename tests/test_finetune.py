"""`qwen-agent finetune` on the tiny random Qwen3-VL, on the CPU, in a couple of steps.

What is checked: a bad dataset is one line before any model loads; the training sequence is the
prompt exactly as the backend renders it followed by the reply, with labels on the reply alone,
and the loss computed on the reply's positions only equals the loss over the whole sequence;
a couple of optimizer steps (full, and LoRA merged) give a checkpoint the real transformers
backend loads with `--model DIR`, in which the vision tower and the embeddings are the base's and
the language model is not; and one eval step runs on it through the backend, constrained.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")

from safetensors.torch import load_file  # noqa: E402

from agent.commands.main import main  # noqa: E402
from agent.training.features import IGNORE, Features, collate, read_examples  # noqa: E402
from tests.helpers import REPO, run_cli  # noqa: E402
from tests.tiny_model import cached_tiny_model  # noqa: E402

SMALL = 65_536


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("data") / "export"
    assert main(["export", str(REPO / "scenarios" / "zh-font-bigger"), str(REPO / "scenarios" / "wifi-on"),
                 "--out", str(out), "--max-pixels", str(SMALL)]) == 0
    return out


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.jsonl").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("content", "error"), [
    (None, "no dataset here"),
    ("", "the dataset is empty"),
    ("{not json\n", "not JSON"),
    ('{"messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]}\n', "expected an object"),
    ('{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "ok"}]}\n',
     "content must be a list"),
    ('{"messages": [{"role": "user", "content": [{"type": "image"}]}, '
     '{"role": "assistant", "content": [{"type": "text", "text": "ok"}]}], "images": ["gone.png"]}\n',
     "image"),
])
def test_a_bad_dataset_is_one_line_before_any_model_loads(tmp_path: Path, content: str | None, error: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "data" if content is None else _write(tmp_path / "data", content)
    # A base model that does not exist: the dataset is checked first, so it is never looked for.
    assert main(["finetune", str(folder), "--model", str(tmp_path / "no-model"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert error in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert not (tmp_path / "o").exists()


def test_the_command_line_says_it_in_one_line(tmp_path: Path) -> None:
    proc = run_cli("finetune", str(_write(tmp_path / "d", "")), "--model", "x", "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "empty" in proc.stderr, proc.stderr


def test_the_training_sequence_is_the_backends_prompt_then_the_reply(data: Path) -> None:
    from agent.backends.hf_load import build_processor
    from agent.backends.options import History, Loading, Sampling
    from agent.backends.transformers_backend import TransformersModel
    from agent.prompt import ImagePart, Prompt

    base = cached_tiny_model()
    processor = build_processor(base)
    features = Features(read_examples(data), processor)
    example = features.examples[2]
    # The backend's own rendering of the same prompt.
    from agent.backends.hf_load import load

    backend = TransformersModel(load(base, Loading(model=str(base)), progress=False), str(base),
                                Sampling(constrain=False), History())
    system, user = example.prompt
    parts = tuple(ImagePart(None) if p["type"] == "image" else p["text"] for p in user["content"])  # type: ignore[arg-type]
    rendered = backend.render(Prompt(system=system["content"][0]["text"], parts=parts))
    assert features.prompt_text(example) == rendered and rendered.endswith("<think>\n")
    item = features[2]
    reply = item["labels"][item["labels"] != IGNORE]
    text = processor.tokenizer.decode(reply)
    assert text == example.reply.removeprefix("<think>\n") + "<|im_end|>"
    prompt_len = int((item["labels"] == IGNORE).sum())
    assert item["input_ids"][prompt_len:].tolist() == reply.tolist()
    assert int(item["mm_token_type_ids"].sum()) == int((item["input_ids"] == 151655).sum()) > 0

    # The loss on the reply's positions alone (logits_to_keep) is the loss over the whole sequence.
    model = backend.loaded.model.float()
    batch = collate([item], processor.tokenizer.pad_token_id)
    with torch.no_grad():
        kept = model(**batch).loss
        full = {k: v for k, v in batch.items() if k not in ("labels", "logits_to_keep")}
        whole = model(**full, labels=item["labels"][None]).loss
    assert torch.allclose(kept, whole, rtol=1e-4), (kept, whole)


def _tensors(folder: Path) -> dict[str, Any]:
    return {k: v.float() for k, v in load_file(str(folder / "model.safetensors")).items()}


@pytest.mark.parametrize("lora", [None, 4])
def test_a_couple_of_steps_give_a_checkpoint_the_backend_loads(data: Path, tmp_path: Path, lora: int | None) -> None:
    from agent.backends import load_transformers
    from agent.backends.options import History, Loading, Sampling

    base = cached_tiny_model()
    out = tmp_path / "trained"
    args = ["finetune", str(data), "--model", str(base), "--out", str(out), "--max-steps", "2", "--lr", "1e-3"]
    assert main(args + (["--lora", str(lora)] if lora else [])) == 0
    record = json.loads((out / "training.json").read_text(encoding="utf-8"))
    assert record["result"]["steps"] == 2 and record["result"]["dataset"]["max_pixels"] == SMALL
    for name in ("config.json", "tokenizer.json", "chat_template.json", "preprocessor_config.json", "README.md"):
        assert (out / name).is_file(), name
    assert not list(out.glob("adapter_*"))  # adapters are merged: a plain checkpoint
    before, after = _tensors(base), _tensors(out)
    assert set(before) == set(after)  # the same weights by name: no LoRA leftovers
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all("language_model" in k or k == "lm_head.weight" for k in changed), changed
    assert not any("visual" in k or "embed_tokens" in k for k in changed)
    if lora:
        assert all(k.endswith("proj.weight") for k in changed)
    model = load_transformers(Loading(model=str(out)), Sampling(max_new_tokens=8, temperature=0), History(),
                              progress=False)
    assert model.name == str(out) and model.prompt_format == "native"


def test_gradient_checkpointing_trains_the_same_weights(data: Path, tmp_path: Path) -> None:
    """The GPU default, run here on the CPU: recomputing activations changes memory, not the result."""
    base = cached_tiny_model()
    outs = {}
    for flag in ("--gradient-checkpointing", "--no-gradient-checkpointing"):
        out = outs[flag] = tmp_path / flag.strip("-")
        assert main(["finetune", str(data), "--model", str(base), "--out", str(out), "--max-steps", "2",
                     "--lr", "1e-3", flag]) == 0
    on, off = (json.loads((outs[f] / "training.json").read_text(encoding="utf-8"))["result"]
               for f in ("--gradient-checkpointing", "--no-gradient-checkpointing"))
    assert on["gradient_checkpointing"] is True and off["gradient_checkpointing"] is False
    first, second = _tensors(outs["--gradient-checkpointing"]), _tensors(outs["--no-gradient-checkpointing"])
    before = _tensors(base)
    assert any(not torch.equal(first[k], before[k]) for k in first)  # it did train
    for name, value in first.items():
        assert torch.allclose(value, second[name], atol=1e-5), name


def test_one_eval_step_of_the_trained_checkpoint_runs_through_the_backend(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "trained"
    assert main(["finetune", str(data), "--model", str(cached_tiny_model()), "--out", str(out),
                 "--max-steps", "2", "--lr", "1e-3"]) == 0
    proc = run_cli("eval", str(REPO / "scenarios" / "zh-font-bigger"), "--model", str(out), "--max-steps", "1",
                   "--temperature", "0", "--thinking-budget", "8", "--max-pixels", str(SMALL), "--json",
                   "--runs-dir", str(tmp_path / "runs"), timeout=600)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.splitlines()[-1])  # after the backend's loading line
    (scenario,) = result["scenarios"]
    assert result["model"] == str(out) and scenario["steps"] == 1 and scenario["invalid_replies"] == 0
    line = json.loads((Path(scenario["run_dir"]) / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert line["model_notes"]["constrained"] is True and line["model_notes"]["prompt"] == "native"
    assert line["raw_reply"].startswith("<think>\n") and "<tool_call>" in line["raw_reply"]


def test_the_output_folder_is_new_empty_or_an_earlier_output(data: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine", encoding="utf-8")
    assert main(["finetune", str(data), "--model", str(cached_tiny_model()), "--out", str(busy), "--max-steps", "1"]) == 2
    assert "not empty" in capsys.readouterr().err and (busy / "keep.txt").is_file()
    # An earlier output given as both the base and the output is refused, not wiped.
    (busy / "keep.txt").unlink()
    (busy / "training.json").write_text("{}", encoding="utf-8")
    (busy / "config.json").write_text("{}", encoding="utf-8")
    assert main(["finetune", str(data), "--model", str(busy), "--out", str(busy), "--max-steps", "1"]) == 2
    assert "must not be the base model's folder" in capsys.readouterr().err and (busy / "config.json").is_file()
