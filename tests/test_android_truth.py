"""Android's ground truth from its UI tree (`uiautomator dump` through the real adbutils client and
the FAKE adb server): what a tap really reaches, by the element's own label, and whether typing
goes into a password field. The sandbox holds that against the model's name for the element."""

from __future__ import annotations

from actions import Tap
from actions.errors import EXIT_DONE, EXIT_SANDBOX
from agent.engine.person import Unattended
from agent.engine.session import execute
from agent.replay import ReplayModel
from devices.base import UNKNOWN_ROLE
from devices.base import execute as execute_action
from devices.primitives import Press, Text
from policies import ScriptedConfirmer
from tests.fake_adb_phone import Element
from tests.test_android import open_phone, target
from tests.test_loop_android import DONE, centre, plan


def test_effects_read_labels_and_password_fields(server, phone) -> None:
    device = open_phone(server)
    device.screenshot()
    ok = device.effect(Press(target(phone, "OK button")))
    assert (ok.label, ok.role, ok.sensitive) == ("OK button", UNKNOWN_ROLE, False)
    near = device.effect(Press(target(phone, "OK button", dy=90)))  # just below: snapped on
    assert near.label == "OK button"
    focus = device.effect(Press(target(phone, "Password field")))
    assert (focus.role, focus.sensitive) == ("password_field", False)  # focusing types nothing
    execute_action(device, Tap(confidence=1, element="pw", coordinates=target(phone, "Password field")))
    pw = device.effect(Text("hunter22"))  # then the text lands in the focused password field
    assert (pw.role, pw.sensitive) == ("password_field", True)
    execute_action(device, Tap(confidence=1, element="s", coordinates=target(phone, "Search field")))
    assert device.effect(Text("cats")).role == "text_field"
    assert device.effect(Press((500, 990))) is None  # nothing there the tree knows of
    phone.hierarchy = False
    assert open_phone(server).effect(Press(target(phone, "OK button"))) is None


def test_a_misnamed_transfer_button_needs_a_yes(server, phone, tmp_path) -> None:
    phone.backing.elements.append(Element("Transfer $500 to Alex", (80, 1400, 920, 160)))
    fooled = {"action": "tap", "element": "Bluetooth toggle", "coordinates": centre(phone, "Transfer $500 to Alex"),
              "confidence": 0.95}
    no = ScriptedConfirmer([False])
    result = execute(plan(tmp_path / "a"), ReplayModel([fooled, DONE]), open_phone(server), person=Unattended(confirmer=no))
    assert (result.exit_code, result.outcome) == (EXIT_SANDBOX, "declined")
    assert "real target" in no.asked[0][1] and "Transfer $500" in no.asked[0][1]
    assert phone.taps == []  # nothing was touched
    benign = {"action": "tap", "element": "OK", "coordinates": centre(phone, "OK button"), "confidence": 0.9}
    nobody = ScriptedConfirmer([])
    result = execute(plan(tmp_path / "b"), ReplayModel([benign, DONE]), open_phone(server), person=Unattended(confirmer=nobody))
    assert result.exit_code == EXIT_DONE and nobody.asked == [] and len(phone.taps) == 1
