"""`qwen-agent doctor`: is this machine set up to drive phones and desktops and run the model?

`run_checks()` returns one `Check` per part, each with a one-line message and, when not ok, the
fix. Checks that touch a display run in a child process with a timeout: importing pyautogui
against a broken $DISPLAY can hang or abort the whole process.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actions.errors import UsageError


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str
    fix: str = ""  # what to do, when not ok
    required: bool = False  # True: nothing works without it; False: only some devices need it

    def line(self) -> str:
        mark = "ok  " if self.ok else ("FAIL" if self.required else "warn")
        return f"[{mark}] {self.name}: {self.message}" + (f" -> {self.fix}" if not self.ok and self.fix else "")


def run_checks(model: str | None = None, *, adb_host: str | None = None,
               adb_port: int | None = None) -> list[Check]:
    """Every check, in the order a user would fix them."""
    checks = _adb_checks(adb_host, adb_port)
    checks += _desktop_checks()
    checks.append(check_ocr())
    checks.append(check_model_cache(model))
    checks.append(check_gpu())
    return checks


def check_ocr() -> Check:
    """Offline OCR, where a device has no UI tree (a desktop): the words under a press, for the
    sandbox, and a scenario's `expect.text`."""
    ok = importlib.util.find_spec("rapidocr_onnxruntime") is not None
    return Check("OCR", ok, "RapidOCR (offline) reads text on screens without a UI tree: the sandbox "
                 "reads the words under each desktop press" if ok
                 else "not installed: on a desktop the sandbox judges a press by the model's words alone, "
                 "and `expect.text` works only where the device has a UI tree",
                 "pip install 'qwen-agent[ocr]'")


# --- Android -----------------------------------------------------------------------------------


def _adb_checks(host: str | None, port: int | None) -> list[Check]:
    if importlib.util.find_spec("adbutils") is None:
        return [Check("adb", False, "adbutils is not installed", "pip install 'qwen-agent[android]'")]
    from devices.android import server
    from devices.android.connect import make_client

    checks = []
    if shutil.which("adb") is None:
        checks.append(Check("adb binary", False, "no `adb` on PATH (adbutils' bundled one is used)",
                            "Debian/Ubuntu: sudo apt install adb"))
    client = make_client(host, port)
    # Leave adb as it was found: a server started for this check is stopped again after it, and
    # its start-up chatter never reaches the terminal.
    started = server.ensure(client.host, client.port)
    try:
        return checks + _phone_checks(client, started)
    finally:
        if started:
            server.stop(client.port)


def _phone_checks(client: Any, started: bool) -> list[Check]:
    from devices.android.connect import FIXES, list_phones
    from devices.android.text import ADB_IME, INSTALL_HINT

    checks = []
    try:
        phones = list_phones(client)
    except UsageError as err:
        return [Check("adb server", False, str(err), "sudo apt install adb && adb start-server")]
    version = _server_version(client)
    where = f"{client.host}:{client.port}{version}"
    checks.append(Check("adb server", True, f"works at {where} (was not running: started for this "
                                            "check and stopped again)" if started else f"running at {where}"))
    if not phones:
        checks.append(Check("phone", False, "no phone attached",
                            "connect one by USB, turn on Settings > Developer options > USB debugging"))
    for phone in phones:
        name = f"phone {phone.describe()}"
        if not phone.ready:
            checks.append(Check(name, False, phone.state, FIXES.get(phone.state, "check `adb devices`")))
            continue
        checks.append(Check(name, True, "authorised"))
        try:
            imes = client.device(phone.serial).shell("ime list -s -a", timeout=15)
        except Exception as err:  # noqa: BLE001 - the phone may drop while we ask
            checks.append(Check(f"ADBKeyBoard on {phone.serial}", False, f"cannot ask: {err}", "reconnect the phone"))
            continue
        has = ADB_IME in imes.split()
        checks.append(Check(f"ADBKeyBoard on {phone.serial}", has,
                            "installed: Chinese text can be typed" if has else "missing: only ASCII text can be typed",
                            INSTALL_HINT))
    return checks


def _server_version(client: object) -> str:
    try:
        return f" (adb 1.0.{client.server_version()})"  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - only decoration
        return ""


# --- desktop -----------------------------------------------------------------------------------

_PROBE = """
import sys, time
import mss
make = getattr(mss, "MSS", None) or mss.mss
with make() as sct:
    t = time.perf_counter(); shot = sct.grab(sct.monitors[1]); ms = (time.perf_counter() - t) * 1000
print("mss", shot.size[0], shot.size[1], round(ms, 1))
import pyautogui
print("pyautogui", *pyautogui.size(), *pyautogui.position())
"""


