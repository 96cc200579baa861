"""Load a Qwen3-VL checkpoint with transformers: model, tokenizer and an image-only processor.

The path every checkpoint takes, the tiny random test one included: config -> model class
(dense or MoE, by `model_type`) -> dtype, attention implementation, bitsandbytes quantization,
accelerate device map / memory limits -> tokenizer + image processor + chat template. Failures
become one-line `UsageError` / `ModelError`s.

The processor is built without its video part on purpose: transformers' Qwen3-VL video processor
needs torchvision, which many torch builds lack, and `AutoProcessor` then either fails or quietly
returns a bare tokenizer. The agent only sends images, so it never needs the video part.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import transformers
from transformers import AutoConfig, AutoImageProcessor, AutoTokenizer, Qwen3VLProcessor
from transformers.utils import import_utils

from actions.errors import UsageError
from agent.backends.options import Loading
from agent.engine.errors import ModelError

MODEL_CLASSES = {
    "qwen3_vl": "Qwen3VLForConditionalGeneration",
    "qwen3_vl_moe": "Qwen3VLMoeForConditionalGeneration",
}
DTYPES = {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}
# Kept in full precision when quantizing: the vision tower (small, precision-sensitive, and its
# Linears are often too narrow for bitsandbytes kernels) and the output head.
SKIP_QUANT_LEAVES = ("visual", "lm_head")


class ImageOnlyProcessor(Qwen3VLProcessor):
    """Qwen3-VL's processor with the video processor left out (see the module docstring)."""

    def __init__(self, image_processor: Any = None, tokenizer: Any = None, chat_template: str | None = None, **kwargs: Any) -> None:
        super().__init__(image_processor, tokenizer, None, chat_template=chat_template, **kwargs)


@dataclass(frozen=True)
class Loaded:
    model: Any  # a Qwen3VL(Moe)ForConditionalGeneration
    processor: ImageOnlyProcessor
    folder: Path
    device: str  # where inputs go (the first module's device)
    quantized: str | None


def load(folder: Path, options: Loading, progress: bool = True) -> Loaded:
    config = _config(folder)
    cls = getattr(transformers, MODEL_CLASSES[config.model_type])
    device_map = _device_map(options)
    kwargs: dict[str, Any] = {
        "dtype": _dtype(options.dtype),
        "attn_implementation": _attention(options.attn, device_map),
    }
    if device_map is not None:
        kwargs["device_map"] = device_map
    if options.max_memory:
        kwargs["max_memory"] = options.max_memory
        kwargs.setdefault("device_map", "auto")
    if options.quantize:
        kwargs["quantization_config"] = quantization_config(options.quantize, cls, config)
        kwargs.setdefault("device_map", "auto" if torch.cuda.is_available() else "cpu")
    if progress:
        where = kwargs.get("device_map") or "cpu"
        quant = f", {options.quantize}" if options.quantize else ""
        print(f"loading {options.model} ({config.model_type}{quant}, device map {where}) ...", flush=True)
    try:
        model = cls.from_pretrained(folder, **kwargs)
    except (torch.OutOfMemoryError, MemoryError) as err:
        raise ModelError(_memory_hint(options.model, err)) from None
    except RuntimeError as err:
        if "out of memory" in str(err).lower() or "can't allocate" in str(err).lower():
            raise ModelError(_memory_hint(options.model, err)) from None
        raise ModelError(f"cannot load {options.model}: {_first_line(err)}") from None
    except (OSError, ValueError, TypeError, KeyError) as err:
        # TypeError/KeyError: a checkpoint written for another transformers version
        raise ModelError(f"cannot load {options.model}: {_first_line(err)}") from None
    model.eval()
    processor = build_processor(folder)
    device = str(next(model.parameters()).device)
    if device == "meta":  # fully offloaded to disk: accelerate moves inputs itself
        device = "cpu"
    return Loaded(model, processor, folder, device, options.quantize)


def build_processor(folder: Path) -> ImageOnlyProcessor:
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder)
        image_processor = AutoImageProcessor.from_pretrained(folder)
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot load the tokenizer or image processor from {folder}: {_first_line(err)}") from None
    try:
        processor = ImageOnlyProcessor(
            image_processor=image_processor, tokenizer=tokenizer, chat_template=chat_template(folder, tokenizer)
        )
    except (TypeError, ValueError) as err:  # e.g. transformers 4.57 refusing video_processor=None
        raise ModelError(f"cannot build the image processor for {folder} with transformers "
                         f"{transformers.__version__}: {_first_line(err)}; pip install -U 'transformers>=5'") from None
    if getattr(processor, "image_processor", None) is None or not processor.chat_template:
        raise ModelError(f"{folder} has no image processor or chat template; is it a Qwen3-VL checkpoint?")
    return processor


