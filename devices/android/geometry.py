"""The phone's screen geometry: natural size (`wm size`), rotation and density, read in one shell
round trip (`PROBE`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from actions import Size
from devices.errors import DeviceError
from devices.screen_map import rotated_size

PROBE = "wm size; wm density; dumpsys display | grep -E 'mCurrentOrientation|orientation='"


@dataclass(frozen=True)
class Geometry:
    """The screen as last read: natural size (`wm size`), rotation (0-3) and density (dpi)."""

    natural: Size
    rotation: int
    density: int

    @property
    def size(self) -> Size:
        return rotated_size(self.natural, self.rotation)


def parse_geometry(out: str) -> Geometry:
    size = re.search(r"Override size: (\d+)x(\d+)", out) or re.search(r"Physical size: (\d+)x(\d+)", out)
    if not size:
        raise DeviceError(f"cannot read the phone's screen size (`wm size` said {out.strip()[:80]!r})")
    density = re.search(r"Override density: (\d+)", out) or re.search(r"Physical density: (\d+)", out)
    rotation = re.search(r"mCurrentOrientation=(\d)", out) or re.search(r"orientation=(\d)", out)
    return Geometry(Size(int(size[1]), int(size[2])), int(rotation[1]) % 4 if rotation else 0,
                    int(density[1]) if density else 160)


def fits(frame: np.ndarray, geo: Geometry) -> bool:
    """Could `frame` have been taken with the screen as `geo` says (turned or not)?"""
    height, width = frame.shape[:2]
    return (width, height) in (tuple(geo.size), tuple(geo.natural))
