"""`qwen-agent bench`: the backend's figures, measured in one run (a benchmark, not a test).

    visual tokens      a 1080x2400 phone and a 1920x1080 desktop screenshot at the pixel budget
    prompt tokens      step 1 vs step 10 vs step 30 of a run (bounded history: flat)
    decide / generate  the agent's whole decide() against a bare model.generate() on the same
                       inputs and the same tokens (greedy, unconstrained): the agent's overhead
    constrained        time per token with and without grammar-constrained decoding (sampled)
    verified replay    time per replayed step with verification, as a ratio to a live step
                       (the model's whole decide) on the same recorded path (agent/bench_replay.py)

By default it builds the tiny random Qwen3-VL in a temporary folder and times that on the CPU;
`--model PATH` times a real checkpoint instead. Screenshots come from the simulated phone.
"""

from __future__ import annotations

import time
from dataclasses import replace

from PIL import Image, ImageDraw

from agent.bench_report import Figures
from agent.engine.model import DecideRequest, StepNote
from agent.imaging import fit_pixel_budget, visual_tokens

PHONE = (1080, 2400)
DESKTOP = (1920, 1080)


def run_model_figures(model_path: str, *, tokens: int, max_pixels: int, repeats: int,
                      timing_pixels: int | None = None, quick: bool = False,
                      figures: Figures | None = None) -> int:
    """The model figures, printed and recorded in `figures`. `timing_pixels`: the budget of the
    timed screenshots (smaller in `--quick`, where prefill would dominate); `quick` also runs the
    live replay steps unconstrained (a random model's forced JSON has no length bound)."""
    import torch

    from agent.backends import load_transformers
    from agent.backends.options import History, Loading, Sampling

    figures = figures or Figures()
    print = figures.line  # noqa: A001 - every line below is also the run's record
    timing_pixels = timing_pixels or max_pixels
    # The answer after the thinking is bounded like the thinking: a random model's never ends
    # by itself, and the default answer budget (1,024 tokens) would make every figure minutes.
    greedy = Sampling(max_new_tokens=tokens, temperature=0.0, constrain=False, answer_tokens=tokens)
    model = load_transformers(Loading(model_path), greedy, History(), progress=False)
    phone, desktop = screenshot(PHONE), screenshot(DESKTOP)
    print(f"model {model_path} on {model.loaded.device}, pixel budget {max_pixels}"
          + (f" ({timing_pixels} for the timed figures)" if timing_pixels != max_pixels else ""))

    # 1. Visual tokens: our estimate and what the processor really produces.
    for key, name, image in (("tokens_phone", "phone 1080x2400", phone), ("tokens_desktop", "desktop 1920x1080", desktop)):
        small = fit_pixel_budget(image, max_pixels)
        real = model.prepare(request(small, image.size, 1)).image_tokens
        print(f"visual tokens  {name}: {real} (image {small.size[0]}x{small.size[1]}, estimate {visual_tokens(small.size)})")
        figures.cell(key, f"{real:,} ({small.size[0]}×{small.size[1]})")

    # 2. Prompt tokens with a growing run: the history is bounded, so the prompt is flat.
    small = fit_pixel_budget(phone, max_pixels)
    counts = {step: model.prepare(request(small, PHONE, step)).prompt_tokens for step in (1, 10, 30)}
    print(f"prompt tokens  step 1: {counts[1]}, step 10: {counts[10]}, step 30: {counts[30]}")
    figures.cell("prompt_tokens", f"{counts[1]:,} / {counts[10]:,} / {counts[30]:,} "
                                  "(flat once the history window is full)")

    # 3. decide() against a bare generate() on the same inputs; greedy, so the same tokens.
    req = request(fit_pixel_budget(phone, timing_pixels), PHONE, 5)
    decide_s, bare_s, made = [], [], 0
    model.decide(req)  # warm-up
    for _ in range(repeats):
        start = time.perf_counter()
        reply = model.decide(req, on_text=lambda _chunk: None)
        decide_s.append(time.perf_counter() - start)
        made = reply.completion_tokens or 0
        prepared = model.prepare(req)
        # Exactly as many tokens as decide() made: decide closes the thinking at its budget (a
        # logits processor), which a bare generate does not, so its length is pinned instead.
        bare_kwargs = {**prepared.generate_kwargs, "max_new_tokens": max(1, made), "min_new_tokens": max(1, made)}
        start = time.perf_counter()
        with torch.inference_mode():
            model.loaded.model.generate(**prepared.inputs, **bare_kwargs)
        bare_s.append(time.perf_counter() - start)
    # The fastest of the repeats: the least disturbed by whatever else the machine is doing.
    ratio = min(decide_s) / min(bare_s)
    overhead_ms = 1000 * (min(decide_s) - min(bare_s))
    print(f"decide/generate  {ratio:.3f} ({min(decide_s):.2f} s vs {min(bare_s):.2f} s for {made} tokens, "
          f"best of {repeats}; overhead {overhead_ms:.0f} ms per step)")
    figures.cell("decide_ratio", f"{ratio:.2f} (best of {repeats}, {made} tokens)")

    # 4. Constrained vs unconstrained decoding, sampled with the Thinking defaults.
    per_token = {}
    for constrain in (False, True):
        model.sampling = replace(Sampling(), max_new_tokens=tokens, constrain=constrain, answer_tokens=tokens)
        model.decide(req)  # warm-up (and the grammar build)
        torch.manual_seed(0)
        total_s, total_tokens = 0.0, 0
        for _ in range(repeats):
            start = time.perf_counter()
            reply = model.decide(req)
            total_s += time.perf_counter() - start
            total_tokens += reply.completion_tokens or 0
        per_token[constrain] = 1000 * total_s / max(1, total_tokens)
    print(f"time per token  unconstrained {per_token[False]:.1f} ms, constrained {per_token[True]:.1f} ms "
          f"({per_token[True] / per_token[False]:.2f}x)")
    figures.cell("constrained", f"{per_token[True]:.1f} ms ÷ {per_token[False]:.1f} ms = "
                                f"{per_token[True] / per_token[False]:.2f}")

    # 5. A replayed step with verification against a live step (the Thinking defaults, constrained).
    from agent.bench_replay import replay_vs_live

    model.sampling = replace(Sampling(), max_new_tokens=tokens, constrain=not quick, answer_tokens=tokens)
    ratio = replay_vs_live(model, print, max_pixels=timing_pixels)
    figures.cell("replay_ratio", f"{ratio:.3f}")
    return 0


def request(image: Image.Image, screen: tuple[int, int], step: int) -> DecideRequest:
    """Step `step` of a run on a 'turn off Bluetooth' goal, with `step - 1` steps of history."""
    history = tuple(
        StepNote(i, {"action": "tap", "element": "Settings app icon", "coordinates": [120 + i, 340], "confidence": 0.8},
                 "done: the screen changed")
        for i in range(1, step)
    )
    return DecideRequest(goal="turn off Bluetooth", image=image, screen=screen, step=step, history=history)


def screenshot(size: tuple[int, int]) -> Image.Image:
    """The simulated phone's Settings screen, or a drawn stand-in at sizes it does not render."""
    if size[1] > size[0]:
        try:
            from devices.sim import SimPhone

            phone = SimPhone(screen="settings", size=size)
            try:
                return phone.screenshot()
            finally:
                phone.close()
        except Exception:  # noqa: BLE001 - the benchmark only needs some realistic pixels
            pass
    image = Image.new("RGB", size, (245, 245, 245))
    draw = ImageDraw.Draw(image)
    for row in range(40, size[1], 60):
        draw.text((40, row), "Bluetooth  Wi-Fi  Display  Sound  Accessibility", fill=(30, 30, 30))
    return image
