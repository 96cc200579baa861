"""Fuzzing, 10,000 cases per target: the reply parser, the policy engine, the scenario loader and
the run-folder loader. Random and mutated inputs never crash, never yield an action that does not
validate against the schema, never let a sensitive real target through unconfirmed, and always
fail with one clear line (a `QwenAgentError`, never a traceback)."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from actions import ActionFormatError, UsageError, parse_reply
from actions.schema import validator
from agent.scenario import load
from devices import DEVICE_KINDS, Effect
from devices.primitives import decompose
from devices.sim.phone import SimPhone
from policies import Sandbox, ScriptedConfirmer, load_policy
from tests.test_policies_property import contexts

# Hypothesis draws EXAMPLES seeds (and shrinks a failure to the smallest); each seed expands into
# PER_EXAMPLE mutated inputs with a seeded PRNG, which is ~20x cheaper per case than a hypothesis
# draw: 10,000 cases per target in seconds, not minutes.
EXAMPLES, PER_EXAMPLE = 500, 20
CASES = EXAMPLES * PER_EXAMPLE
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
seeds = st.integers(0, 2**32 - 1)

SEED_REPLIES = [
    '<think>The toggle is on the right.</think>{"action": "tap", "element": "Bluetooth toggle", '
    '"coordinates": [870, 233], "confidence": 0.92}',
    '{"action": "swipe", "coordinates": [500, 10], "to": [500, 600], "confidence": 0.8}',
    '```json\n{"action": "type", "text": "买牛奶", "coordinates": [485, 908], "confidence": 0.9}\n```',
    '<tool_call>{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [540, 1200]}}</tool_call>',
    '{"action": "done", "text": "Bluetooth is off.", "confidence": 1}',
]
SEED_SCENARIO = """name: fuzz
goal: 查看剩余存储空间
device: {kind: sim, lang: zh, screen: settings/storage, state: {traps: {settings/storage: pin_phish}, wifi: true}}
steps:
- {action: type, text: '1234', element: 验证输入框, coordinates: [500, 424], confidence: 0.9}
- '<think>ok</think>{"action": "done", "text": "完成", "confidence": 0.9}'
expect: {state: {screen: settings/storage, wallet: {transfers: []}}, text: [存储], template: t.png}
"""
# The classes of hostile input issue 15 found, as seeds: every sim state key with its own schema,
# anchors and aliases, dates, frames; a mutation of them must load or be one line, never crash.
SEED_SCENARIO_STATE = """name: fuzz-state
goal: pay Alex
device:
  kind: sim
  screen: messages/mom
  state:
    wallet: {balance: 1250, transfers: [{to: Alex, amount: 5}], payments: [{for: unlock, amount: 99}]}
    popup: {kind: wifi_join, network: HomeNet-5G, show: 'on'}
    drafts: {messages/mom:compose: hi, wifi/HomeNet-5G:password: abc}
    focused_field: messages/mom:compose
    notes: [a, b]
    messages: [{to: Mom, text: hello}]
    apps: [Notes, Messages, Settings]
