"""report.html: one self-contained page (images inlined) to read a run, offline, anywhere."""

from __future__ import annotations

import base64
import json
import re
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from agent.engine.rundir import RUN_JSON, read_trajectory, write_text_atomic
from agent.engine.step import StepRecord

# "QA Noto CJK" is the subset of Noto Sans CJK embedded in the page (`_font_face`). It comes first
# but covers only the CJK ranges (unicode-range), so Latin text keeps the system font, and CJK
# text never depends on the browser's fallback search finding a system CJK font.
_CSS = """
body{font:16px/1.5 "QA Noto CJK",system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;
background:#f5f6f8;color:#1b1d21}
header{background:#fff;padding:20px 28px;border-bottom:1px solid #dde1e6}
h1{font-size:22px;margin:0 0 6px} .meta{color:#4a5260;font-size:14px}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;font-size:14px}
.ok{background:#d7f5dd;color:#0b5d1e}.bad{background:#fde2e1;color:#8a1c13}.warn{background:#fff1c2;color:#6b4e00}
main{padding:20px 28px;display:grid;gap:16px}
.step{background:#fff;border:1px solid #dde1e6;border-radius:10px;padding:14px;display:grid;
grid-template-columns:280px 1fr;gap:18px}
.step img{width:280px;border-radius:8px;border:1px solid #ccd}
h2{font-size:17px;margin:0 0 8px} pre{background:#f0f2f5;padding:8px;border-radius:6px;
white-space:pre-wrap;word-break:break-word;font-size:13px;margin:6px 0;
font-family:"QA Noto CJK",ui-monospace,monospace}
details summary{cursor:pointer;color:#33507a} table{border-collapse:collapse;font-size:14px}
td{padding:2px 12px 2px 0;vertical-align:top} td:first-child{color:#4a5260}
"""


def _font_face(page: str) -> str:
    """An @font-face rule embedding the glyphs of Noto Sans CJK (shipped in a wheel, as the
    simulated phone's font) for the CJK characters `page` uses, so Chinese reads on a machine with
    no CJK font; "" when the page has none, or the font cannot be had (the browser's fonts then)."""
    # A regular expression, not a loop over characters: the page holds every frame in base64.
    chars = "".join(sorted(set(_CJK.findall(page))))
    if not chars:
        return ""
    try:
        data = _subset(chars)
    except Exception:  # noqa: BLE001 - a report without the font is still a report
        return ""
    return ('@font-face{font-family:"QA Noto CJK";font-display:block;' + _CJK_RANGES +
            f'src:url(data:font/woff2;base64,{base64.b64encode(data).decode("ascii")}) format("woff2")}}')


# CJK radicals, punctuation, kana, ideographs; compatibility ideographs; full-width forms.
_CJK_RANGES = "unicode-range:U+2E80-9FFF,U+F900-FAFF,U+FF00-FFEF;"


_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


