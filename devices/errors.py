"""What a device raises (the device layer's part of the tree in `actions/errors.py`):

    DeviceError              capture or act failed                                   -> run ends, exit 1
    ├── DeviceDisconnected   the device went away mid-run                            -> exit 1
    ├── ActionFailed         this one primitive could not be done (unknown app, key) -> told to the model
    ├── SecureScreen         the screen captured black (a secure window)             -> handed to the person
    ├── SetupRequired        the person must set something up first (a keyboard)     -> exit 1, with the fix
    └── FailSafe             a person stopped the device by hand (pointer in a corner) -> exit 3
"""

from __future__ import annotations

from PIL import Image

from actions.errors import QwenAgentError


class DeviceError(QwenAgentError):
    """The device failed to capture or act."""


class DeviceDisconnected(DeviceError):
    """The device went away mid-run (a phone unplugged, an X display gone)."""


class ActionFailed(DeviceError):
    """The device could not carry out this one primitive (no such app, unknown key, ...).

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


class FailSafe(DeviceError):  # noqa: N818 - named for what the user did
    """A person stopped the device by hand (pyautogui's fail-safe: the pointer moved into a screen
    corner). A person's explicit stop, like Ctrl-C: the engine ends the run as stopped (exit 3)."""
