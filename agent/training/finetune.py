"""`qwen-agent finetune`: supervised fine-tuning of a Qwen3-VL checkpoint on an exported dataset.

The transformers `Trainer` runs the loop (optimizer, schedule, gradient accumulation, bf16,
gradient checkpointing, its progress bar); peft adds LoRA adapters when asked. The loss is on the
reply only (`features.py`), the vision tower is frozen unless `train_vision`, and so are the input
embeddings (a step only ever changes a few rows of them, and a 152k-row gradient costs more than
the rest of a small model). The output is a plain checkpoint -- LoRA adapters are merged into the
base weights -- with the base's tokenizer, image processor and chat template beside it, so
`--model DIR` loads it through the same code as any checkpoint, and so do vLLM, SGLang and
`transformers serve`.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from actions import UsageError
from agent.engine.errors import ModelError

TRAIN_EXTRAS = "pip install 'qwen-agent[train]'"
DEFAULT_LR = {"lora": 2e-4, "full": 1e-5}
LANGUAGE_TARGETS = r".*language_model.*\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)"
VISION_TARGETS = r".*visual\.blocks.*\.(qkv|proj|linear_fc1|linear_fc2)"
TRAINING_JSON = "training.json"
WARMUP = 0.05  # share of the steps the learning rate warms up over (a float below 1 is a ratio)
LOG_EVERY = 5  # optimizer steps between loss lines (the loss history goes to training.json)
# What a checkpoint folder holds besides the weights and config that the model writes itself.
_WEIGHTS = (".safetensors", ".bin", ".pt", ".pth", ".index.json")
_WRITTEN = ("config.json", "generation_config.json", TRAINING_JSON, "README.md")


@dataclass(frozen=True)
class FinetuneOptions:
    data: str
    model: str
    out: str
    lora: int | None = None  # LoRA rank; None: every weight of the language model is trained
    epochs: float = 3.0
    lr: float | None = None  # default: DEFAULT_LR for the mode
    batch_size: int = 1
    grad_accum: int = 1
    train_vision: bool = False
    gradient_checkpointing: bool | None = None  # None: on where there is a GPU
    max_steps: int | None = None  # stop after this many optimizer steps (overrides epochs)
    seed: int = 0
    progress: bool = True


@dataclass(frozen=True)
class FinetuneResult:
    out: str
    examples: int
    steps: int
    seconds: float
    first_loss: float | None
    last_loss: float | None
    trainable: int  # parameters trained
    parameters: int
    device: str
    dataset: dict[str, Any]  # the export's settings (prompt format, pixel budget, history)
    gradient_checkpointing: bool = False  # as the model had it while training
    losses: tuple[float, ...] = ()  # the training loss every LOG_EVERY steps


def finetune(options: FinetuneOptions) -> FinetuneResult:
    _check_options(options)
    from agent.training.features import Features, read_examples

    examples = read_examples(options.data)  # a bad dataset fails before any model is loaded
    from agent.backends.checkpoint import resolve_checkpoint
    from agent.backends.hf_load import build_processor

    base = resolve_checkpoint(options.model)
    if base.resolve() == Path(options.out).resolve():
        raise UsageError("--out must not be the base model's folder")
    out = _prepare_out(Path(options.out))
    processor = build_processor(base)
    model, device, dtype = _load(base, options)
    trainable, total = _count(model)
    if options.progress:
        print(f"fine-tuning {options.model} on {len(examples)} examples ({device}, "
              f"{'LoRA rank ' + str(options.lora) if options.lora else 'full'}, "
              f"{trainable:,} of {total:,} parameters trained)", flush=True)
    started = time.monotonic()
    state = _train(model, Features(examples, processor), processor, options, device)
    seconds = time.monotonic() - started
    losses = [entry["loss"] for entry in state.log_history if "loss" in entry]
    result = FinetuneResult(out=str(out), examples=len(examples), steps=int(state.global_step),
                            seconds=round(seconds, 1), first_loss=losses[0] if losses else None,
                            last_loss=losses[-1] if losses else None, trainable=trainable,
                            parameters=total, device=device, dataset=_dataset_meta(options.data),
                            gradient_checkpointing=_checkpointing(model),
                            losses=tuple(round(loss, 4) for loss in losses))
    _save(model, base, out, options, result, dtype)
    return result


def _checkpointing(model: Any) -> bool:
    """Whether the model recomputed activations, by the name the installed release uses."""
    on = getattr(model, "is_activation_checkpointing", None)
    return bool(getattr(model, "is_gradient_checkpointing", False) if on is None else on)


def _check_options(options: FinetuneOptions) -> None:
    needed = ["torch", "transformers", "accelerate"] + (["peft"] if options.lora else [])
    missing = [name for name in needed if importlib.util.find_spec(name) is None]
    if missing:
        raise UsageError(f"fine-tuning needs {', '.join(missing)}: {TRAIN_EXTRAS}")
    if options.lora is not None and options.lora < 1:
        raise UsageError("--lora takes a rank of 1 or more (e.g. 16)")
    if options.epochs <= 0 or options.batch_size < 1 or options.grad_accum < 1:
        raise UsageError("--epochs must be positive, --batch-size and --grad-accum at least 1")
    if options.lr is not None and not 0 < options.lr < 1:
        raise UsageError("--lr must be between 0 and 1 (e.g. 2e-4)")
    if options.max_steps is not None and options.max_steps < 1:
        raise UsageError("--max-steps must be at least 1")


def _prepare_out(out: Path) -> Path:
    """A new or empty folder, or an earlier fine-tuning output (replaced)."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: is a file")
    if out.exists() and any(out.iterdir()):
        if not (out / TRAINING_JSON).is_file():
            raise UsageError(f"--out {out}: the folder is not empty (and not an earlier finetune output)")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _load(folder: Path, options: FinetuneOptions) -> tuple[Any, str, Any]:
    """(the base model, where it trains, the dtype it is stored in). It trains in bf16 on a GPU
    that has it (fp32 otherwise), with what is not trained frozen and LoRA adapters added when
    asked."""
    import torch
    import transformers

    from agent.backends.hf_load import DTYPES, MODEL_CLASSES, _config

    config = _config(folder)
    stored = getattr(config, "dtype", None)
    stored = stored if isinstance(stored, torch.dtype) else DTYPES.get(str(stored), torch.bfloat16)
    cls = getattr(transformers, MODEL_CLASSES[config.model_type])
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.bfloat16 if _bf16() else torch.float32
    try:
        model = cls.from_pretrained(folder, dtype=dtype)
    except (torch.OutOfMemoryError, MemoryError, RuntimeError, OSError, ValueError) as err:
        raise ModelError(f"cannot load {options.model} for training: {str(err).splitlines()[0][:200]}") from None
    for name, param in model.named_parameters():
        frozen = "embed_tokens" in name or ("visual" in name and not options.train_vision)
        param.requires_grad_(not frozen and options.lora is None)
    if options.lora:
        from peft import LoraConfig, get_peft_model

        targets = LANGUAGE_TARGETS + (f"|{VISION_TARGETS}" if options.train_vision else "")
        model = get_peft_model(model, LoraConfig(r=options.lora, lora_alpha=2 * options.lora,
                                                 lora_dropout=0.05, target_modules=targets))
    return model, device, stored


