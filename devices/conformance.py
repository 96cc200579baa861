"""One conformance check that every `Device` must pass (like Gymnasium's `check_env`)."""

from __future__ import annotations

from PIL import Image

from actions import (
    Back,
    Done,
    DoubleTap,
    Home,
    Key,
    LongPress,
    OpenApp,
    Scroll,
    Swipe,
    Tap,
    Type,
    Wait,
)
from devices.base import DEVICE_KINDS, ActionFailed, Device


def sample_actions(app: str = "Settings", point: tuple[int, int] = (500, 500)) -> list:
    """One action of every device kind, aimed at `point` (a harmless spot on the device's screen)."""
    x, y = point
    return [
        Tap(confidence=1.0, element="conformance tap", coordinates=point),
        DoubleTap(confidence=1.0, element="conformance double tap", coordinates=point),
        LongPress(confidence=1.0, element="conformance long press", coordinates=point, seconds=0.5),
        Swipe(confidence=1.0, element="conformance swipe", coordinates=(x, min(1000, y + 100)),
              to=(x, max(0, y - 100))),
        Scroll(confidence=1.0, direction="down"),
        Scroll(confidence=1.0, direction="up", coordinates=point),
        Type(confidence=1.0, text="hello 你好"),
        Key(confidence=1.0, key="enter"),
        Back(confidence=1.0),
        Home(confidence=1.0),
        OpenApp(confidence=1.0, app=app),
        Home(confidence=1.0),
    ]


def check_device(device: Device, *, app: str = "Settings", point: tuple[int, int] = (500, 500)) -> None:
    """Raise AssertionError naming the first broken part of the contract in `devices.base`."""
    assert isinstance(device, Device), f"{type(device).__name__} does not implement Device"
    assert isinstance(device.name, str) and device.name, "name must be a non-empty string"
    _check_frame(device)
    seen: set[str] = set()
    for action in sample_actions(app, point):
        try:
            device.execute(action)
        except ActionFailed as err:
            assert str(err), f"ActionFailed for {action.kind} must say why"
        seen.add(action.kind)
        _check_frame(device)
    assert seen == DEVICE_KINDS, f"sample actions missed {DEVICE_KINDS - seen}"
    for loop_kind in (Done(confidence=1.0, text="x"), Wait(confidence=1.0, seconds=0)):
        try:
            device.execute(loop_kind)
        except ValueError:
            pass
        else:
            raise AssertionError(f"execute({loop_kind.kind}) must raise ValueError")
    device.close()
    device.close()  # idempotent


def _check_frame(device: Device) -> None:
    size = device.size()
    assert len(size) == 2 and all(isinstance(v, int) and v > 0 for v in size), f"bad size {size!r}"
    image = device.screenshot()
    assert isinstance(image, Image.Image), "screenshot() must return a PIL image"
    assert image.mode == "RGB", f"screenshot() must be RGB, got {image.mode}"
    assert image.size == tuple(size), f"screenshot is {image.size}, size() says {tuple(size)}"
