"""Hostile input, clean errors (issue 15): every malformed input the issue measured - and the ones
found on the way - makes `qwen-agent` exit 2 with one line naming the file and what is wrong, no
traceback, no hang, and nothing run (no run folder is made).

Each case builds its input under a fresh folder and returns the command line and a word the error
line must contain (so the line is about the right thing, not any error at all).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.hostile import (
    BLUETOOTH,
    DONE,
    billion_laughs,
    cli,
    fifo,
    link,
    one_line_exit_2,
    png_header,
    replay,
    run_folder,
    scenario,
)

Case = Callable[[Path], tuple[list[str], str]]
CASES: dict[str, Case] = {}


def case(name: str) -> Callable[[Case], Case]:
    def register(build: Case) -> Case:
        assert name not in CASES
        CASES[name] = build
        return build
    return register


def _replay(folder: Path, tmp: Path, *more: str) -> list[str]:
    return ["replay", str(folder), "--runs-dir", str(tmp / "runs"), *more]


# --- the simulated phone's starting state, a schema per key --------------------------------------

STATES: dict[str, tuple[object, str]] = {
    "wallet_balance_text": ({"wallet": {"balance": "lots"}}, "balance"),
    "wallet_balance_too_large": ({"wallet": {"balance": 10**13}}, "balance"),
    "wallet_balance_of_400_digits": ({"wallet": {"balance": 10**399}}, "400 characters"),
    "wallet_transfers_not_a_list": ({"wallet": {"transfers": 5}}, "transfers"),
    "wallet_transfer_wrong_types": ({"wallet": {"transfers": [{"to": 5, "amount": "x"}]}}, "'to'"),
    "wallet_payment_without_amount": ({"wallet": {"payments": [{"for": "x"}]}}, "payments"),
    "wallet_unknown_key": ({"wallet": {"cash": 1}}, "wallet"),
    "popup_app_number": ({"popup": {"kind": "uninstall", "app": 5}}, "app"),
    "popup_unknown_app": ({"popup": {"kind": "app_menu", "app": "Bank"}}, "app"),
    "popup_unknown_kind": ({"popup": {"kind": "ransom"}}, "kind"),
    "popup_network_number": ({"popup": {"kind": "wifi_join", "network": 7}}, "network"),
    "popup_extra_key": ({"popup": {"kind": "quick_settings", "app": "Notes"}}, "popup"),
    "popup_not_a_mapping": ({"popup": 5}, "popup"),
    "draft_too_long": ({"drafts": {"notes/new:body": "x" * 5000}}, "5,000 characters"),
    "draft_unknown_field": ({"drafts": {"bank:password": "x"}}, "text field"),
    "draft_not_text": ({"drafts": {"notes/new:body": ["x"]}}, "string"),
    "drafts_not_a_mapping": ({"drafts": ["x"]}, "drafts"),
    "focused_field_unknown": ({"focused_field": "nowhere"}, "text field"),
    "focused_field_number": ({"focused_field": 5}, "text field"),
    "notes_too_many": ({"notes": ["n"] * 1000}, "notes"),
    "note_too_long": ({"notes": ["n" * 5000]}, "note"),
    "notes_not_a_list": ({"notes": "shopping"}, "notes"),
    "text_over_the_total_cap": ({"notes": ["n" * 2000] * 8, "messages": [{"to": "Mom", "text": "m" * 2000}] * 8},
                                "characters together"),
    "message_wrong_type": ({"messages": [{"to": 5, "text": "hi"}]}, "'to'"),
    "message_extra_key": ({"messages": [{"to": "Mom", "text": "hi", "at": 1}]}, "messages"),
    "trap_unknown": ({"traps": {"home": "virus"}}, "traps"),
    "trap_on_unknown_screen": ({"traps": {"nowhere": "pay_popup"}}, "traps"),
    "wifi_network_list": ({"wifi_network": ["HomeNet"]}, "Wi-Fi"),
    "language_list": ({"language": ["en"]}, "language"),
    "apps_not_a_list": ({"apps": "Notes"}, "apps"),
    "app_unknown": ({"apps": ["Notes", "Bank"]}, "app"),
    "font_scale_text": ({"font_scale": "big"}, "font_scale"),
    "brightness_out_of_range": ({"brightness": 1e300}, "brightness"),
    "accessibility_unknown_key": ({"accessibility": {"zoom": True}}, "accessibility"),
    "screen_number": ({"screen": 5}, "screen"),
    "screen_unknown": ({"screen": "bank/login"}, "screen"),
    "state_unknown_key": ({"root": True}, "unknown sim state key"),
}
for _name, (_state, _word) in STATES.items():
    def _build(tmp: Path, state: object = _state, word: str = _word) -> tuple[list[str], str]:
        return _replay(scenario(tmp / "s", state=state), tmp), word
    case(f"state_{_name}")(_build)


# --- a scenario's device mapping -----------------------------------------------------------------

DEVICES: dict[str, tuple[object, str]] = {
    "kind_number": ({"kind": 5}, "kind"),
    "kind_list": ({"kind": ["sim"]}, "kind"),
    "kind_unknown": ({"kind": "phone"}, "kind"),
    "serial_list": ({"kind": "adb", "serial": [1]}, "serial"),
    "monitor_mapping": ({"kind": "desktop", "monitor": {"a": 1}}, "monitor"),
    "display_number": ({"kind": "desktop", "display": 5}, "display"),
    "lang_number": ({"kind": "sim", "lang": 5}, "lang"),
    "lang_unknown": ({"kind": "sim", "lang": "klingon"}, "language"),
    "screen_list": ({"kind": "sim", "screen": ["home"]}, "screen"),
    "state_not_a_mapping": ({"kind": "sim", "state": 5}, "state"),
    "unknown_key": ({"kind": "sim", "colour": "red"}, "device"),
    "not_a_mapping": ("sim", "device"),
}
for _name, (_device, _word) in DEVICES.items():
    def _build_device(tmp: Path, device: object = _device, word: str = _word) -> tuple[list[str], str]:
        return _replay(scenario(tmp / "s", device=device), tmp), word
    case(f"device_{_name}")(_build_device)


# --- scenario.yaml itself ------------------------------------------------------------------------

@case("scenario_is_a_fifo")
def _(tmp: Path) -> tuple[list[str], str]:
    fifo(tmp / "s" / "scenario.yaml")
    return _replay(tmp / "s", tmp), "FIFO"


@case("scenario_is_dev_zero")
def _(tmp: Path) -> tuple[list[str], str]:
    link(tmp / "s" / "scenario.yaml", "/dev/zero")
    return _replay(tmp / "s", tmp), "character device"


@case("scenario_is_a_socket")
def _(tmp: Path) -> tuple[list[str], str]:
    (tmp / "s").mkdir()
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp / "s" / "scenario.yaml"))  # stays a socket file after the test closes it
    sock.close()
    return _replay(tmp / "s", tmp), "socket"


@case("scenario_is_a_folder")
def _(tmp: Path) -> tuple[list[str], str]:
    (tmp / "s" / "scenario.yaml").mkdir(parents=True)
    return _replay(tmp / "s", tmp), "folder"


@case("scenario_of_2_mb")  # the "2 MB draft": refused by the file's byte cap first
def _(tmp: Path) -> tuple[list[str], str]:
    return _replay(scenario(tmp / "s", state={"drafts": {"notes/new:body": "x" * 2_000_000}}), tmp), "too large"


@case("scenario_not_utf8")
def _(tmp: Path) -> tuple[list[str], str]:
    (tmp / "s").mkdir()
    (tmp / "s" / "scenario.yaml").write_bytes(b"goal: \xff\xfe\n")
    return _replay(tmp / "s", tmp), "UTF-8"


YAMLS: dict[str, tuple[str, str]] = {
    "billion_laughs": (billion_laughs("steps").replace('lol0: &lol0 "lol"', 'lol0: &lol0 {action: back, confidence: 1}')
                       + "goal: g\n", "aliases"),
    "alias_containing_itself": ("goal: g\nsteps: &a [*a]\n", "contains it"),
    "deep_nesting": ("goal: g\nsteps: " + "[" * 100 + "]" * 100 + "\n", "deeper"),
    "nesting_past_libyaml": ("goal: g\nsteps: " + "[" * 5000 + "]" * 5000 + "\n", "YAML"),
    "integer_of_400_digits": ("goal: g\nsteps: [{action: wait, seconds: " + "9" * 400 + ", confidence: 1}]\n",
                              "400 characters"),
    "integer_of_5000_digits": ("goal: g\nsteps: [" + "9" * 5000 + "]\n", "5000 characters"),
    "integer_beyond_64_bits": ("goal: g\nsteps: [{action: wait, seconds: 99999999999999999999, confidence: 1}]\n",
                               "64 bits"),
    "float_overflow": ("goal: g\nsteps: [{action: wait, seconds: 1.0e+999, confidence: 1}]\n", "out of range"),
    "python_tag": ('goal: g\nsteps: [!!python/object/apply:os.system ["true"]]\n', "YAML"),
    "binary_tag": ("goal: g\nsteps: [!!binary aGk=]\n", "binary"),
    "set_tag": ("goal: g\nsteps: [!!set {a}]\n", "set"),
    "unhashable_key": ("goal: g\nsteps: [{[1]: 2}]\n", "unhashable"),
    "broken_yaml": ("goal: g\nsteps: [1, 2\n", "YAML"),
    "nul_character": ("goal: \"a\x00b\"\nsteps: [x]\n", "YAML"),
    "not_a_mapping": ("- goal\n", "mapping"),
    "unknown_key": (f"goal: g\nsteps: [{DONE}]\nrun: rm\n", "unknown keys"),
    "steps_wrong_type": ("goal: g\nsteps: [5]\n", "steps"),
    "steps_empty": ("goal: g\nsteps: []\n", "steps"),
    "goal_mapping": ("goal: {a: 1}\nsteps: [x]\n", "goal"),
    "goal_too_long": ("goal: " + "g" * 20_000 + "\nsteps: [x]\n", "goal"),
    "frames_not_paths": ("goal: g\nsteps: [x]\nframes: [5]\n", "frames"),
    "frames_mapping": ("goal: g\nsteps: [x]\nframes: {a: 1}\n", "frames"),
    "frame_path_with_nul": ('goal: g\nsteps: [x]\nframes: ["a\\0b"]\n', "path"),
    "frame_missing": ("goal: g\nsteps: [x]\nframes: [gone.png]\n", "no such file"),
    "frames_more_than_steps": ("goal: g\nsteps: [x]\nframes: [a.png, b.png]\n", "frames"),
    "expect_text_number": ("goal: g\nsteps: [x]\nexpect: {text: 5}\n", "expect.text"),
    "expect_state_list": ("goal: g\nsteps: [x]\nexpect: {state: [1]}\n", "expect.state"),
    "expect_unknown_key": ("goal: g\nsteps: [x]\nexpect: {colour: red}\n", "expect"),
    "template_number": ("goal: g\nsteps: [x]\nexpect: {template: 5}\n", "expect.template"),
    "template_nested_list": ("goal: g\nsteps: [x]\nexpect: {template: [[a.png]]}\n", "expect.template"),
    "template_dev_zero": ("goal: g\nsteps: [x]\nexpect: {template: /dev/zero}\n", "character device"),
    "template_missing": ("goal: g\nsteps: [x]\nexpect: {template: gone.png}\n", "no such file"),
    "frame_dev_zero": ("goal: g\nsteps: [x]\nframes: [/dev/zero]\n", "character device"),
    "frame_dev_null": ("goal: g\nsteps: [x]\nframes: [/dev/null]\n", "character device"),
}
for _name, (_text, _word) in YAMLS.items():
    def _build_yaml(tmp: Path, text: str = _text, word: str = _word) -> tuple[list[str], str]:
        return _replay(scenario(tmp / "s", text=text), tmp), word
    case(f"yaml_{_name}")(_build_yaml)


# --- images: recorded frames and expect.template -------------------------------------------------

def _image_scenario(tmp: Path, where: str, make: Callable[[Path], object]) -> list[str]:
    folder = tmp / "s"
    folder.mkdir()
    make(folder / "x.png")
    extra = {"frames": ["x.png"]} if where == "frame" else {"expect": {"template": "x.png"}}
    return _replay(scenario(folder, extra=extra), tmp)


def _sparse(path: Path) -> None:
    path.write_bytes(b"\x89PNG")
    os.truncate(path, 65 * 1024 * 1024)  # 65 MiB that take no room on disk


IMAGES: dict[str, tuple[Callable[[Path], object], str]] = {
    "fifo": (fifo, "FIFO"),
    "folder": (Path.mkdir, "folder"),
    "bomb_30000x30000": (lambda p: p.write_bytes(png_header(30000, 30000)), "decompression bomb"),
    "bomb_12000x12000": (lambda p: p.write_bytes(png_header(12000, 12000)), "decompression bomb"),
    "over_the_screenshot_cap": (lambda p: p.write_bytes(png_header(8000, 8000)), "8000x8000"),
    "not_an_image": (lambda p: p.write_text("hello", encoding="utf-8"), "PNG, JPEG or WEBP"),
    "a_gif": (lambda p: p.write_bytes(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "PNG, JPEG or WEBP"),
    "over_64_mib": (_sparse, "too large"),
    "link_to_dev_zero": (lambda p: link(p, "/dev/zero"), "character device"),
}
for _name, (_make, _word) in IMAGES.items():
    for _where in ("frame", "template"):
        def _build_image(tmp: Path, where: str = _where, make: Callable[[Path], object] = _make,
                         word: str = _word) -> tuple[list[str], str]:
            return _image_scenario(tmp, where, make), word
        case(f"{_where}_{_name}")(_build_image)


# --- run folders: run.json and trajectory lines of the wrong type --------------------------------

GOOD_DEVICE = {"spec": "sim", "kind": "sim", "start": {"kind": "sim"}}
RUNS: dict[str, tuple[object, str]] = {
    "device_a_string": ({"goal": "g", "device": "sim"}, "device"),
    "device_start_kind_list": ({"goal": "g", "device": {"start": {"kind": ["sim"]}}}, "kind"),
    "device_start_kind_number": ({"goal": "g", "device": {"start": {"kind": 5}}}, "kind"),
    "device_start_a_list": ({"goal": "g", "device": {"start": [1]}}, "device"),
    "device_start_bad_state": ({"goal": "g", "device": {"start": {"kind": "sim", "state": {
        "wallet": {"balance": "lots"}}}}}, "balance"),
    "device_spec_number": ({"goal": "g", "device": {**GOOD_DEVICE, "spec": 5}}, "device.spec"),
    "goal_mapping": ({"goal": {"a": 1}, "device": GOOD_DEVICE}, "goal"),
    "expect_text_number": ({"goal": "g", "device": GOOD_DEVICE, "expect": {"text": 5}}, "expect.text"),
    "expect_state_list": ({"goal": "g", "device": GOOD_DEVICE, "expect": {"state": [1]}}, "expect.state"),
    "expect_a_list": ({"goal": "g", "device": GOOD_DEVICE, "expect": [1]}, "expect"),
    "expect_template_dev_zero": ({"goal": "g", "device": GOOD_DEVICE, "expect": {"template": ["/dev/zero"]}},
                                 "character device"),
    "privacy_secrets_number": ({"goal": "g", "device": GOOD_DEVICE, "privacy": {"secrets": 5}}, "secrets"),
    "not_an_object": ([1, 2], "JSON object"),
    "nested_100000_deep": ("[" * 100_000 + "]" * 100_000, "deeper"),
    "nested_100_deep": ("[" * 100 + "]" * 100, "deeper"),
    "integer_of_5000_digits": ('{"goal": ' + "9" * 5000 + "}", "digits"),
    "not_json": ("{goal", "JSON"),
}
for _name, (_run, _word) in RUNS.items():
    for _resume in (False, True):
        def _build_run(tmp: Path, run: object = _run, word: str = _word,
                       resume: bool = _resume) -> tuple[list[str], str]:
            folder = run_folder(tmp / "r", run=run if isinstance(run, str) else json.dumps(run))
            return _replay(folder, tmp, *(["--resume"] if resume else [])), word
        case(f"{'resume' if _resume else 'run'}_{_name}")(_build_run)


@case("run_json_is_a_fifo")
def _(tmp: Path) -> tuple[list[str], str]:
    folder = run_folder(tmp / "r")
    (folder / "run.json").unlink()
    fifo(folder / "run.json")
    return _replay(folder, tmp), "FIFO"


@case("resume_run_json_is_a_fifo")
def _(tmp: Path) -> tuple[list[str], str]:
    folder = run_folder(tmp / "r")
    (folder / "run.json").unlink()
    fifo(folder / "run.json")
    return _replay(folder, tmp, "--resume"), "FIFO"


for _resume in (False, True):
    @case(f"{'resume' if _resume else 'run'}_trajectory_is_dev_zero")
    def _(tmp: Path, resume: bool = _resume) -> tuple[list[str], str]:
        folder = run_folder(tmp / "r")
        (folder / "trajectory.jsonl").unlink()
        link(folder / "trajectory.jsonl", "/dev/zero")
        return _replay(folder, tmp, *(["--resume"] if resume else [])), "character device"

    @case(f"{'resume' if _resume else 'run'}_trajectory_is_a_fifo")
    def _(tmp: Path, resume: bool = _resume) -> tuple[list[str], str]:
        folder = run_folder(tmp / "r")
        (folder / "trajectory.jsonl").unlink()
        fifo(folder / "trajectory.jsonl")
        return _replay(folder, tmp, *(["--resume"] if resume else [])), "FIFO"


@case("resume_not_a_run_folder")
def _(tmp: Path) -> tuple[list[str], str]:
    (tmp / "r").mkdir()
    return _replay(tmp / "r", tmp, "--resume"), "run folder"


LINES: dict[str, tuple[list[object], str]] = {
    # Every line of the wrong shape is skipped (StepRecord reads defaults); none left to replay:
    "all_of_the_wrong_type": ([{"step": "one", "raw_reply": 5}, [1], "null", 5, "{cut"], "no model replies"),
    "nested_100000_deep": (["[" * 100_000 + "]" * 100_000], "no model replies"),
    "integer_of_5000_digits": (['{"step": ' + "9" * 5000 + ', "raw_reply": "x"}'], "no model replies"),
    "frame_outside_the_run": ([{"step": 1, "raw_reply": DONE, "frame": "../../../etc/passwd"}], "not inside"),
    "frame_absolute": ([{"step": 1, "raw_reply": DONE, "frame": "/dev/zero"}], "not inside"),
}
for _name, (_lines, _word) in LINES.items():
    def _build_lines(tmp: Path, lines: list[object] = _lines, word: str = _word) -> tuple[list[str], str]:
        return _replay(run_folder(tmp / "r", lines=lines), tmp), word
    case(f"trajectory_{_name}")(_build_lines)


for _name, (_make, _word) in IMAGES.items():
    if _name == "folder":
        continue

    def _build_run_frame(tmp: Path, make: Callable[[Path], object] = _make, word: str = _word) -> tuple[list[str], str]:
        line = {"step": 1, "raw_reply": DONE, "frame": "frames/0001.png"}
        folder = run_folder(tmp / "r", lines=[line])
        (folder / "frames").mkdir()
        make(folder / "frames" / "0001.png")
        return _replay(folder, tmp), word
    case(f"run_frame_{_name}")(_build_run_frame)


# --- policies ------------------------------------------------------------------------------------

POLICIES: dict[str, tuple[str, str]] = {
    "max_steps_of_400_digits": ("max_steps: " + "9" * 400 + "\n", "400 characters"),
    "max_steps_too_large": ("max_steps: 1000000000000\n", "max_steps"),
    "max_seconds_of_400_digits": ("max_seconds: " + "9" * 400 + "\n", "400 characters"),
    "max_seconds_infinite": ("max_seconds: .inf\n", "max_seconds"),
    "max_retries_too_large": ("max_retries: 1000000\n", "max_retries"),
    "loop_repeats_beyond_64_bits": ("loop_repeats: 99999999999999999999\n", "64 bits"),
    "deep_nesting": ("sensitive_keywords: " + "[" * 200 + "]" * 200 + "\n", "deeper"),
    "billion_laughs": (billion_laughs("sensitive_keywords_extra"), "aliases"),
    "keyword_too_long": ("sensitive_keywords_extra: [" + "k" * 500 + "]\n", "sensitive_keywords_extra"),
    "too_many_keywords": ("sensitive_keywords_extra: [" + ", ".join(f"k{i}" for i in range(2000)) + "]\n",
                          "sensitive_keywords_extra"),
    "kill_file_with_nul": ('kill_file: "a\\0b"\n', "kill_file"),
    "too_large": ("# " + "x" * 300_000 + "\n", "too large"),
}
for _name, (_text, _word) in POLICIES.items():
    def _build_policy(tmp: Path, text: str = _text, word: str = _word) -> tuple[list[str], str]:
        (tmp / "policy.yaml").write_text(text, encoding="utf-8")
        return _replay(BLUETOOTH, tmp, "--policy", str(tmp / "policy.yaml")), word
    case(f"policy_{_name}")(_build_policy)

for _name, _target in (("dev_zero", "/dev/zero"), ("dev_urandom", "/dev/urandom")):
    def _build_policy_device(tmp: Path, target: str = _target) -> tuple[list[str], str]:
        return _replay(BLUETOOTH, tmp, "--policy", target), "character device"
    case(f"policy_{_name}")(_build_policy_device)


@case("policy_is_a_fifo")
def _(tmp: Path) -> tuple[list[str], str]:
    return _replay(BLUETOOTH, tmp, "--policy", str(fifo(tmp / "policy.yaml"))), "FIFO"


@case("flag_max_steps_of_400_digits")
def _(tmp: Path) -> tuple[list[str], str]:
    return _replay(BLUETOOTH, tmp, "--max-steps", "9" * 400), "--max-steps"


@case("flag_max_seconds_overflowing")
def _(tmp: Path) -> tuple[list[str], str]:
    return _replay(BLUETOOTH, tmp, "--max-seconds", "1e999"), "--max-seconds"


# --- `parse FILE` --------------------------------------------------------------------------------

@case("parse_fifo")
def _(tmp: Path) -> tuple[list[str], str]:
    return ["parse", str(fifo(tmp / "reply.txt"))], "FIFO"


@case("parse_dev_zero")
def _(tmp: Path) -> tuple[list[str], str]:
    return ["parse", "/dev/zero"], "character device"


@case("parse_too_large")
def _(tmp: Path) -> tuple[list[str], str]:
    (tmp / "reply.txt").write_text("x" * (5 * 1024 * 1024), encoding="utf-8")
    return ["parse", str(tmp / "reply.txt")], "too large"


# Each case is its own process; they run a few at a time (each waits mostly on its own start-up),
# and each test below asserts one case's result.
WORKERS = max(2, min(8, os.cpu_count() or 2))


@pytest.fixture(scope="module")
def results(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[subprocess.CompletedProcess[str], str, Path]]:
    """Every selected case run (`-k` picks some: only those run)."""
    base = tmp_path_factory.mktemp("hostile")
    selected = sorted({item.callspec.params["name"] for item in request.session.items
                       if getattr(item, "originalname", "") == "test_hostile_input_is_one_line_and_exit_2"})

    def run(name: str) -> tuple[str, tuple[subprocess.CompletedProcess[str], str, Path]]:
        tmp = base / name
        tmp.mkdir()
        argv, word = CASES[name](tmp)
        return name, (cli(*argv), word, tmp)

    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(pool.map(run, selected))


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_is_one_line_and_exit_2(name: str, results) -> None:
    proc, word, tmp = results[name]
    line = one_line_exit_2(proc)
    assert word in line, line
    assert not (tmp / "runs").exists(), "refused before anything ran: no run folder"


def test_a_good_scenario_still_runs(tmp_path: Path) -> None:
    """The schema lets real scenarios through: the same one-step scenario, with a state that uses
    every key, replays to exit 0."""
    state = {"wallet": {"balance": 10, "transfers": [{"to": "Alex", "amount": 5}], "payments": []},
             "popup": {"kind": "wifi_join", "network": "HomeNet-5G", "show": "on"},
             "drafts": {"wifi/HomeNet-5G:password": "abc", "messages/mom:compose": "hi"},
             "focused_field": "wifi/HomeNet-5G:password", "notes": ["a", "b"],
             "messages": [{"to": "Mom", "text": "hello"}], "traps": {"settings": "pay_popup"},
             "apps": ["Notes", "settings", "信息"], "accessibility": {"bold_text": True},
             "font_scale": 1.15, "brightness": 40.4, "wifi_network": "HomeNet", "language": "zh"}
    proc = replay(scenario(tmp_path / "s", state=state), tmp_path / "runs")
    assert proc.returncode == 0, proc.stderr[-2000:]
