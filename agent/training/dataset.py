"""The export folder: what `qwen-agent export` writes and `qwen-agent finetune` reads.

    DIR/train.jsonl         one example a line: {"messages": [system, user, assistant], "images": [...]}
                            with content as lists of {"type": "text", "text": ...} / {"type": "image"}
                            parts -- TRL's conversational vision format, which `datasets`
                            loads as is (`load_dataset("json", data_files=...)`)
    DIR/llamafactory.jsonl  the same examples in LLaMA-Factory's sharegpt layout (string contents,
                            `<image>` where each image goes) ...
    DIR/dataset_info.json   ... declared for LLaMA-Factory (`--dataset_dir DIR --dataset qwen_agent`)
    DIR/images/             PNGs named by their content's hash (a screen seen twice is stored once)
    DIR/dataset.json        how it was made: prompt format, pixel budget, history, counts
    DIR/README.md           the dataset card

The assistant turn is `<think>\\n{thinking}\\n</think>\\n\\n{action}`: the shape Qwen3-VL-Thinking's
chat template writes for a reply, so trainers that render whole conversations see what the agent's
model writes after its generation prompt.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

from PIL import Image

from actions import UsageError
from agent.native_prompt import tool_for
from agent.prompt import ImagePart, Prompt, build_prompt
from agent.training.card import card
from agent.training.folder import (
    CARD,
    DATASET_INFO,
    EXPORT_FILES,
    IMAGES,
    LLAMA_FACTORY,
    LLAMA_FACTORY_NAME,
    META,
    THINK_OPEN,
    TRAIN,
    ExportOptions,
    Summary,
)
from agent.training.samples import Item, Note, Sample, Skipped
from agent.training.targets import rationale, reply_text


def prepare_folder(out: Path) -> None:
    """`out` empty or new, or a previous export (replaced). Anything else is refused, one line."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: is a file")
    if out.exists() and any(out.iterdir()):
        if not (out / META).is_file():
            raise UsageError(f"--out {out}: the folder is not empty (and not an earlier export)")
        for name in EXPORT_FILES:
            (out / name).unlink(missing_ok=True)
        shutil.rmtree(out / IMAGES, ignore_errors=True)
    (out / IMAGES).mkdir(parents=True, exist_ok=True)


def write(items: Any, out: Path, options: ExportOptions) -> Summary:
    """Write every sample of `items` (from `samples.collect`) into `out`; return the counts."""
    prepare_folder(out)
    summary = Summary()
    stored: set[str] = set()
    with open(out / TRAIN, "w", encoding="utf-8") as train, open(out / LLAMA_FACTORY, "w", encoding="utf-8") as lf:
        for item in items:
            if isinstance(item, Skipped):
                summary.skipped[item.reason] += 1
            elif isinstance(item, Note):
                summary.notes.append(f"{item.source}: {item.text}")
            else:
                line = example(item, options, out, stored)
                summary.examples += 1
                summary.per_goal[item.request.goal] += 1
                summary.per_source[item.source] += 1
                summary.private += item.private
                summary.recorded_thinking += bool(item.thinking) and not options.rationale_only
                train.write(json.dumps({"id": f"{summary.examples:06d}", **line}, ensure_ascii=False) + "\n")
                lf.write(json.dumps(llama_factory(line), ensure_ascii=False) + "\n")
    summary.images = len(stored)
    if not summary.examples:
        raise UsageError("nothing to export: no step was decided, allowed and executed"
                         + (f" ({_reasons(summary)})" if summary.skipped else ""))
    _write_json(out / DATASET_INFO, {LLAMA_FACTORY_NAME: {
        "file_name": LLAMA_FACTORY, "formatting": "sharegpt",
        "columns": {"messages": "messages", "images": "images"},
        "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user",
                 "assistant_tag": "assistant", "system_tag": "system"}}})
    _write_json(out / META, meta(summary, options))
    (out / CARD).write_text(card(summary, options), encoding="utf-8")
    return summary


def example(sample: Sample, options: ExportOptions, out: Path, stored: set[str]) -> dict[str, Any]:
    """One sample as a training example: the prompt the agent sends, the reply it should write."""
    request = sample.request
    tool = tool_for(request)
    prompt = build_prompt(request, options.history_steps, options.history_images, options.format, tool)
    last = request.history[-1] if request.history else None
    thinking = sample.thinking if sample.thinking and not options.rationale_only else \
        rationale(request.goal, request.language, sample.action, last)
    reply = reply_text(thinking, sample.action, options.format, tool)
    images = [_store(image, out, stored) for image in prompt.images()]
    return {
        "source": sample.source, "name": sample.name, "goal": request.goal, "step": request.step,
        "images": images,
        "messages": [
            {"role": "system", "content": [{"type": "text", "text": prompt.system}]},
            {"role": "user", "content": _content(prompt)},
            {"role": "assistant", "content": [{"type": "text", "text": THINK_OPEN + reply}]},
        ],
    }


def llama_factory(line: dict[str, Any]) -> dict[str, Any]:
    """The example in LLaMA-Factory's sharegpt layout: contents as strings, `<image>` markers."""
    def text(content: list[dict[str, Any]]) -> str:
        return "".join("<image>" if part["type"] == "image" else part["text"] for part in content)
    return {"messages": [{"role": m["role"], "content": text(m["content"])} for m in line["messages"]],
            "images": line["images"]}


def meta(summary: Summary, options: ExportOptions) -> dict[str, Any]:
    return {"format": "qwen-agent export 1", "prompt": options.format, "max_pixels": options.max_pixels,
            "history_steps": options.history_steps, "history_images": options.history_images,
            "examples": summary.examples, "images": summary.images,
            "per_goal": dict(summary.per_goal), "sources": dict(summary.per_source),
            "skipped": dict(summary.skipped), "notes": summary.notes,
            "private_examples": summary.private, "recorded_thinking": summary.recorded_thinking}


def _content(prompt: Prompt) -> list[dict[str, Any]]:
    return [{"type": "image"} if isinstance(p, ImagePart) else {"type": "text", "text": p} for p in prompt.parts]


def _store(image: Image.Image, out: Path, stored: set[str]) -> str:
    """The image's file, named by a hash of its pixels (encoded to PNG once, when new)."""
    rgb = image.convert("RGB")
    digest = hashlib.sha256(f"{rgb.size}".encode() + rgb.tobytes()).hexdigest()[:20]
    name = f"{IMAGES}/{digest}.png"
    if name not in stored:
        buffer = io.BytesIO()
        rgb.save(buffer, format="PNG", compress_level=6)
        (out / name).write_bytes(buffer.getvalue())
        stored.add(name)
    return name


def _reasons(summary: Summary) -> str:
    return "; ".join(f"{n} {reason}" for reason, n in summary.skipped.most_common(3))


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


__all__ = ["ExportOptions", "Item", "Summary", "example", "llama_factory", "write"]
