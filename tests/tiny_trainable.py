"""A small random Qwen3-VL that can learn the simulated phone's tasks on a CPU in minutes:
`python -m tests.tiny_trainable OUT_DIR`.

The tiny test model (`tests/tiny_model.py`: 2 layers, 64 wide) is built to run in milliseconds,
not to learn: trained on the everyday scenarios it does not learn, in ten minutes, to tell one
goal from another. This one is the same checkpoint -- the real Qwen3 tokenizer, Qwen3-VL's chat
template, image processor and special-token ids, saved the same way -- with a wider, deeper
language model. It loads through exactly the code any Qwen3-VL checkpoint does.
"""

from __future__ import annotations

import sys
from pathlib import Path

from agent.backends.tiny import build_tiny_model, tiny_config_dict

# The language model's sizes (the vision tower stays the tiny one; its output is projected to
# the language model's width). `mrope_section` splits half a head's dimensions over t, h, w.
# A wider initialisation than the usual 0.02 gives attention some contrast from the start, so
# that the goal in the prompt, not only the screen, steers the reply after few epochs.
TEXT = {"hidden_size": 128, "intermediate_size": 384, "num_hidden_layers": 4, "num_attention_heads": 4,
        "num_key_value_heads": 2, "head_dim": 32, "initializer_range": 0.1}
MROPE_SECTION = [8, 4, 4]
# Stored in float32: on a CPU, float32 runs faster than bfloat16, and a model trained to
# reproduce exact digits should not have its weights rounded afterwards.
DTYPE = "float32"


def trainable_config_dict() -> dict:
    data = tiny_config_dict()
    data["text_config"].update(TEXT)
    data["text_config"]["rope_parameters"]["mrope_section"] = MROPE_SECTION
    data["text_config"]["dtype"] = data["dtype"] = DTYPE
    data["initializer_range"] = TEXT["initializer_range"]
    data["vision_config"]["out_hidden_size"] = TEXT["hidden_size"]
    return data


def build_trainable_model(out_dir: str | Path, seed: int = 0) -> Path:
    """The tiny checkpoint's files (tokenizer, template, processor) with the larger weights."""
    import torch
    from transformers import AutoConfig, Qwen3VLForConditionalGeneration

    out = build_tiny_model(out_dir, seed)
    config = AutoConfig.for_model(**trainable_config_dict())
    torch.manual_seed(seed)
    Qwen3VLForConditionalGeneration(config).to(torch.float32).save_pretrained(out)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m tests.tiny_trainable OUT_DIR", file=sys.stderr)
        return 2
    out = build_trainable_model(args[0])
    print(f"small random Qwen3-VL written to {out}; train it: qwen-agent finetune DATA --model {out} --out TRAINED")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
