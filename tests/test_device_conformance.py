"""Every `Device` passes the same conformance check (like Gymnasium's `check_env`).

Add a device by adding a factory to `FACTORIES`; devices that need hardware belong in their own
module with a skip marker.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from devices.base import Device
from devices.conformance import check_device
from devices.sim import SimPhone

FACTORIES: dict[str, Callable[[], Device]] = {
    "sim-en": lambda: SimPhone(),
    "sim-zh": lambda: SimPhone(lang="zh"),
    "sim-settings-dark": lambda: SimPhone(screen="settings", state={"dark_theme": True}),
    "sim-notes-editor": lambda: SimPhone(screen="notes/new"),
}


@pytest.mark.parametrize("factory", FACTORIES.values(), ids=list(FACTORIES))
def test_device_conformance(factory: Callable[[], Device]) -> None:
    check_device(factory())
