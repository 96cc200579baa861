"""A FAKE adb server, at the protocol level, with fake phones behind it (test code only).

Modelled on adbutils' own tests/adb_server.py: it speaks the adb host protocol on 127.0.0.1 (a
free port picked by binding to 0), so the real adbutils client and our AndroidDevice talk to it
exactly as to the real adb server. Only the phone is fake: a `FakePhone` runs the handful of shell
commands the agent uses (wm, dumpsys, screencap, input, ime, am broadcast, monkey, pm,
uiautomator) against a backing `Device` (the simulated phone, or `CanvasPhone` below), turned to
the phone's rotation, with a secure (black) screen and unplugging on demand.
"""

from __future__ import annotations

import base64
import io
import re
import shlex
import socketserver
import struct
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from actions import (
    Back,
    Home,
    Key,
    LongPress,
    OpenApp,
    Swipe,
    Tap,
    Type,
    pixels_to_grid,
)
from devices.base import execute
from devices.sim.state import is_password_field
from tests.fake_adb_phone import CanvasPhone

ADB_IME = "com.android.adbkeyboard/.AdbIME"
GBOARD = "com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME"


@dataclass
class FakePhone:
    """One fake phone: its adb state, rotation, keyboard, and the log of what it was told."""

    serial: str
    backing: Any = field(default_factory=CanvasPhone)
    model: str = "Pixel_8"
    state: str = "device"
    rotation: int = 0
    secure: bool = False
    density: int = 420
    adb_keyboard: bool = True
    ime: str = GBOARD
    raw_format: int = 1  # RGBA_8888; 16-byte header (Android 9+)
    rotates_capture: bool = True  # False: screencap hands out the unrotated framebuffer
    hierarchy: bool = True
    packages: dict[str, str] = field(default_factory=lambda: {
        "com.android.settings": "Settings", "com.google.android.deskclock": "Clock",
        "com.tencent.mm": "WeChat", "com.android.adbkeyboard": "ADBKeyBoard"})
    commands: list[str] = field(default_factory=list)  # every shell/exec command received
    taps: list[tuple[int, int]] = field(default_factory=list)  # display pixels of input tap
    typed: list[str] = field(default_factory=list)
    cut_next: str = ""  # a command prefix: answer it half and unplug the phone
    files: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # A person's hands for `getevent -lt` (see tests/fake_getevent.py): touches in display pixels,
    # played one by one, each once the screen was captured after the previous one.
    person: list[tuple[Any, ...]] = field(default_factory=list)
    # Or a real capture played back as the panel sent it (a tests.fake_getevent.Capture).
    capture: Any = None
    # Real `dumpsys input_method` / `dumpsys window InputMethod` outputs to answer with, verbatim;
    # None: answers made from the backing phone's focused field and keyboard.
    ime_dump: str | None = None
    window_dump: str | None = None
    ui_xml: str | None = None  # a real `uiautomator dump` to answer with, verbatim

    # --- geometry -----------------------------------------------------------------------------

    @property
    def natural(self) -> tuple[int, int]:
        return tuple(self.backing.size())  # type: ignore[return-value]

    def display_size(self) -> tuple[int, int]:
        w, h = self.natural
        return (h, w) if self.rotation % 2 else (w, h)

    def to_natural(self, x: int, y: int) -> tuple[int, int]:
        """A display pixel -> the backing phone's pixel (the display shows rot90(natural, k))."""
        w, h = self.natural
        return {0: (x, y), 1: (w - 1 - y, x), 2: (w - 1 - x, h - 1 - y), 3: (y, h - 1 - x)}[self.rotation]

    def frame(self) -> np.ndarray:
        if self.secure:
            w, h = self.display_size()
            return np.zeros((h, w, 3), np.uint8)
        natural = np.asarray(self.backing.screenshot().convert("RGB"))
        return np.rot90(natural, k=self.rotation) if self.rotates_capture else natural

    def input_method_dump(self) -> str:
        """`dumpsys input_method` as AOSP prints it (Android 10-13: the service's state, then the
        app's side with `mCurrentTextBoxAttribute:` and EditorInfo.dump): the keyboard is up while
        a field is focused; a password field's editor is TEXT|PASSWORD, a message field sends,
        a note is multi-line."""
        if self.ime_dump is not None:
            return self.ime_dump
        field_id, password = self._focused_field()
        shown = str(field_id is not None).lower()
        head = ("Current Input Method Manager state:\n"
                f"  mCurMethodId={self.ime}\n"
                f"  mShowRequested={shown} mShowExplicitlyRequested=false mShowForced=false mInputShown={shown}\n"
                " Client:\n"
                "  mServedConnecting=false\n")
        if field_id is None:
            return head + "  mCurrentTextBoxAttribute: null\n"
        input_type, ime_options = _editor_flags(str(field_id), password)
        return head + ("  mCurrentTextBoxAttribute:\n"
                       f"    inputType=0x{input_type:x} imeOptions=0x{ime_options:x} privateImeOptions=null\n"
                       "    actionLabel=null actionId=0\n"
                       "    initialSelStart=0 initialSelEnd=0 initialCapsMode=0x0\n"
                       "    hintText=null label=null\n"
                       "    packageName=com.android.settings autofillId=1073741824 fieldId=2131362345 fieldName=null\n"
                       "    extras=null\n")

    def input_method_window(self) -> str:
        """`dumpsys window InputMethod` (Android 11+ layout): the keyboard's touchable region is
        the backing phone's keyboard, turned to the display; hidden while no field has focus."""
        if self.window_dump is not None:
            return self.window_dump
        layout = self.backing.layout() if hasattr(self.backing, "layout") else None
        rect = next((w.rect for w in getattr(layout, "widgets", ()) if getattr(w, "fill", None) == "keyboard"), None)
        w, h = self.display_size()
        visible = rect is not None
        if rect is None:
            region = f"(0,{h // 2},{w},{h})"  # a hidden keyboard keeps a stale region
        else:
            corners = [self.from_natural(rect.x0, rect.y0), self.from_natural(rect.x1 - 1, rect.y1 - 1)]
            xs, ys = [c[0] for c in corners], [c[1] for c in corners]
            region = f"({min(xs)},{min(ys)},{max(xs) + 1},{max(ys) + 1})"
        return ("WINDOW MANAGER WINDOWS (dumpsys window windows)\n"
                "  Window #2 Window{7c1d2f0 u0 InputMethod}:\n"
                "    mDisplayId=0 rootTaskId=1 mSession=Session{4b3a1e 2210:u0a10121} mClient=android.os.BinderProxy@c0ffee\n"
                f"    mViewVisibility={'0x0' if visible else '0x8'} mHaveFrame=true mObscured=false\n"
                "    mTouchableInsets=3 mGivenInsetsPending=false\n"
                f"    touchable region=SkRegion({region})\n"
                f"    Frames: parent=[0,0][{w},{h}] display=[0,0][{w},{h}] frame=[0,0][{w},{h}]\n"
                f"    isOnScreen={str(visible).lower()}\n"
                f"    isVisible={str(visible).lower()}\n")

    def _focused_field(self) -> tuple[Any, bool]:
        focused = getattr(self.backing, "focused", None)
        if focused is not None or not hasattr(self.backing, "state"):
            return focused, getattr(focused, "kind", "") == "password"
        field_id = self.backing.state().get("focused_field")
        return field_id, is_password_field(field_id)

    def _grid(self, x: str, y: str) -> tuple[int, int]:
        return pixels_to_grid(self.to_natural(int(float(x)), int(float(y))), self.natural)

    # --- the shell --------------------------------------------------------------------------------

    def run(self, line: str) -> bytes:
        """Run a command line with ;, &&, || and | (grep) the way the phone's sh would."""
        self.commands.append(line)
        out, ok, previous_sep = b"", True, ";"
        for sep, pipeline in split_line(line):
            if (previous_sep == "&&" and not ok) or (previous_sep == "||" and ok):
                previous_sep = sep
                continue
            data, ok = b"", True
            for stage in pipeline:
                data, ok = self.simple(stage, data)
            out += data
            previous_sep = sep
        return out

    def simple(self, command: str, stdin: bytes) -> tuple[bytes, bool]:
        command = re.sub(r"\s\d?>&?\s*(/dev/null|\d)", "", command)
        argv = shlex.split(command)
        if not argv:
            return b"", True
        match argv:
            case ["grep", "-E", pattern]:
                lines = [ln for ln in stdin.decode().splitlines(keepends=True) if re.search(pattern, ln)]
                return "".join(lines).encode(), bool(lines)
            case ["wm", "size"]:
                return "Physical size: {}x{}\n".format(*self.natural).encode(), True
            case ["wm", "density"]:
                return f"Physical density: {self.density}\n".encode(), True
            case ["dumpsys", "input_method"]:
                return self.input_method_dump().encode(), True
            case ["dumpsys", "window", "InputMethod"]:
                return self.input_method_window().encode(), True
            case ["dumpsys", "display"]:
                return (f"  mCurrentOrientation={self.rotation}\n  DisplayViewport{{valid=true, "
                        f"orientation={self.rotation}, logicalFrame=Rect(0, 0 - 1080, 2400)}}\n"
                        "  mBrightness=0.5\n").encode(), True
            case ["screencap"]:
                frame = self.frame()
                h, w = frame.shape[:2]
                rgba = np.dstack([frame, np.full((h, w), 255, np.uint8)])
                return struct.pack("<IIII", w, h, self.raw_format, 0) + rgba.tobytes(), True
            case ["screencap", "-p"]:
                buf = io.BytesIO()
                Image.fromarray(np.ascontiguousarray(self.frame())).save(buf, "PNG")
                return buf.getvalue(), True
            case ["input", *rest]:
                return self.input(rest)
            case ["ime", "list", *_]:
                imes = [GBOARD] + ([ADB_IME] if self.adb_keyboard else [])
                return "\n".join(imes).encode() + b"\n", True
            case ["ime", "enable", name]:
                return f"Input method {name}: now enabled\n".encode(), True
            case ["ime", "set", name]:
                self.ime = name
                return f"Input method {name} selected for user #0\n".encode(), True
            case ["settings", "get", "secure", "default_input_method"]:
                return self.ime.encode() + b"\n", True
            case ["am", "broadcast", "-a", "ADB_INPUT_B64", "--es", "msg", payload]:
                # ADBKeyBoard only listens while it is the active keyboard.
                if self.adb_keyboard and self.ime == ADB_IME:
                    self.type(base64.b64decode(payload).decode("utf-8"))
                return (b"Broadcasting: Intent { act=ADB_INPUT_B64 flg=0x400000 (has extras) }\n"
                        b"Broadcast completed: result=0\n"), True
            case ["pm", "list", "packages", *_]:
                return "".join(f"package:{p}\n" for p in self.packages).encode(), True
            case ["monkey", "-p", package, *_]:
                if package not in self.packages:
                    return b"** No activities found to run, monkey aborted.\n", False
                self.act(OpenApp(confidence=1, app=self.packages[package]))
                return b"Events injected: 1\n## Network stats: elapsed time=12ms\n", True
            case ["uiautomator", "dump", path]:
                if not self.hierarchy:
                    return b"ERROR: could not get idle state.\n", False
                self.files[path] = self.dump()
                return f"UI hierchary dumped to: {path}\n".encode(), True
            case ["cat", path]:
                return self.files.get(path, "").encode(), path in self.files
            case ["rm", "-f", path]:
                self.files.pop(path, None)
                return b"", True
            case ["getevent", "-lp"]:
                from tests.fake_getevent import describe_devices

                text = describe_devices() if self.capture is None else self.capture.describe()
                return text.encode(), True
            case ["getprop", "ro.product.model"]:
                return self.model.replace("_", " ").encode() + b"\n", True
        return f"/system/bin/sh: {argv[0]}: not found\n".encode(), False

    def input(self, args: list[str]) -> tuple[bytes, bool]:
        match args:
            case ["tap", x, y]:
                self.taps.append((int(x), int(y)))
                self.act(Tap(confidence=1, element="adb tap", coordinates=self._grid(x, y)))
            case ["swipe", x1, y1, x2, y2, *ms]:
                if (x1, y1) == (x2, y2):
                    seconds = int(ms[0]) / 1000 if ms else 1.0
                    self.act(LongPress(confidence=1, element="adb hold",
                                                   coordinates=self._grid(x1, y1), seconds=seconds))
                else:
                    self.act(Swipe(confidence=1, element="adb swipe",
                                               coordinates=self._grid(x1, y1), to=self._grid(x2, y2)))
            case ["text", text]:
                self.type(text.replace("%s", " "))
            case ["keyevent", *codes]:
                names = {"3": Home(confidence=1), "4": Back(confidence=1),
                         "66": Key(confidence=1, key="enter"), "67": Key(confidence=1, key="delete")}
                for code in codes:
                    if code in names:
                        self.act(names[code])
            case ["keycombination", *_]:
                pass
            case _:
                return b"Error: Unknown command: " + " ".join(args).encode() + b"\n", False
        return b"", True

    def type(self, text: str) -> None:
        self.typed.append(text)
        self.act(Type(confidence=1, text=text))

    def act(self, action: Any) -> None:
        """Drive the backing phone; its refusals are the phone's business, not adb's."""
        try:
            execute(self.backing, action)
        except Exception as err:  # noqa: BLE001 - recorded for the test to see
            self.errors.append(f"{action.kind}: {err}")

    def dump(self) -> str:
        """A uiautomator dump of the backing elements, bounds in display pixels (or `ui_xml`)."""
        if self.ui_xml is not None:
            return self.ui_xml
        nodes = []
        for e in getattr(self.backing, "elements", []):
            x, y, w, h = e.rect
            corners = [self.from_natural(x, y), self.from_natural(x + w - 1, y + h - 1)]
            left, top = min(c[0] for c in corners), min(c[1] for c in corners)
            right, bottom = max(c[0] for c in corners) + 1, max(c[1] for c in corners) + 1
            cls = "android.widget.EditText" if e.kind in ("field", "password") else "android.widget.Button"
            focused = str(getattr(self.backing, "focused", None) is e).lower()
            nodes.append(f'<node index="0" text="{e.text if e.kind != "password" else ""}" '
                         f'content-desc="{e.label}" class="{cls}" clickable="true" '
                         f'password="{str(e.kind == "password").lower()}" focused="{focused}" '
                         f'bounds="[{left},{top}][{right},{bottom}]" />')
        w, h = self.display_size()
        return ("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\""
                f'{self.rotation}"><node class="android.widget.FrameLayout" clickable="false" '
                f'bounds="[0,0][{w},{h}]">' + "".join(nodes) + "</node></hierarchy>")

    def from_natural(self, x: int, y: int) -> tuple[int, int]:
        w, h = self.natural
        return {0: (x, y), 1: (y, w - 1 - x), 2: (w - 1 - x, h - 1 - y), 3: (h - 1 - y, x)}[self.rotation]


