"""The `Device` protocol, the optional abilities a device may declare, and what it says of effects.

A device is its own specification (like Gymnasium's `Env`): these docstrings are the contract, and
`devices.conformance.check_device` checks every implementation against it, including each ability
it declares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from PIL import Image

from actions import Action, Size
from devices.primitives import Primitive, decompose

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in screen pixels, x1/y1 exclusive

# Role of an element whose own words the device knows (Android's UI tree) but not what touching it
# does: the sandbox then reads those words for sensitive keywords.
UNKNOWN_ROLE = "element"


@dataclass(frozen=True)
class Effect:
    """The device's own truth about what one primitive would do on the screen as it is now.

    - `label`: what the UI calls the element reached (the words a screen reader would say).
    - `role`: what it is or does: "toggle", "text_field", "password_field", "key", "send",
      "transfer", "nothing", ... or `UNKNOWN_ROLE` when only the label is known.
    - `sensitive`: it moves money, sends, deletes, uninstalls, or puts text into a password field.
    - `effect`: in words, for the person and the trajectory ("sends a message").
    - `inert`: the device is sure the primitive changes nothing on screen (a tap on plain text), so
      a second identical tap lands on the same thing and may follow at once (a real double tap).
    """

    label: str | None
    role: str
    sensitive: bool
    effect: str = ""
    inert: bool = False

    @property
    def known(self) -> bool:
        """The device knows what the primitive does, not only the element's words."""
        return self.role != UNKNOWN_ROLE


@runtime_checkable
class Device(Protocol):
    """A screen to capture and act on.

    - `name`: what the user typed to pick it (`sim`, `desktop`, `adb:SERIAL`).
    - `size()`: the screen in pixels *now* (re-read each call: phones rotate).
    - `screenshot()`: an RGB `PIL.Image` of exactly `size()`; raises `DeviceError` (never returns a
      black placeholder) when it cannot capture, `DeviceDisconnected` when the device is gone.
    - `perform(primitive)`: carry out one primitive of `devices.primitives`. Points are on the
      0-1000 grid and are converted with `actions.grid_to_pixels(point, self.size())`, the one
      conversion. Raises `ActionFailed` for a primitive it cannot do (an unknown key, an app that
      is not installed), `DeviceDisconnected` when the device is gone.
    - `close()`: release resources; safe to call twice.
    """

    name: str

    def size(self) -> Size: ...

    def screenshot(self) -> Image.Image: ...

    def perform(self, primitive: Primitive) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class KnowsEffects(Protocol):
    """A device that can say what a primitive would do, from its own knowledge of its UI (the
    simulated phone's widgets, Android's UI tree and input method). The sandbox trusts this over
    the model's words, which a hostile screen can fool.

    `effect(primitive)` -> `Effect`, or None where the device cannot tell (no UI tree, a WebView).
    Asked just before the primitive runs, so it describes the screen as it is at that moment."""

    def effect(self, primitive: Primitive) -> Effect | None: ...


@runtime_checkable
class FindsPasswords(Protocol):
    """A device that can locate the password fields on its screen (from its UI tree).

    `password_regions()` -> pixel boxes of the password fields on screen now; raises
    `DeviceError` when the tree cannot be read (then nobody knows where they are, and an image
    that must not show a password is withheld)."""

    def password_regions(self) -> list[Box]: ...


@runtime_checkable
class ReadsText(Protocol):
    """A device that can read the text on its screen from its UI tree (for `expect.text`).
    `screen_texts()` -> the texts, or None when the tree cannot be read now."""

    def screen_texts(self) -> list[str] | None: ...


@runtime_checkable
class Stateful(Protocol):
    """A device whose state can be read as data (the simulated phone), for scenario `expect`."""

    def state(self) -> dict[str, Any]: ...


def execute(device: Device, action: Action) -> None:
    """Perform every primitive of `action`, unreviewed: for recording a person's demonstration, the
    effect oracle and conformance tests. The agent never acts through this: its loop reviews each
    primitive before it runs."""
    for primitive in decompose(action):
        device.perform(primitive)
