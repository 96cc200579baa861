"""Device primitives: what every action is made of, and the one dispatch that decomposes it.

The sandbox judges an action by what it *does*, and an action often does more than one thing: a
`type` with coordinates is a tap and then text into whatever field has focus after the tap; a
`double_tap` is two taps, and the second may land on a dialog the first one opened; a newline at
the end of typed text is Enter, which performs the focused field's editor action (send, search).
So every action becomes a short sequence of primitives, and each one is reviewed against the
device's own truth on the screen as it is just before it runs:

    Press(point, button, count)   tap / click at a 0-1000 grid point
    Hold(point, seconds)          press and hold
    Drag(start, end)              drag a finger (or the left mouse button)
    Wheel(point, direction)       scroll the content under the point (a finger drag on a phone)
    Hover(point)                  move the pointer (desktops)
    Text(text)                    text into the focused field (never containing Enter or Tab)
    KeyPress(key)                 a key or combination: "enter", "tab", "ctrl+c"
    SystemButton(name)            "back" or "home"
    Launch(app)                   open an app by its name

Devices implement `perform(primitive)` for each; `decompose` is the only place that knows how an
action kind maps onto them (one `match`, not one per device).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from actions import (
    Action,
    AskUser,
    Back,
    Done,
    DoubleTap,
    Home,
    Key,
    LongPress,
    MiddleClick,
    MouseMove,
    OpenApp,
    RightClick,
    Scroll,
    Swipe,
    Tap,
    TripleClick,
    Type,
    Wait,
)

Point = tuple[int, int]
MouseButton = Literal["left", "right", "middle"]


@dataclass(frozen=True)
class Press:
    point: Point
    button: MouseButton = "left"
    count: int = 1  # 2: a double tap as one gesture (only formed when the first tap is inert)


@dataclass(frozen=True)
class Hold:
    point: Point
    seconds: float | None = None  # None: the device's usual long press


@dataclass(frozen=True)
class Drag:
    start: Point
    end: Point


@dataclass(frozen=True)
class Wheel:
    point: Point | None  # None: the middle of the screen
    direction: Literal["up", "down", "left", "right"]  # down reveals what is below


@dataclass(frozen=True)
class Hover:
    point: Point


@dataclass(frozen=True)
class Text:
    text: str  # no "\n", "\r" or "\t": those are key presses with effects of their own


@dataclass(frozen=True)
class KeyPress:
    key: str


@dataclass(frozen=True)
class SystemButton:
    name: Literal["back", "home"]


@dataclass(frozen=True)
class Launch:
    app: str


Primitive = Press | Hold | Drag | Wheel | Hover | Text | KeyPress | SystemButton | Launch

# Kinds that act on the device; `wait`, `ask_user` and `done` are handled by the agent loop.
DEVICE_KINDS = frozenset({
    "tap", "double_tap", "long_press", "swipe", "scroll", "type", "key", "back", "home", "open_app",
    "triple_click", "right_click", "middle_click", "mouse_move",
})

# A line break is Enter (the focused editor's action: send, search, go, or a new line) and a tab
# moves the focus to the next field; both change where later text lands, so they are their own
# primitives and the text after them is judged against the field that has focus then.
_CONTROL = re.compile(r"(\r\n|\r|\n|\t)")
_KEY_OF = {"\r\n": "enter", "\r": "enter", "\n": "enter", "\t": "tab"}


def text_primitives(text: str) -> tuple[Primitive, ...]:
    """`text` as Text runs separated by the Enter and Tab presses it contains."""
    out: list[Primitive] = []
    for part in _CONTROL.split(text):
        if not part:
            continue
        out.append(KeyPress(_KEY_OF[part]) if part in _KEY_OF else Text(part))
    return tuple(out)


def decompose(action: Action) -> tuple[Primitive, ...]:
    """The primitives an action is made of, in order; () for the kinds the loop handles itself
    (wait, ask_user, done)."""
    match action:
        case Tap(coordinates=point):
            return (Press(point),)
        case DoubleTap(coordinates=point):
            # Two taps: the second is judged after the first (it may land on a new dialog).
            return (Press(point), Press(point))
        case TripleClick(coordinates=point):
            return (Press(point), Press(point), Press(point))
        case RightClick(coordinates=point):
            return (Press(point, "right"),)
        case MiddleClick(coordinates=point):
            return (Press(point, "middle"),)
        case MouseMove(coordinates=point):
            return (Hover(point),)
        case LongPress(coordinates=point, seconds=seconds):
            return (Hold(point, seconds),)
        case Swipe(coordinates=start, to=end):
            return (Drag(start, end),)
        case Scroll(direction=direction, coordinates=point):
            return (Wheel(point, direction),)
        case Type(text=text, coordinates=point):
            return ((Press(point),) if point is not None else ()) + text_primitives(text)
        case Key(key=key):
            return (KeyPress(key),)
        case Back():
            return (SystemButton("back"),)
        case Home():
            return (SystemButton("home"),)
        case OpenApp(app=app):
            return (Launch(app),)
        case Wait() | AskUser() | Done():
            return ()
    raise ValueError(f"unknown action kind {getattr(action, 'kind', action)!r}")


def describe(primitive: Primitive) -> str:
    """A short line for logs and questions, e.g. `press (870, 233)`, `text 'hello'`."""
    match primitive:
        case Press(point=p, button=b, count=n):
            what = {1: "press", 2: "double press", 3: "triple press"}.get(n, f"{n}x press")
            return f"{what}{'' if b == 'left' else f' {b}'} ({p[0]}, {p[1]})"
        case Hold(point=p):
            return f"hold ({p[0]}, {p[1]})"
        case Drag(start=a, end=b):
            return f"drag ({a[0]}, {a[1]}) -> ({b[0]}, {b[1]})"
        case Wheel(point=p, direction=d):
            return f"scroll {d}" + (f" at ({p[0]}, {p[1]})" if p else "")
        case Hover(point=p):
            return f"hover ({p[0]}, {p[1]})"
        case Text(text=t):
            return f"text {t if len(t) <= 30 else t[:27] + '...'!r}"
        case KeyPress(key=k):
            return f"key {k}"
        case SystemButton(name=n):
            return f"{n} button"
        case Launch(app=a):
            return f"open {a!r}"
    raise ValueError(f"not a primitive: {primitive!r}")


def points(primitive: Primitive) -> Iterable[Point]:
    """The grid points a primitive touches (for checks that they lie on the screen)."""
    match primitive:
        case Drag(start=a, end=b):
            return (a, b)
        case Press(point=p) | Hold(point=p) | Hover(point=p):
            return (p,)
        case Wheel(point=p):
            return (p,) if p is not None else ()
    return ()
