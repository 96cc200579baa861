"""`actions.safe_files`: the readers every user-supplied file goes through, and the simulated
phone's state schema, tested on their own (the CLI cases are in test_hostile_inputs.py)."""

from __future__ import annotations

import io
import os
import random
import socket
import warnings
from pathlib import Path

import pytest
import yaml
from PIL import Image

from actions import UsageError, from_dict
from actions import safe_files as sf
from devices.base import execute
from devices.sim.phone import SimPhone
from devices.sim.state_schema import field_ids
from tests.helpers import REPO
from tests.hostile import billion_laughs, png_header


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(UsageError) as err:
        call(*args, **kwargs)
    message = str(err.value)
    assert message and "\n" not in message
    return message


# --- files ---------------------------------------------------------------------------------------

def test_special_files_are_refused_without_being_opened(tmp_path: Path, monkeypatch) -> None:
    os.mkfifo(tmp_path / "fifo")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock"))
    sock.close()
    (tmp_path / "zero").symlink_to("/dev/zero")
    (tmp_path / "dir").mkdir()
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, *a, **k: opened.append(str(path)) or real_open(path, *a, **k))
    for name, words in (("fifo", "FIFO"), ("sock", "socket"), ("zero", "character device"),
                        ("dir", "folder")):
        assert words in refused(sf.read_bytes, tmp_path / name, name, 1024)
    assert "character device" in refused(sf.read_bytes, "/dev/zero", "zero", 1024)
    assert opened == []
    (tmp_path / "plain").write_text("ok", encoding="utf-8")
    assert sf.read_bytes(tmp_path / "plain", "plain", 10) == b"ok"
    assert opened == [str(tmp_path / "plain")]  # the spy sees opens: the special files had none


def test_caps_missing_files_and_text(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"")
    os.truncate(big, 2 * sf.MiB)  # sparse: nothing is written, the size is what counts
    assert "too large (2.0 MiB; the limit is 1.0 MiB)" in refused(sf.read_bytes, big, "big", sf.MiB)
    with pytest.raises(sf.FileMissing):
        sf.read_bytes(tmp_path / "gone", "gone", 10)
    assert "not a file path" in refused(sf.read_bytes, 5, "five", 10)
    assert "not a file path" in refused(sf.read_bytes, "a\0b", "nul", 10)
    (tmp_path / "latin1").write_bytes("café".encode("latin-1"))
    assert "not UTF-8" in refused(sf.read_text, tmp_path / "latin1", "latin1", 100)
    (tmp_path / "ok").write_text("héllo", encoding="utf-8")
    assert sf.read_text(tmp_path / "ok", "ok", 100) == "héllo"


# --- YAML ----------------------------------------------------------------------------------------

def test_yaml_keeps_what_scenarios_use() -> None:
    text = ("base: &b {action: tap, confidence: 0.9}\nsteps:\n- <<: *b\n  coordinates: [1, 2]\n"
            "- *b\nwhen: 2024-05-01\nbig: 9223372036854775807\ninf: .inf\nsexagesimal: 1:30\n")
    data = sf.parse_yaml(text, "t")
    assert data["steps"][0] == {"action": "tap", "confidence": 0.9, "coordinates": [1, 2]}
    assert data["steps"][1] == {"action": "tap", "confidence": 0.9}
    assert data["when"] == "2024-05-01"  # text, not a date: it can go to run.json
    assert data["big"] == 2**63 - 1 and data["inf"] == float("inf") and data["sexagesimal"] == 90
    assert sf.parse_yaml("", "t") is None


@pytest.mark.parametrize(("text", "words"), [
    (billion_laughs(), "aliases are expanded"),
    ("a: &a [*a]\n", "contains it"),
    ("a: " + "[" * 65 + "]" * 65, "deeper than 64"),
    ("a: " + "[" * 5000 + "]" * 5000, "invalid YAML at line 1"),
    ("a: 9223372036854775808\n", "64 bits"),
    ("a: " + "1" * 41 + "\n", "41 characters"),
    ("a: 1.0e+999\n", "out of range"),
    ("a: !!binary aGk=\n", "binary"),
    ("a: !!set {x}\n", "set"),
    ("a: !!omap [{x: 1}]\n", "omap"),
    ("a: !!python/name:os.system\n", "constructor"),
    ("a: [1\n", "invalid YAML at line 2"),
    ("a: \x00\n", "invalid YAML"),
])
def test_yaml_refuses_in_one_line(text: str, words: str) -> None:
    assert words in refused(sf.parse_yaml, text, "where.yaml")


def test_yaml_at_the_limits_is_fine() -> None:
    assert sf.parse_yaml("a: " + "[" * 63 + "]" * 63, "t") is not None
    wide = "a: [" + ", ".join(["x"] * (sf.MAX_VALUES - 10)) + "]"
    assert len(sf.parse_yaml(wide, "t")["a"]) == sf.MAX_VALUES - 10


def test_yaml_without_libyaml_stops_deep_nesting_before_python_recursion(monkeypatch) -> None:
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    monkeypatch.setattr(sf, "_LOADER", None)
    assert "deeper than 64" in refused(sf.parse_yaml, "a: " + "[" * 100_000 + "]" * 100_000, "t")
    assert "aliases are expanded" in refused(sf.parse_yaml, billion_laughs(), "t")
    assert sf.parse_yaml("a: [1, {b: 2}]", "t") == {"a": [1, {"b": 2}]}
    monkeypatch.setattr(sf, "_LOADER", None)  # the next test builds the libyaml one again