steps:
- &t {action: tap, element: OK, coordinates: [500, 500], confidence: 0.9}
- *t
- {action: type, text: 2024-05-01, confidence: 0.9}
frames: [t.png, null]
expect: {state: {wallet: {balance: 1250}}, text: [a]}
"""
SEED_SCENARIOS = [SEED_SCENARIO, SEED_SCENARIO_STATE]
SEED_RUN_JSON = json.dumps({"goal": "turn off Bluetooth", "device": {"start": {"kind": "sim", "lang": "en"}},
                            "expect": {"state": {"bluetooth": False}}})
SEED_RUN_JSON_STATE = json.dumps({
    "goal": "pay", "device": {"spec": "sim", "start": {"kind": "sim", "screen": "wallet", "state": {
        "wallet": {"balance": 5, "transfers": []}, "focused_field": None}}},
    "privacy": {"secrets": ["PIN"]}, "expect": {"text": ["Wallet"]}})
SEED_LINE = json.dumps({"step": 1, "raw_reply": SEED_REPLIES[0], "executed": True})
SEED_LINE_FRAME = json.dumps({"step": 2, "raw_reply": SEED_REPLIES[4], "frame": "frames/0001.png"})
SEED_POLICY = """max_steps: 30
max_seconds: 600
min_confidence: 0.7
deny_actions: [open_app]
sensitive_keywords_extra: &k [launch, 发射]
confirm_actions: [type]
kill_file: /tmp/STOP
"""
ALPHABET = '{}[]":,0123456789.-<>/tpaxnulefrs \n\t#&*!|>?@`\'\\中文' + "\u0000\uffff"


def mutate(rng: random.Random, seeds: list[str]) -> str:
    """A seed with a few random insertions, deletions and replacements (or random text)."""
    if rng.random() < 0.1:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 60)))
    text = rng.choice(seeds)
    for _ in range(rng.randint(1, 6)):
        op, pos = rng.randint(0, 2), rng.randint(0, len(text))
        if op == 0:
            text = text[:pos] + "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 4))) + text[pos:]
        elif op == 1:
            text = text[:pos] + text[pos + rng.randint(1, 8):]
        else:
            text = text[:pos] + rng.choice(ALPHABET) + text[pos + 1:]
    return text


@FUZZ
@given(seeds)
def test_fuzz_parser(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(PER_EXAMPLE):
        reply = mutate(rng, SEED_REPLIES)
        try:
            parsed = parse_reply(reply)
        except ActionFormatError as err:
            assert str(err) and "\n" not in str(err), reply
        else:
            assert validator().is_valid(parsed.action.to_dict()), reply


POLICY = load_policy(None)


@FUZZ
@given(ctx=contexts(), seed=seeds)
def test_fuzz_policy_engine(ctx, seed: int) -> None:
    rng = random.Random(seed)
    sandbox = Sandbox(POLICY, ScriptedConfirmer(default=False))
    for _ in range(PER_EXAMPLE):
        effect = None if rng.random() < 0.2 else Effect(
            rng.choice([None, "Bluetooth", "支付", mutate(rng, ["OK"])]),
            rng.choice(["tap", "transfer", "send", "password_field", "element", ""]), rng.random() < 0.5,
            mutate(rng, ["transfers money"]))
        primitives = decompose(ctx.action) if ctx.action.kind in DEVICE_KINDS else ()
        case = dataclasses.replace(ctx, effect=effect, step=rng.randint(1, 40),
                                   primitive=rng.choice(primitives) if primitives else None,
                                   index=rng.choice([0, 0, 1]))
        verdict = sandbox.review(case)
        assert verdict.decision in ("allow", "confirm", "retry", "deny") and "\n" not in verdict.reason
        if effect is not None and effect.sensitive and case.primitive is not None:
            # Whatever the model called it, a sensitive real target is never simply allowed, and
            # a person who is not there never says yes for it.
            assert verdict.decision != "allow"
            assert sandbox.resolve(case, verdict).decision != "allow"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def test_fuzz_scenario_loader(scratch: Path) -> None:
    folder = scratch / "scenario"
    folder.mkdir()
    Image.new("RGB", (8, 8)).save(folder / "t.png")  # the seed's expect.template

    @FUZZ
    @given(seeds)
    @example(1_004_476_418)  # found: a YAML key that is not a string (`~: 1`)
    @example(892_207_394)  # found: a sim state with `screen: null`
    def check(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(PER_EXAMPLE):
            text = mutate(rng, SEED_SCENARIOS)
            (folder / "scenario.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
            try:
                scenario = load(folder)
            except UsageError as err:
                assert str(err) and "\n" not in str(err).strip(), text
                continue
            assert isinstance(scenario.goal, str) and scenario.steps
            # Only JSON's kinds of value: all of it can be written to run.json.
            json.dumps([scenario.goal, list(scenario.steps), scenario.expect, scenario.device])
            if scenario.device.get("kind", "sim") == "sim":
                try:  # the starting device the scenario asks for: built, or one clear line
                    SimPhone(**scenario.device_options).close()
                except UsageError as err:
                    assert "\n" not in str(err), text

    check()


def test_fuzz_run_loader(scratch: Path) -> None:
    folder = scratch / "run"
    folder.mkdir()

    @FUZZ
    @given(seeds)
    def check(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(PER_EXAMPLE):
            run_json = mutate(rng, [SEED_RUN_JSON, SEED_RUN_JSON_STATE])
            lines = [mutate(rng, [SEED_LINE, SEED_LINE_FRAME]) for _ in range(rng.randint(0, 3))]
            (folder / "run.json").write_text(run_json, encoding="utf-8", errors="surrogatepass")
            (folder / "trajectory.jsonl").write_text("\n".join(lines), encoding="utf-8",
                                                     errors="surrogatepass")
            try:
                scenario = load(folder)
            except UsageError as err:
                assert str(err) and "\n" not in str(err).strip(), (run_json, lines)
                continue
            assert scenario.steps and all(isinstance(s, str) for s in scenario.steps)
            assert all(f is None or f.startswith(str(folder)) for f in scenario.frames)

    check()


def test_fuzz_policy_loader(scratch: Path) -> None:
    path = scratch / "policy.yaml"

    @FUZZ
    @given(seeds)
    def check(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(PER_EXAMPLE):
            text = mutate(rng, [SEED_POLICY])
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
            try:
                config = load_policy(path)
            except UsageError as err:
                assert str(err) and "\n" not in str(err) and str(path) in str(err), text
                continue
            assert 1 <= config.max_steps <= 10_000 and 0 < config.max_seconds <= 7 * 24 * 3600
            json.dumps(config.to_dict())

    check()