def _log_every(options: FinetuneOptions) -> int:
    """Every LOG_EVERY steps; every step of a run short enough to have only a few."""
    return 1 if options.max_steps is not None and options.max_steps < 2 * LOG_EVERY else LOG_EVERY


def _bf16() -> bool:
    import torch

    return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())


def _train(model: Any, features: Any, processor: Any, options: FinetuneOptions, device: str) -> Any:
    import torch
    from transformers import PrinterCallback, Trainer, TrainingArguments

    from agent.training.features import collate

    checkpointing = options.gradient_checkpointing if options.gradient_checkpointing is not None else device == "cuda"
    lr = options.lr or DEFAULT_LR["lora" if options.lora else "full"]
    pad = processor.tokenizer.pad_token_id or 0
    extra: dict[str, Any] = {}
    if checkpointing:  # named only when on, by the name the installed release uses
        import dataclasses

        names = {f.name for f in dataclasses.fields(TrainingArguments)}
        word = "activation_checkpointing" if "activation_checkpointing" in names else "gradient_checkpointing"
        extra = {word: True, f"{word}_kwargs": {"use_reentrant": False}}
    with tempfile.TemporaryDirectory(prefix="qwen-agent-finetune-") as scratch:
        args = TrainingArguments(
            output_dir=scratch, num_train_epochs=options.epochs, max_steps=options.max_steps or -1,
            learning_rate=lr, per_device_train_batch_size=options.batch_size,
            gradient_accumulation_steps=options.grad_accum, lr_scheduler_type="cosine",
            warmup_steps=WARMUP, weight_decay=0.0, logging_steps=_log_every(options), logging_first_step=True,
            save_strategy="no",
            report_to="none", remove_unused_columns=False, seed=options.seed, bf16=_bf16(),
            dataloader_num_workers=0, disable_tqdm=not options.progress, use_cpu=device == "cpu", **extra)
        trainer = Trainer(model=model, args=args, train_dataset=features,
                          data_collator=lambda items: collate(items, pad))
        if not options.progress:
            trainer.remove_callback(PrinterCallback)  # no bar, no log lines: a quiet run
        try:
            trainer.train()
        except (torch.OutOfMemoryError, MemoryError) as err:
            raise ModelError(f"out of memory while training ({str(err).splitlines()[0][:80]}); try --lora 16, "
                             "a smaller --max-pixels when exporting, or --grad-accum instead of --batch-size") from None
        return trainer.state


