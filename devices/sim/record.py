"""The simulated phone's own events: a person drives it, each action is kept with the frame before.

`SimPerson` stands between the person and the phone: `do(action)` captures the screen, names what
the finger lands on from the phone's own widgets (so a recorded step reads `tap "Bluetooth"`, not
`tap point 500,557`), notes whether text goes into a password field, then carries the action out.
`command(line)` reads the small text language `qwen-agent record --device sim` takes on stdin.
"""

from __future__ import annotations

import shlex

from actions import (
    Action,
    Back,
    Home,
    Key,
    LongPress,
    OpenApp,
    Scroll,
    Swipe,
    Tap,
    Type,
    grid_to_pixels,
    pixels_to_grid,
)
from actions.errors import UsageError
from devices.primitives import Text, decompose
from devices.recording import DemoEvent, secret_event, touch_action
from devices.redact import black_out
from devices.sim.phone import SimPhone
from devices.sim.state import is_password_field
from devices.sim.widgets import Intent, hit

COMMANDS = ("tap LABEL|X Y", "long_press LABEL|X Y", "swipe X1 Y1 X2 Y2", "scroll up|down",
            "type TEXT", "key NAME", "back", "home", "open APP", "stop")


class SimPerson:
    """A person's hands on a `SimPhone`; `events` is what they did, in order."""

    def __init__(self, phone: SimPhone) -> None:
        self.phone = phone
        self.events: list[DemoEvent] = []

    def do(self, action: Action) -> None:
        # Password fields are blacked out of a demo's frames (the phone may be showing one).
        frame = black_out(self.phone.screenshot(), self.phone.password_regions())
        action = self._named(action)
        key = self._password_key(action)
        secret = False
        for primitive in decompose(action):  # a failure (bad key, unknown app) is not recorded
            # Text is secret where it really lands: judged after the tap that may move the focus.
            secret = secret or (isinstance(primitive, Text)
                                and self.phone.effect(primitive).role == "password_field")
            self.phone.perform(primitive)
        if key and self.events and self.events[-1].secret:
            return  # one more key of the password already handed over
        self.events.append(secret_event(frame) if key else DemoEvent(action, frame, secret))

    def touch(self, down: tuple[int, int], up: tuple[int, int] | None = None, seconds: float = 0.1) -> None:
        """A finger on the glass, in screen pixels (a tap, a long press or a swipe)."""
        size = self.phone.size()
        self.do(touch_action(down, up or down, seconds, (size.width, size.height), self._label_at(down)))

    def command(self, line: str) -> bool:
        """Carry out one line of the text language; False for `stop`. Raises UsageError."""
        words = shlex.split(line)
        if not words:
            return True
        verb, rest = words[0].lower(), words[1:]
        if verb in ("stop", "quit", "exit"):
            return False
        if verb in ("tap", "long_press"):
            point = self._point(rest)
            if verb == "tap":
                self.do(Tap(element="", coordinates=point, confidence=1.0))
            else:
                self.do(LongPress(element="", coordinates=point, confidence=1.0))
        elif verb == "swipe" and len(rest) == 4:
            size = self.phone.size()
            a, b = (int(rest[0]), int(rest[1])), (int(rest[2]), int(rest[3]))
            self.do(Swipe(element="", coordinates=pixels_to_grid(a, size), to=pixels_to_grid(b, size),
                          confidence=1.0))
        elif verb == "scroll" and rest and rest[0] in ("up", "down"):
            self.do(Scroll(direction=rest[0], confidence=1.0))  # type: ignore[arg-type]
        elif verb == "type" and rest:
            self.do(Type(text=" ".join(rest), confidence=1.0))
        elif verb == "key" and rest:
            self.do(Key(key=rest[0], confidence=1.0))
        elif verb == "back":
            self.do(Back(confidence=1.0))
        elif verb == "home":
            self.do(Home(confidence=1.0))
        elif verb == "open" and rest:
            self.do(OpenApp(app=" ".join(rest), confidence=1.0))
        else:
            raise UsageError(f"cannot read {line.strip()!r}; say one of: {'; '.join(COMMANDS)}")
        return True

    def _point(self, words: list[str]) -> tuple[int, int]:
        """`X Y` in screen pixels, or a label the phone shows (case-insensitive)."""
        if len(words) == 2 and all(w.lstrip("-").isdigit() for w in words):
            return pixels_to_grid((int(words[0]), int(words[1])), self.phone.size())
        try:
            return self.phone.locate(" ".join(words))
        except LookupError as err:
            raise UsageError(str(err)) from None

    def _label_at(self, pixel: tuple[int, int]) -> str | None:
        widget = hit(self.phone.layout().widgets, *pixel)
        return widget.label if widget is not None else None

    def _named(self, action: Action) -> Action:
        """The action with `element` set to what the phone calls the widget under the finger."""
        point = action.target
        if point is None or getattr(action, "element", None):
            return action
        label = self._label_at(grid_to_pixels(point, self.phone.size()))
        from dataclasses import replace

        return replace(action, element=label or f"point {point[0]},{point[1]}")  # type: ignore[type-var]

    def _password_key(self, action: Action) -> bool:
        """A tap on a keyboard key while a password field has the keyboard: its position spells
        the password, so it is recorded as a secret, like typed text."""
        if not isinstance(action, Tap) or not is_password_field(self.phone.state()["focused_field"]):
            return False
        widget = hit(self.phone.layout().widgets, *grid_to_pixels(action.coordinates, self.phone.size()))
        tap = widget.tap if widget is not None else None
        return tap is not None and (tap.kind == "insert" or tap == Intent("key", "backspace"))
