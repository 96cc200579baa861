"""`--redact` on frames: password fields (from the device's UI tree) are blacked out of every
saved frame, checked pixel by pixel; text typed into them is masked in every file of the run,
lines written before it was typed included; a frame whose password fields cannot be located is
not written at all. On the simulated phone's Wi-Fi dialog (with "Show password" on, so the
password is on screen in clear) and on the FAKE adb phone's UI tree."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
from PIL import Image

from actions.errors import EXIT_DONE
from agent.engine.loop import LoopOptions
from agent.engine.person import Unattended
from agent.engine.privacy import Privacy
from agent.engine.session import RunPlan, execute
from agent.engine.view import JsonView
from agent.imaging import DEFAULT_MAX_PIXELS
from agent.replay import ReplayModel
from devices.base import execute as run_action
from devices.errors import DeviceError
from devices.sim import SimPhone
from devices.sim.record import SimPerson
from policies import load_policy
from tests.test_android import open_phone
from tests.test_loop_android import centre

NET = "NETGEAR-42"
WIFI = {"lang": "en", "screen": "settings/wifi"}


def _locate(label: str, before: list[str] = ()) -> list[int]:
    phone = SimPhone(**WIFI)
    for name in before:
        run_action(phone, _tap(phone, name))
    return list(phone.locate(label))


def _tap(phone: SimPhone, label: str):
    from actions import Tap

    return Tap(confidence=1.0, element=label, coordinates=phone.locate(label))


def _steps(password: str) -> list:
    think = f"<think>The goal gives the password {password}; first open {NET}.</think>"
    tap_net = {"action": "tap", "element": NET, "coordinates": _locate(NET), "confidence": 0.9}
    return [
        think + json.dumps(tap_net),
        {"action": "type", "text": password, "element": "Password",
         "coordinates": _locate("Password", [NET]), "confidence": 0.9},
        {"action": "tap", "element": "Show password", "coordinates": _locate("Show password", [NET]),
         "confidence": 0.9},
        {"action": "wait", "seconds": 0, "confidence": 0.9},  # a frame with the password in clear
        {"action": "tap", "element": "Connect", "coordinates": _locate("Connect", [NET]), "confidence": 0.9},
        {"action": "done", "text": f"Joined {NET} with {password}", "confidence": 0.9},
    ]


def _run(tmp: Path, steps: list, privacy: Privacy, device=None, spec: str = "sim",
         options: dict = WIFI) -> tuple[Path, object]:
    device = device if device is not None else SimPhone(**options)
    goal = f"Join {NET} with the password {steps[1]['text']}" if spec == "sim" else "Log in"
    plan = RunPlan(goal=goal, device_spec=spec, device_options=options if spec == "sim" else {},
                   policy=load_policy(None), loop=LoopOptions(max_pixels=DEFAULT_MAX_PIXELS, settle=None),
                   runs_dir=str(tmp), interactive=False, privacy=privacy)
    result = execute(plan, ReplayModel(steps), device, person=Unattended(yes=True), view=JsonView(io.StringIO()))
    assert result.exit_code == EXIT_DONE, result.message
    return Path(result.run_dir), device


def _frames(run: Path) -> list[np.ndarray]:
    return [np.asarray(Image.open(p).convert("RGB")) for p in sorted((run / "frames").glob("*.png"))]


def _lines(run: Path) -> list[dict]:
    return [json.loads(x) for x in (run / "trajectory.jsonl").read_text(encoding="utf-8").splitlines()]


def _box_in_frame(entry: dict, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """A screen-pixel box in the saved (model-sized) frame, shrunk by a pixel for rounding."""
    sx = entry["model_image"][0] / entry["screen"][0]
    sy = entry["model_image"][1] / entry["screen"][1]
    x0, y0, x1, y1 = box
    return int(x0 * sx) + 1, int(y0 * sy) + 1, int(x1 * sx) - 1, int(y1 * sy) - 1


def test_redact_blacks_out_the_field_and_masks_the_typed_password_in_every_file(tmp_path: Path) -> None:
    password = "correct-horse"
    run, phone = _run(tmp_path, _steps(password), Privacy(redact=True))
    assert phone.state()["wifi_network"] == NET  # the device got the real password
    for path in [run, *run.rglob("*")]:  # folder and file names, and every byte of every file
        assert password not in path.name
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path
    lines = _lines(run)
    assert "•••" in lines[0]["thinking"]  # written before the password was typed, masked at the end
    assert lines[1]["redacted"] is True and lines[1]["action"]["text"] == "•••"
    assert json.loads((run / "run.json").read_text())["goal"] == f"Join {NET} with the password •••"
    # Steps 2-5 show the dialog; its password field is solid black in both copies of each frame.
    box = SimPhone(**WIFI)
    run_action(box, _tap(box, NET))
    (region,) = box.password_regions()
    for entry in lines[1:5]:
        x0, y0, x1, y1 = _box_in_frame(entry, region)
        pixels = np.asarray(Image.open(run / entry["frame"]).convert("RGB"))
        assert pixels[y0:y1, x0:x1].max() == 0, entry["frame"]
        assert pixels.mean() > 40  # the rest of the screen is still there
        marked = np.asarray(Image.open(run / entry["frame_marked"]).convert("RGB"))[y0:y1, x0:x1]
        colours = {tuple(int(v) for v in c) for c in marked.reshape(-1, 3)}
        assert colours <= {(0, 0, 0), (255, 255, 255), (0xE8, 0x11, 0x2D)}  # black, and our ring


def test_frames_are_identical_whatever_the_password_and_differ_without_redact(tmp_path: Path) -> None:
    """Pixel comparison: two runs typing two passwords of one length give the same frames under
    --redact; without it the frame with "Show password" on differs (the check can fail)."""
    a = _frames(_run(tmp_path / "a", _steps("correct-horse"), Privacy(redact=True))[0])
    b = _frames(_run(tmp_path / "b2", _steps("battery-stap1"), Privacy(redact=True))[0])
    assert len(a) == len(b) >= 10 and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    c = _frames(_run(tmp_path / "c", _steps("correct-horse"), Privacy())[0])
    d = _frames(_run(tmp_path / "d", _steps("battery-stap1"), Privacy())[0])
    assert sum(not np.array_equal(x, y) for x, y in zip(c, d, strict=True)) >= 2


class BlindSim(SimPhone):
    """A phone with a UI tree that cannot be read (Android's uiautomator fails on some screens)."""

    def password_regions(self) -> list:
        raise DeviceError("uiautomator dump failed")


def test_a_frame_whose_password_fields_cannot_be_located_is_not_written(tmp_path: Path) -> None:
    run, _ = _run(tmp_path, _steps("correct-horse"), Privacy(redact=True), device=BlindSim(**WIFI))
    assert not list((run / "frames").iterdir())
    assert all(e["frame"] is None and "could not be located" in e["frame_withheld"] for e in _lines(run))
    assert (run / "report.html").is_file()


def test_android_password_fields_from_the_ui_tree_are_blacked_out(server, phone, tmp_path) -> None:
    steps = [{"action": "tap", "element": "Password field", "coordinates": centre(phone, "Password field"),
              "confidence": 0.9},
             {"action": "type", "text": "hunter22", "element": "Password field", "confidence": 0.9},
             {"action": "done", "text": "typed hunter22", "confidence": 0.9}]
    device = open_phone(server)
    device.screenshot()
    assert device.password_regions() == [(80, 800, 1000, 940)]  # the node's bounds
    run, _ = _run(tmp_path / "a", steps, Privacy(redact=True), device=device, spec="adb:FAKE01")
    assert phone.typed == ["hunter22"]
    lines = _lines(run)
    for entry in lines:
        x0, y0, x1, y1 = _box_in_frame(entry, (80, 800, 1000, 940))
        pixels = np.asarray(Image.open(run / entry["frame"]).convert("RGB"))
        assert pixels[y0:y1, x0:x1].max() == 0 and pixels.mean() > 100
    assert all(b"hunter22" not in p.read_bytes() for p in run.rglob("*") if p.is_file())
    phone.hierarchy = False  # no UI tree: nobody can say where the password is, so no frames
    run, _ = _run(tmp_path / "b", steps, Privacy(redact=True), device=open_phone(server), spec="adb:FAKE01")
    assert not list((run / "frames").iterdir())


def test_a_demonstration_keeps_no_password_in_its_frames() -> None:
    phone = SimPhone(**WIFI)
    person = SimPerson(phone)
    for line in (f"tap {NET}", "type correct-horse", "tap Show password", "key back"):
        person.command(line)
    (region,) = _dialog_region()
    x0, y0, x1, y1 = region
    for event in person.events[1:]:  # every frame with the dialog on screen
        assert np.asarray(event.frame)[y0:y1, x0:x1].max() == 0
    assert person.events[2].secret is False and person.events[1].secret is True


def _dialog_region() -> list:
    phone = SimPhone(**WIFI)
    run_action(phone, _tap(phone, NET))
    return phone.password_regions()


def test_key_taps_into_a_password_field_are_one_secret_in_a_demonstration() -> None:
    from devices.sim.widgets import Intent

    phone = SimPhone(**WIFI)
    person = SimPerson(phone)
    person.command(f"tap {NET}")
    for ch in "password":
        centre = next(w.rect.center for w in phone.layout().widgets if w.tap == Intent("insert", ch))
        person.touch(centre)
    person.command("tap Connect")
    assert phone.state()["wifi_network"] == NET
    assert [(e.action.kind, e.secret) for e in person.events] == [("tap", False), ("type", True), ("tap", False)]
    assert "password" not in repr([e.action for e in person.events])


def test_ocr_reads_the_password_in_a_plain_frame_and_not_in_a_redacted_one(tmp_path: Path) -> None:
    """OCR (RapidOCR, offline) on the frame taken with "Show password" on: without --redact the
    password is read back off the picture; with it, nothing of it is."""
    from agent import ocr

    def frame_4(privacy: Privacy, name: str) -> Image.Image:
        run, _ = _run(tmp_path / name, _steps("horsebattery"), privacy)
        entry = _lines(run)[3]  # the `wait` step: the dialog with the password in clear
        return Image.open(run / entry["frame"])

    plain = " ".join(ocr.read_text(frame_4(Privacy(), "plain"))).replace(" ", "")
    assert "horsebattery" in plain
    hidden = " ".join(ocr.read_text(frame_4(Privacy(redact=True), "hidden"))).replace(" ", "")
    assert "horse" not in hidden and "battery" not in hidden and NET in hidden
