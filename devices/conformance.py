"""One conformance check that every `Device` must pass (like Gymnasium's `check_env`): the protocol
itself, every primitive, and each optional ability the device declares."""

from __future__ import annotations

from PIL import Image

from devices import primitives as p
from devices.base import Device, Effect, FindsPasswords, KnowsEffects, ReadsText, Stateful
from devices.errors import ActionFailed, DeviceError


def sample_primitives(app: str = "Settings", point: tuple[int, int] = (500, 500)) -> list[p.Primitive]:
    """One primitive of every kind, aimed at `point` (a harmless spot on the device's screen)."""
    x, y = point
    return [
        p.Press(point),
        p.Press(point, count=2),
        p.Hold(point, 0.5),
        p.Drag((x, min(1000, y + 100)), (x, max(0, y - 100))),
        p.Wheel(None, "down"),
        p.Wheel(point, "up"),
        p.Hover(point),
        p.Text("hello 你好"),
        p.KeyPress("enter"),
        p.SystemButton("back"),
        p.SystemButton("home"),
        p.Launch(app),
        p.SystemButton("home"),
    ]


KINDS = frozenset(type(prim) for prim in sample_primitives())


def check_device(device: Device, *, app: str = "Settings", point: tuple[int, int] = (500, 500)) -> None:
    """Raise AssertionError naming the first broken part of the contract in `devices.base`."""
    assert isinstance(device, Device), f"{type(device).__name__} does not implement Device"
    assert isinstance(device.name, str) and device.name, "name must be a non-empty string"
    _check_frame(device)
    _check_abilities(device)
    seen: set[type] = set()
    for primitive in sample_primitives(app, point):
        if isinstance(device, KnowsEffects):
            _check_effect(device, primitive)
        try:
            device.perform(primitive)
        except ActionFailed as err:
            assert str(err), f"ActionFailed for {p.describe(primitive)} must say why"
        seen.add(type(primitive))
        _check_frame(device)
    assert seen == KINDS, f"sample primitives missed {KINDS - seen}"
    try:
        device.perform("tap")  # type: ignore[arg-type]
    except ValueError:
        pass
    else:
        raise AssertionError("perform(<not a primitive>) must raise ValueError")
    device.close()
    device.close()  # idempotent


def _check_frame(device: Device) -> None:
    size = device.size()
    assert len(size) == 2 and all(isinstance(v, int) and v > 0 for v in size), f"bad size {size!r}"
    image = device.screenshot()
    assert isinstance(image, Image.Image), "screenshot() must return a PIL image"
    assert image.mode == "RGB", f"screenshot() must be RGB, got {image.mode}"
    assert image.size == tuple(size), f"screenshot is {image.size}, size() says {tuple(size)}"


def _check_effect(device: KnowsEffects, primitive: p.Primitive) -> None:
    try:
        found = device.effect(primitive)
    except DeviceError:
        return  # allowed: the device could not read its UI just now
    assert found is None or isinstance(found, Effect), (
        f"effect({p.describe(primitive)}) must be an Effect or None, got {found!r}")
    if found is not None:
        assert isinstance(found.role, str) and found.role, "an Effect needs a role"
        assert not (found.inert and found.sensitive), "an inert effect cannot be sensitive"


def _check_abilities(device: Device) -> None:
    """What a device declares it can do, it must do with the declared types."""
    width, height = device.size()
    if isinstance(device, FindsPasswords):
        try:
            boxes = device.password_regions()
        except DeviceError:
            boxes = []
        for box in boxes:
            assert len(box) == 4 and box[0] < box[2] and box[1] < box[3], f"bad box {box!r}"
            assert box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height, (
                f"password box {box!r} is off the {width}x{height} screen")
    if isinstance(device, ReadsText):
        texts = device.screen_texts()
        assert texts is None or all(isinstance(t, str) for t in texts), "screen_texts: strings"
    if isinstance(device, Stateful):
        assert isinstance(device.state(), dict), "state() must return a dict"