def test_json_guards() -> None:
    assert sf.parse_json('{"a": [1, 2]}', "j") == {"a": [1, 2]}
    assert "deeper" in refused(sf.parse_json, "[" * 100_000 + "]" * 100_000, "j")
    assert "deeper" in refused(sf.parse_json, "[" * 65 + "]" * 65, "j")
    assert "digits" in refused(sf.parse_json, "9" * 5000, "j")
    assert "invalid JSON" in refused(sf.parse_json, "{", "j")


# --- images --------------------------------------------------------------------------------------

def test_images(tmp_path: Path) -> None:
    good = tmp_path / "good.png"
    Image.new("RGBA", (40, 30), "blue").save(good)
    image = sf.open_image(good, "good")
    assert image.mode == "RGB" and image.size == (40, 30)
    cut = tmp_path / "cut.png"
    noise = Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    cut.write_bytes(buffer.getvalue()[: buffer.tell() // 2])
    with pytest.raises(sf.ImageTruncated):
        sf.open_image(cut, "cut")
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(sf.ImageTruncated):
        sf.open_image(tmp_path / "empty.png", "empty")
    (tmp_path / "g.gif").write_bytes(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")
    assert "not a PNG, JPEG or WEBP image" in refused(sf.open_image, tmp_path / "g.gif", "gif")


@pytest.mark.parametrize(("size", "words"), [
    ((30000, 30000), "decompression bomb"),  # past Pillow's own error threshold
    ((12000, 12000), "decompression bomb"),  # past its warning threshold: no warning printed
    ((8000, 8000), "8000x8000 is over 50,000,000 pixels"),  # only our screenshot cap
])
def test_pixel_caps_are_checked_from_the_header(tmp_path: Path, size: tuple[int, int], words: str) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_header(*size))
    limit = Image.MAX_IMAGE_PIXELS
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert words in refused(sf.open_image, path, "bomb")
    assert seen == [] and limit == Image.MAX_IMAGE_PIXELS  # nothing printed, nothing changed for others


# --- the simulated phone's state schema ----------------------------------------------------------

def _random_walk(seed: int, steps: int = 40) -> list[dict]:
    """States the phone itself reaches from a random start, by random actions."""
    rng = random.Random(seed)
    start = rng.choice(["home", "settings", "settings/wifi", "messages/mom", "notes/new", "wallet",
                        "settings/apps", "settings/display"])
    phone = SimPhone(lang=rng.choice(["en", "zh"]), screen=start,
                     state={"traps": {start: rng.choice(["pay_popup", "pin_phish", "bt_mislabel"])}}
                     if rng.random() < 0.3 else None)
    seen = [phone.state()]
    for _ in range(steps):
        kind = rng.choice(["tap", "tap", "tap", "long_press", "type", "swipe", "back", "key"])
        point = [rng.randint(0, 1000), rng.randint(0, 1000)]
        action = {"action": kind, "confidence": 1, "element": "x", "coordinates": point}
        if kind == "type":
            action["text"] = rng.choice(["hello", "12345678", "买牛奶"])
        elif kind == "swipe":
            action["to"] = [rng.randint(0, 1000), rng.randint(0, 1000)]
        elif kind == "key":
            action = {"action": "key", "key": rng.choice(["enter", "backspace", "space"]), "confidence": 1}
        elif kind == "back":
            action = {"action": "back", "confidence": 1}
        try:
            execute(phone, from_dict(action))
        except Exception:  # noqa: BLE001 - an action the phone refuses (ActionFailed) is fine here
            continue
        seen.append(phone.state())
    return seen


@pytest.mark.parametrize("seed", range(12))
def test_every_state_the_phone_reaches_passes_the_schema(seed: int) -> None:
    for state in _random_walk(seed):
        lang = state["language"]
        SimPhone(lang=lang, screen=state["screen"], state=state).close()


def test_every_text_field_the_phone_draws_is_known() -> None:
    from devices.sim.widgets import Field

    drawn = set()
    for screen in ("notes/new", *(f"messages/{c}" for c in ("mom", "alex", "sam", "dentist"))):
        drawn |= {w.field_id for w in SimPhone(screen=screen).layout().widgets if isinstance(w, Field)}
    for network in ("HomeNet-5G", "NETGEAR-42", "Pixel Hotspot"):
        phone = SimPhone(screen="settings/wifi", state={"popup": {"kind": "wifi_join", "network": network}})
        drawn |= {w.field_id for w in phone.layout().widgets if isinstance(w, Field)}
    phone = SimPhone(screen="settings", state={"traps": {"settings": "pin_phish"}})
    drawn |= {w.field_id for w in phone.layout().widgets if isinstance(w, Field)}
    assert len(drawn) >= 9 and drawn <= field_ids()


def test_every_shipped_scenario_start_state_passes() -> None:
    from agent.scenario import load

    for folder in sorted((REPO / "scenarios").iterdir()):
        scenario = load(folder)
        if scenario.device.get("kind", "sim") == "sim":
            SimPhone(**scenario.device_options).close()
