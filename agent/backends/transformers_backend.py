"""The local backend: Qwen3-VL Thinking run in-process with transformers.

One `decide` = build the prompt, render it with the checkpoint's chat template (which opens
`<think>`), run the processor on the screenshot(s), `generate` with Qwen's sampling settings
(optionally grammar-constrained), stream the text to `on_text` as it comes, and return the raw
reply with the opening `<think>` put back in front. The thinking is bounded by the budget in
tokens and by the step's time limit: when either runs out, `budget.ThinkingBudget` closes it with
Qwen's early-stop sentence and `</think>`, and the action follows (constrained by the grammar
when that is on), so a cut budget still yields an action.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import LogitsProcessor, LogitsProcessorList

from agent.backends.budget import MAX_WAIT, ThinkingBudget, early_stop_ids, thinking_deadline
from agent.backends.hf_load import MODEL_CLASSES, Loaded
from agent.backends.options import DEFAULT_PROMPTING, History, Prompting, Sampling
from agent.backends.streaming import CallbackStreamer
from agent.engine.errors import ModelError
from agent.engine.model import DecideRequest, ModelReply, TextSink
from agent.native_prompt import tool_for
from agent.prompt import NATIVE, ImagePart, Prompt, build_prompt

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
    tool: str | None = None  # native prompt: the function the reply calls


class TransformersModel:
    backend = "transformers"  # recorded in run.json

    def __init__(self, loaded: Loaded, name: str, sampling: Sampling, history: History,
                 prompting: Prompting = DEFAULT_PROMPTING) -> None:
        self.name = name
        self.loaded = loaded
        self.sampling = sampling
        self.history = history
        self.prompting = prompting
        # Native prompts are what Qwen3-VL checkpoints were trained on (every checkpoint this
        # backend loads is one; the option exists for the json prompt).
        self.prompt_format = prompting.resolve(loaded.model.config.model_type in MODEL_CLASSES)
        self._tokenizer = loaded.processor.tokenizer
        self._image_token_id = int(loaded.model.config.image_token_id)
        self._think_close_id = self._token_id(THINK_CLOSE)
        tool_ids = (self._token_id("<tool_call>"), self._token_id("</tool_call>"))
        self._tool_call_ids = tool_ids if None not in tool_ids else None
        self._forced = early_stop_ids(self._tokenizer, self._think_close_id) if self._think_close_id is not None else []
        self._eos = _eos_ids(loaded.model, self._tokenizer)
        self._grammars: dict[tuple[bool, str | None], Any] = {}
        if sampling.constrain:
            # Built now (about a second for a 150k vocabulary) rather than inside the first step.
            probe = self.render(Prompt(system="", parts=("",)))
            tool = prompting.tool if self.prompt_format == NATIVE else None
            self.grammar(probe.rstrip().endswith(THINK_OPEN), tool)

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
        processor, budget = self._processors(prepared)
        if processor or budget:
            kwargs["logits_processor"] = LogitsProcessorList([p for p in (processor, budget) if p is not None])
        if n > 1:
            kwargs["num_return_sequences"] = n
        try:
            output = self._generate(prepared.inputs, kwargs, on_text if n == 1 else None)
        except (torch.OutOfMemoryError, MemoryError) as err:
            raise ModelError(f"out of memory while generating ({_first_line(err)[:80]}); try a lower --max-pixels, --quantize 4bit or --history-images 0") from None
        seconds = time.perf_counter() - start
        new = output[:, prepared.inputs["input_ids"].shape[1]:]
        replies = []
        for index, row in enumerate(new):
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
                    extra={"constrained": bool(processor), "prompt": self.prompt_format,
                           **({"thinking_cut": True} if budget is not None and budget.cut and budget.cut[index] else {}),
                           **({"grammar_errors": processor.errors()} if processor and processor.errors() else {})},
                )
            )
        return replies

    def _processors(self, prepared: Prepared) -> tuple[Any, Any]:
        """(grammar processor or None, thinking-budget processor or None), in the order they run:
        the budget comes after the grammar, narrowing what the grammar allows to one token."""
        grammar = self.grammar(prepared.opens_think, prepared.tool).processor() if self.sampling.constrain else None
        budget = None
        if prepared.opens_think and self._think_close_id is not None:
            deadline = thinking_deadline(self.sampling.step_timeout, time.monotonic())
            budget = _BudgetProcessor(self.sampling.max_new_tokens, self._think_close_id, self._forced, deadline)
        return grammar, budget

    def prepare(self, request: DecideRequest) -> Prepared:
        tool = tool_for(request, self.prompting.tool) if self.prompt_format == NATIVE else None
        prompt = build_prompt(request, self.history.steps, self.history.images, self.prompt_format, tool)
        text = self.render(prompt)
        opens_think = text.rstrip().endswith(THINK_OPEN)
        images = prompt.images() or None
        inputs = self.loaded.processor(text=[text], images=images, return_tensors="pt")
        inputs = inputs.to(self.loaded.device)
        ids = inputs["input_ids"]
        # The thinking budget, the early-stop sentence that closes a cut one, then the action.
        budget = self.sampling.max_new_tokens + MAX_WAIT + len(self._forced) + self.sampling.answer_tokens
        kwargs: dict[str, Any] = {
            "max_new_tokens": budget,
            "pad_token_id": self._tokenizer.pad_token_id,
            "eos_token_id": sorted(self._eos),
        }
        if self.sampling.step_timeout:
            kwargs["max_time"] = self.sampling.step_timeout  # a hard stop behind the budget's deadline
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
            tool=tool,
        )

    def render(self, prompt: Prompt) -> str:
        """The prompt as the checkpoint's chat template writes it, ready for generation."""
        content = [{"type": "image"} if isinstance(p, ImagePart) else {"type": "text", "text": p} for p in prompt.parts]
        messages = [
            {"role": "system", "content": [{"type": "text", "text": prompt.system}]},
            {"role": "user", "content": content},
        ]
        return self.loaded.processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)

    def grammar(self, opens_think: bool, tool: str | None = None) -> Any:
        """The compiled grammar for replies that open with thinking (or not), in JSON or as a
        `tool` call; one per combination, kept for the model's lifetime."""
        from agent.backends.constrained import ActionGrammar

        key = (opens_think, tool)
        if key not in self._grammars:
            vocab = int(self.loaded.model.get_output_embeddings().weight.shape[0])
            close = self._think_close_id if opens_think else None
            # Room for the early-stop sentence: the budget processor closes the thinking first.
            think_tokens = self.sampling.max_new_tokens + MAX_WAIT + len(self._forced) + 1
            self._grammars[key] = ActionGrammar(
                self._tokenizer, vocab, sorted(self._eos), close, think_tokens, self.sampling.answer_tokens,
                tool=tool, tool_call_ids=self._tool_call_ids,
            )
        return self._grammars[key]

    def _generate(self, inputs: Any, kwargs: dict[str, Any], on_text: TextSink | None) -> torch.Tensor:
        if on_text is not None:
            # Called from inside generate's loop: the console shows the reasoning as it comes.
            kwargs = {**kwargs, "streamer": CallbackStreamer(self._tokenizer, on_text)}
        with torch.inference_mode():
            return self.loaded.model.generate(**inputs, **kwargs)

    def _token_id(self, token: str) -> int | None:
        ids = self._tokenizer.convert_tokens_to_ids([token])
        return ids[0] if ids and ids[0] != self._tokenizer.unk_token_id and ids[0] is not None else None


class _BudgetProcessor(ThinkingBudget, LogitsProcessor):
    """ThinkingBudget as the LogitsProcessor type transformers expects in its list."""


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
