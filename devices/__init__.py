"""Devices: the `Device` protocol, the simulated phone, the desktop and Android phones."""

from devices.base import (
    DEVICE_KINDS,
    ActionFailed,
    Device,
    SecureScreen,
    SetupRequired,
    Stateful,
    reject_kind,
)

__all__ = [
    "DEVICE_KINDS", "ActionFailed", "Device", "SecureScreen", "SetupRequired", "Stateful", "reject_kind",
]
