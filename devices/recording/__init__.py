"""A person's demonstration, as device events: what they did, and the screen just before.

Every recorder (the simulated phone's own events, Android's `getevent` touch stream, X input on a
desktop) produces the same `DemoEvent`s; `agent.record` turns them into a scenario folder. Raw
touches become actions here, in one place, so a tap means the same on every device.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

from actions import Action, LongPress, Swipe, Tap, Type, pixels_to_grid
from devices.redact import MASK

# A finger that moved less than this fraction of the screen width was tapping, not swiping.
TAP_SLOP = 0.03
LONG_PRESS_S = 0.5  # Android's long-press timeout (ViewConfiguration: 400-500 ms)


@dataclass(frozen=True)
class DemoEvent:
    action: Action  # points on the 0-1000 grid of the screen as it was
    frame: Image.Image | None = field(repr=False)  # the screen just before (None: not captured)
    secret: bool = False  # typed into a password field: the text must not be stored



def secret_event(frame: Image.Image | None) -> DemoEvent:
    """A password typed during a demonstration: its text is never kept (the replay hands the
    step to the person)."""
    return DemoEvent(Type(text=MASK, confidence=1.0), frame, secret=True)

def touch_action(down: tuple[int, int], up: tuple[int, int], seconds: float,
                 size: tuple[int, int], element: str | None = None) -> Action:
    """One touch (finger down at `down`, up at `up`, in screen pixels, held `seconds`) as an action."""
    start, end = pixels_to_grid(down, size), pixels_to_grid(up, size)
    name = element or f"point {start[0]},{start[1]}"
    moved = max(abs(up[0] - down[0]), abs(up[1] - down[1]))
    if moved <= TAP_SLOP * size[0]:
        if seconds >= LONG_PRESS_S:
            return LongPress(element=name, coordinates=start, confidence=1.0)
        return Tap(element=name, coordinates=start, confidence=1.0)
    return Swipe(element=name, coordinates=start, to=end, confidence=1.0)
