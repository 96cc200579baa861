"""The icons themselves: one small function per glyph, drawn with a `Pen` on a unit square."""

from __future__ import annotations

import math
from collections.abc import Callable

from devices.sim.pen import Pen


def _gear(p: Pen) -> None:
    pts = []
    for i in range(32):
        a = math.pi * 2 * i / 32
        r = 0.46 if (i // 2) % 2 == 0 else 0.36
        pts.append((0.5 + r * math.cos(a), 0.5 + r * math.sin(a)))
    p.poly(*pts)
    p.circle(0.5, 0.5, 0.15, color=p.bg)


def _wifi(p: Pen, filled: bool = False) -> None:
    if filled:
        p.pie(0.5, 0.85, 0.72, 225, 315)
        return
    for r in (0.62, 0.42, 0.22):
        p.arc(0.5, 0.85, r, 225, 315, w=1.1)
    p.circle(0.5, 0.82, 0.07)


def _bluetooth(p: Pen) -> None:
    p.line((0.28, 0.3), (0.72, 0.7), (0.5, 0.9), (0.5, 0.1), (0.72, 0.3), (0.28, 0.7), w=0.9)


def _battery(p: Pen) -> None:
    p.rect(0.4, 0.04, 0.6, 0.14, 0.03)
    p.rect(0.26, 0.12, 0.74, 0.96, 0.08, fill=False, w=0.9)
    p.rect(0.33, 0.3, 0.67, 0.89, 0.03)


def _signal(p: Pen) -> None:
    p.poly((0.1, 0.9), (0.9, 0.9), (0.9, 0.1))


def _person(p: Pen) -> None:
    p.circle(0.5, 0.33, 0.17)
    p.pie(0.5, 0.95, 0.38, 180, 360)


def _bubble(p: Pen) -> None:
    p.rect(0.1, 0.12, 0.9, 0.72, 0.12)
    p.poly((0.22, 0.68), (0.22, 0.92), (0.46, 0.7))
    for y in (0.33, 0.51):
        p.line((0.28, y), (0.72 if y < 0.4 else 0.58, y), w=0.8, color=p.bg)


def _phone(p: Pen) -> None:
    p.arc(0.62, 0.4, 0.42, 95, 200, w=2.2)
    p.rect(0.1, 0.3, 0.34, 0.46, 0.06)
    p.rect(0.58, 0.76, 0.76, 0.96, 0.06)


def _camera(p: Pen) -> None:
    p.rect(0.1, 0.28, 0.9, 0.82, 0.1)
    p.rect(0.34, 0.18, 0.66, 0.32, 0.04)
    p.circle(0.5, 0.55, 0.17, color=p.bg)
    p.circle(0.5, 0.55, 0.1)


def _clock(p: Pen) -> None:
    p.circle(0.5, 0.5, 0.4, fill=False, w=1.1)
    p.line((0.5, 0.24), (0.5, 0.5), (0.68, 0.6))


def _note(p: Pen) -> None:
    p.circle(0.5, 0.4, 0.26)
    p.rect(0.38, 0.6, 0.62, 0.8, 0.04)
    p.line((0.42, 0.88), (0.58, 0.88), w=0.9)


def _calendar(p: Pen) -> None:
    p.rect(0.14, 0.16, 0.86, 0.88, 0.1, fill=False)
    p.rect(0.14, 0.16, 0.86, 0.34, 0.06)
    p.letter("31", 0.38)


def _mail(p: Pen) -> None:
    p.rect(0.1, 0.22, 0.9, 0.78, 0.08, fill=False)
    p.line((0.12, 0.26), (0.5, 0.55), (0.88, 0.26))


def _photos(p: Pen) -> None:
    for i, start in enumerate((0, 90, 180, 270)):
        cx = 0.5 + (0.12 if i in (0, 3) else -0.12)
        cy = 0.5 + (0.12 if i in (0, 1) else -0.12)
        p.pie(cx, cy, 0.24, start, start + 180)


def _pin(p: Pen) -> None:
    p.circle(0.5, 0.38, 0.28)
    p.poly((0.26, 0.48), (0.74, 0.48), (0.5, 0.92))
    p.circle(0.5, 0.38, 0.1, color=p.bg)


def _play(p: Pen) -> None:
    p.poly((0.34, 0.22), (0.34, 0.78), (0.8, 0.5))


def _folder(p: Pen) -> None:
    p.poly((0.1, 0.22), (0.4, 0.22), (0.48, 0.32), (0.9, 0.32), (0.9, 0.8), (0.1, 0.8))


def _calc(p: Pen) -> None:
    p.line((0.22, 0.3), (0.42, 0.3), w=0.8)
    p.line((0.32, 0.2), (0.32, 0.4), w=0.8)
    p.line((0.58, 0.3), (0.78, 0.3), w=0.8)
    p.line((0.24, 0.62), (0.4, 0.78), w=0.8)
    p.line((0.4, 0.62), (0.24, 0.78), w=0.8)
    p.line((0.58, 0.64), (0.78, 0.64), w=0.8)
    p.line((0.58, 0.76), (0.78, 0.76), w=0.8)


def _chrome(p: Pen) -> None:
    red, yellow, green, blue = (219, 68, 55, 255), (244, 180, 0, 255), (15, 157, 88, 255), (66, 133, 244, 255)
    p.pie(0.5, 0.5, 0.5, 210, 330, color=red)
    p.pie(0.5, 0.5, 0.5, 330, 450, color=yellow)
    p.pie(0.5, 0.5, 0.5, 90, 210, color=green)
    p.circle(0.5, 0.5, 0.22, color=(255, 255, 255, 255))
    p.circle(0.5, 0.5, 0.17, color=blue)


def _arrow_back(p: Pen) -> None:
    p.line((0.85, 0.5), (0.18, 0.5))
    p.line((0.48, 0.2), (0.17, 0.5), (0.48, 0.8))


def _search(p: Pen) -> None:
    p.circle(0.42, 0.42, 0.26, fill=False)
    p.line((0.62, 0.62), (0.86, 0.86), w=1.2)


def _mic(p: Pen) -> None:
    p.rect(0.38, 0.1, 0.62, 0.6, 0.12)
    p.arc(0.5, 0.42, 0.27, 0, 180)
    p.line((0.5, 0.7), (0.5, 0.88))


def _sun(p: Pen) -> None:
    p.circle(0.5, 0.5, 0.2)
    for i in range(8):
        a = math.pi * i / 4
        p.line((0.5 + 0.3 * math.cos(a), 0.5 + 0.3 * math.sin(a)),
               (0.5 + 0.42 * math.cos(a), 0.5 + 0.42 * math.sin(a)), w=0.8)


def _volume(p: Pen) -> None:
    p.poly((0.12, 0.38), (0.3, 0.38), (0.52, 0.16), (0.52, 0.84), (0.3, 0.62), (0.12, 0.62))
    p.arc(0.52, 0.5, 0.18, 300, 60)
    p.arc(0.52, 0.5, 0.34, 300, 60)


def _bell(p: Pen) -> None:
    p.pie(0.5, 0.5, 0.3, 180, 360)
    p.rect(0.2, 0.48, 0.8, 0.7)
    p.rect(0.12, 0.68, 0.88, 0.76, 0.03)
    p.circle(0.5, 0.84, 0.08)


def _dnd(p: Pen) -> None:
    p.circle(0.5, 0.5, 0.42)
    p.rect(0.26, 0.44, 0.74, 0.56, 0.03, color=p.bg)


def _moon(p: Pen) -> None:
    p.circle(0.5, 0.5, 0.38)
    p.circle(0.68, 0.36, 0.32, color=p.bg)


def _info(p: Pen) -> None:
    p.circle(0.5, 0.5, 0.4, fill=False)
    p.line((0.5, 0.46), (0.5, 0.7))
    p.circle(0.5, 0.31, 0.055)


def _plus(p: Pen) -> None:
    p.line((0.5, 0.18), (0.5, 0.82))
    p.line((0.18, 0.5), (0.82, 0.5))


def _send(p: Pen) -> None:
    p.poly((0.14, 0.16), (0.9, 0.5), (0.14, 0.84), (0.22, 0.52))
    p.poly((0.22, 0.46), (0.56, 0.5), (0.22, 0.54), color=p.bg)


def _apps(p: Pen) -> None:
    for x in (0.2, 0.56):
        for y in (0.2, 0.56):
            p.rect(x, y, x + 0.24, y + 0.24, 0.06)


def _devices(p: Pen) -> None:
    p.rect(0.08, 0.2, 0.66, 0.64, 0.04, fill=False, w=0.9)
    p.line((0.04, 0.78), (0.6, 0.78), w=0.9)
    p.rect(0.7, 0.38, 0.94, 0.8, 0.04)


def _storage(p: Pen) -> None:
    for y in (0.2, 0.44, 0.68):
        p.rect(0.14, y, 0.86, y + 0.14, 0.04)


def _palette(p: Pen) -> None:
    p.circle(0.5, 0.5, 0.4)
    for x, y in ((0.34, 0.38), (0.52, 0.28), (0.68, 0.42)):
        p.circle(x, y, 0.07, color=p.bg)


def _accessibility(p: Pen) -> None:
    p.circle(0.5, 0.16, 0.08)
    p.line((0.16, 0.32), (0.84, 0.32))
    p.line((0.5, 0.32), (0.5, 0.58))
    p.line((0.5, 0.56), (0.34, 0.88))
    p.line((0.5, 0.56), (0.66, 0.88))


def _shield(p: Pen) -> None:
    p.poly((0.5, 0.08), (0.84, 0.22), (0.8, 0.56), (0.5, 0.92), (0.2, 0.56), (0.16, 0.22))


def _key(p: Pen) -> None:
    p.circle(0.3, 0.5, 0.18, fill=False)
    p.line((0.46, 0.5), (0.9, 0.5))
    p.line((0.78, 0.5), (0.78, 0.66))
    p.line((0.66, 0.5), (0.66, 0.62))


def _phone_android(p: Pen) -> None:
    p.rect(0.26, 0.08, 0.74, 0.92, 0.08, fill=False)
    p.line((0.42, 0.8), (0.58, 0.8), w=0.8)


def _airplane(p: Pen) -> None:
    p.poly((0.46, 0.1), (0.54, 0.1), (0.56, 0.4), (0.9, 0.6), (0.9, 0.68), (0.56, 0.58),
           (0.56, 0.8), (0.66, 0.88), (0.66, 0.94), (0.34, 0.94), (0.34, 0.88), (0.44, 0.8),
           (0.44, 0.58), (0.1, 0.68), (0.1, 0.6), (0.44, 0.4))


def _headphones(p: Pen) -> None:
    p.arc(0.5, 0.55, 0.36, 180, 360)
    p.rect(0.12, 0.52, 0.3, 0.86, 0.06)
    p.rect(0.7, 0.52, 0.88, 0.86, 0.06)


def _car(p: Pen) -> None:
    p.poly((0.24, 0.26), (0.76, 0.26), (0.88, 0.52), (0.88, 0.78), (0.12, 0.78), (0.12, 0.52))
    p.circle(0.28, 0.62, 0.07, color=p.bg)
    p.circle(0.72, 0.62, 0.07, color=p.bg)


def _watch(p: Pen) -> None:
    p.rect(0.36, 0.06, 0.64, 0.94, 0.05)
    p.circle(0.5, 0.5, 0.26)
    p.circle(0.5, 0.5, 0.19, color=p.bg)


def _trash(p: Pen) -> None:
    p.rect(0.24, 0.3, 0.76, 0.9, 0.06, fill=False)
    p.line((0.16, 0.24), (0.84, 0.24))
    p.line((0.4, 0.14), (0.6, 0.14))


def _nav_back(p: Pen) -> None:
    p.poly((0.78, 0.12), (0.78, 0.88), (0.14, 0.5), fill=False)


def _nav_recents(p: Pen) -> None:
    p.rect(0.14, 0.14, 0.86, 0.86, 0.12, fill=False)


def _shift(p: Pen) -> None:
    p.poly((0.5, 0.12), (0.88, 0.52), (0.66, 0.52), (0.66, 0.86), (0.34, 0.86), (0.34, 0.52),
           (0.12, 0.52), fill=False)


def _backspace(p: Pen) -> None:
    p.poly((0.3, 0.2), (0.92, 0.2), (0.92, 0.8), (0.3, 0.8), (0.06, 0.5), fill=False)
    p.line((0.48, 0.36), (0.74, 0.64), w=0.8)
    p.line((0.74, 0.36), (0.48, 0.64), w=0.8)


def _enter(p: Pen) -> None:
    p.line((0.84, 0.2), (0.84, 0.6), (0.2, 0.6))
    p.line((0.4, 0.4), (0.18, 0.6), (0.4, 0.8))


def _emoji(p: Pen) -> None:
    p.circle(0.5, 0.5, 0.4, fill=False)
    p.circle(0.36, 0.42, 0.05)
    p.circle(0.64, 0.42, 0.05)
    p.arc(0.5, 0.52, 0.2, 20, 160)


def _music(p: Pen) -> None:
    p.circle(0.36, 0.74, 0.14)
    p.line((0.48, 0.74), (0.48, 0.14), (0.78, 0.24))


def _vibrate(p: Pen) -> None:
    p.rect(0.32, 0.14, 0.68, 0.86, 0.06, fill=False)
    p.line((0.16, 0.34), (0.16, 0.66))
    p.line((0.84, 0.34), (0.84, 0.66))


def _wifi_lock(p: Pen) -> None:
    _wifi(p)
    p.rect(0.66, 0.62, 0.96, 0.9, 0.04, color=p.c)


def _open_in(p: Pen) -> None:
    p.rect(0.14, 0.14, 0.86, 0.86, 0.08, fill=False)
    p.poly((0.4, 0.3), (0.4, 0.7), (0.72, 0.5))


def _stop(p: Pen) -> None:
    p.circle(0.5, 0.5, 0.4, fill=False)
    p.line((0.5, 0.3), (0.5, 0.56))
    p.circle(0.5, 0.69, 0.055)


def _hotspot(p: Pen) -> None:
    p.circle(0.5, 0.5, 0.08)
    p.arc(0.5, 0.5, 0.22, 135, 405)
    p.arc(0.5, 0.5, 0.38, 135, 405)


def _sim(p: Pen) -> None:
    p.poly((0.24, 0.1), (0.58, 0.1), (0.78, 0.3), (0.78, 0.9), (0.24, 0.9), fill=False)
    p.rect(0.36, 0.46, 0.66, 0.76, 0.04)


def _cast(p: Pen) -> None:
    p.line((0.1, 0.3), (0.1, 0.2), (0.9, 0.2), (0.9, 0.82), (0.62, 0.82), w=0.9)
    p.arc(0.1, 0.84, 0.22, 270, 360)
    p.arc(0.1, 0.84, 0.4, 270, 360)


def _print(p: Pen) -> None:
    p.rect(0.12, 0.34, 0.88, 0.72, 0.06)
    p.rect(0.28, 0.12, 0.72, 0.3, 0.02, fill=False, w=0.8)
    p.rect(0.28, 0.6, 0.72, 0.9, 0.02, color=p.bg if p.bg[3] else (255, 255, 255, 255))


def _nfc(p: Pen) -> None:
    p.rect(0.14, 0.14, 0.86, 0.86, 0.1, fill=False)
    p.letter("N", 0.5)


def _data_saver(p: Pen) -> None:
    p.arc(0.5, 0.5, 0.36, 300, 600)
    p.line((0.5, 0.36), (0.5, 0.64), w=0.9)
    p.line((0.36, 0.5), (0.64, 0.5), w=0.9)


DRAWERS: dict[str, Callable[[Pen], None]] = {
    "gear": _gear, "wifi": _wifi, "wifi_status": lambda p: _wifi(p, True), "bluetooth": _bluetooth,
    "battery": _battery, "battery_full": _battery, "signal": _signal, "person": _person,
    "bubble": _bubble, "chat": _bubble, "phone": _phone, "camera": _camera, "clock": _clock,
    "note": _note, "calendar": _calendar, "mail": _mail, "photos": _photos, "pin": _pin,
    "play": _play, "folder": _folder, "calc": _calc, "chrome": _chrome,
    "arrow_back": _arrow_back, "search": _search, "mic": _mic, "sun": _sun, "brightness": _sun,
    "volume": _volume, "bell": _bell, "ring": _bell, "dnd": _dnd, "moon": _moon,
    "info_outline": _info, "info": _info, "plus": _plus, "send": _send, "apps": _apps,
    "devices": _devices, "storage": _storage, "palette": _palette,
    "accessibility": _accessibility, "shield": _shield, "key": _key,
    "phone_android": _phone_android, "airplane": _airplane, "headphones": _headphones,
    "car": _car, "watch": _watch, "delete": _trash, "nav_back": _nav_back,
    "nav_home": lambda p: p.circle(0.5, 0.5, 0.42), "nav_recents": _nav_recents,
    "shift": _shift, "backspace": _backspace, "enter": _enter, "emoji": _emoji,
    "music": _music, "vibrate": _vibrate, "wifi_lock": _wifi_lock, "open_in": _open_in,
    "stop": _stop, "hotspot": _hotspot, "sim": _sim, "cast": _cast, "print": _print,
    "nfc": _nfc, "data_saver": _data_saver,
    "google": lambda p: p.letter("G", 0.9, (66, 133, 244, 255)),
}
