"""Tap targets described the way TalkBack reads them, on REAL `uiautomator dump` files of real apps
(Thunderbird, Google Maps, Futu Trader 富途, WeCom 企业微信; sources in
tests/fixtures/android/SOURCES.md). The words of a row, a tab or a toolbar button are usually in
non-clickable children; the sandbox must read them, not a resource id."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions import pixels_to_grid
from actions.errors import EXIT_SANDBOX
from agent.engine.person import Unattended
from agent.engine.session import execute
from agent.replay import ReplayModel
from devices.android import hierarchy
from devices.base import UNKNOWN_ROLE
from devices.primitives import Press
from policies import ScriptedConfirmer
from tests.fake_adb import FakeAdbServer, FakePhone
from tests.test_android import open_phone
from tests.test_loop_android import DONE, plan

DUMPS = Path(__file__).parent / "fixtures" / "android" / "dumps"


def tree(name: str) -> list[hierarchy.Node]:
    return hierarchy.parse((DUMPS / name).read_text(encoding="utf-8"))


def at(nodes: list[hierarchy.Node], x: int, y: int) -> hierarchy.Description:
    node = hierarchy.element_at(nodes, x, y)
    assert node is not None, (x, y)
    return hierarchy.describe(nodes, node)


def test_a_settings_row_is_its_title_and_summary_and_its_switch() -> None:
    nodes = tree("maps_personal_content.xml")
    delete = at(nodes, 540, 1735)  # a clickable LinearLayout; the words are in two TextViews
    assert delete.label == "Delete all Timeline data, Permanently delete visits and routes from this device"
    assert (delete.role, delete.resource_id, delete.from_children) == ("", "", True)
    emails = at(nodes, 300, 400)  # the row holds a non-clickable Switch: the row toggles it
    assert emails.label == "Timeline emails, Get highlights of your Timeline in your inbox"
    assert (emails.role, emails.state) == ("switch", "off")
    assert emails.spoken() == "Timeline emails, Get highlights of your Timeline in your inbox, switch, off"
    # A tap on the switch itself reaches the row (the Switch is not clickable).
    assert at(nodes, 977, 411).label == emails.label
    up = at(nodes, 84, 137)  # a Button whose words are its own content description
    assert (up.label, up.role, up.from_children) == ("Navigate up", "button", False)


def test_a_dialog_button_and_a_list_row_in_english() -> None:
    dialog = tree("maps_timeline_dialog.xml")
    done = at(dialog, 500, 1050)  # content-desc "Done" on the Button and on its child View: said once
    assert (done.label, done.role, done.resource_id) == (
        "Done", "button", "com.google.android.apps.maps:id/dialog_positive_button")
    assert at(dialog, 500, 1180).label == "Go to Web & App Activity"
    inbox = tree("thunderbird_inbox.xml")
    assert at(inbox, 540, 330).label == "Load up to 100 more"  # a row with the words in a child
    assert at(inbox, 950, 1900).spoken() == "Compose, button"
    assert at(inbox, 900, 150).spoken() == "Sort by…, button"


def test_chinese_rows_tabs_and_dialogs() -> None:
    futu = tree("futu_position_history.xml")
    row = at(futu, 540, 580)  # a clickable ViewGroup; four TextViews hold the stock row
    assert row.label == "三倍做空半导体ETF-Direxion, 49.57%->40.00%, SOXS, 参考成交价 4.630"
    assert row.from_children
    assert at(futu, 600, 150).label == "调仓历史"  # the toolbar title inside a clickable FrameLayout
    dialog = tree("wework_invite_dialog.xml")
    assert at(dialog, 400, 950).label == "取消" and at(dialog, 550, 950).label == "邀请"
    chat = tree("wework_group_chat.xml")
    message = at(chat, 360, 700)  # a message bubble: its words are in non-clickable children
    assert message.label.startswith("远方好物, 拍1减300元【鲜果猫山王榴莲】")
    assert message.label.endswith("小程序")


def test_an_icon_beside_its_caption_gets_the_captions_words_as_context() -> None:
    """WeCom's chat toolbar: each item is a clickable group with an icon (clickable, no words)
    and a clickable caption. TalkBack reads the caption as its own item; a tap on the icon does
    what the caption says, so the icon carries it as context (not as its label)."""
    chat = tree("wework_group_chat.xml")
    icon = at(chat, 250, 1459)
    assert (icon.label, icon.role, icon.context) == ("", "image", "发起收款")
    assert icon.resource_id == "com.tencent.wework:id/gm6"
    assert at(chat, 320, 1459).label == "发起收款"  # the caption itself
    field = hierarchy.focused_field(chat)
    assert field is not None and field.resource_id == "com.tencent.wework:id/ie7"
    assert hierarchy.describe(chat, field).role == "edit box"


def test_nested_clickables_are_not_read_into_their_parent() -> None:
    """TalkBack skips descendants it focuses on their own (and everything under them)."""
    chat = tree("wework_group_chat.xml")
    group = next(n for n in chat if n.resource_id == "com.tencent.wework:id/gik" and n.left == 216)
    assert hierarchy.describe(chat, group).label == ""  # 发起收款 is a clickable caption of its own
    assert hierarchy.describe(chat, group).context == "发起收款"


def test_a_tap_that_just_missed_is_snapped_onto_the_element() -> None:
    nodes = tree("maps_timeline_dialog.xml")
    assert hierarchy.element_at(nodes, 500, 1260) is None  # 20 px under the last button
    snapped = hierarchy.element_at(nodes, 500, 1260, tolerance=63.0)
    assert snapped is not None and hierarchy.describe(nodes, snapped).label == "Go to Web & App Activity"


def test_a_password_fields_text_is_never_a_label() -> None:
    xml = ("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">"
           '<node text="" class="android.widget.LinearLayout" clickable="true" bounds="[0,0][1080,300]">'
           '<node text="hunter2" class="android.widget.EditText" password="true" clickable="false" '
           'focusable="false" bounds="[0,0][1080,150]"/>'
           '<node text="Sign in" class="android.widget.TextView" bounds="[0,150][1080,300]"/></node></hierarchy>')
    nodes = hierarchy.parse(xml)
    assert hierarchy.describe(nodes, nodes[0]).label == "Sign in"
    assert "hunter2" not in hierarchy.describe(nodes, nodes[0]).context


# The measurement asked for in issue 15 (numbers in the report): over every clickable element of
# the six dumps, how many have words only in their children, and how many get a word label from
# their own text/content-desc (before) and from `describe` (after).
def label_counts() -> dict[str, int]:
    counts = {"clickable": 0, "own_words": 0, "children_only": 0, "described": 0, "with_context": 0}
    for path in sorted(DUMPS.glob("*.xml")):
        nodes = hierarchy.parse(path.read_text(encoding="utf-8"))
        for node in (n for n in nodes if n.clickable and n.area > 0):
            desc = hierarchy.describe(nodes, node)
            counts["clickable"] += 1
            counts["own_words"] += bool(node.texts)
            counts["children_only"] += desc.from_children
            counts["described"] += bool(desc.label)
            counts["with_context"] += bool(desc.label or desc.context)
    return counts


def test_how_many_targets_get_their_words() -> None:
    counts = label_counts()
    print(counts)
    assert counts == {"clickable": 67, "own_words": 16, "children_only": 19, "described": 35,
                      "with_context": 51}


@pytest.fixture
def maps_phone():
    phone = FakePhone("FAKE01", ui_xml=(DUMPS / "maps_personal_content.xml").read_text(encoding="utf-8"))
    server = FakeAdbServer(phone)
    yield phone, server
    server.stop()


def test_the_effect_of_a_tap_reads_the_rows_words_through_adb(maps_phone) -> None:
    phone, server = maps_phone
    device = open_phone(server)
    device.screenshot()
    grid = pixels_to_grid((540, 1735), phone.display_size())
    target = device.effect(Press(grid))
    assert target is not None and target.role == UNKNOWN_ROLE and not target.sensitive
    assert target.label == "Delete all Timeline data, Permanently delete visits and routes from this device"
    described = device.describe_element(pixels_to_grid((300, 400), phone.display_size()))
    assert described is not None and described.spoken().endswith("switch, off")
    dumps = [c for c in phone.commands if "uiautomator dump" in c]
    assert len(dumps) == 1  # one tree read for the screen, however many questions


def test_a_misnamed_delete_row_needs_a_yes(maps_phone, tmp_path) -> None:
    """The model calls the row "Timeline settings"; its real words say delete: the sandbox asks,
    and on a no nothing is touched."""
    phone, server = maps_phone
    fooled = {"action": "tap", "element": "Timeline settings",
              "coordinates": list(pixels_to_grid((540, 1735), phone.display_size())), "confidence": 0.9}
    no = ScriptedConfirmer([False])
    result = execute(plan(tmp_path), ReplayModel([fooled, DONE]), open_phone(server),
                     person=Unattended(confirmer=no))
    assert result.exit_code == EXIT_SANDBOX
    assert "Delete all Timeline data" in no.asked[0][1]
    assert phone.taps == []
