"""report.html of a Chinese run reads in Chinese on a machine with no CJK font.

The report is rendered by real headless Chromium (Debian's, driven by Playwright) with fontconfig
limited to one Latin font (DejaVu Sans), so no system CJK font can help. Each character of the
page's title is cut out of the screenshot by its own box and recognised against Pillow renderings
of the candidate characters from the Noto Sans CJK file: with the embedded subset they are read
back correctly; with the font rule taken out (the control) they all come out as the same empty
box, which proves the browser really had no CJK font of its own.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from agent.engine.report import write_report
from devices.sim.fonts import font
from tests.helpers import REPO, run_cli

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts" / "report-fonts"
_BOXES = """() => {
  const h1 = document.querySelector('h1'); const text = h1.firstChild; const out = [];
  for (let i = 0; i < text.length; i++) {
    const r = document.createRange(); r.setStart(text, i); r.setEnd(text, i + 1);
    const b = r.getBoundingClientRect(); out.push([text.data[i], b.x, b.y, b.width, b.height]);
  }
  return out;
}"""


def _latin_only_fontconfig(tmp: Path) -> Path:
    """A fontconfig that sees DejaVu Sans and nothing else."""
    found = sorted(Path("/usr/share/fonts").rglob("DejaVuSans.ttf"))
    if not found:
        pytest.fail("DejaVu Sans is not installed: apt-get install fonts-dejavu-core", pytrace=False)
    fonts = tmp / "fonts"
    fonts.mkdir()
    shutil.copy(found[0], fonts / "DejaVuSans.ttf")
    config = tmp / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                      f"<dir>{fonts}</dir><cachedir>{tmp / 'fc-cache'}</cachedir></fontconfig>")
    return config


def _title_glyphs(report: Path, config: Path, shot: Path) -> list[tuple[str, Image.Image]]:
    """Each title character and its crop from a headless-Chromium screenshot of the report."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     env={"FONTCONFIG_FILE": str(config), "HOME": str(config.parent)},
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 700}, device_scale_factor=2)
            page.goto(report.as_uri())
            page.evaluate("document.fonts.ready")
            boxes = page.evaluate(_BOXES)
            png = page.screenshot(path=str(shot))
        finally:
            browser.close()
    image = Image.open(io.BytesIO(png)).convert("L")
    return [(char, image.crop((round(x * 2), round(y * 2), round((x + w) * 2), round((y + h) * 2))))
            for char, x, y, w, h in boxes]


def _features(glyph: Image.Image) -> np.ndarray:
    """The ink of a glyph, cropped to its bounding box, as a normalised 24x24 vector."""
    ink = 255 - np.asarray(glyph.convert("L"), dtype=np.float32)
    rows, cols = np.nonzero(ink > 60)
    if rows.size == 0:
        return np.zeros(24 * 24, dtype=np.float32)
    box = Image.fromarray(ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1].astype(np.uint8))
    vec = np.asarray(box.resize((24, 24), Image.Resampling.BILINEAR), dtype=np.float32).ravel()
    vec -= vec.mean()
    norm = np.linalg.norm(vec)
    return vec / norm if norm else vec


def _reference(char: str) -> np.ndarray:
    image = Image.new("L", (160, 160), 255)
    ImageDraw.Draw(image).text((16, 8), char, font=font(120, bold=False), fill=0)
    return _features(image)


def _recognised(glyphs: list[tuple[str, Image.Image]]) -> list[tuple[str, str]]:
    """(true character, best-matching candidate) for every CJK glyph of the title."""
    candidates = sorted({c for c, _ in glyphs})
    refs = {c: _reference(c) for c in candidates}
    out = []
    for char, crop in glyphs:
        vec = _features(crop)
        out.append((char, max(candidates, key=lambda c: float(vec @ refs[c]))))
    return out


@pytest.fixture(scope="module")
def chinese_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: apt-get install chromium", pytrace=False)
    runs = tmp_path_factory.mktemp("zh-runs")
    proc = run_cli("replay", str(REPO / "scenarios/zh-dark-theme"), "--runs-dir", str(runs))
    assert proc.returncode == 0, proc.stderr
    return next(runs.glob("*/report.html"))


def test_the_report_embeds_a_small_subset_of_noto_sans_cjk(chinese_report: Path) -> None:
    html = chinese_report.read_text(encoding="utf-8")
    fonts = re.findall(r"data:font/woff2;base64,([A-Za-z0-9+/=]+)", html)
    assert len(fonts) == 1
    import base64

    from fontTools.ttLib import TTFont

    data = base64.b64decode(fonts[0])
    assert len(data) < 20_000  # a handful of glyphs, not a 16 MB font
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    assert {ord(c) for c in "打开深色主题"} <= set(cmap)


def test_a_report_without_chinese_embeds_no_font(tmp_path: Path) -> None:
    proc = run_cli("replay", str(REPO / "scenarios/bluetooth-off"), "--runs-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "@font-face" not in next(tmp_path.glob("*/report.html")).read_text(encoding="utf-8")
    run_dir = next(tmp_path.iterdir())
    assert write_report(run_dir).is_file()


def test_chromium_without_cjk_fonts_shows_the_chinese_glyphs(chinese_report: Path, tmp_path: Path) -> None:
    config = _latin_only_fontconfig(tmp_path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    glyphs = _title_glyphs(chinese_report, config, ARTIFACTS / "with-font.png")
    assert "".join(c for c, _ in glyphs) == "打开深色主题"
    read = _recognised(glyphs)
    assert sum(true == seen for true, seen in read) >= 5, read  # all six, allowing one look-alike

    # The control: the same report without its font rule shows six identical tofu boxes.
    bare = tmp_path / "report-no-font.html"
    bare.write_text(re.sub(r"@font-face\{[^}]*\}", "", chinese_report.read_text(encoding="utf-8")),
                    encoding="utf-8")
    tofu = _title_glyphs(bare, config, ARTIFACTS / "without-font.png")
    vectors = [_features(crop) for _, crop in tofu]
    # Boxes differ only by a pixel of sub-pixel placement (correlation > 0.9 measured); distinct
    # glyphs correlate below 0.5 with each other and with a box.
    assert all(float(v @ vectors[0]) > 0.85 for v in vectors[1:]), "the control page was not tofu"
    assert all(float(_features(a) @ _features(b)) < 0.5
               for (_, a), (_, b) in zip(glyphs, tofu, strict=True))  # glyphs, not boxes

