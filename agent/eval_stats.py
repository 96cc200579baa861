"""Figures over `eval` outcomes: percentiles and totals (kept apart so they are easy to test)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile (an observed value, never an interpolation), rounded to ms."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return round(ordered[rank - 1], 3)


def summarise(outcomes: Sequence[Any], wall: float, concurrency: int) -> dict[str, Any]:
    n = len(outcomes)
    steps = [s for o in outcomes for s in o.step_seconds]
    replies = sum(len(o.step_seconds) for o in outcomes)
    invalid = sum(o.invalid_replies for o in outcomes)
    succeeded = sum(o.success for o in outcomes)
    return {
        "scenarios": n, "succeeded": succeeded, "success_rate": succeeded / n if n else 0.0,
        "mean_steps": round(sum(o.steps for o in outcomes) / n, 2) if n else 0.0,
        "sandbox_stops": sum(o.sandbox_stop for o in outcomes),
        "refused_steps": sum(o.refused_steps for o in outcomes),
        "invalid_replies": invalid, "invalid_reply_rate": invalid / replies if replies else 0.0,
        "latency_p50_s": percentile(steps, 50), "latency_p95_s": percentile(steps, 95),
        "prompt_tokens": sum(o.prompt_tokens for o in outcomes),
        "completion_tokens": sum(o.completion_tokens for o in outcomes),
        "wall_seconds": round(wall, 3), "concurrency": concurrency,
        "outcomes": dict(sorted(_count(o.outcome for o in outcomes).items())),
    }


def _count(items: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return out