def chat_template(folder: Path, tokenizer: Any) -> str | None:
    """The checkpoint's chat template: chat_template.jinja, chat_template.json, or the tokenizer's."""
    jinja = folder / "chat_template.jinja"
    if jinja.is_file():
        return jinja.read_text(encoding="utf-8")
    data = folder / "chat_template.json"
    if data.is_file():
        template = json.loads(data.read_text(encoding="utf-8")).get("chat_template")
        if isinstance(template, str):
            return template
    template = getattr(tokenizer, "chat_template", None)
    return template if isinstance(template, str) else None


def quantization_config(kind: str, cls: Any, config: Any) -> Any:
    if kind not in ("4bit", "8bit"):
        raise UsageError(f"--quantize {kind}: use 4bit or 8bit")
    if not import_utils.is_bitsandbytes_available():
        raise UsageError("--quantize needs bitsandbytes: pip install 'qwen-agent[quant]'")
    from transformers import BitsAndBytesConfig

    skip = skip_modules(cls, config)
    if kind == "8bit":
        return BitsAndBytesConfig(load_in_8bit=True, llm_int8_skip_modules=skip)
    compute = torch.bfloat16 if not torch.cuda.is_available() or torch.cuda.is_bf16_supported() else torch.float16
    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=compute,
        llm_int8_skip_modules=skip,
    )


def skip_modules(cls: Any, config: Any) -> list[str]:
    """Full module paths to keep unquantized (e.g. `model.visual`, `lm_head`).

    Read from the model's own structure, built on the meta device (no memory), because a bare
    leaf name would also match nested modules and the path differs between transformers versions.
    """
    from accelerate import init_empty_weights

    with init_empty_weights():
        skeleton = cls._from_config(config)
    found = [name for name, _ in skeleton.named_modules() if name.rsplit(".", 1)[-1] in SKIP_QUANT_LEAVES]
    # Keep only the outermost match of each (its children are skipped with it).
    return [n for n in found if not any(n != o and n.startswith(o + ".") for o in found)]


def _config(folder: Path) -> Any:
    try:
        config = AutoConfig.from_pretrained(folder)
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot read the model config in {folder}: {_first_line(err)}") from None
    if config.model_type not in MODEL_CLASSES:
        raise UsageError(
            f"{folder} is a {config.model_type!r} model; the local backend runs Qwen3-VL "
            "(qwen3_vl, qwen3_vl_moe) checkpoints"
        )
    return config


def _device_map(options: Loading) -> str | None:
    if options.device_map:
        return options.device_map
    return "auto" if torch.cuda.is_available() else None


def _dtype(name: str) -> Any:
    if name == "auto":
        # The checkpoint's own dtype (bf16 for Qwen3-VL); fp16 on GPUs without bf16 support.
        if torch.cuda.is_available() and not torch.cuda.is_bf16_supported():
            return torch.float16
        return "auto"
    if name not in DTYPES:
        raise UsageError(f"--dtype {name}: use auto, bfloat16, float16 or float32")
    return DTYPES[name]


def _attention(name: str, device_map: str | None) -> str:
    on_gpu = torch.cuda.is_available() and (device_map is None or device_map != "cpu")
    if name == "auto":
        return "flash_attention_2" if on_gpu and import_utils.is_flash_attn_2_available() else "sdpa"
    if name == "flash_attention_2" and not import_utils.is_flash_attn_2_available():
        raise UsageError("--attn flash_attention_2 needs a CUDA GPU and the flash-attn package (pip install flash-attn)")
    if name not in ("sdpa", "eager", "flash_attention_2"):
        raise UsageError(f"--attn {name}: use auto, sdpa, flash_attention_2 or eager")
    return name


def _memory_hint(model: str, err: BaseException) -> str:
    return (
        f"not enough memory to load {model} ({_first_line(err)[:80]}); try --quantize 4bit, "
        "--device-map auto --max-memory 0=20GiB,cpu=48GiB (offload to CPU), or a smaller model"
    )


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0][:200] if lines else type(err).__name__