def _editor_flags(field_id: str, password: bool) -> tuple[int, int]:
    """(inputType, imeOptions) the simulated phone's field would give its EditorInfo."""
    if password:
        return 0x81, 0x6  # TEXT | PASSWORD, actionDone
    if field_id.startswith("messages/"):
        return 0x24001, 0x4  # TEXT | CAP_SENTENCES | MULTI_LINE, actionSend (a chat's send key)
    if "note" in field_id:
        return 0x24001, 0x40000006  # multi-line; TextView adds IME_FLAG_NO_ENTER_ACTION: a new line
    return 0x1, 0x6


def split_line(line: str) -> list[tuple[str, list[str]]]:
    """'a; b && c | d' -> [(';', ['a']), ('&&', ['b']), (';', ['c', 'd'])], quotes respected."""
    parts: list[tuple[str, list[str]]] = []
    stage, pipeline, quote, i = "", [], "", 0
    while i < len(line):
        ch = line[i]
        if quote:
            quote = "" if ch == quote else quote
            stage += ch
        elif ch == "\\" and i + 1 < len(line):  # an escaped character outside quotes
            stage += line[i:i + 2]
            i += 1
        elif ch in "'\"":
            quote = ch
            stage += ch
        elif line.startswith(("&&", "||"), i):
            parts.append((line[i:i + 2], [*pipeline, stage.strip()]))
            stage, pipeline = "", []
            i += 1
        elif ch == ";":
            parts.append((";", [*pipeline, stage.strip()]))
            stage, pipeline = "", []
        elif ch == "|":
            pipeline.append(stage.strip())
            stage = ""
        else:
            stage += ch
        i += 1
    parts.append((";", [*pipeline, stage.strip()]))
    return [(sep, [s for s in stages if s]) for sep, stages in parts if any(stages)]