def _desktop_checks() -> list[Check]:
    checks = []
    linux = sys.platform.startswith("linux")
    display = os.environ.get("DISPLAY", "")
    if linux:
        if not display:
            return [Check("DISPLAY", False, "not set: the desktop device has no screen",
                          "export DISPLAY=:0, or start a sandbox with `qwen-agent sandbox`")]
        checks.append(Check("DISPLAY", True, display))
        checks.append(check_xauthority())
        for tool, why, package in (("xdotool", "typing Chinese on the desktop", "xdotool"),
                                   ("xclip", "the clipboard fallback for typing", "xclip"),
                                   ("Xvfb", "sandbox displays (`qwen-agent sandbox`)", "xvfb")):
            found = shutil.which(tool) is not None
            checks.append(Check(tool, found, ("found" if found else "missing") + f": {why}",
                                f"sudo apt install {package}"))
    missing = [m for m in ("mss", "pyautogui") if importlib.util.find_spec(m) is None]
    if missing:
        return [*checks, Check("mss + pyautogui", False, f"not installed: {', '.join(missing)}",
                               "pip install 'qwen-agent[desktop]'")]
    env = dict(os.environ)
    if linux:
        env.setdefault("XAUTHORITY", _xauthority_for_probe())
    try:
        probe = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                               timeout=20, env=env)
    except subprocess.TimeoutExpired:
        return [*checks, Check("mss + pyautogui", False, f"no answer from display {display} in 20 s",
                               "check that the X server is running")]
    lines = dict(line.split(" ", 1) for line in probe.stdout.splitlines() if " " in line)
    if "mss" in lines:
        w, h, ms = lines["mss"].split()
        checks.append(Check("mss", True, f"captured {w}x{h} in {ms} ms"))
    if "pyautogui" in lines:
        checks.append(Check("pyautogui", True, "drives the pointer on a {}x{} screen".format(*lines["pyautogui"].split()[:2])))
    if probe.returncode != 0:
        err = probe.stderr.strip().splitlines()
        checks.append(Check("mss + pyautogui", False, err[-1] if err else f"exit {probe.returncode}",
                            "check DISPLAY and XAUTHORITY (`xdpyinfo` should work)"))
    return checks


def check_xauthority() -> Check:
    path = os.environ.get("XAUTHORITY")
    if path:
        ok = Path(path).is_file()
        return Check("XAUTHORITY", ok, path + ("" if ok else " does not exist"),
                     f"touch {path} (for a display without cookies) or point it at your X cookie file")
    home = Path.home() / ".Xauthority"
    if home.is_file():
        return Check("XAUTHORITY", True, f"{home} (default)")
    return Check("XAUTHORITY", False, "not set and ~/.Xauthority missing (qwen-agent makes an empty one)",
                 "export XAUTHORITY=~/.Xauthority && touch ~/.Xauthority")


def _xauthority_for_probe() -> str:
    from devices.desktop.xdisplay import ensure_xauthority

    return ensure_xauthority()


# --- model ---------------------------------------------------------------------------------------


def check_model_cache(model: str | None = None) -> Check:
    """Is the model (a local folder or a hub id) already on disk? Nothing is downloaded."""
    if model and Path(model).is_dir():
        ok = (Path(model) / "config.json").is_file()
        return Check("model", ok, f"{model}" + (" (local folder)" if ok else " has no config.json"),
                     "point --model at a folder saved with save_pretrained")
    hub = Path(os.environ.get("HF_HUB_CACHE") or Path(os.environ.get("HF_HOME") or Path.home() / ".cache" / "huggingface") / "hub")
    cached = sorted(p.name.removeprefix("models--").replace("--", "/") for p in hub.glob("models--*Qwen3-VL*")) if hub.is_dir() else []
    if model:
        folder = hub / ("models--" + model.replace("/", "--"))
        ok = any((folder / "snapshots").glob("*/config.json")) if folder.is_dir() else False
        others = [c for c in cached if c != model]
        # Advice names the model the agent would load, and any cached one it could use instead.
        instead = f", or use a cached one with --model {others[0]}" if others else ""
        return Check("model cache", ok, f"{model} " + ("is cached" if ok else f"is not in {hub}"),
                     f"download it once with `hf download {model}`{instead} (or use --backend openai)")
    return Check("model cache", bool(cached), ", ".join(cached) if cached else f"no Qwen3-VL model in {hub}",
                 "download a Qwen3-VL Thinking checkpoint once with `hf download ID` (or use --backend openai)")


def check_gpu() -> Check:
    """A CUDA GPU for the local model; without one the model runs on the CPU (slowly)."""
    if importlib.util.find_spec("torch") is not None:
        try:
            import torch

            if torch.cuda.is_available():
                props = torch.cuda.get_device_properties(0)
                return Check("GPU", True, f"{props.name}, {props.total_memory / 2**30:.0f} GiB")
        except Exception as err:  # noqa: BLE001 - a broken CUDA install is a finding, not a crash
            return Check("GPU", False, f"torch cannot use CUDA: {str(err).splitlines()[0]}",
                         "reinstall torch for your CUDA version")
    elif shutil.which("nvidia-smi"):
        return Check("GPU", False, "an NVIDIA GPU is present but torch is not installed",
                     "pip install 'qwen-agent[model]'")
    return Check("GPU", False, "none: the local model would run on the CPU (slow)",
                 "use a machine with an NVIDIA GPU, or --backend openai with a served model")
