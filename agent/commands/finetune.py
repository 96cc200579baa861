"""`qwen-agent finetune DATA --model BASE --out DIR`: supervised fine-tuning of a Qwen3-VL
checkpoint on data from `qwen-agent export` (`agent.training.finetune`)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser("finetune", help="fine-tune a Qwen3-VL checkpoint on data from `qwen-agent export`")
    p.add_argument("data", metavar="DATA", help="an export folder (or its train.jsonl)")
    p.add_argument("--model", required=True, metavar="BASE", help="hub id or local checkpoint folder to start from")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="where the trained checkpoint goes (loads with --model DIR)")
    p.add_argument("--lora", type=int, metavar="RANK",
                   help="train LoRA adapters of this rank (merged into the output) instead of every weight")
    p.add_argument("--epochs", type=float, default=3.0, metavar="N", help="passes over the data (default 3)")
    p.add_argument("--lr", type=float, metavar="LR",
                   help="learning rate (default 2e-4 with --lora, 1e-5 without)")
    p.add_argument("--batch-size", type=int, default=1, metavar="N", help="examples per forward pass (default 1)")
    p.add_argument("--grad-accum", type=int, default=1, metavar="N",
                   help="forward passes per optimizer step (default 1)")
    p.add_argument("--max-steps", type=int, metavar="N", help="stop after N optimizer steps (overrides --epochs)")
    p.add_argument("--train-vision", action="store_true", help="train the vision tower too (frozen by default)")
    p.add_argument("--gradient-checkpointing", dest="checkpointing", action="store_true", default=None,
                   help="trade compute for memory (default: on with a GPU)")
    p.add_argument("--no-gradient-checkpointing", dest="checkpointing", action="store_false")
    p.add_argument("--seed", type=int, default=0, help="for shuffling and adapter initialisation (default 0)")
    p.set_defaults(handler=cmd_finetune)


def cmd_finetune(args: argparse.Namespace) -> int:
    from agent.training.finetune import FinetuneOptions, finetune, run_flags

    result = finetune(FinetuneOptions(
        data=args.data, model=args.model, out=args.out, lora=args.lora, epochs=args.epochs, lr=args.lr,
        batch_size=args.batch_size, grad_accum=args.grad_accum, train_vision=args.train_vision,
        gradient_checkpointing=args.checkpointing, max_steps=args.max_steps, seed=args.seed))
    print(f"trained on {result.examples} examples in {result.seconds:g} s ({result.steps} steps, loss "
          f"{_loss(result.first_loss)} -> {_loss(result.last_loss)}); saved to {result.out}")
    print(f"try it: qwen-agent eval scenarios/ {run_flags(result)}")
    return 0


def _loss(value: float | None) -> str:
    return "?" if value is None else f"{value:.3f}"
