"""Fault injection: wrappers that make a device or a model fail on cue, for the fault-survival
tests and for trying how a set-up copes (`FaultyDevice(open_device(...), disconnect_at=3)`).

Each records `fault_at` (time.monotonic() when the fault fired) so a test can hold the loop to
"the run ends within 2 s of the fault".
"""

from __future__ import annotations

import time
from typing import Any

from PIL import Image

from actions import Size
from agent.engine.errors import ModelError
from agent.engine.model import DecideRequest, Model, ModelReply, TextSink
from devices.errors import DeviceDisconnected, DeviceError
from devices.primitives import Primitive


class FaultyDevice:
    """A device that fails its `capture_fail_at`-th screenshot, or is unplugged at its
    `disconnect_at`-th primitive. Everything else goes to the wrapped device."""

    def __init__(self, device: Any, *, capture_fail_at: int | None = None,
                 disconnect_at: int | None = None) -> None:
        self._device = device
        self.name = device.name
        self.capture_fail_at = capture_fail_at
        self.disconnect_at = disconnect_at
        self.captures = 0
        self.actions = 0
        self.fault_at: float | None = None

    def size(self) -> Size:
        return self._device.size()

    def screenshot(self) -> Image.Image:
        self.captures += 1
        if self.captures == self.capture_fail_at:
            self.fault_at = time.monotonic()
            raise DeviceError("screen capture failed (injected fault)")
        return self._device.screenshot()

    def perform(self, primitive: Primitive) -> None:
        self.actions += 1
        if self.actions == self.disconnect_at:
            self.fault_at = time.monotonic()
            raise DeviceDisconnected("the device disconnected (injected fault)")
        self._device.perform(primitive)

    def close(self) -> None:
        self._device.close()

    def __getattr__(self, name: str) -> Any:
        # The wrapped device's abilities (its effects, password fields, state) stay visible.
        return getattr(self._device, name)


class FaultyModel:
    """A model that, from its `at`-th call on, times out (`timeout`) or answers garbage
    (`garbage`)."""

    def __init__(self, model: Model, fault: str, at: int) -> None:
        if fault not in ("timeout", "garbage"):
            raise ValueError(f"unknown model fault {fault!r}")
        self._model = model
        self.name = model.name
        self.fault = fault
        self.at = at
        self.calls = 0
        self.fault_at: float | None = None

    def decide(self, request: DecideRequest, on_text: TextSink | None = None) -> ModelReply:
        self.calls += 1
        if self.calls < self.at:
            return self._model.decide(request, on_text)
        if self.fault_at is None:
            self.fault_at = time.monotonic()
        if self.fault == "timeout":
            raise ModelError("the model server did not answer within the timeout (injected fault)")
        return ModelReply(text="<think>…</think> {{{ not an action \x00", seconds=0.0)