@lru_cache(maxsize=32)
def _subset(chars: str) -> bytes:
    """WOFF2 bytes of Noto Sans CJK cut down to `chars` (a few KB for a run's goal and words).
    fontTools' subsetter, the maintained tool for this, does the cutting (with glyph closure,
    cmap and name tables kept consistent); brotli compresses WOFF2."""
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    from devices.sim.fonts import font_path

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # vertical forms and locl are harmless; keeps CJK punctuation right
    options.hinting = False  # CFF hints do nothing in a browser at these sizes
    options.desubroutinize = True  # smaller after brotli
    font = TTFont(str(font_path(False)), lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def _data_url(path: Path) -> str:
    if not path.is_file():
        return ""
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _badge(outcome: str, exit_code: Any) -> str:
    cls = {"done": "ok", "denied": "bad", "declined": "bad", "kill_switch": "bad", "interrupted": "bad",
           "error": "bad"}.get(outcome, "warn")
    return f'<span class="badge {cls}">{escape(str(outcome))} · exit {escape(str(exit_code))}</span>'


def _step_html(run_dir: Path, step: StepRecord) -> str:
    img = _data_url(run_dir / step.frame_marked) if step.frame_marked else ""
    verdict = step.verdict or {}
    judged = "; ".join(f"{p.primitive}: {(p.effect or {}).get('effect') or 'effect unknown'} -> "
                       f"{p.verdict.get('decision', '?')}" for p in step.primitives)
    rows = [
        ("action", step.action_text or "—"),
        ("pixel target", list(step.pixel) if step.pixel else "—"),
        ("sandbox", f"{verdict.get('decision', '—')} {verdict.get('reason', '')}".strip()),
        ("primitives", judged),
        ("executed", "yes" if step.executed else "no"),
        ("error", step.error or ""),
        ("picture", step.frame_withheld and f"not kept: {step.frame_withheld}"),
        ("timings (s)", ", ".join(f"{k} {v}" for k, v in step.timings.items())),
        ("tokens", ", ".join(f"{k} {v}" for k, v in step.tokens.items() if v is not None)),
    ]
    table = "".join(
        f"<tr><td>{escape(k)}</td><td>{escape(str(v))}</td></tr>" for k, v in rows if v not in ("", None)
    )
    thinking = step.thinking
    think_html = (f"<details><summary>model's thinking ({len(thinking)} chars)</summary>"
                  f"<pre>{escape(thinking)}</pre></details>") if thinking else ""
    raw = step.raw_reply
    raw_html = f"<details><summary>raw reply</summary><pre>{escape(raw)}</pre></details>" if raw else ""
    picture = f'<img alt="screen at step {step.step}" src="{img}">' if img else "<div></div>"
    title = f"Step {step.step}" + (f" · attempt {step.attempt}" if step.attempt > 1 else "")
    return (f'<section class="step">{picture}<div><h2>{escape(title)}</h2><table>{table}</table>'
            f"{think_html}{raw_html}</div></section>")


def _verify_html(run_dir: Path) -> str:
    """A verified replay's findings (verify.json): where the screen stopped matching the recording,
    with the recorded and live frames side by side, and how each step compared."""
    try:
        data = json.loads((run_dir / "verify.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return ""
    counts: dict[str, int] = {}
    for check in data.get("steps", []):
        counts[check.get("status", "?")] = counts.get(check.get("status", "?"), 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in counts.items()) or "no steps"
    head = (f"<h2>Verified replay</h2><p>{escape(summary)} · model calls "
            f"{escape(str(data.get('model_calls', 0)))}</p>")
    drift = data.get("drift")
    if not drift:
        return f'<section class="step" style="display:block">{head}</section>'
    then = "stopped" if drift.get("handed_to") == "stop" else f"handed over to {drift.get('handed_to')}"
    img = _data_url(run_dir / str(drift["image"])) if drift.get("image") else ""
    picture = (f'<img style="width:100%;max-width:900px" alt="recorded and live frames at step '
               f'{escape(str(drift.get("step")))}" src="{img}">') if img else ""
    return (f'<section class="step" style="display:block">{head}<p><b>The screen stopped matching '
            f"the recording at step {escape(str(drift.get('step')))}</b> ({then}): "
            f"{escape(str(drift.get('reason', '')))}</p><p>Left: recorded · right: now</p>"
            f"{picture}</section>")


def write_report(run_dir: str | Path) -> Path:
    run_dir = Path(run_dir)
    run = json.loads((run_dir / RUN_JSON).read_text(encoding="utf-8"))
    steps = read_trajectory(run_dir)
    device = run.get("device", {})
    device_name = device.get("spec", device) if isinstance(device, dict) else device
    meta = (f"device {escape(str(device_name))} · model {escape(str(run.get('model', '')))} · "
            f"{run.get('steps', len(steps))} steps · {run.get('seconds', '?')} s · started "
            f"{escape(str(run.get('started_at', '')))}")
    message = escape(run.get("message") or "")
    body = "".join(_step_html(run_dir, e) for e in steps) or "<p>No steps were recorded.</p>"
    body = _verify_html(run_dir) + body
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>qwen-agent run: {escape(run.get('goal', ''))}</title>"
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{_CSS}</style></head>'
        f"<body><header><h1>{escape(run.get('goal', ''))}</h1>"
        f"<div>{_badge(run.get('outcome', '?'), run.get('exit_code'))} {message}</div>"
        f'<div class="meta">{meta}</div></header><main>{body}</main></body></html>'
    )
    html = html.replace("<style>", f"<style>{_font_face(html)}", 1)
    return write_text_atomic(run_dir, "report.html", html)  # a full disk: one line, the old report
