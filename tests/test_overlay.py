"""The desktop overlay on a real Xvfb display: a ring drawn on screen over a real Tk app, shaped
to its outline, on top, and click-through (the app under it gets the click); gone when hidden.
The picture window is the fallback where the ring cannot be drawn."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from actions import from_dict, pixels_to_grid
from agent.assist.guide import Guidance
from agent.assist.overlay import Overlay, open_overlay
from tests.tk_app import TkApp

SIZE = (1280, 800)
YELLOW = (255, 212, 0)


@pytest.fixture()
def app(display: str, tmp_path: Path) -> Iterator[TkApp]:
    tk = TkApp(display, tmp_path / "events.jsonl")
    try:
        yield tk
    finally:
        tk.stop()


@pytest.fixture()
def overlay(display: str) -> Iterator[Overlay]:
    made = open_overlay(display)
    assert made is not None, "the overlay could not open a window (python3-tk missing?)"
    try:
        yield made
    finally:
        made.close()


def _grab(display: str) -> Image.Image:
    import mss

    previous = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = display
    try:
        with mss.MSS() as sct:
            shot = sct.grab(sct.monitors[0])
            return Image.frombytes("RGB", shot.size, shot.bgra, "raw", "BGRX")
    finally:
        if previous is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = previous


def test_ring_is_drawn_on_top_and_clicks_pass_through(display: str, app: TkApp, overlay: Overlay) -> None:
    assert overlay.mode == "shape"  # Xvfb has the SHAPE extension
    bx, by = app.center("button")
    # The ring's band (40-60 px from its centre) lies over the button's centre.
    assert overlay._send(ring=[bx + 50, by, 60]) == "shown"
    shot = _grab(display)
    assert shot.getpixel((bx, by)) == YELLOW  # the ring is on top of the app
    hole = shot.getpixel((bx + 50, by))
    assert hole not in (YELLOW, (0, 0, 0))  # the middle is cut away: the app shows through
    subprocess.run(["xdotool", "mousemove", str(bx), str(by), "click", "1"], check=True,
                   env={**os.environ, "DISPLAY": display})
    assert app.wait_for("click"), "the click on the ring did not reach the app under it"
    assert overlay.hide() == "hidden"
    assert _grab(display).getpixel((bx, by)) != YELLOW


def test_guidance_rings_its_target(display: str, app: TkApp, overlay: Overlay) -> None:
    ex, ey = app.center("entry")
    action = from_dict({"action": "tap", "element": "the entry", "confidence": 1,
                        "coordinates": list(pixels_to_grid((ex, ey), SIZE))})
    frame = Image.new("RGB", SIZE)
    assert overlay.show(Guidance(1, "Tap the entry.", frame, action)) == "shown"
    shot = _grab(display)
    radius = max(30, min(SIZE) // 14)
    band = [shot.getpixel((ex + radius - d, ey)) for d in range(2, 16)]
    assert YELLOW in band
    overlay.hide()


def test_picture_window_is_the_fallback(display: str, overlay: Overlay, tmp_path: Path) -> None:
    picture = tmp_path / "marked.png"
    Image.new("RGB", (400, 800), YELLOW).save(picture)
    assert overlay._send(picture=str(picture)) == "shown"
    found = subprocess.run(["xdotool", "search", "--name", "qwen-agent: where to tap"],
                           capture_output=True, text=True, env={**os.environ, "DISPLAY": display})
    assert found.stdout.strip(), "no picture window on the display"
    overlay.hide()
