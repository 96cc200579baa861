"""What can be driven from here: `qwen-agent devices`."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from actions.errors import UsageError


@dataclass(frozen=True)
class DeviceInfo:
    spec: str  # what to pass to --device (plus --display for another X display)
    kind: str  # sim | desktop | adb
    description: str
    ready: bool = True
    problem: str = ""  # why it is not ready, one line


def list_devices(*, adb_host: str | None = None, adb_port: int | None = None) -> list[DeviceInfo]:
    """Every device this machine could drive: the simulated phone, desktops, phones.

    Never raises for a missing part: what cannot be used is listed with `ready=False` and the
    problem in one line, so `qwen-agent devices` shows the whole picture at once.
    """
    found = [DeviceInfo("sim", "sim", "built-in simulated phone, 1080x2400 (English/Chinese)")]
    found += desktops()
    found += phones(adb_host, adb_port)
    return found


def desktops() -> list[DeviceInfo]:
    """Each monitor of each X display this user can open ($DISPLAY first)."""
    try:
        import mss
    except ImportError:
        return [DeviceInfo("desktop", "desktop", "this desktop", False,
                           "needs extra packages: pip install 'qwen-agent[desktop]'")]
    if not sys.platform.startswith("linux"):
        return _monitors(mss, None, "this desktop")
    from devices.desktop.xdisplay import ensure_xauthority, local_displays

    current = os.environ.get("DISPLAY", "")
    displays = ([current] if current else []) + [d for d in local_displays() if d != current]
    if not displays:
        return [DeviceInfo("desktop", "desktop", "X desktop", False,
                           "no X display: set DISPLAY, or start a sandbox with `qwen-agent sandbox`")]
    ensure_xauthority()
    out: list[DeviceInfo] = []
    for display in displays:
        out += _monitors(mss, display, f"X display {display}", current=display == current)
    return out


def _monitors(mss: object, display: str | None, where: str, current: bool = True) -> list[DeviceInfo]:
    suffix = "" if current else f" --display {display}"
    make = getattr(mss, "MSS", None) or mss.mss  # type: ignore[attr-defined]
    try:
        with make(display=display) if display else make() as sct:
            monitors = list(sct.monitors)
    except Exception as err:  # noqa: BLE001 - a stale socket, no permission, no X at all
        return [DeviceInfo("desktop" + suffix, "desktop", where, False,
                           f"cannot open it: {str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__}")]
    out = []
    for index, m in enumerate(monitors[1:], start=1):
        spec = ("desktop" if index == 1 else f"desktop:{index}") + suffix
        out.append(DeviceInfo(spec, "desktop",
                              f"{where}, monitor {index}: {m['width']}x{m['height']} at {m['left']},{m['top']}"))
    return out


def phones(host: str | None = None, port: int | None = None) -> list[DeviceInfo]:
    """Attached phones with their models; unauthorised and offline ones with the fix."""
    try:
        import adbutils  # noqa: F401 - connect imports it only when a client is made

        from devices.android.connect import FIXES, list_phones, make_client
    except ImportError:
        return [DeviceInfo("adb", "adb", "Android phones", False,
                           "needs extra packages: pip install 'qwen-agent[android]'")]
    try:
        attached = list_phones(make_client(host, port))
    except UsageError as err:
        return [DeviceInfo("adb", "adb", "Android phones", False, str(err))]
    if not attached:
        return [DeviceInfo("adb", "adb", "Android phones", False,
                           "no phone attached: connect one by USB with USB debugging on")]
    return [DeviceInfo(f"adb:{p.serial}", "adb", f"Android phone {p.model or p.serial}", p.ready,
                       "" if p.ready else f"{p.state}: {FIXES.get(p.state, 'check `adb devices`')}")
            for p in attached]
