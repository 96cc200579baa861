"""No typed secret in any image: every image a run writes (frames, marked frames, report.html, a
verified replay's drift picture) and every image sent to the model server is read back with OCR,
with "Show password" on, and the secret is found in none of them — while OCR does read the
screen's other words off the same images (so it could have found it).

The model is a loopback stand-in for an OpenAI-compatible server (a real HTTP server here, scripted
replies): it joins NETGEAR-42 with `{WIFI}`, turns "Show password" on and looks at the dialog.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from actions import from_dict, pixels_to_grid
from devices.base import execute
from devices.sim import SimPhone
from tests.helpers import run_cli

SECRET = "quokka2718"  # words no screen of the phone shows, so OCR finding them means a leak
NET = "NETGEAR-42"
ocr = pytest.importorskip("agent.ocr")  # the [ocr] extra: CI installs it (tests/run_all.sh)


def _steps() -> list[dict[str, Any]]:
    """The replies, with coordinates read off the simulated phone as the model would see it: from
    the home screen to the NETGEAR-42 dialog, the password, "Show password" on, a look."""
    phone = SimPhone()
    steps: list[dict[str, Any]] = [{"action": "open_app", "app": "Settings", "confidence": 0.9}]
    execute(phone, from_dict(steps[0]))
    for label in ("Network & internet", "Internet", NET):
        steps.append(_action("tap", list(phone.locate(label))))
        execute(phone, from_dict(steps[-1]))
    steps.append({"action": "type", "text": "{WIFI}", "confidence": 0.9})
    steps.append(_action("tap", list(phone.locate("Show password"))))
    title = next(w for w in phone.layout().widgets if getattr(w, "lines", None) == (NET,))
    steps.append(_action("tap", list(pixels_to_grid(title.visible.center, phone.size()))))  # a look
    steps.append({"action": "done", "text": "typed it", "confidence": 0.9})
    return steps


def _action(kind: str, point: list[int]) -> dict[str, Any]:
    return {"action": kind, "element": "x", "coordinates": point, "confidence": 0.9}


class ModelStandIn:
    """A loopback OpenAI-compatible server: answers the scripted actions in order (streamed when
    asked) and keeps every request, images included."""

    def __init__(self, replies: list[dict[str, Any]]) -> None:
        self.requests: list[dict[str, Any]] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's spelling
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                stand_in.requests.append(body)
                reply = replies[min(len(stand_in.requests), len(replies)) - 1]
                content = "<think>The dialog is open.</think>" + json.dumps(reply)
                if body.get("stream"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    delta = {"choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(delta)}\n\ndata: [DONE]\n\n".encode())
                    return
                raw = json.dumps({"choices": [{"index": 0, "finish_reason": "stop",
                                               "message": {"role": "assistant", "content": content}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def images(self) -> Iterator[bytes]:
        for body in self.requests:
            for data in re.findall(r"data:image/[a-z]+;base64,([A-Za-z0-9+/=]+)", json.dumps(body)):
                yield base64.b64decode(data)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _images_in(run: Path) -> Iterator[bytes]:
    for path in run.rglob("*"):
        if path.suffix == ".png":
            yield path.read_bytes()
        elif path.suffix == ".html":
            for data in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", path.read_text(encoding="utf-8")):
                yield base64.b64decode(data)


def _read(images: Iterator[bytes]) -> list[str]:
    """OCR of each distinct image, spaces removed (OCR splits a word now and then)."""
    seen: dict[bytes, str] = {}
    for raw in images:
        if raw not in seen:
            image = Image.open(io.BytesIO(raw)).convert("RGB")
            seen[raw] = "".join(ocr.read_text(image)).replace(" ", "")
    return list(seen.values())


@pytest.fixture
def stand_in() -> Iterator[ModelStandIn]:
    server = ModelStandIn(_steps())
    yield server
    server.close()


def test_no_image_written_or_sent_holds_the_secret(stand_in: ModelStandIn, tmp_path: Path) -> None:
    env = {"MY_WIFI": SECRET}
    proc = run_cli("run", f"Join {NET} with the password {{WIFI}}", "--backend", "openai",
                   "--base-url", stand_in.url, "--model", "qwen", "--secret", "WIFI=env:MY_WIFI",
                   "--yes", "--runs-dir", str(tmp_path / "runs"), "--json", env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    run = next((tmp_path / "runs").iterdir())
    sent = _read(stand_in.images())
    written = _read(_images_in(run))
    assert len(sent) >= 4 and len(written) >= 4
    # OCR reads these images: the network's name is on the screens with the dialog...
    assert sum("NETGEAR" in text for text in sent) >= 2 and sum("NETGEAR" in text for text in written) >= 2
    # ...and nothing of the password, which the screen showed in clear ("Show password" on).
    for text in sent + written:
        assert not _leaks(text), text

    # A verified replay of the same run that stops matching where the password is in clear on
    # screen: its drift picture (recorded | live) holds no password either.
    replayed = tmp_path / "replay"
    shutil.copytree(run, replayed)
    frame = replayed / "frames" / "0007.png"  # recorded before the look: now another screen
    SimPhone(screen="settings/display").screenshot().resize(Image.open(frame).size).save(frame)
    proc = run_cli("replay", str(replayed), "--secret", "WIFI=env:MY_WIFI", "--yes", "--on-drift", "stop",
                   "--runs-dir", str(tmp_path / "again"), env=env, timeout=300)
    assert proc.returncode == 1 and "no longer matches" in proc.stderr + proc.stdout
    drift_run = next((tmp_path / "again").iterdir())
    drift = list(drift_run.glob("drift-*.png"))
    assert len(drift) == 1
    text = _read(iter([drift[0].read_bytes()]))[0]
    assert "NETGEAR" in text and not _leaks(text), text
    for text in _read(_images_in(drift_run)):
        assert not _leaks(text), text


def test_without_a_secret_the_same_screen_shows_the_password(tmp_path: Path) -> None:
    """The control: with nothing to hide, the password typed with "Show password" on is read off
    the very frame the filtered runs blank out (so the test above could have failed)."""
    phone = SimPhone()
    for step in _steps()[:6]:
        if step["action"] == "type":
            step = {**step, "text": SECRET}
        execute(phone, from_dict(step))
    assert SECRET in _read(iter([_png(phone.screenshot())]))[0]


def _leaks(text: str) -> bool:
    folded = text.lower()
    return "quokka" in folded or "2718" in folded


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
