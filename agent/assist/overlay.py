"""The ring drawn on the desktop itself, in a window of its own process.

On X11 with the SHAPE extension the window is cut to the ring's outline (no compositor needed for
"transparency") and its input shape is emptied, so clicks pass through to the app under it; it is
override-redirect and kept on top. Where SHAPE is missing the marked screenshot is shown in an
ordinary window instead. A separate process keeps Tk's event loop away from the agent's threads
(and from Gradio's); it reads one JSON command per line on stdin and answers on stdout.

    {"ring": [x, y, radius]}          draw the ring centred on screen pixel (x, y)
    {"picture": "/path/marked.png"}   the fallback window
    {"hide": true}                    remove it
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from actions import grid_to_pixels

RING, EDGE = "#ffd400", "#000000"


@dataclass
class Overlay:
    """The parent's handle: `show(guidance)`, `hide()`, `close()`. `mode` is "shape" or "window"."""

    process: subprocess.Popen[str]
    mode: str

    def _send(self, **command: Any) -> str:
        if self.process.poll() is not None:
            return "gone"
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def show(self, guidance: Any) -> str:
        """Ring the guidance's target (or show its picture when the ring cannot be drawn)."""
        action = guidance.action
        if self.mode == "window" or action is None or action.target is None or guidance.image is None:
            return self._send(picture=str(guidance.image_path)) if guidance.image_path else "none"
        x, y = grid_to_pixels(action.target, guidance.image.size)
        radius = max(30, min(guidance.image.size) // 14)
        return self._send(ring=[x, y, radius])

    def hide(self) -> str:
        return self._send(hide=True)

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()  # EOF ends the child's loop
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def open_overlay(display: str | None) -> Overlay | None:
    """Start the overlay process on `display`; None (and the terminal's picture path only) when
    no window can be opened there."""
    import os

    from devices.desktop.xdisplay import die_with_parent

    env = dict(os.environ, **({"DISPLAY": display} if display else {}))
    # Closed by `close()` on every way out of the command; and, should the parent be killed
    # outright, the child is told by the kernel (PR_SET_PDEATHSIG) rather than left on screen.
    process = subprocess.Popen([sys.executable, "-m", "agent.assist.overlay"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                               preexec_fn=die_with_parent())
    assert process.stdout is not None
    first = process.stdout.readline().strip()  # "ready shape" | "ready window" | "" (failed)
    if not first.startswith("ready "):
        process.kill()
        process.wait()
        return None
    return Overlay(process, first.split()[1])


# -- the child process ---------------------------------------------------------------------------


def _has_shape() -> Any:
    try:
        from Xlib.display import Display

        from devices.desktop.xdisplay import ensure_xauthority

        ensure_xauthority()  # python-xlib will not connect without an (even empty) cookie file
        with contextlib.redirect_stdout(sys.stderr):  # its warnings must not mix with our answers
            display = Display()
        return display if display.has_extension("SHAPE") else None
    except Exception:  # no python-xlib, or not an X server (Wayland, macOS, Windows)
        return None


def annulus_rows(size: int, thickness: int) -> list[tuple[int, int, int, int]]:
    """The ring as 1-pixel-high rectangles (x, y, width, height): at most two per row."""
    import math

    outer, inner = size / 2, size / 2 - thickness
    rows = []
    for y in range(size):
        dy = abs(y + 0.5 - outer)
        if dy >= outer:
            continue
        half_out = math.sqrt(outer * outer - dy * dy)
        left, right = round(outer - half_out), round(outer + half_out)
        if dy < inner:
            half_in = math.sqrt(inner * inner - dy * dy)
            a, b = round(outer - half_in), round(outer + half_in)
            rows += [(left, y, a - left, 1), (b, y, right - b, 1)]
        else:
            rows.append((left, y, right - left, 1))
    return [r for r in rows if r[2] > 0]


def _shape_ring(xdisplay: Any, window_id: int, size: int, thickness: int) -> None:
    """Cut the window to an annulus and make it ignore input (clicks fall through)."""
    from Xlib import X
    from Xlib.ext import shape

    window = xdisplay.create_resource_object("window", window_id)
    # python-xlib's argument order is (kind, operation, ...).
    window.shape_rectangles(shape.ShapeBounding, shape.ShapeSet, X.YXBanded, 0, 0,
                            annulus_rows(size, thickness))
    _input_rectangles(xdisplay, window_id, [])  # an empty input shape: clicks fall through
    xdisplay.sync()


def _input_rectangles(xdisplay: Any, window_id: int, rectangles: list[Any]) -> None:
    """ShapeRectangles on the Input kind (SHAPE 1.1), which python-xlib's own request refuses
    (it only allows Bounding and Clip): the same request with the kind as a plain byte."""
    from Xlib import X
    from Xlib.ext import shape
    from Xlib.protocol import rq, structs

    class InputRectangles(rq.Request):
        _request = rq.Struct(
            rq.Card8("opcode"), rq.Opcode(1), rq.RequestLength(), rq.Card8("operation"),
            rq.Card8("region"), rq.Card8("ordering"), rq.Pad(1), rq.Window("window"),
            rq.Int16("x"), rq.Int16("y"), rq.List("rectangles", structs.Rectangle),
        )

    InputRectangles(display=xdisplay.display, opcode=xdisplay.display.get_extension_major(shape.extname),
                    operation=shape.ShapeSet, region=2, ordering=X.Unsorted, window=window_id,
                    x=0, y=0, rectangles=rectangles)


def main() -> None:
    import threading
    import tkinter as tk

    try:
        root = tk.Tk()
    except tk.TclError:
        print("failed no display", flush=True)
        return
    root.withdraw()
    xdisplay = _has_shape()
    print(f"ready {'shape' if xdisplay is not None else 'window'}", flush=True)
    current: list[tk.Toplevel] = []
    photos: list[Any] = []

    def clear() -> None:
        while current:
            current.pop().destroy()
        photos.clear()

    def ring(x: int, y: int, radius: int) -> str:
        clear()
        thickness = max(10, radius // 3)
        size = 2 * radius
        top = tk.Toplevel(root)
        top.overrideredirect(True)
        top.attributes("-topmost", True)
        top.geometry(f"{size}x{size}+{x - radius}+{y - radius}")
        canvas = tk.Canvas(top, width=size, height=size, highlightthickness=0, background=EDGE)
        canvas.pack()
        # Tk centres an outline on the oval's path: put the path mid-band, leaving a thin black
        # edge either side so the yellow reads on light and dark windows alike.
        mid = thickness // 2
        canvas.create_oval(mid, mid, size - mid, size - mid, outline=RING, width=thickness - 8)
        current.append(top)
        top.update_idletasks()
        top.deiconify()
        top.update()
        if xdisplay is not None:
            # Tk maps a wrapper window around the toplevel's own window: cut both to the ring.
            inner = xdisplay.create_resource_object("window", top.winfo_id())
            wrapper = inner.query_tree().parent.id
            for window_id in {top.winfo_id(), wrapper, int(top.wm_frame(), 16)}:
                _shape_ring(xdisplay, window_id, size, thickness)
            top.update()
        return "shown"

    def picture(path: str) -> str:
        from PIL import Image, ImageTk

        clear()
        top = tk.Toplevel(root)
        top.title("qwen-agent: where to tap")
        top.attributes("-topmost", True)
        image = Image.open(path)
        image.thumbnail((top.winfo_screenwidth() // 2, top.winfo_screenheight() - 100))
        photo = ImageTk.PhotoImage(image)
        photos.append(photo)
        tk.Label(top, image=photo).pack()
        current.append(top)
        top.update()
        return "shown"

    def handle(line: str) -> None:
        try:
            command = json.loads(line)
            if "ring" in command:
                answer = ring(*command["ring"])
            elif "picture" in command:
                answer = picture(command["picture"])
            else:
                clear()
                root.update()
                answer = "hidden"
        except Exception as err:  # answered, never fatal: the guide goes on without the ring
            answer = f"error {err}"
        print(answer, flush=True)

    lines: list[str | None] = []

    def reader() -> None:
        for line in sys.stdin:
            lines.append(line)
        lines.append(None)

    threading.Thread(target=reader, daemon=True).start()

    def pump() -> None:
        while lines:
            line = lines.pop(0)
            if line is None:
                root.destroy()
                return
            handle(line)
        root.after(30, pump)

    root.after(30, pump)
    root.mainloop()


if __name__ == "__main__":
    main()
