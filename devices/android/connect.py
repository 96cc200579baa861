"""Finding the phone: adb server, serial choice, and adb errors turned into our error tree."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from actions.errors import UsageError

FIXES = {
    "unauthorized": "unlock the phone and accept the 'Allow USB debugging?' prompt",
    "offline": "unplug and replug the cable, or run `adb kill-server` and try again",
    "no permissions": "add a udev rule for the phone (see `adb devices` help) or run adb as your user",
    "authorizing": "wait for the phone's USB debugging prompt and accept it",
}


@dataclass(frozen=True)
class Phone:
    """One line of `adb devices -l`."""

    serial: str
    state: str  # device | unauthorized | offline | ...
    model: str = ""

    @property
    def ready(self) -> bool:
        return self.state == "device"

    def describe(self) -> str:
        return f"{self.serial} ({self.model})" if self.model else self.serial


def make_client(host: str | None = None, port: int | None = None) -> Any:
    """An adbutils client for the adb server at host:port ($ANDROID_ADB_SERVER_HOST/PORT)."""
    import adbutils

    return adbutils.AdbClient(host=host, port=port, socket_timeout=30)


def list_phones(client: Any) -> list[Phone]:
    """Every phone the adb server knows, unauthorised and offline ones included.

    Starts the adb server when it is not running (as `adb devices` does; `devices.android.server`
    stops it again when the command ends). UsageError, one line, when there is no server and none
    can be started.
    """
    from adbutils.errors import AdbError

    from devices.android import server

    server.ensure(client.host, client.port)  # quietly, and remembered so it is stopped at exit
    try:
        infos = client.list(extended=True)
    except (AdbError, OSError) as err:
        raise UsageError(f"cannot reach the adb server at {client.host}:{client.port} ({_first_line(err)}); "
                         "install adb (Debian/Ubuntu: sudo apt install adb) and run `adb start-server`") from None
    except Exception as err:  # noqa: BLE001 - adbutils runs `adb start-server` and may raise anything
        raise UsageError(f"cannot start the adb server: {_first_line(err)}; install adb "
                         "(Debian/Ubuntu: sudo apt install adb)") from None
    return [Phone(i.serial, i.state, i.tags.get("model", "").replace("_", " ")) for i in infos]


def choose_serial(phones: list[Phone], serial: str | None) -> str:
    """The serial to open: the one asked for, $ANDROID_SERIAL, or the only phone attached.

    Every way this can go wrong is the user's to fix, so each is a UsageError (exit 2) that says
    what was found and what to do.
    """
    serial = serial or os.environ.get("ANDROID_SERIAL") or None
    listing = ", ".join(f"{p.describe()} [{p.state}]" for p in phones) or "none"
    if serial:
        match = [p for p in phones if p.serial == serial]
        if not match:
            raise UsageError(f"no phone with serial {serial!r}; attached: {listing}")
        return _ready(match[0])
    ready = [p for p in phones if p.ready]
    if len(ready) == 1:
        return ready[0].serial
    if len(ready) > 1:
        choices = ", ".join(f"adb:{p.serial}" + (f" ({p.model})" if p.model else "") for p in ready)
        raise UsageError(f"{len(ready)} phones attached; pick one with --device {choices}")
    if phones:  # attached but none usable: say why
        return _ready(phones[0])
    raise UsageError("no Android phone found: connect one by USB with USB debugging on "
                     "(Settings > Developer options), then check `adb devices`")


def _ready(phone: Phone) -> str:
    if phone.ready:
        return phone.serial
    fix = FIXES.get(phone.state, "check `adb devices`")
    raise UsageError(f"phone {phone.serial} is {phone.state}: {fix}")


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
