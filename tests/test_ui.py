"""The web UI in real headless Chromium (Debian's `chromium`, driven by Playwright): a goal on the
simulated phone, the marked screen and instruction, "Do it for me", the next step; a screenshot
asked about with no device; axe-core finds no serious or critical problem; print is large.

Screenshots of the page go to test-artifacts/ui/. Missing chromium, playwright, gradio or npm
fail the tests loudly, naming the package — never a skip.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.sim import SimPhone
from tests.conftest import require_tool
from tests.helpers import EXE, REPO

ARTIFACTS = REPO / "test-artifacts" / "ui"
AXE_VERSION = "4.14.1"  # axe-core (MPL-2.0), installed from npm at test time, not committed
CHROMIUM = "/usr/bin/chromium"


def _require() -> None:
    require_tool("chromium", "chromium")
    require_tool("npm", "npm")  # axe-core
    for module, package in (("playwright", "playwright"), ("gradio", "gradio")):
        try:
            __import__(module)
        except ImportError:
            pytest.fail(f"{module} is missing: pip install {package} (or '.[ui]')", pytrace=False)


def _axe() -> Path:
    folder = Path(tempfile.gettempdir()) / f"qwen-agent-axe-{AXE_VERSION}"
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent",
                               f"axe-core@{AXE_VERSION}"], cwd=folder, capture_output=True, text=True,
                              timeout=180)
        assert proc.returncode == 0 and script.is_file(), f"npm install axe-core failed: {proc.stderr[-500:]}"
    return script


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    _require()
    runs = tmp_path_factory.mktemp("ui-runs")
    port = _free_port()
    log = open(runs.parent / "ui-server.log", "w")  # noqa: SIM115 - the server's lifetime
    proc = subprocess.Popen(
        [EXE, "ui", "--replay", str(REPO / "scenarios/bluetooth-off"), "--runs-dir", str(runs),
         "--port", str(port), "--wait", "60"],
        stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
        env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"})
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, Path(log.name).read_text()[-2000:]
            assert time.monotonic() < deadline, "the UI did not come up"
            time.sleep(0.3)
        yield url, runs
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    _require()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                               args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield b
        finally:
            b.close()


def _page(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.set_default_timeout(30_000)
    page.goto(url)
    page.wait_for_selector("#goal textarea, #goal input")
    return page


def _instruction(page) -> str:
    return page.inner_text("#instruction")


def test_guide_a_goal_and_do_it_for_me(server, browser) -> None:
    url, runs = server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = _page(browser, url)
    page.locator("#goal textarea, #goal input").first.fill("Turn off Bluetooth")
    page.click("#start")
    page.wait_for_function("document.querySelector('#instruction').innerText.includes('Settings app icon')")
    assert _instruction(page) == "Tap the Settings app icon on the left side of the screen."
    page.wait_for_selector("#screen img")
    page.screenshot(path=str(ARTIFACTS / "guide-step1.png"), full_page=True)
    page.click("#do")
    page.wait_for_function("document.querySelector('#instruction').innerText.includes('Connected devices')")
    page.screenshot(path=str(ARTIFACTS / "guide-step2.png"), full_page=True)
    # The person taps the picture of the phone at the ring: the simulated phone is touched there.
    box = page.locator("#screen img").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.401)  # grid (500, 401)
    page.wait_for_function("document.querySelector('#instruction').innerText.includes('Tap Bluetooth')")
    for _ in range(2):
        page.click("#do")
        page.wait_for_timeout(300)
    page.wait_for_function("document.querySelector('#instruction').innerText.startsWith('Done!')")
    page.screenshot(path=str(ARTIFACTS / "guide-done.png"), full_page=True)
    # The run is listed with its report, which opens.
    page.get_by_role("tab", name="Past help").click()
    link = page.locator("#runs a").first
    link.wait_for()
    assert "Turn off Bluetooth" in link.inner_text()
    href = link.get_attribute("href")
    with urllib.request.urlopen(url.rstrip("/") + href, timeout=10) as r:
        assert r.status == 200 and b"<html" in r.read(2000).lower()
    page.close()


def test_upload_a_screenshot_and_ask(server, browser, tmp_path: Path) -> None:
    url, _ = server
    shot = tmp_path / "home.png"
    SimPhone("en", "home", {}).screenshot().save(shot)
    page = _page(browser, url)
    page.get_by_role("tab", name="Ask about a screenshot").click()
    page.locator("#upload input[type=file]").set_input_files(str(shot))
    page.wait_for_selector("#upload img")
    page.locator("#question textarea, #question input").first.fill("Turn off Bluetooth")
    page.click("#ask")
    page.wait_for_function("document.querySelector('#answer') && "
                           "document.querySelector('#answer').innerText.includes('Settings app icon')")
    page.wait_for_selector("#answer-image img")
    page.screenshot(path=str(ARTIFACTS / "upload-answer.png"), full_page=True)
    page.close()


def test_accessibility_large_print_and_chinese(server, browser) -> None:
    url, _ = server
    page = _page(browser, url)
    # Checked while a step is shown: the marked screen, the instruction and its speaker are up.
    page.locator("#goal textarea, #goal input").first.fill("Turn off Bluetooth")
    page.click("#start")
    page.wait_for_function("document.querySelector('#instruction').innerText.includes('Settings app icon')")
    page.wait_for_selector("#screen img")
    page.wait_for_selector("#listen audio, #listen button")
    page.add_script_tag(path=str(_axe()))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations', 'passes']})")
    bad = [(v["id"], v["impact"], len(v["nodes"])) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == [], bad
    assert any(p["id"] == "color-contrast" for p in result["passes"])  # contrast really was checked
    body = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body >= 20
    # Every piece of visible text on the page is at least 20 px.
    small = page.evaluate("""() => {
        const out = [];
        const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walk.nextNode()) {
            const n = walk.currentNode, el = n.parentElement;
            if (!n.textContent.trim() || !el || !el.offsetParent) continue;
            const size = parseFloat(getComputedStyle(el).fontSize);
            if (size < 20) out.push([n.textContent.trim().slice(0, 30), size]);
        }
        return out; }""")
    assert small == [], small
    heights = page.evaluate("[...document.querySelectorAll('#do, #repeat, #stop, #start')]"
                            ".map(b => b.getBoundingClientRect().height)")
    assert len(heights) == 4 and min(heights) >= 60
    page.get_by_text("中文").click()
    page.wait_for_function("document.querySelector('#do').innerText.includes('帮我做')")
    page.screenshot(path=str(ARTIFACTS / "chinese.png"), full_page=True)
    page.click("#stop")
    page.wait_for_function("document.querySelector('#instruction').innerText.includes('Stopped')")
    page.close()
