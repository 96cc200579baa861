"""Layout drift for the simulated phone: what an app update or a notification does to a recording.

Verified replay (agent/replay_verified.py) must notice when the screen no longer looks like the
recording, and re-locate a target that merely moved. These two changes reproduce that on the sim:
an extra row pushed in above a labelled widget (a suggestion card, a new settings entry) moves that
widget and everything under it down; a removed widget leaves its place empty. Applied to the built
layout, so rendering and hit-testing see the same change.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from devices.sim.widgets import Box, Rect, Text, Widget


@dataclass(frozen=True)
class Drift:
    row_above: str | None = None  # label of the widget an extra row is inserted above
    row_text: str = "Suggested: try Dark theme"
    remove: tuple[str, ...] = ()  # labels of widgets taken off the screen (with what they contain)

    def apply(self, widgets: tuple[Widget, ...]) -> tuple[Widget, ...]:
        out = widgets
        for label in self.remove:
            out = _remove(out, label)
        if self.row_above is not None:
            out = _insert_row(out, self.row_above, self.row_text)
        return out


def _find(widgets: tuple[Widget, ...], label: str) -> Widget | None:
    wanted = label.casefold()
    return next((w for w in widgets if w.label is not None and w.label.casefold() == wanted), None)


def _inside(inner: Rect, outer: Rect) -> bool:
    return (outer.x0 <= inner.x0 and outer.y0 <= inner.y0 and inner.x1 <= outer.x1
            and inner.y1 <= outer.y1)


def _remove(widgets: tuple[Widget, ...], label: str) -> tuple[Widget, ...]:
    target = _find(widgets, label)
    if target is None:
        return widgets
    # The row's text and icon are separate widgets drawn inside the touch target: they go too.
    return tuple(w for w in widgets if not (w.clip == target.clip and _inside(w.rect, target.rect)))


def _insert_row(widgets: tuple[Widget, ...], label: str, row_text: str) -> tuple[Widget, ...]:
    target = _find(widgets, label)
    if target is None:
        return widgets
    top, height = target.rect.y0, target.rect.height
    # Only the target's own scrolling list moves (the status and navigation bars stay put).
    texts = [w for w in widgets if isinstance(w, Text) and w.clip == target.clip
             and _inside(w.rect, target.rect)]
    px = texts[0].px if texts else max(24, height // 4)
    out: list[Widget] = []
    for w in widgets:
        if w.clip == target.clip and w.rect.y0 >= top and w.rect.height < 4 * height:
            out.append(replace(w, rect=w.rect.shift(dy=height)))
        else:
            out.append(w)
    card = Rect(target.rect.x0, top, target.rect.x1, top + height).inset(max(4, height // 16))
    row = [Box(rect=card, fill="primary_container", radius=card.height // 4, clip=target.clip),
           Text(rect=card.inset(card.height // 4), lines=(row_text,), px=px,
                color="on_primary_container", clip=target.clip)]
    index = widgets.index(target)
    return tuple(out[:index] + row + out[index:])
