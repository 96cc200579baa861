"""`--device` specs to devices: `sim`, `desktop`, `adb`, `adb:SERIAL`."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

from actions.errors import UsageError
from devices.base import Device

KINDS = ("sim", "desktop", "adb")


def parse_spec(spec: str) -> tuple[str, str | None]:
    kind, _, arg = spec.partition(":")
    kind = kind.strip().lower()
    if kind not in KINDS:
        raise UsageError(f"unknown device {spec!r}; use one of sim, desktop, adb, adb:SERIAL")
    return kind, (arg or None)


def open_device(spec: str, **options: Any) -> Device:
    """Open the device named by `spec`. Options are passed to the device (e.g. sim's `state`)."""
    kind, arg = parse_spec(spec)
    return _OPENERS[kind](arg, options)


def _open_sim(arg: str | None, options: dict[str, Any]) -> Device:
    from devices.sim import SimPhone

    return SimPhone(**options)


def _open_desktop(arg: str | None, options: dict[str, Any]) -> Device:
    _require("the desktop device", "desktop", "mss", "pyautogui")
    from devices.desktop import DesktopDevice

    return DesktopDevice(monitor=arg, **options)


def _open_adb(arg: str | None, options: dict[str, Any]) -> Device:
    _require("Android phones", "android", "adbutils")
    from devices.android import AndroidDevice

    return AndroidDevice(serial=arg, **options)


def _require(what: str, extra: str, *modules: str) -> None:
    """The extra's packages are imported lazily, deep inside the device: check them up front, so
    the missing extra is the first thing said (before "no X display", say)."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise UsageError(f"{what}: {' and '.join(missing)} not installed; pip install 'qwen-agent[{extra}]'")


_OPENERS: dict[str, Callable[[str | None, dict[str, Any]], Device]] = {
    "sim": _open_sim, "desktop": _open_desktop, "adb": _open_adb,
}
