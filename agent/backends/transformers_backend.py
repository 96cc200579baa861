"""The local backend: Qwen3-VL Thinking run in-process with transformers.

One `decide` = build the prompt, render it with the checkpoint's chat template (which opens
`<think>`), run the processor on the screenshot(s), `generate` with Qwen's sampling settings
(optionally grammar-constrained), stream the text to `on_text` as it comes, and return the raw
reply with the opening `<think>` put back in front: a reply cut off by the budget therefore ends
inside the thinking block and the parser reports it as a format error.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import LogitsProcessorList

from agent.backends.hf_load import Loaded
from agent.backends.options import History, Sampling
from agent.backends.streaming import CallbackStreamer
from agent.engine.errors import ModelError
from agent.engine.model import DecideRequest, ModelReply, TextSink
from agent.prompt import ImagePart, Prompt, build_prompt

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"


@dataclass(frozen=True)
class Prepared:
    """Model inputs and generate() arguments for one step (also used by the benchmark)."""

    inputs: Any  # BatchFeature on the model's device
    generate_kwargs: dict[str, Any]
    opens_think: bool  # the prompt ends with <think>: the reply starts inside the thinking block
    prompt_tokens: int
    image_tokens: int


class TransformersModel:
    backend = "transformers"  # recorded in run.json

    def __init__(self, loaded: Loaded, name: str, sampling: Sampling, history: History) -> None:
        self.name = name
        self.loaded = loaded
        self.sampling = sampling
        self.history = history
        self._tokenizer = loaded.processor.tokenizer
        self._image_token_id = int(loaded.model.config.image_token_id)
        self._think_close_id = self._token_id(THINK_CLOSE)
        self._eos = _eos_ids(loaded.model, self._tokenizer)
        self._grammar: Any = None
        if sampling.constrain:
            # Built now (about a second for a 150k vocabulary) rather than inside the first step.
            probe = self.render(Prompt(system="", parts=("",)))
            self.grammar(probe.rstrip().endswith(THINK_OPEN))

    @property
    def folder(self) -> Path:
        return self.loaded.folder

    def decide(self, request: DecideRequest, on_text: TextSink | None = None) -> ModelReply:
        return self.generate_replies(request, on_text=on_text)[0]

    def generate_replies(self, request: DecideRequest, n: int = 1, on_text: TextSink | None = None) -> list[ModelReply]:
        """`n` sampled replies to one request, in one batched generate (streams the first)."""
        start = time.perf_counter()
        prepared = self.prepare(request)
        kwargs = dict(prepared.generate_kwargs)
        processor = None
        if self.sampling.constrain:
            processor = self.grammar(prepared.opens_think).processor()
            kwargs["logits_processor"] = LogitsProcessorList([processor])
        if n > 1:
            kwargs["num_return_sequences"] = n
        try:
            output = self._generate(prepared.inputs, kwargs, on_text if n == 1 else None)
        except (torch.OutOfMemoryError, MemoryError) as err:
            raise ModelError(f"out of memory while generating ({_first_line(err)[:80]}); try a lower --max-pixels, --quantize 4bit or --history-images 0") from None
        seconds = time.perf_counter() - start
        new = output[:, prepared.inputs["input_ids"].shape[1]:]
        replies = []
        for row in new:
            ids = [int(t) for t in row if int(t) not in self._eos and int(t) != self._tokenizer.pad_token_id]
            text = self._tokenizer.decode(ids, skip_special_tokens=True)
            if prepared.opens_think:
                text = THINK_OPEN + "\n" + text
            replies.append(
                ModelReply(
                    text=text,
                    prompt_tokens=prepared.prompt_tokens,
                    completion_tokens=_generated_length(row, self._eos),
                    image_tokens=prepared.image_tokens,
                    seconds=seconds,
                    extra={"constrained": bool(processor), **({"grammar_errors": processor.errors()} if processor and processor.errors() else {})},
                )
            )
        return replies

    def prepare(self, request: DecideRequest) -> Prepared:
        prompt = build_prompt(request, self.history.steps, self.history.images)
        text = self.render(prompt)
        opens_think = text.rstrip().endswith(THINK_OPEN)
        images = prompt.images() or None
        inputs = self.loaded.processor(text=[text], images=images, return_tensors="pt")
        inputs = inputs.to(self.loaded.device)
        ids = inputs["input_ids"]
        budget = self.sampling.max_new_tokens
        if self.sampling.constrain:
            budget += self.sampling.answer_tokens  # the grammar ends the reasoning within budget
        kwargs: dict[str, Any] = {
            "max_new_tokens": budget,
            "pad_token_id": self._tokenizer.pad_token_id,
            "eos_token_id": sorted(self._eos),
        }
        if self.sampling.temperature > 0:
            kwargs.update(do_sample=True, temperature=self.sampling.temperature, top_p=self.sampling.top_p, top_k=self.sampling.top_k)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        return Prepared(
            inputs=inputs,
            generate_kwargs=kwargs,
            opens_think=opens_think,
            prompt_tokens=int(ids.shape[1]),
            image_tokens=int((ids == self._image_token_id).sum()),
        )

    def render(self, prompt: Prompt) -> str:
        """The prompt as the checkpoint's chat template writes it, ready for generation."""
        content = [{"type": "image"} if isinstance(p, ImagePart) else {"type": "text", "text": p} for p in prompt.parts]
        messages = [
            {"role": "system", "content": [{"type": "text", "text": prompt.system}]},
            {"role": "user", "content": content},
        ]
        return self.loaded.processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)

    def grammar(self, opens_think: bool) -> Any:
        from agent.backends.constrained import ActionGrammar

        if self._grammar is None or self._grammar[0] != opens_think:
            vocab = int(self.loaded.model.get_output_embeddings().weight.shape[0])
            close = self._think_close_id if opens_think else None
            self._grammar = (opens_think, ActionGrammar(
                self._tokenizer, vocab, sorted(self._eos), close, self.sampling.max_new_tokens, self.sampling.answer_tokens
            ))
        return self._grammar[1]

    def _generate(self, inputs: Any, kwargs: dict[str, Any], on_text: TextSink | None) -> torch.Tensor:
        if on_text is not None:
            # Called from inside generate's loop: the console shows the reasoning as it comes.
            kwargs = {**kwargs, "streamer": CallbackStreamer(self._tokenizer, on_text)}
        with torch.inference_mode():
            return self.loaded.model.generate(**inputs, **kwargs)

    def _token_id(self, token: str) -> int | None:
        ids = self._tokenizer.convert_tokens_to_ids([token])
        return ids[0] if ids and ids[0] != self._tokenizer.unk_token_id and ids[0] is not None else None


def _eos_ids(model: Any, tokenizer: Any) -> set[int]:
    eos = model.generation_config.eos_token_id
    ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
    if tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    return {int(i) for i in ids}


def _generated_length(row: torch.Tensor, eos: set[int]) -> int:
    """Tokens generated, counting the end-of-turn token but not the padding after it."""
    values = row.tolist()
    for i, token in enumerate(values):
        if token in eos:
            return i + 1
    return len(values)


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0][:200] if lines else type(err).__name__
