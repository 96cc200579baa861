"""What can be driven from here: `qwen-agent devices`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeviceInfo:
    spec: str  # what to pass to --device
    kind: str  # sim | desktop | adb
    description: str
    ready: bool = True
    problem: str = ""  # why it is not ready, one line


def list_devices() -> list[DeviceInfo]:
    """Every device this machine could drive, the simulated phone first."""
    found = [DeviceInfo("sim", "sim", "built-in simulated phone, 1080x2400 (English/Chinese)")]
    return found
