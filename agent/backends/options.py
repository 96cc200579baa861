"""Settings shared by the backends, as frozen values (built once from the command line)."""

from __future__ import annotations

from dataclasses import dataclass

from actions.toolcall import MOBILE
from agent.prompt import DEFAULT_HISTORY_IMAGES, DEFAULT_HISTORY_STEPS, JSON, NATIVE

# Qwen's recommended sampling for the Qwen3-VL Thinking models.
THINKING_TEMPERATURE = 1.0
THINKING_TOP_P = 0.95
THINKING_TOP_K = 20
# The thinking budget in tokens; README "Thinking budget" says how it was chosen.
DEFAULT_MAX_NEW_TOKENS = 8192
# Seconds one step's model call may take; the thinking is closed early enough for the answer
# to fit (budget.ANSWER_TIME_SHARE). A 4B model on a small GPU thinks 8k tokens in well under this.
DEFAULT_STEP_TIMEOUT = 300.0
# Room for the JSON after the reasoning when decoding is constrained: the reasoning is cut at
# `max_new_tokens`, then the action still gets this many tokens, and the grammar caps free-text
# fields so that it always fits (464 characters at this value; see grammar.string_cap).
ANSWER_TOKENS = 1024


@dataclass(frozen=True)
class Sampling:
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS  # the thinking budget
    temperature: float = THINKING_TEMPERATURE  # 0 = greedy
    top_p: float = THINKING_TOP_P
    top_k: int = THINKING_TOP_K
    constrain: bool = True  # local backend: grammar-constrained; servers: response_format
    answer_tokens: int = ANSWER_TOKENS
    step_timeout: float | None = DEFAULT_STEP_TIMEOUT  # seconds for one step's model call


@dataclass(frozen=True)
class Prompting:
    format: str | None = None  # NATIVE | JSON; None: NATIVE for Qwen3-VL models, else JSON
    tool: str = MOBILE  # NATIVE: the function when the request does not say (set from --device)

    def resolve(self, qwen3_vl: bool) -> str:
        return self.format or (NATIVE if qwen3_vl else JSON)


@dataclass(frozen=True)
class History:
    steps: int = DEFAULT_HISTORY_STEPS  # earlier steps shown as text
    images: int = DEFAULT_HISTORY_IMAGES  # earlier screenshots shown (each costs ~1,300 tokens)


@dataclass(frozen=True)
class Loading:
    model: str
    quantize: str | None = None  # "4bit" | "8bit"
    device_map: str | None = None  # "auto", "cpu", "cuda", "cuda:1"; None: cuda if present, else cpu
    max_memory: dict[int | str, str] | None = None  # {0: "20GiB", "cpu": "64GiB"}
    dtype: str = "auto"  # "auto" | "bfloat16" | "float16" | "float32"
    attn: str = "auto"  # "auto" | "sdpa" | "flash_attention_2" | "eager"


def parse_max_memory(text: str | None) -> dict[int | str, str] | None:
    """'0=20GiB,cpu=64GiB' -> {0: '20GiB', 'cpu': '64GiB'} (accelerate's spelling)."""
    if not text:
        return None
    out: dict[int | str, str] = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise ValueError(f"--max-memory: expected DEVICE=SIZE pairs like 0=20GiB,cpu=64GiB, got {item!r}")
        out[int(key) if key.isdigit() else key] = value
    return out


DEFAULT_PROMPTING = Prompting()
