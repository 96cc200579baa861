"""The export folder's file names, and an export's settings and counts (shared by the writer,
the card and the fine-tuning reader)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

TRAIN = "train.jsonl"
LLAMA_FACTORY = "llamafactory.jsonl"
DATASET_INFO = "dataset_info.json"
META = "dataset.json"
CARD = "README.md"
IMAGES = "images"
THINK_OPEN = "<think>\n"
LLAMA_FACTORY_NAME = "qwen_agent"
EXPORT_FILES = (TRAIN, LLAMA_FACTORY, DATASET_INFO, META, CARD)


@dataclass(frozen=True)
class ExportOptions:
    format: str  # native | json
    max_pixels: int
    history_steps: int
    history_images: int
    rationale_only: bool = False  # write the rationale even where a thinking was recorded


@dataclass
class Summary:
    examples: int = 0
    per_goal: Counter[str] = field(default_factory=Counter)
    per_source: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> count
    notes: list[str] = field(default_factory=list)
    private: int = 0  # examples from runs with --secret / --redact
    recorded_thinking: int = 0
    images: int = 0
