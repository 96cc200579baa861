"""Devices: the `Device` protocol and its abilities, primitives, the simulated phone, the desktop
and Android phones. Each device implements primitives; `devices.primitives.decompose` is the one
dispatch from an action to them."""

from devices.base import (
    UNKNOWN_ROLE,
    Box,
    Device,
    Effect,
    FindsPasswords,
    KnowsEffects,
    ReadsText,
    Stateful,
    execute,
)
from devices.errors import (
    ActionFailed,
    DeviceDisconnected,
    DeviceError,
    FailSafe,
    SecureScreen,
    SetupRequired,
)
from devices.primitives import DEVICE_KINDS, Primitive, decompose

__all__ = [
    "DEVICE_KINDS", "UNKNOWN_ROLE", "ActionFailed", "Box", "Device", "DeviceDisconnected",
    "DeviceError", "Effect", "FailSafe", "FindsPasswords", "KnowsEffects", "Primitive", "ReadsText",
    "SecureScreen", "SetupRequired", "Stateful", "decompose", "execute",
]
