"""The desktop's cheap paths on a real Xvfb: the monitor layout is re-read only after the X server
announces a change (a real RandR notification here), and the settle wait is accounted apart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devices import primitives as p
from tests.conftest import require_tool

SIZE = (1280, 800)


@pytest.fixture()
def desktop() -> Iterator:
    require_tool("Xvfb", "xvfb")
    from devices.desktop import DesktopDevice, start_virtual_display

    xvfb = start_virtual_display(SIZE)
    device = DesktopDevice(display=xvfb.display, settle=0.02)
    try:
        yield device, xvfb.display
    finally:
        device.close()
        xvfb.stop()


def test_the_layout_is_read_again_only_after_the_server_says_it_changed(desktop) -> None:
    from Xlib.display import Display

    device, display = desktop
    device.screenshot()
    layout = device._sct._monitors  # mss's cached layout (private: what we keep or drop)
    for _ in range(3):
        assert device.screenshot().size == SIZE
    assert device._sct._monitors is layout, "nothing changed, yet the layout was read again"
    # Someone changes the screen (here its physical size in mm, which Xvfb allows): the server
    # sends RandR notifications, and the next capture reads the layout afresh.
    other = Display(display)
    try:
        other.screen().root.xrandr_set_screen_size(SIZE[0], SIZE[1], 200, 125)
        other.sync()
    finally:
        other.close()
    assert device.screenshot().size == SIZE
    assert device._sct._monitors is not layout, "the server announced a change that was ignored"
    relaid = device._sct._monitors
    device.screenshot()
    assert device._sct._monitors is relaid


def test_the_settle_wait_is_added_up_apart(desktop) -> None:
    device, _ = desktop
    before = device.settled_s
    for primitive in (p.Hover((500, 500)), p.Press((500, 500)), p.Wheel(None, "down")):
        device.perform(primitive)
    assert device.settled_s - before >= 3 * 0.02  # each primitive waited its settle, counted
