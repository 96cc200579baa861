"""An exported dataset as model inputs: the prompt as the local backend renders it, the reply as
the tokens the model should generate after it, and labels on the reply only.

The prompt goes through the checkpoint's chat template with the generation prompt (which opens
`<think>` for the Thinking models) and through the processor with its images -- the calls
`TransformersModel.render` and `prepare` make -- and the reply's tokens follow it. So the model
is trained on exactly the token sequence it produces when it decides: the prompt's tokens are
context (label -100), the reply's tokens and the end of turn are learned.

Examples go one at a time through the model (left-padded when batched), and only the reply's
positions are projected onto the vocabulary (`logits_to_keep`): a Qwen3 vocabulary is 152k wide,
and the logits of a 2,000-token prompt alone would take over a gigabyte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from actions import UsageError
from agent.training.folder import THINK_OPEN, TRAIN

IGNORE = -100
END_OF_TURN = "<|im_end|>"


@dataclass(frozen=True)
class Example:
    prompt: list[dict[str, Any]]  # the system and user messages, as the backend renders them
    reply: str  # the assistant's text, `<think>\n...` included
    images: tuple[Path, ...]
    where: str  # file:line, for errors


def read_examples(data: str | Path) -> list[Example]:
    """The examples of an export folder (or its train.jsonl). UsageError, one line, for a missing,
    empty or malformed dataset -- before any model is loaded."""
    path = Path(data)
    file = path / TRAIN if path.is_dir() else path
    if not file.is_file():
        raise UsageError(f"{data}: no dataset here (expected an export folder with {TRAIN}, "
                         "written by `qwen-agent export`)")
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"{file}: cannot read it: {err}") from None
    examples = [_example(line, file, n) for n, line in enumerate(lines, 1) if line.strip()]
    if not examples:
        raise UsageError(f"{file}: the dataset is empty")
    return examples


def _example(line: str, file: Path, number: int) -> Example:
    where = f"{file}:{number}"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as err:
        raise UsageError(f"{where}: not JSON ({err.msg})") from None
    messages = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(messages, list) or len(messages) < 2 or not all(isinstance(m, dict) for m in messages):
        raise UsageError(f"{where}: expected an object with \"messages\" (system/user turns, then the assistant's)")
    *prompt, last = messages
    if last.get("role") != "assistant" or any(m.get("role") not in ("system", "user") for m in prompt):
        raise UsageError(f"{where}: the messages must be system/user turns followed by one assistant turn")
    for message in messages:
        _check_content(message.get("content"), where)
    reply = "".join(part["text"] for part in last["content"] if part["type"] == "text")
    if not reply.strip():
        raise UsageError(f"{where}: the assistant's reply is empty")
    wanted = sum(part["type"] == "image" for m in prompt for part in m["content"])
    images = data.get("images", [])
    if not isinstance(images, list) or not all(isinstance(i, str) for i in images) or len(images) != wanted:
        raise UsageError(f"{where}: \"images\" must list one file for each of the {wanted} image parts")
    paths = tuple(file.parent / image for image in images)
    for image in paths:
        if not image.is_file():
            raise UsageError(f"{where}: image {image} is missing")
    return Example(prompt=prompt, reply=reply, images=paths, where=where)


def _check_content(content: Any, where: str) -> None:
    ok = isinstance(content, list) and all(
        isinstance(p, dict) and (p.get("type") == "image" or (p.get("type") == "text" and isinstance(p.get("text"), str)))
        for p in content)
    if not ok:
        raise UsageError(f"{where}: each message's content must be a list of "
                         "{\"type\": \"text\", \"text\": ...} and {\"type\": \"image\"} parts")


class Features:
    """A map-style dataset of model inputs (a torch `Dataset` in all but name: the Trainer only
    needs `__len__` and `__getitem__`). Built lazily: a screenshot's pixel patches take tens of MB."""

    def __init__(self, examples: list[Example], processor: Any) -> None:
        self.examples = examples
        self.processor = processor
        self.tokenizer = processor.tokenizer

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, index: int) -> dict[str, Any]:
        import torch

        example = self.examples[index]
        text = self.prompt_text(example)
        inputs = self.processor(text=[text], images=_open(example) or None, return_tensors="pt")
        reply = example.reply
        if text.endswith(THINK_OPEN) and reply.startswith(THINK_OPEN):
            reply = reply[len(THINK_OPEN):]  # the generation prompt opened the thinking already
        ids = self.tokenizer(reply + END_OF_TURN, add_special_tokens=False)["input_ids"]
        reply_ids = torch.tensor([ids], dtype=inputs["input_ids"].dtype)
        prompt_len = inputs["input_ids"].shape[1]
        item = {
            "input_ids": torch.cat([inputs["input_ids"], reply_ids], dim=1)[0],
            "attention_mask": torch.ones(prompt_len + len(ids), dtype=torch.long),
            "labels": torch.cat([torch.full((prompt_len,), IGNORE), reply_ids[0]]),
        }
        if "mm_token_type_ids" in inputs:
            item["mm_token_type_ids"] = torch.cat([inputs["mm_token_type_ids"][0],
                                                   torch.zeros(len(ids), dtype=inputs["mm_token_type_ids"].dtype)])
        if "pixel_values" in inputs:
            item["pixel_values"] = inputs["pixel_values"]
            item["image_grid_thw"] = inputs["image_grid_thw"]
        return item

    def prompt_text(self, example: Example) -> str:
        """The prompt as the backend renders it (`TransformersModel.render`)."""
        return self.processor.apply_chat_template(example.prompt, add_generation_prompt=True, tokenize=False)


def collate(items: list[dict[str, Any]], pad_id: int) -> dict[str, Any]:
    """A batch, left-padded so that every reply ends at the last position: then the logits of the
    last `logits_to_keep` positions cover every reply token of the batch."""
    import torch

    longest = max(len(item["input_ids"]) for item in items)
    reply = max(int((item["labels"] != IGNORE).sum()) for item in items)

    def pad(key: str, value: int) -> Any:
        return torch.stack([torch.cat([torch.full((longest - len(item[key]),), value, dtype=item[key].dtype),
                                       item[key]]) for item in items])

    batch: dict[str, Any] = {"input_ids": pad("input_ids", pad_id), "attention_mask": pad("attention_mask", 0)}
    keep = reply + 1  # position i predicts token i + 1: one more position than reply tokens
    batch["labels"] = pad("labels", IGNORE)[:, -keep:]
    batch["logits_to_keep"] = keep
    if "mm_token_type_ids" in items[0]:
        batch["mm_token_type_ids"] = pad("mm_token_type_ids", 0)
    if "pixel_values" in items[0]:
        batch["pixel_values"] = torch.cat([item["pixel_values"] for item in items])
        batch["image_grid_thw"] = torch.cat([item["image_grid_thw"] for item in items])
    return batch


def _open(example: Example) -> list[Image.Image]:
    out = []
    for path in example.images:
        try:
            with Image.open(path) as image:
                out.append(image.convert("RGB"))
        except (OSError, UnidentifiedImageError):
            raise UsageError(f"{example.where}: image {path} cannot be read") from None
    return out
