"""Reading an instruction aloud: espeak-ng writes a WAV (kept in the run folder), a player plays it.

espeak-ng is a small system package with English and Mandarin voices, works offline, and writes
WAV files directly, so the spoken words are kept with the run and a web page can play them too.
Playing is best effort (aplay / paplay / ffplay if one exists): a machine without speakers still
gets the file.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from actions import UsageError

VOICES = {"en": "en-us", "zh": "cmn"}  # espeak-ng names: American English, Mandarin
PLAYERS = (("aplay", "-q"), ("paplay",), ("ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"))


def espeak_binary() -> str:
    """The espeak-ng executable, or a one-line error saying how to install it."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise UsageError("--speak needs espeak-ng: apt-get install espeak-ng")
    return exe


def synthesize(text: str, lang: str, path: Path, *, rate: int = 140) -> Path:
    """Write `text` spoken in `lang` to the WAV file `path`. Slower than espeak's default 175 words
    a minute, for listeners who are hard of hearing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    voice = VOICES.get(lang, VOICES["en"])
    result = subprocess.run([espeak_binary(), "-v", voice, "-s", str(rate), "-w", str(path), text],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0 or not path.is_file():
        raise UsageError(f"espeak-ng could not speak: {result.stderr.strip() or result.returncode}")
    return path


def player() -> list[str] | None:
    for name, *flags in PLAYERS:
        exe = shutil.which(name)
        if exe:
            return [exe, *flags]
    return None


@dataclass
class Speaker:
    """Speaks each instruction to `folder/NNNN.wav` and plays it when a player exists."""

    folder: Path
    lang: str = "en"
    play: bool = True
    count: int = 0

    def __post_init__(self) -> None:
        espeak_binary()  # fail at start, not at the first step

    def say(self, text: str) -> Path:
        self.count += 1
        wav = synthesize(text, self.lang, self.folder / f"{self.count:04d}.wav")
        command = player() if self.play else None
        if command:
            # Not waited for: the person can act while it talks; errors (no sound card) are moot.
            subprocess.Popen([*command, str(wav)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return wav