def _save(model: Any, base: Path, out: Path, options: FinetuneOptions, result: FinetuneResult,
          dtype: Any) -> None:
    """A plain checkpoint in the base's dtype (adapters merged), with the base's processor files."""
    if options.lora:
        model = model.merge_and_unload()
    model.to(dtype)
    model.save_pretrained(out)
    for path in base.iterdir():
        if path.is_file() and not path.name.endswith(_WEIGHTS) and path.name not in _WRITTEN:
            shutil.copyfile(path, out / path.name)
    record = {"base": options.model, "options": asdict(options), "result": asdict(result)}
    (out / TRAINING_JSON).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "README.md").write_text(_card(options, result), encoding="utf-8")


def _dataset_meta(data: str) -> dict[str, Any]:
    from agent.training.folder import META

    path = Path(data)
    meta = (path if path.is_dir() else path.parent) / META
    try:
        loaded = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    keep = ("prompt", "max_pixels", "history_steps", "history_images", "examples", "per_goal")
    return {k: loaded[k] for k in keep if k in loaded} if isinstance(loaded, dict) else {}


def run_flags(result: FinetuneResult) -> str:
    """The model flags that give the trained model the prompt it was trained on."""
    meta = result.dataset
    flags = [f"--model {result.out}"]
    for key, flag in (("prompt", "--prompt"), ("max_pixels", "--max-pixels"),
                      ("history_steps", "--history-steps"), ("history_images", "--history-images")):
        if key in meta:
            flags.append(f"{flag} {meta[key]}")
    return " ".join(flags)


def _card(options: FinetuneOptions, result: FinetuneResult) -> str:
    mode = f"LoRA rank {options.lora}, merged" if options.lora else "full fine-tuning of the language model"
    return (f"# Fine-tuned {options.model}\n\n"
            f"Trained by `qwen-agent finetune` on `{options.data}` ({result.examples} examples): {mode}, "
            f"{options.epochs:g} epochs, {result.steps} optimizer steps, {result.seconds:g} s on {result.device}; "
            f"loss {_loss(result.first_loss)} -> {_loss(result.last_loss)}.\n\n"
            f"Run it with the prompt it was trained on:\n\n"
            f"```bash\nqwen-agent eval scenarios/ {run_flags(result)}\n```\n")


def _loss(value: float | None) -> str:
    return "?" if value is None else f"{value:.3f}"


def _count(model: Any) -> tuple[int, int]:
    total = sum(p.numel() for p in model.parameters())
    return sum(p.numel() for p in model.parameters() if p.requires_grad), total
