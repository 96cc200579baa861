"""Launch a desktop application by the name a person sees (`open_app`).

Only installed applications are launched: on Linux the `.desktop` entries of the XDG data
folders (what a menu shows), on macOS `open -a`. The model never gets to run an arbitrary program
from PATH: `open_app "shutdown"` must not be a way to type a command.
"""

from __future__ import annotations

import configparser
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from devices.errors import ActionFailed


@dataclass(frozen=True)
class DesktopEntry:
    names: tuple[str, ...]  # Name, GenericName and every translated Name[xx], lower case
    command: tuple[str, ...]
    terminal: bool
    path: Path


def data_dirs() -> list[Path]:
    home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    system = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    return [Path(p) / "applications" for p in [home, *system.split(":")] if p]


def desktop_entries() -> list[DesktopEntry]:
    """Every launchable application entry, the user's own first (they shadow system ones)."""
    found: dict[str, DesktopEntry] = {}
    for folder in data_dirs():
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.desktop")):
            entry = _parse(path)
            if entry is not None:
                found.setdefault(path.name, entry)
    return list(found.values())


def _parse(path: Path) -> DesktopEntry | None:
    parser = configparser.RawConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep Name[zh_CN] as is
    try:
        parser.read(path, encoding="utf-8")
        section = parser["Desktop Entry"]
    except (configparser.Error, KeyError, UnicodeDecodeError, OSError):
        return None
    if section.get("Type", "Application") != "Application" or section.get("NoDisplay") == "true":
        return None
    if section.get("Hidden") == "true" or "Exec" not in section:
        return None
    names = tuple(v.strip().lower() for k, v in section.items()
                  if k == "Name" or k.startswith("Name[") or k == "GenericName")
    try:
        words = shlex.split(section["Exec"])
    except ValueError:
        return None
    # Field codes (%f, %U, ...) stand for files/URLs we never pass; "%%" is a literal percent.
    command = tuple(w.replace("%%", "%") for w in words if not (len(w) == 2 and w[0] == "%"))
    if not command:
        return None
    return DesktopEntry(names, command, section.get("Terminal") == "true", path)


def find_app(name: str) -> DesktopEntry:
    wanted = name.strip().lower()
    entries = desktop_entries()
    for match in (lambda e: wanted in e.names,
                  lambda e: any(n.startswith(wanted) for n in e.names),
                  lambda e: any(wanted in n for n in e.names)):
        hits = [e for e in entries if match(e)]
        if hits:
            return hits[0]
    raise ActionFailed(f"no installed application named {name!r} on this desktop "
                       f"(looked at {len(entries)} .desktop entries); open it from the screen instead")


def launch(name: str, env: dict[str, str]) -> subprocess.Popen:
    """Start the application in its own session, detached from the agent's terminal."""
    if sys.platform == "darwin":
        result = subprocess.run(["open", "-a", name], capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise ActionFailed(f"no application named {name!r}: {result.stderr.strip()[:200]}")
        return subprocess.Popen(["true"])
    entry = find_app(name)
    if entry.terminal:
        raise ActionFailed(f"{name!r} runs in a terminal; open a terminal and start it there")
    try:
        return subprocess.Popen(list(entry.command), env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
    except OSError as err:
        raise ActionFailed(f"could not start {name!r} ({entry.path.name}): {err.strerror}") from None
