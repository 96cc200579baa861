"""The dataset card (README.md) of an export folder: what is in it, where it came from, how to use it."""

from __future__ import annotations

from typing import Any

from agent.training.folder import (
    DATASET_INFO,
    LLAMA_FACTORY,
    LLAMA_FACTORY_NAME,
    TRAIN,
    ExportOptions,
    Summary,
)


def card(summary: Summary, options: ExportOptions) -> str:
    lines = [
        "# qwen-agent training data",
        "",
        f"{summary.examples} examples ({summary.images} images) exported by `qwen-agent export` with the "
        f"`{options.format}` prompt, screenshots at a budget of {options.max_pixels:,} pixels, the last "
        f"{options.history_steps} steps as text and {options.history_images} earlier screenshots in each prompt.",
        "",
        "Each example is the prompt the agent sends at one step (system message, the user turn with its "
        "history and screenshot) and the reply that step called for: "
        + ("the recorded thinking where there is one, else a short rationale" if not options.rationale_only
           else "a short rationale") + ", `</think>`, then the action "
        + ("as a `<tool_call>`." if options.format == "native" else "as one JSON object."),
        f"Recorded thinking: {summary.recorded_thinking} of {summary.examples} examples.",
        "",
        "## Examples per goal",
        "",
        "| goal | examples |",
        "|---|---|",
        *(f"| {_cell(goal)} | {n} |" for goal, n in sorted(summary.per_goal.items())),
        "",
        "## Sources",
        "",
        *(f"- `{source}`: {n}" for source, n in sorted(summary.per_source.items())),
        "",
    ]
    if summary.skipped:
        lines += ["## Steps left out", "", *(f"- {reason}: {n}" for reason, n in summary.skipped.most_common()), ""]
    if summary.notes:
        lines += ["## Notes", "", *(f"- {_cell(note)}" for note in summary.notes), ""]
    if summary.private:
        lines += ["## Privacy", "", f"{summary.private} examples come from runs with `--secret` or `--redact`: "
                  "their text holds only placeholders and masks, and their images have password fields "
                  "blacked out (as the run folder stored them). Steps whose typed text was masked are left out.", ""]
    lines += _usage(options)
    return "\n".join(lines) + "\n"


def _usage(options: ExportOptions) -> list[str]:
    flags = f"--prompt {options.format} --max-pixels {options.max_pixels} --history-steps {options.history_steps} " \
            f"--history-images {options.history_images}"
    return [
        "## Use",
        "",
        "```bash",
        "qwen-agent finetune THIS_FOLDER --model BASE --out TRAINED         # add --lora 16 for adapters on a big model",
        f"qwen-agent eval SCENARIOS... --model TRAINED {flags}",
        "```",
        "",
        "Evaluate with the prompt settings above: the model learns the prompt it is trained on.",
        "",
        "```python",
        "from datasets import load_dataset",
        f'ds = load_dataset("json", data_files="THIS_FOLDER/{TRAIN}", split="train")  # images: paths in this folder',
        "```",
        "",
        f"`{TRAIN}` is TRL's conversational vision format (`messages` with typed content parts, `images`). "
        f"For LLaMA-Factory, `{DATASET_INFO}` declares `{LLAMA_FACTORY}` as the sharegpt dataset "
        f"`{LLAMA_FACTORY_NAME}` (`dataset_dir: THIS_FOLDER`, `dataset: {LLAMA_FACTORY_NAME}`).",
    ]


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
