"""Each extra alone, in a fresh virtualenv as a new user installs it: every subcommand's `--help`
and a call with no device behind it either works or says in one line which extra to install —
never a traceback.

The venvs are built by `tests/extras_env.py` (pip, from this checkout; torch only as
`torch==2.13.0`) and cached per pyproject.toml; the code under test is always this working tree
(PYTHONPATH). Building all seven takes minutes the first time, hence `slow`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.extras_env import EXTRAS, build
from tests.helpers import REPO
from tests.test_android_real_adb import free_port

pytestmark = pytest.mark.slow

# What each extra brings along with it ([quant] and [train] need [model]).
INCLUDES = {"": set(), "model": {"model"}, "desktop": {"desktop"}, "android": {"android"}, "ui": {"ui"},
            "ocr": {"ocr"}, "quant": {"quant", "model"}, "train": {"train", "model"}}
REPLY = '<think>It is there.</think>{"action": "back", "confidence": 0.9}'
HELPS = ("import sys\nfrom agent.commands.main import COMMANDS, main\n"
         "print('COMMANDS', len(COMMANDS), flush=True)\n"
         "for name in ('',) + COMMANDS:\n"
         "    try:\n        main([name, '--help'] if name else ['--help'])\n"
         "    except SystemExit as done:\n        assert done.code == 0, (name, done.code)\n"
         "    print('HELP-OK', name or 'qwen-agent', flush=True)\n")


@dataclass(frozen=True)
class Call:
    args: tuple[str, ...]
    needs: str | None = None  # the extra without which it must name that extra, exit 2
    stdin: str = ""
    codes: tuple[int, ...] = (0,)  # exit codes when the extra is there


CALLS = (
    Call(("devices",)),
    Call(("run", "x", "--device", "adb"), "android", codes=(2,)),  # no phone
    Call(("run", "x", "--device", "desktop"), "desktop", codes=(2,)),  # no X display
    Call(("run", "x"), "model", codes=(1,)),  # the model cannot be downloaded here
    Call(("record", "x", "--device", "adb", "--out", "recorded"), "android", codes=(2,)),
    Call(("record", "x", "--device", "desktop", "--out", "recorded"), "desktop", codes=(2,)),
    Call(("assist", "Turn off Bluetooth", "--wait", "1"), codes=(1,)),  # recorded help, nobody there
    Call(("eval", str(REPO / "scenarios/bluetooth-off")), "model", codes=(1,)),
    Call(("replay", str(REPO / "scenarios/bluetooth-off"))),
    Call(("parse",), stdin=REPLY),
    Call(("demo",)),  # no model here: says so and replays
    Call(("doctor",), codes=(0, 1)),
    Call(("adversarial", str(REPO / "scenarios/adv-pay-popup"))),
    Call(("sandbox", "--size", "big"), codes=(2,)),
    Call(("bench", "--quick", "--part", "harness")),
    Call(("export", str(REPO / "scenarios/bluetooth-off"), "--out", "exported")),  # played on the simulated phone
    Call(("finetune", "exported", "--model", "no-such-model", "--out", "trained", "--lora", "8"), "train",
         codes=(2,)),  # no such checkpoint
)


def _env(tmp: Path, adb_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "VIRTUAL_ENV", "PYTHONHOME")}
    return {**env, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp / "hf"),
            "ANDROID_ADB_SERVER_PORT": str(adb_port), "GRADIO_ANALYTICS_ENABLED": "False",
            "XAUTHORITY": str(tmp / "Xauthority")}


def _check(call: Call, extra: str, proc: subprocess.CompletedProcess[str]) -> None:
    shown = f"qwen-agent {' '.join(call.args)} in [{extra or 'no extra'}] -> {proc.returncode}\n{proc.stderr[-1500:]}"
    assert "Traceback" not in proc.stderr + proc.stdout, shown
    last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    if call.needs and call.needs not in INCLUDES[extra]:
        assert proc.returncode == 2 and f"pip install 'qwen-agent[{call.needs}]'" in last, shown
        return
    assert proc.returncode in call.codes, shown
    if proc.returncode == 2:
        assert last.startswith("qwen-agent: error:"), shown


def _ui(venv: Path, env: dict[str, str], cwd: Path, extra: str) -> None:
    """`ui` with no model: serves its page where gradio is installed, else names [ui]."""
    port = free_port()
    log = cwd / "ui.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([str(venv / "bin" / "qwen-agent"), "ui", "--port", str(port), "--no-speech"],
                                stdout=out, stderr=subprocess.STDOUT, cwd=cwd, env=env)
        try:
            deadline = time.monotonic() + 120
            while proc.poll() is None and time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as page:
                        assert page.status == 200
                        break
                except OSError:
                    time.sleep(0.5)
            served = proc.poll() is None
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=30)
        finally:
            proc.kill()
    text = log.read_text()
    assert "Traceback" not in text, text[-2000:]
    if "ui" in INCLUDES[extra]:
        assert served and "no model" in text, text[-2000:]
    else:
        assert code == 2 and "pip install 'qwen-agent[ui]'" in text.strip().splitlines()[-1], text


@pytest.mark.parametrize("extra", EXTRAS, ids=[e or "no-extra" for e in EXTRAS])
def test_every_command_works_or_names_its_extra(extra: str, tmp_path: Path) -> None:
    venv, _ = build(extra)
    adb_port = free_port()  # a private adb port: an adb server started here is ours to check
    env = _env(tmp_path, adb_port)
    exe = str(venv / "bin" / "qwen-agent")
    helps = subprocess.run([str(venv / "bin" / "python"), "-c", HELPS], capture_output=True, text=True,
                           env=env, cwd=tmp_path, timeout=120)
    assert helps.returncode == 0 and "Traceback" not in helps.stderr, helps.stderr[-2000:]
    commands = int(helps.stdout.split("COMMANDS ", 1)[1].split()[0])
    assert commands >= 15 and helps.stdout.count("HELP-OK") == commands + 1, helps.stdout[-500:]
    try:
        for call in CALLS:
            proc = subprocess.run([exe, *call.args], input=call.stdin, capture_output=True, text=True,
                                  env=env, cwd=tmp_path, timeout=300)
            _check(call, extra, proc)
        _ui(venv, env, tmp_path, extra)
    finally:  # the commands stop an adb server they start; this only guards a failed test
        if shutil.which("adb"):
            subprocess.run(["adb", "-P", str(adb_port), "kill-server"], capture_output=True, timeout=30)
