"""A small real Tk window for the desktop tests, and helpers to start it.

Run as `python tests/tk_app.py LOG_PATH [LABEL [+X+Y]]` on an X display: it lays out a button
(saying LABEL, "OK" by default), a text entry and a canvas at fixed places in a window at +X+Y
(the top left corner by default), writes their screen rectangles to LOG_PATH as the first JSON line
(`{"event": "layout", ...}`), then one JSON line per thing it receives: button clicks, double
clicks, press-and-hold, drags, wheel turns, key presses and the entry's text after each key.
The tests read that file to check what the window really got.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

APP = Path(__file__).resolve()


def main(log_path: str, label: str = "OK", where: str = "+0+0") -> None:
    import tkinter as tk

    out = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - open for the app's lifetime

    def log(**event: object) -> None:
        out.write(json.dumps(event, ensure_ascii=False) + "\n")
        out.flush()

    root = tk.Tk()
    root.title("qwen-agent test app")
    root.geometry(f"800x600{where}")
    button = tk.Button(root, text=label, font=("TkDefaultFont", 14),
                       command=lambda: log(event="click", widget="ok"))
    button.place(x=40, y=40, width=160, height=60)
    entry = tk.Entry(root, font=("TkDefaultFont", 18))
    entry.place(x=240, y=40, width=500, height=60)
    canvas = tk.Canvas(root, background="#dde")
    canvas.place(x=40, y=140, width=700, height=420)
    press: dict[str, float] = {}

    def on_press(ev: tk.Event) -> None:
        press.update(t=time.monotonic(), x=ev.x_root, y=ev.y_root)

    def on_release(ev: tk.Event) -> None:
        held = time.monotonic() - press.get("t", time.monotonic())
        moved = abs(ev.x_root - press.get("x", ev.x_root)) + abs(ev.y_root - press.get("y", ev.y_root))
        if moved > 20:
            log(event="drag", start=[press["x"], press["y"]], end=[ev.x_root, ev.y_root])
        elif held > 0.4:
            log(event="hold", seconds=round(held, 2), x=ev.x_root, y=ev.y_root)
        else:
            log(event="canvas_click", x=ev.x_root, y=ev.y_root)

    # X11 reports the wheel as buttons 4/5 (vertical) and 6/7 (horizontal); Tk 8.6 cannot bind
    # 6/7 by number, so every press is bound and sorted here.
    wheel = {4: "up", 5: "down", 6: "left", 7: "right"}

    def on_button(ev: tk.Event) -> None:
        if ev.num in wheel:
            log(event="scroll", direction=wheel[ev.num])
        elif ev.num == 1:
            on_press(ev)
        elif ev.num in (2, 3):  # the middle and the right button
            log(event="button", num=ev.num, x=ev.x_root, y=ev.y_root)

    def on_button_release(ev: tk.Event) -> None:
        if ev.num == 1:
            on_release(ev)

    canvas.bind("<ButtonPress>", on_button)
    canvas.bind("<ButtonRelease>", on_button_release)
    canvas.bind("<Double-Button-1>", lambda ev: log(event="double", x=ev.x_root, y=ev.y_root))
    canvas.bind("<Triple-Button-1>", lambda ev: log(event="triple", x=ev.x_root, y=ev.y_root))
    canvas.bind("<Motion>", lambda ev: log(event="motion", x=ev.x_root, y=ev.y_root))
    entry.bind("<KeyRelease>", lambda ev: log(event="text", value=entry.get()))
    root.bind_all("<Key>", lambda ev: log(event="key", keysym=ev.keysym))
    root.bind_all("<Alt-Left>", lambda ev: log(event="back"))

    def layout() -> None:
        def rect(w: tk.Widget) -> list[int]:
            return [w.winfo_rootx(), w.winfo_rooty(), w.winfo_width(), w.winfo_height()]

        log(event="layout", pid=os.getpid(), screen=[root.winfo_screenwidth(), root.winfo_screenheight()],
            button=rect(button), entry=rect(entry), canvas=rect(canvas))

    root.after(300, layout)
    root.mainloop()


class TkApp:
    """The app running as a child process on `display`, its event log readable as a list."""

    def __init__(self, display: str, log_path: Path, label: str = "OK", where: str = "+0+0") -> None:
        self.log_path = log_path
        env = dict(os.environ, DISPLAY=display)
        self.process = subprocess.Popen([sys.executable, str(APP), str(log_path), label, where], env=env)
        self.layout = self._wait_for_layout()

    def events(self, kind: str | None = None) -> list[dict]:
        if not self.log_path.exists():
            return []
        lines = self.log_path.read_text(encoding="utf-8").splitlines()
        events = [json.loads(line) for line in lines if line.strip()]
        return [e for e in events if kind is None or e["event"] == kind]

    def wait_for(self, kind: str, count: int = 1, timeout: float = 10.0) -> list[dict]:
        """Events of `kind` once at least `count` arrived (the app runs in another process)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.events(kind)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        return self.events(kind)

    def center(self, widget: str) -> tuple[int, int]:
        x, y, w, h = self.layout[widget]
        return x + w // 2, y + h // 2

    def _wait_for_layout(self) -> dict:
        found = self.wait_for("layout", timeout=20)
        if not found:
            self.stop()
            raise RuntimeError(f"the Tk test app did not start (exit code {self.process.poll()})")
        return found[0]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


if __name__ == "__main__":
    main(*sys.argv[1:4])
