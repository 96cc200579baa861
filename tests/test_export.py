"""`qwen-agent export`: run folders and scenarios as Qwen3-VL training data.

The examples are checked against what the agent really does: the six everyday scenarios are
exported, then played through the real loop by a model that answers each step with the exported
reply -- it must see, at every step, exactly the exported prompt (text and pixels), and the
scenario must end where it should. A run folder with an invalid reply, a refused step and a
failed one exports only its executed steps, each with the prompt the model was given. The
dataset loads with `datasets`, its images open, each reply is one the constrained decoder accepts.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from actions import parse_reply
from agent.commands.main import main
from agent.engine import DecideRequest, LoopOptions, ModelReply, RunPlan, Unattended, execute
from agent.engine.session import goal_language
from agent.engine.view import JsonView
from agent.prompt import ImagePart, build_prompt
from agent.scenario import load
from agent.training.targets import translate
from devices.base import execute as perform
from devices.sim import SimPhone
from policies import load_policy
from tests.helpers import REPO

SIX = ("bluetooth-off", "wifi-on", "font-larger", "note-add", "zh-font-bigger", "zh-dark-theme")
STEPS = {"Turn off Bluetooth": 5, "Turn on Wi-Fi": 4, "Make the text bigger": 6,
         "Write a note: Call the plumber on Monday": 5, "把字体调大": 3, "打开深色主题": 5}
SMALL = 262_144  # a quarter-megapixel budget: quick, and still the budget the agent would use


def export(out: Path, *paths: str, fmt: str = "native") -> Path:
    assert main(["export", *paths, "--out", str(out), "--max-pixels", str(SMALL), "--prompt", fmt]) == 0
    return out


def lines(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / "train.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def six(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export(tmp_path_factory.mktemp("six") / "data", *(str(REPO / "scenarios" / s) for s in SIX))


def test_the_six_everyday_scenarios_give_one_example_per_step(six: Path) -> None:
    examples = lines(six)
    assert Counter(e["goal"] for e in examples) == STEPS
    meta = json.loads((six / "dataset.json").read_text(encoding="utf-8"))
    assert meta["examples"] == 28 and meta["prompt"] == "native" and meta["max_pixels"] == SMALL
    card = (six / "README.md").read_text(encoding="utf-8")
    assert "| Turn off Bluetooth | 5 |" in card and "| 打开深色主题 | 5 |" in card and "`native` prompt" in card
    for example in examples:
        system, user, assistant = example["messages"]
        assert (system["role"], user["role"], assistant["role"]) == ("system", "user", "assistant")
        reply = assistant["content"][0]["text"]
        assert reply.startswith("<think>\n") and "\n</think>\n\n<tool_call>\n" in reply
        parse_reply(reply)  # a valid action
    # The Chinese goals are thought about in Chinese, the English ones in English.
    assert all(e["messages"][2]["content"][0]["text"].startswith("<think>\n目标")
               for e in examples if goal_language(e["goal"]) == "zh")


def test_the_dataset_loads_with_datasets_and_its_images_open(six: Path) -> None:
    datasets = pytest.importorskip("datasets")
    ds = datasets.load_dataset("json", data_files=str(six / "train.jsonl"), split="train")
    assert len(ds) == 28 and {"messages", "images"} <= set(ds.column_names)
    for row in ds:
        parts = [p for m in row["messages"] for p in m["content"]]
        assert sum(p["type"] == "image" for p in parts) == len(row["images"]) == 1
        for name in row["images"]:
            with Image.open(six / name) as image:
                image.load()
                assert image.width * image.height <= SMALL
    # LLaMA-Factory: the same examples, an <image> marker where each image goes, declared in
    # dataset_info.json.
    info = json.loads((six / "dataset_info.json").read_text(encoding="utf-8"))["qwen_agent"]
    assert info["formatting"] == "sharegpt" and info["columns"] == {"messages": "messages", "images": "images"}
    factory = [json.loads(line) for line in (six / info["file_name"]).read_text(encoding="utf-8").splitlines()]
    assert len(factory) == 28
    for row, original in zip(factory, lines(six), strict=True):
        assert row["messages"][1]["content"].count("<image>") == len(row["images"]) == len(original["images"])
        assert row["messages"][2]["content"] == original["messages"][2]["content"][0]["text"]


class Replaying:
    """A model that answers each step with the exported reply for it, and keeps the request."""

    name = "replaying"

    def __init__(self, replies: list[str]) -> None:
        self.replies = replies
        self.requests: list[DecideRequest] = []

    def decide(self, request: DecideRequest, on_text: Any = None) -> ModelReply:
        self.requests.append(request)
        return ModelReply(text=self.replies[len(self.requests) - 1])


def _play(scenario_dir: Path, model: Any, runs: Path) -> Any:
    scenario = load(scenario_dir)
    plan = RunPlan(goal=scenario.goal, device_spec="sim", device_options=scenario.device_options,
                   policy=load_policy(None), runs_dir=str(runs), interactive=False, expect=scenario.expect,
                   loop=LoopOptions(max_pixels=SMALL, settle=None, language=goal_language(scenario.goal)))
    return execute(plan, model, person=Unattended(), view=JsonView(io.StringIO()))


@pytest.mark.parametrize("name", SIX)
def test_the_exported_prompt_is_the_one_the_agent_sends(six: Path, name: str, tmp_path: Path) -> None:
    examples = [e for e in lines(six) if e["name"] == name]
    model = Replaying([e["messages"][2]["content"][0]["text"] for e in examples])
    result = _play(REPO / "scenarios" / name, model, tmp_path)
    assert result.exit_code == 0, result.message  # the exported replies reach the expected end state
    assert len(model.requests) == len(examples)
    for request, example in zip(model.requests, examples, strict=True):
        _same_prompt(build_prompt(request, format="native"), example, six)


def _same_prompt(prompt: Any, example: dict[str, Any], folder: Path) -> None:
    system, user, _ = example["messages"]
    assert system["content"][0]["text"] == prompt.system
    assert len(user["content"]) == len(prompt.parts)
    images = iter(example["images"])
    for part, exported in zip(prompt.parts, user["content"], strict=True):
        if isinstance(part, ImagePart):
            assert exported == {"type": "image"}
            with Image.open(folder / next(images)) as saved:
                assert np.array_equal(np.asarray(saved.convert("RGB")), np.asarray(part.image.convert("RGB")))
        else:
            assert exported == {"type": "text", "text": part}


def _reply(action: dict[str, Any], thinking: str = "Looking at the screen.") -> str:
    return f"<think>\n{thinking}\n</think>\n\n" + json.dumps(action)


def test_a_run_exports_its_executed_steps_with_the_prompts_they_had(tmp_path: Path) -> None:
    """A run with an invalid reply, a refused step (confidence too low) and a failed one (no such
    app): only the executed steps are examples, each with the history and feedback it was given."""
    phone = SimPhone()
    icon = list(phone.locate("Settings"))
    replies = [
        "<think>\nhm\n</think>\n\nnot an action",  # invalid: asked again
        _reply({"action": "open_app", "app": "Nowhere", "confidence": 0.9}),  # fails: no such app
        _reply({"action": "tap", "element": "Settings", "coordinates": icon, "confidence": 0.3}),  # refused
        _reply({"action": "tap", "element": "Settings", "coordinates": icon, "confidence": 0.9}, "Open Settings."),
        _reply({"action": "done", "text": "Settings are open", "confidence": 0.9}),
    ]
    model = Replaying(replies)
    result = _play_goal("Open the settings", model, tmp_path / "runs")
    assert result.exit_code == 0, result.message
    run = Path(result.run_dir)
    out = export(tmp_path / "data", str(run))
    examples = lines(out)
    assert [e["step"] for e in examples] == [3, 4]  # the tap that ran, and done
    # The prompts are the ones the model got at those calls (the 4th and 5th), history and all.
    for call, example in zip((3, 4), examples, strict=True):
        _same_prompt(build_prompt(model.requests[call], format="native"), example, out)
    history = examples[0]["messages"][1]["content"][0]["text"]
    assert "(invalid:" not in history and "failed: no app named" in history and "(refused:" in history
    assert examples[0]["messages"][2]["content"][0]["text"].startswith("<think>\nOpen Settings.\n</think>")
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "refused by the sandbox: 1" in card and "not executed: 1" in card


def _play_goal(goal: str, model: Any, runs: Path) -> Any:
    plan = RunPlan(goal=goal, device_spec="sim", device_options={}, policy=load_policy(None),
                   runs_dir=str(runs), interactive=False,
                   loop=LoopOptions(max_pixels=SMALL, settle=None, language=goal_language(goal)))
    return execute(plan, model, person=Unattended(), view=JsonView(io.StringIO()))


def test_a_phone_scroll_becomes_the_swipe_that_moves_the_screen_as_far() -> None:
    scroll = {"action": "scroll", "direction": "down", "element": "Settings list", "coordinates": [500, 600],
              "confidence": 0.85}
    (swipe,) = translate(scroll, "native", "mobile_use")
    assert swipe["action"] == "swipe"
    by_scroll, by_swipe = SimPhone(screen="settings"), SimPhone(screen="settings")
    perform(by_scroll, parse_reply(_reply(scroll)).action)
    perform(by_swipe, parse_reply(_reply(swipe)).action)
    assert by_scroll.state() == by_swipe.state()
    assert np.array_equal(np.asarray(by_scroll.screenshot()), np.asarray(by_swipe.screenshot()))


def test_type_with_a_point_becomes_a_tap_then_type_for_mobile_use(tmp_path: Path) -> None:
    out = export(tmp_path / "data", str(REPO / "scenarios" / "send-message-guarded"))
    kinds = [parse_reply(e["messages"][2]["content"][0]["text"]).action.kind for e in lines(out)]
    assert kinds == ["open_app", "tap", "tap", "type", "tap", "done"]
    # Played without the sandbox the steps send the message, which the scenario expects not to
    # happen (the sandbox stops it): the card says so.
    assert "do not reach its expected end state" in (out / "README.md").read_text(encoding="utf-8")


def test_the_json_format_writes_one_object_in_the_schema_order(tmp_path: Path) -> None:
    out = export(tmp_path / "data", str(REPO / "scenarios" / "bluetooth-off"), fmt="json")
    first = lines(out)[0]["messages"][2]["content"][0]["text"]
    assert first.endswith('</think>\n\n{"action": "tap", "element": "Settings app icon", '
                          '"coordinates": [125, 455], "confidence": 0.95}')


@pytest.mark.parametrize("fmt", ["native", "json"])
def test_every_reply_is_one_the_constrained_decoder_accepts(tmp_path: Path, fmt: str) -> None:
    """Token by token through the backend's own grammar: a model trained on these replies can
    write them with constrained decoding on, never bent off them by the grammar."""
    pytest.importorskip("llguidance")
    from transformers import AutoTokenizer

    from agent.backends.constrained import ActionGrammar
    from tests.tiny_model import cached_tiny_model

    tokenizer = AutoTokenizer.from_pretrained(cached_tiny_model())
    close, call = (tokenizer.convert_tokens_to_ids(t) for t in ("</think>", "<tool_call>"))
    grammar = ActionGrammar(tokenizer, 151936, [151645, 151643], close, 512, 1024,
                            tool="mobile_use" if fmt == "native" else None,
                            tool_call_ids=(call, tokenizer.convert_tokens_to_ids("</tool_call>")))
    out = export(tmp_path / "data", *(str(REPO / "scenarios" / s) for s in ("note-add", "zh-dark-theme", "wifi-on")),
                 fmt=fmt)
    for example in lines(out):
        reply = example["messages"][2]["content"][0]["text"].removeprefix("<think>\n")
        matcher = grammar.matcher()
        for token in tokenizer(reply, add_special_tokens=False)["input_ids"]:
            assert matcher.consume_token(token), (reply, matcher.get_error())
        assert matcher.is_accepting(), reply


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(tmp_path / "nothing"), "--out", str(tmp_path / "a")]) == 2
    assert "not a run folder, a scenario folder" in capsys.readouterr().err
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["export", str(REPO / "scenarios" / "zh-font-bigger"), "--out", str(busy)]) == 2
    err = capsys.readouterr().err
    assert "not empty" in err and err.count("\n") == 1
    assert (busy / "notes.txt").read_text(encoding="utf-8") == "mine"
    # A run with nothing executed is refused with the reasons.
    run = tmp_path / "run"
    (run / "frames").mkdir(parents=True)
    (run / "run.json").write_text(json.dumps({"goal": "x", "device": {"kind": "sim"}}), encoding="utf-8")
    line = {"step": 1, "action": {"action": "back", "confidence": 0.2}, "executed": False,
            "verdict": {"decision": "retry", "reason": "low", "policy": "confidence"}}
    (run / "trajectory.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert main(["export", str(run), "--out", str(tmp_path / "b")]) == 2
    assert "nothing to export" in capsys.readouterr().err


def test_an_earlier_export_is_replaced(tmp_path: Path) -> None:
    out = export(tmp_path / "data", str(REPO / "scenarios" / "zh-font-bigger"))
    export(out, str(REPO / "scenarios" / "wifi-on"))
    assert Counter(e["goal"] for e in lines(out)) == {"Turn on Wi-Fi": 4}
    assert len(list((out / "images").iterdir())) == len({i for e in lines(out) for i in e["images"]})