class FakeAdbServer:
    """The fake adb host protocol on 127.0.0.1:<free port>, served from a background thread."""

    def __init__(self, *phones: FakePhone) -> None:
        self.phones = {p.serial: p for p in phones}
        self.lock = threading.RLock()  # one command at a time: the backing phones are not thread-safe
        fake = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                fake.serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def unplug(self, serial: str) -> None:
        with self.lock:
            self.phones.pop(serial, None)

    # --- the protocol ------------------------------------------------------------------------------

    def serve(self, sock: Any) -> None:
        try:
            command = read_block(sock)
        except (ConnectionError, ValueError):
            return
        with self.lock:
            if command == "host:version":
                sock.sendall(b"OKAY" + block("0029"))  # adb 1.0.41
            elif command in ("host:devices", "host:devices-l"):
                long = command.endswith("-l")
                lines = [f"{p.serial}\t{p.state}" + (f" product:fake model:{p.model} device:fake transport_id:1"
                                                     if long and p.state == "device" else "")
                         for p in self.phones.values()]
                sock.sendall(b"OKAY" + block("".join(line + "\n" for line in lines)))
            elif command.startswith("host-serial:") and command.endswith(":get-state"):
                phone = self._phone(sock, command.split(":")[1])
                if phone:
                    sock.sendall(b"OKAY" + block(phone.state))
            elif command.startswith(("host:tport:serial:", "host:transport:")):
                serial = command.rsplit(":", 1)[1]
                phone = self._phone(sock, serial)
                if phone is None:
                    return
                sock.sendall(b"OKAY" + (b"\x01" + b"\x00" * 7 if "tport" in command else b""))
                self._service(sock, phone)
            else:
                sock.sendall(b"FAIL" + block(f"unknown host service: {command}"))

    def _phone(self, sock: Any, serial: str) -> FakePhone | None:
        phone = self.phones.get(serial)
        if phone is None:
            sock.sendall(b"FAIL" + block(f"device '{serial}' not found"))
        elif phone.state != "device":
            sock.sendall(b"FAIL" + block(f"device {phone.state}"))
        else:
            return phone
        return None

    def _service(self, sock: Any, phone: FakePhone) -> None:
        service = read_block(sock)
        kind, _, line = service.partition(":")
        if kind not in ("shell", "exec"):
            sock.sendall(b"FAIL" + block(f"unsupported service {kind}"))
            return
        sock.sendall(b"OKAY")
        if line.strip() == "getevent -lt":
            from tests.fake_getevent import stream_touches

            # A stream lasting the whole recording: other commands (screencap) must get through.
            self.lock.release()
            try:
                stream_touches(phone, sock, self.lock)
            finally:
                self.lock.acquire()
            return
        out = phone.run(line)
        if phone.cut_next and line.startswith(phone.cut_next):
            sock.sendall(out[: len(out) // 3])  # the cable is pulled mid-transfer
            self.phones.pop(phone.serial, None)
            return
        sock.sendall(out)


def block(text: str) -> bytes:
    data = text.encode()
    return f"{len(data):04x}".encode() + data


def read_block(sock: Any) -> str:
    size = int(_read_exact(sock, 4), 16)
    return _read_exact(sock, size).decode()


def _read_exact(sock: Any, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("client closed")
        data += chunk
    return data
