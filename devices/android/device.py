"""An Android phone over adb (through adbutils) as a `Device`."""

from __future__ import annotations

import threading
import time
from typing import Any, cast

import numpy as np
from PIL import Image

from actions import Size, grid_to_pixels
from devices import primitives as p
from devices.android import apps, effects, hierarchy, ime, text
from devices.android.capture import decode_png, decode_raw, is_black, read_all
from devices.android.connect import choose_serial, list_phones, make_client
from devices.android.geometry import PROBE, Geometry, fits, parse_geometry
from devices.base import Effect
from devices.errors import ActionFailed, DeviceDisconnected, DeviceError, SecureScreen

DUMP_PATH = "/data/local/tmp/qwen_agent_ui.xml"


class AndroidDevice:
    """A phone driven over adb.

    `serial`: which phone (default $ANDROID_SERIAL, or the only one attached); `host`/`port`: the
    adb server. `capture`: "raw" (screencap over exec-out, decoded with numpy; PNG when raw is not
    understood) or "png". `ui_hierarchy`: read `uiautomator dump` to snap taps onto elements and
    to answer `is_password_field`. `ime_settle`: seconds for ADBKeyBoard to bind after switching.
    Key presses: `key` takes names such as enter, delete, recents, volume_up, ctrl+a.

    Every adb shell command is a round trip to the phone (tens of milliseconds, `uiautomator dump`
    a second or more), so each thing is read once for the screen it describes:
    - the geometry (size, rotation, density) with a frame, and only when it can have changed: a
      primitive ran since it was read, it is older than `geometry_ttl` seconds (the person may
      have turned the phone), the frame's size disagrees with it, or this phone hands out
      unrotated frames (a turn does not show in their size). Between frames, `size()` is the last
      frame's: the 0-1000 grid the model points on is that frame's;
    - the UI tree, the focused editor and the keyboard's place at most once per screen: dropped
      when a primitive runs and when a frame is taken (a new screen, even if it looks the same:
      the focused field can change unseen).
    """

    def __init__(self, serial: str | None = None, *, host: str | None = None, port: int | None = None,
                 capture: str = "raw", ui_hierarchy: bool = True, ime_settle: float = 0.5,
                 geometry_ttl: float = 1.0, swipe_ms: int = 300, hold_seconds: float = 1.0) -> None:
        self._client = make_client(host, port)
        self.serial = choose_serial(list_phones(self._client), serial)
        self.name = f"adb:{self.serial}"
        self._dev = self._client.device(self.serial)
        self.capture = capture
        self.ui_hierarchy = ui_hierarchy
        self.ime_settle = ime_settle
        self.geometry_ttl = geometry_ttl
        self.swipe_ms = swipe_ms
        self.hold_seconds = hold_seconds
        self._lock = threading.RLock()
        self._geometry: Geometry | None = None
        self._geometry_at = 0.0
        self._acted = True  # a primitive ran since the geometry was read (none read yet)
        self._unrotated_frames = False  # this phone's screencap ignores the display's rotation
        self._tree: list[hierarchy.Node] | None = None  # UI tree of the current screen, if read
        self._editor: object = _UNREAD  # keyboard state of the current screen, read on demand
        self._region: object = _UNREAD
        self._dump_failures = 0
        self._packages: list[str] | None = None
        self._closed = False
        self.last_typing = ""  # "input" or "adbkeyboard": how the last `type` was done

    # --- the Device protocol -------------------------------------------------------------------

    def geometry(self, fresh: bool = False) -> Geometry:
        """Size, rotation and density: the last frame's, re-read when `fresh`, when none was read
        yet, or when a primitive ran since (it may have turned the screen)."""
        with self._lock:
            if fresh or self._geometry is None or self._acted:
                self._geometry = parse_geometry(self._shell(PROBE))
                self._geometry_at = time.monotonic()
                self._acted = False
            return self._geometry

    def size(self) -> Size:
        return self.geometry().size

    def screenshot(self) -> Image.Image:
        with self._lock:
            stale = (self._geometry is None or self._acted or self._unrotated_frames
                     or time.monotonic() - self._geometry_at > self.geometry_ttl)
            geo = self.geometry(fresh=stale)
            frame = self._grab()
            if not stale and not fits(frame, geo):  # turned since the geometry was read
                geo = self.geometry(fresh=True)
            height, width = frame.shape[:2]
            if (width, height) == geo.natural and geo.size != geo.natural:
                # This phone hands out its framebuffer unrotated: turn it as the display shows it.
                self._unrotated_frames = True
                frame = np.rot90(frame, k=geo.rotation)
            self._nodes = None  # a new screen: its tree and keyboard are read when asked
            image = Image.fromarray(np.ascontiguousarray(frame), "RGB")
            if image.size != geo.size:
                # `wm size` overrides can disagree with the framebuffer; input follows `wm size`.
                image = image.resize(geo.size, Image.Resampling.BILINEAR)
            if is_black(np.asarray(image)):
                raise SecureScreen("the phone's screen captured black: a secure window (password, "
                                   "payment or banking app) or the screen is off; please take over",
                                   image)
            return image

    def perform(self, primitive: p.Primitive) -> None:
        with self._lock:
            if self._closed:
                raise DeviceError("the phone device was closed")
            try:
                self._perform(primitive)
            finally:
                self._nodes = None  # whatever happened, the screen may have changed
                self._acted = True

    def close(self) -> None:
        self._closed = True

    # --- hooks for the agent -----------------------------------------------------------------------

    def effect(self, primitive: p.Primitive) -> Effect | None:
        """What the phone says `primitive` would do on its screen now (see `devices.android.effects`)."""
        with self._lock:
            px = {point: grid_to_pixels(point, self.size()) for point in p.points(primitive)}
            return effects.effect(cast(effects.Screen, _ScreenNow(self)), primitive, px)

    def describe_element(self, point: tuple[int, int]) -> hierarchy.Description | None:
        """The element a tap at grid `point` reaches, as TalkBack would announce it (words, role,
        resource id, state); None when the tree cannot be read or nothing clickable is there."""
        with self._lock:
            nodes = self._ui_nodes()
            if nodes is None:
                return None
            pixel = grid_to_pixels(point, self.size())
            node = hierarchy.element_at(nodes, *pixel, tolerance=self._tolerance())
            return None if node is None else hierarchy.describe(nodes, node)

    def focused_editor(self) -> ime.EditorInfo | None:
        """The editor the keyboard types into now (`dumpsys input_method`): its input type,
        action (what Enter does), package and hint; None when no editor is focused or the phone
        will not say. Read at most once per screen."""
        with self._lock:
            if self._editor is _UNREAD:
                try:
                    self._editor = ime.parse_editor(self._shell("dumpsys input_method"))
                except DeviceError:
                    self._editor = None
            return self._editor  # type: ignore[return-value]

    def keyboard_region(self) -> ime.KeyboardRegion | None:
        """Where the soft keyboard takes touches now, in screen pixels (`dumpsys window
        InputMethod`); None when it is not shown. Read at most once per screen."""
        with self._lock:
            if self._region is _UNREAD:
                try:
                    self._region = ime.parse_keyboard_region(self._shell("dumpsys window InputMethod"))
                except DeviceError:
                    self._region = None
            return self._region  # type: ignore[return-value]

    def screen_texts(self) -> list[str] | None:
        """Every text and content description in the UI tree (what `expect.text` looks for);
        None when the tree cannot be read."""
        with self._lock:
            nodes = self._ui_nodes()
            return None if nodes is None else [t for n in nodes for t in n.texts]

    def password_regions(self) -> list[tuple[int, int, int, int]]:
        """Pixel boxes of the password fields on screen now, from the UI tree. When the tree cannot
        be read, DeviceError: a caller that must hide passwords cannot know where they are."""
        with self._lock:
            nodes = self._ui_nodes()
            if nodes is None:
                raise DeviceError("the phone's UI tree (uiautomator dump) cannot be read, so "
                                  "password fields cannot be found to hide them")
            return hierarchy.password_boxes(nodes)

    def tap_point(self, grid_point: tuple[int, int]) -> tuple[int, int]:
        """Grid point -> the pixel `input tap` gets: converted, then snapped onto the element."""
        x, y = grid_to_pixels(grid_point, self.size())
        nodes = self._ui_nodes()
        return hierarchy.snap(nodes, x, y, self._tolerance()) if nodes else (x, y)

    def _tolerance(self) -> float:
        # The density does not change when the screen turns: no new probe for it.
        density = self._geometry.density if self._geometry is not None else self.geometry().density
        return 24 * density / 160  # 24 dp: a fingertip's slack

    @property
    def _nodes(self) -> list[hierarchy.Node] | None:
        return self._tree

    @_nodes.setter
    def _nodes(self, nodes: list[hierarchy.Node] | None) -> None:
        """Wherever the screen may have changed the tree is dropped (`self._nodes = None`); the
        keyboard's state belongs to the same screen and is dropped with it."""
        self._tree = nodes
        if nodes is None:
            self._editor = self._region = _UNREAD

    # --- internals -------------------------------------------------------------------------------

    def _perform(self, primitive: p.Primitive) -> None:
        match primitive:
            case p.Press(button=button) if button != "left":
                raise ActionFailed(f"a phone has no {button} mouse button; tap or long-press instead")
            case p.Press(point=point, count=count):
                x, y = self.tap_point(point)
                if count == 1:
                    self._input("tap", x, y)
                else:  # one shell round trip: the taps of a double tap must follow closely
                    self._shell("; ".join([f"input tap {x} {y}"] * count))
            case p.Hold(point=point, seconds=seconds):
                x, y = self.tap_point(point)
                ms = round(1000 * (self.hold_seconds if seconds is None else seconds))
                self._input("swipe", x, y, x, y, ms)
            case p.Drag(start=start, end=end):
                size = self.size()
                self._input("swipe", *grid_to_pixels(start, size), *grid_to_pixels(end, size), self.swipe_ms)
            case p.Wheel(direction=direction, point=point):
                self._scroll(direction, point)
            case p.Hover():
                raise ActionFailed("a phone's touch screen has no pointer to move; tap instead")
            case p.Text(text=typed):
                self.last_typing = text.type_text(self._shell, typed, ime_settle=self.ime_settle)
            case p.KeyPress(key=key):
                self._key(key)
            case p.SystemButton(name=name):
                self._input("keyevent", apps.KEYCODES[name])
            case p.Launch(app=app):
                package = apps.find_package(app, self._installed())
                out = self._shell(f"monkey -p {package} -c android.intent.category.LAUNCHER 1")
                if "No activities found" in out or "Events injected" not in out:
                    raise ActionFailed(f"{app!r} ({package}) has no launcher screen to open")
            case _:
                raise ValueError(f"not a primitive: {primitive!r}")

    def _key(self, key: str) -> None:
        codes = apps.keycodes(key)
        if len(codes) == 1:
            self._input("keyevent", codes[0])
            return
        out = self._shell("input keycombination " + " ".join(map(str, codes)))
        if "Error" in out or "Unknown" in out:
            raise ActionFailed(f"this phone cannot press {key!r} together (Android 13+ can)")

    def _scroll(self, direction: str, point: tuple[int, int] | None) -> None:
        """"down" shows what is below: the finger moves up, 40 % of the screen."""
        width, height = self.size()
        x, y = grid_to_pixels(point or (500, 500), (width, height))
        dx, dy = {"down": (0, -1), "up": (0, 1), "right": (-1, 0), "left": (1, 0)}[direction]
        half_x, half_y = round(0.2 * width), round(0.2 * height)
        x0 = min(max(x - dx * half_x, 0), width - 1)
        y0 = min(max(y - dy * half_y, 0), height - 1)
        x1 = min(max(x + dx * half_x, 0), width - 1)
        y1 = min(max(y + dy * half_y, 0), height - 1)
        self._input("swipe", x0, y0, x1, y1, self.swipe_ms)

    def _input(self, *args: Any) -> None:
        out = self._shell("input " + " ".join(str(a) for a in args))
        if "Error" in out or "Exception" in out:
            raise ActionFailed(f"input {args[0]} failed: {out.strip().splitlines()[0][:160]}")

    def _installed(self) -> list[str]:
        if self._packages is None:
            out = self._shell("pm list packages")
            self._packages = [line.removeprefix("package:").strip() for line in out.splitlines()
                              if line.startswith("package:")]
        return self._packages

    def _ui_nodes(self) -> list[hierarchy.Node] | None:
        """The current screen's UI tree, read at most once per screen.

        `uiautomator dump` takes a second or more and fails while the UI animates or on screens
        that block it; after three failures in a row it is no longer asked for.
        """
        if not self.ui_hierarchy or self._dump_failures >= 3:
            return None
        if self._nodes is None:
            out = self._shell(f"uiautomator dump {DUMP_PATH} >/dev/null 2>&1 && cat {DUMP_PATH}; rm -f {DUMP_PATH}",
                              timeout=15)
            try:
                self._nodes = hierarchy.parse(out)
                self._dump_failures = 0
            except (ValueError, SyntaxError):
                self._dump_failures += 1
                return None
        return self._nodes

    def _grab(self) -> np.ndarray:
        if self.capture == "raw":
            data = self._exec_out("screencap")
            try:
                return decode_raw(data)
            except ValueError:
                if not self._still_attached():  # cut off mid-picture, not a format we lack
                    raise DeviceDisconnected(f"phone {self.serial} disconnected during a screenshot; "
                                             "reconnect it and run again") from None
                self.capture = "png"  # this phone's raw output is not understood: PNG from now on
        return decode_png(self._exec_out("screencap -p"))

    def _shell(self, command: str, timeout: float = 30) -> str:
        return self._adb(lambda: self._dev.shell(command, timeout=timeout))

    def _exec_out(self, command: str) -> bytes:
        """Binary-safe output: the `exec:` service (adb exec-out) never adds a terminal's \\r."""

        def run() -> bytes:
            conn = self._dev.open_transport(timeout=30)
            try:
                conn.send_command("exec:" + command)
                conn.check_okay()
                return read_all(conn.conn)
            finally:
                conn.close()

        return self._adb(run)

    def _adb(self, call: Any) -> Any:
        """Run one adb call; a phone that is gone becomes DeviceDisconnected with one clear line."""
        from adbutils.errors import AdbError

        try:
            return call()
        except (AdbError, OSError, EOFError) as err:
            reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            if self._still_attached():
                raise DeviceError(f"adb failed on {self.serial}: {reason}") from None
            raise DeviceDisconnected(f"phone {self.serial} disconnected ({reason}); reconnect it "
                                     "(check the cable and `adb devices`) and run again") from None

    def _still_attached(self) -> bool:
        try:
            return any(p.serial == self.serial and p.ready for p in list_phones(self._client))
        except Exception:  # noqa: BLE001 - the adb server itself is gone: the phone is too
            return False


_UNREAD = object()  # a per-screen value not read yet (None is a real answer: "nothing there")


class _ScreenNow:
    """`effects.Screen`, each part asked of the phone only when the primitive's effect looks at
    it: a scroll, a key or the back button need none of the tree, the editor or the keyboard,
    and each is a round trip (`uiautomator dump` a second or more). Each part is still read at
    most once per screen (the device keeps it)."""

    def __init__(self, device: AndroidDevice) -> None:
        self._device = device

    @property
    def nodes(self) -> list[hierarchy.Node] | None:
        return self._device._ui_nodes()

    @property
    def editor(self) -> ime.EditorInfo | None:
        return self._device.focused_editor()

    @property
    def keyboard(self) -> ime.KeyboardRegion | None:
        return self._device.keyboard_region()

    @property
    def tolerance(self) -> float:
        return self._device._tolerance()
