"""Turning `screencap` output into an RGB picture, fast, and refusing black frames."""

from __future__ import annotations

import io
import struct
from typing import Any

import numpy as np
from PIL import Image

from devices.errors import DeviceError

# screencap's raw pixel formats (android.graphics.PixelFormat): code -> bytes per pixel.
FORMATS = {1: 4, 2: 4, 3: 3, 4: 2, 5: 4}  # RGBA_8888, RGBX_8888, RGB_888, RGB_565, BGRA_8888


def decode_raw(data: bytes) -> np.ndarray:
    """Raw `screencap` output -> an (height, width, 3) uint8 RGB array.

    The header is width, height, format (3 little-endian uint32) and, since Android 9, a colour
    space (a 4th). Which one is told by the length: header = total - width*height*bpp.
    ValueError for anything else (the caller falls back to PNG).
    """
    if len(data) < 12:
        raise ValueError(f"raw screencap too short ({len(data)} bytes)")
    width, height, fmt = struct.unpack_from("<III", data)
    bpp = FORMATS.get(fmt)
    if bpp is None or not (0 < width < 20000 and 0 < height < 20000):
        raise ValueError(f"unsupported raw screencap ({width}x{height}, format {fmt})")
    header = len(data) - width * height * bpp
    if header not in (12, 16):
        raise ValueError(f"raw screencap has {len(data)} bytes, not {width}x{height}x{bpp} + header")
    pixels = np.frombuffer(data, np.uint8, count=width * height * bpp, offset=header)
    if bpp == 2:  # RGB_565, little-endian
        v = pixels.view("<u2").reshape(height, width).astype(np.uint16)
        r, g, b = (v >> 11) & 0x1F, (v >> 5) & 0x3F, v & 0x1F
        return np.dstack([(r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2)]).astype(np.uint8)
    pixels = pixels.reshape(height, width, bpp)
    if fmt == 5:
        return pixels[:, :, 2::-1]
    return pixels[:, :, :3]


def decode_png(data: bytes) -> np.ndarray:
    """`screencap -p` output -> RGB array. DeviceError when it is not a picture."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return np.asarray(image.convert("RGB"))
    except Exception as err:  # PIL raises several unrelated types for bad data
        head = data[:80].decode(errors="replace").strip() or "no output"
        raise DeviceError(f"screencap returned no picture ({type(err).__name__}): {head}") from None


def is_black(frame: np.ndarray) -> bool:
    """True when the app area is black: what a secure window (FLAG_SECURE) captures as.

    The status and navigation bars may still be drawn over a secure window, so only the middle
    84 % of the height is judged; "black" is 99 % of sampled pixels at or below 4 (a dark theme
    uses greys like #121212 and has text, so it does not trip this).
    """
    height = frame.shape[0]
    middle = frame[int(height * 0.08): int(height * 0.92): 4, ::4]
    if middle.size == 0:
        return bool(frame.max() <= 4)
    dark = (middle.max(axis=2) <= 4).mean()
    return bool(dark >= 0.99)


def read_all(sock: Any) -> bytes:
    """Read to the end of the stream into one growing buffer.

    adbutils' `read_until_close` joins 4 KiB chunks with `bytes +=`, which is quadratic: a 10 MB
    raw frame took seconds. A bytearray and 1 MiB reads take milliseconds.
    """
    buffer = bytearray()
    while True:
        chunk = sock.recv(1 << 20)
        if not chunk:
            return bytes(buffer)
        buffer += chunk
