"""The `Device` protocol: everything the agent needs from a screen it can see and touch.

A device is its own specification (like Gymnasium's `Env`): these docstrings are the contract, and
`devices.conformance.check_device` checks every implementation against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from PIL import Image

from actions import Action, Size
from actions.errors import DeviceError

# Kinds a device executes itself. `wait`, `ask_user` and `done` are handled by the agent loop.
DEVICE_KINDS = frozenset({
    "tap", "double_tap", "long_press", "swipe", "scroll", "type", "key", "back", "home", "open_app",
})


class ActionFailed(DeviceError):
    """The device could not carry out this one action (no such app, unknown key, ...).

    Not fatal: the loop records it and tells the model on the next step.
    """


class SecureScreen(DeviceError):  # noqa: N818 - named for what the user sees
    """The screen captured black: a secure window (password, payment, banking) or a screen that is
    off. Never retried silently: the agent hands the step over to the person. `image` is the frame.
    """

    def __init__(self, message: str, image: Image.Image | None = None) -> None:
        super().__init__(message)
        self.image = image


class SetupRequired(DeviceError):
    """The device needs the person to set something up before this can work (e.g. a keyboard
    for Chinese text). Ends the run with the fix in the message: no later step could do better."""


UNKNOWN_ROLE = "element"


@dataclass(frozen=True)
class Target:
    """The device's ground truth about an action's target: `label` as the UI names it, `role`
    (what touching it does, e.g. "toggle", "transfer", "password_field"), `sensitive` when it
    moves money, sends, deletes, uninstalls or takes a password, and `effect` in words.
    Role `UNKNOWN_ROLE` ("element"): the device knows the element's own label (Android's UI tree)
    but not what touching it does; the sandbox then reads that label for sensitive words."""

    label: str | None
    role: str
    sensitive: bool
    effect: str = ""


@runtime_checkable
class Device(Protocol):
    """A screen to capture and act on.

    - `name`: what the user typed to pick it (`sim`, `desktop`, `adb:SERIAL`).
    - `size()`: the screen in pixels *now* (re-read each call: phones rotate).
    - `screenshot()`: an RGB `PIL.Image` of exactly `size()`; raises `DeviceError` (never returns a
      black placeholder) when it cannot capture, `DeviceDisconnected` when the device is gone.
    - `execute(action)`: carry out one action of `DEVICE_KINDS`. Points are on the 0-1000 grid and
      are converted with `actions.grid_to_pixels(point, self.size())`, the one conversion.
      Raises `ActionFailed` for an action it cannot do, `ValueError` for a kind not in
      `DEVICE_KINDS`, `DeviceDisconnected` when the device is gone.
    - `close()`: release resources; safe to call twice.

    Optional: `is_password_field(point | None) -> bool | None` (is the field at this grid point,
    or the focused one, a password field; None = unknown), read by the loop with `getattr`.
    Optional: `describe_target(point | None, kind) -> Target | None`: what an action of `kind`
    (tap, long_press, type, key) at this grid point (None: the focused field, e.g. for `enter`)
    would really reach, from the device's own knowledge of its UI (None = unknown). The sandbox
    trusts this over the model's `element` name, which a hostile screen can fool.
    Optional: `password_regions() -> list[(x0, y0, x1, y1)]`: pixel boxes of the password fields
    on screen now (from the device's UI tree), blacked out of saved frames under `--redact`.
    Optional: `screen_texts() -> list[str] | None`: the text on screen now from the UI tree
    (None: the tree cannot be read), for a scenario's `expect.text`.
    """

    name: str

    def size(self) -> Size: ...

    def screenshot(self) -> Image.Image: ...

    def execute(self, action: Action) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class Stateful(Protocol):
    """A device whose state can be read as data (the simulated phone), for scenario `expect`."""

    def state(self) -> dict[str, Any]: ...


def reject_kind(action: Action) -> None:
    """Devices call this for kinds they do not execute, so every device fails the same way."""
    raise ValueError(f"{action.kind!r} is handled by the agent loop, not by a device")
