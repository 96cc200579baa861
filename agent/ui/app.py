"""The page: large print, high contrast, English/Chinese, built with Gradio around a `UISession`.

Sizes and colours are set with CSS variables and a few rules so that body text is at least 22 px,
buttons are big targets (at least 64 px tall) and text meets WCAG AA contrast (dark on white,
white on dark blue). Everything the page does goes through `UISession` / `where_to_tap`.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import gradio as gr
from PIL import Image

from actions import pixels_to_grid
from agent.assist.recorded import NO_MODEL
from agent.ui.controller import NO, REPEAT, STOP, YES, UISession, past_runs, where_to_tap
from agent.ui.texts import LANG_CHOICES, t

CSS = """
:root, .dark {
  --body-text-size: 22px; --text-md: 22px; --text-lg: 26px; --text-xl: 30px; --text-sm: 20px;
  --text-xs: 20px; --block-label-text-size: 20px; --block-title-text-size: 22px;
  --body-text-color: #111111; --body-text-color-subdued: #333333; --block-label-text-color: #111111;
  --block-info-text-color: #333333; --input-placeholder-color: #555555;
  --body-background-fill: #ffffff; --background-fill-primary: #ffffff;
  --button-large-text-size: 26px; --button-large-padding: 18px 28px; --button-large-radius: 14px;
  --button-primary-background-fill: #0b3d91; --button-primary-background-fill-hover: #082c69;
  --button-primary-text-color: #ffffff; --button-secondary-background-fill: #f0f0f0;
  --button-secondary-text-color: #111111; --button-secondary-border-color: #111111;
  --button-cancel-background-fill: #a30016; --button-cancel-text-color: #ffffff;
  --link-text-color: #0b3d91; --link-text-color-visited: #551a8b;
  --color-accent: #0b3d91; --color-accent-soft: #dbe6fb; --border-color-accent: #0b3d91;
}
body, .gradio-container { font-size: 22px !important; color: #111111; background: #ffffff; }
.gradio-container button { min-height: 64px; font-size: 26px !important; font-weight: 700; }
.gradio-container textarea, .gradio-container input { font-size: 24px !important; }
#instruction { font-size: 34px; line-height: 1.35; font-weight: 700; color: #111111;
  background: #fff6bf; border: 4px solid #111111; border-radius: 14px; padding: 18px 22px; }
#screen img { max-height: 78vh; object-fit: contain; }
#no-model { font-size: 24px; line-height: 1.4; color: #111111; background: #e8f0fe;
  border: 3px solid #0b3d91; border-radius: 14px; padding: 14px 20px; }
#runs a { font-size: 22px; color: #0b3d91; text-decoration: underline; }
#listen, #listen * { color: #111111 !important; }
#listen .playback { display: none !important; }  /* a speed menu is one control too many */
footer { display: none !important; }
"""


# Two gaps in Gradio's markup that axe reports: the empty image placeholder has an aria-label on a
# role-less <div> (ignored by screen readers), and a clickable image is a <button> with no name.
HEAD = """<script>
new MutationObserver(() => {
  document.querySelectorAll('div[aria-label]:not([role])').forEach(d => d.setAttribute('role', 'img'));
  document.querySelectorAll('button:not([aria-label])').forEach(b => {
    const img = b.querySelector('img');
    if (img && !b.innerText.trim()) {
      const label = b.closest('[id]')?.querySelector('[data-testid="block-label"]')?.innerText;
      b.setAttribute('aria-label', label || img.alt || 'screen');
    }
  });
}).observe(document.documentElement, {subtree: true, childList: true});
</script>"""


def _instruction_html(text: str, lang: str) -> str:
    return f'<div id="instruction" lang="{"zh" if lang == "zh" else "en"}" role="status" aria-live="polite">{html.escape(text)}</div>'


def _banner_html(lang: str) -> str:
    """Shown while no model is connected: what the page can still do, and how to connect one."""
    return f'<div id="no-model" role="note" lang="{"zh" if lang == "zh" else "en"}">{html.escape(NO_MODEL[lang])}</div>'


def _runs_html(runs_dir: str, lang: str) -> str:
    runs = past_runs(runs_dir)
    if not runs:
        return f'<div id="runs"><p>{html.escape(t(lang, "no_runs"))}</p></div>'
    items = "".join(
        f'<li><a href="/gradio_api/file={html.escape(r["report"])}" target="_blank" rel="noopener">'
        f'{html.escape(r["goal"])}</a> — {html.escape(r["outcome"])} ({html.escape(r["name"][:15])})</li>'
        for r in runs)
    return f'<div id="runs"><ul>{items}</ul></div>'


def build(session: UISession, lang: str = "en", upload_model: Any = None) -> gr.Blocks:
    """The Blocks app. `upload_model()` gives the model for the screenshot mode (a fresh replay,
    or the one loaded model)."""
    upload_model = upload_model or session.model_factory
    no_model = session.model_factory is None
    with gr.Blocks(title=t(lang, "title"), analytics_enabled=False) as app:
        lang_state = gr.State(lang)
        seen = gr.State(-1)
        with gr.Row():
            title = gr.Markdown(f"# {t(lang, 'title')}\n{t(lang, 'intro')}")
            language = gr.Radio(LANG_CHOICES, value=lang, label=t(lang, "language"), elem_id="language")
        banner = gr.HTML(_banner_html(lang), visible=no_model)
        with gr.Tabs():
            with gr.Tab(t(lang, "guide_tab"), id="guide") as guide_tab:
                recorded = gr.Radio([task.goal for task in session.recorded], label=t(lang, "recorded"),
                                    elem_id="recorded", visible=no_model)
                with gr.Row():
                    goal = gr.Textbox(label=t(lang, "goal"), placeholder=t(lang, "goal_hint"),
                                      elem_id="goal", scale=4, lines=1)
                    start = gr.Button(t(lang, "start"), variant="primary", elem_id="start", scale=1)
                recorded.change(lambda picked: picked or gr.skip(), recorded, goal)
                with gr.Row():
                    with gr.Column(scale=3):
                        screen = gr.Image(label=t(lang, "screen"), type="pil", interactive=False,
                                          elem_id="screen", height=720)
                    with gr.Column(scale=2):
                        instruction = gr.HTML(_instruction_html(t(lang, "waiting"), lang))
                        audio = gr.Audio(label=t(lang, "listen"), type="filepath", interactive=False,
                                         elem_id="listen", autoplay=True)
                        do = gr.Button(t(lang, "do"), variant="primary", elem_id="do")
                        repeat = gr.Button(t(lang, "repeat"), variant="secondary", elem_id="repeat")
                        stop = gr.Button(t(lang, "stop"), variant="stop", elem_id="stop")
                        with gr.Row():
                            yes = gr.Button(t(lang, "yes"), variant="primary", elem_id="yes", visible=False)
                            no = gr.Button(t(lang, "no"), variant="stop", elem_id="no", visible=False)
                with gr.Accordion(t(lang, "thinking"), open=False, elem_id="thinking-panel") as thinking_panel:
                    thinking = gr.Textbox(show_label=False, lines=8, max_lines=20, interactive=False,
                                          elem_id="thinking")
            with gr.Tab(t(lang, "upload_tab"), id="upload") as upload_tab, gr.Row():
                with gr.Column():
                    upload = gr.Image(label=t(lang, "upload"), type="pil", sources=["upload", "clipboard"],
                                      elem_id="upload", height=560)
                    question = gr.Textbox(label=t(lang, "question"), placeholder=t(lang, "goal_hint"),
                                          elem_id="question")
                    ask = gr.Button(t(lang, "ask"), variant="primary", elem_id="ask")
                with gr.Column():
                    answer_image = gr.Image(label=t(lang, "screen"), type="pil", interactive=False,
                                            elem_id="answer-image", height=560)
                    answer = gr.HTML(_instruction_html("", lang).replace('id="instruction"', 'id="answer"'))
                    answer_thinking = gr.Textbox(label=t(lang, "thinking"), lines=4, interactive=False)
            with gr.Tab(t(lang, "runs_tab"), id="runs") as runs_tab:
                refresh = gr.Button(t(lang, "refresh"), variant="secondary", elem_id="refresh")
                runs = gr.HTML(_runs_html(session.settings.runs_dir, lang))
        timer = gr.Timer(0.5)

        def on_start(text: str, lang: str) -> Any:
            session.start(text, lang)
            return _instruction_html(t(lang, "busy"), lang)

        start.click(on_start, [goal, lang_state], instruction)
        goal.submit(on_start, [goal, lang_state], instruction)
        do.click(lambda: session.choose("do"))
        repeat.click(lambda: session.choose(REPEAT))
        stop.click(lambda: session.choose(STOP))
        yes.click(lambda: session.choose(YES))
        no.click(lambda: session.choose(NO))

        def on_tap(evt: gr.SelectData) -> None:
            # The simulated phone on the page is touched by clicking its picture.
            image = session.snapshot().image
            if image is not None and evt.index is not None:
                session.tap(pixels_to_grid(tuple(evt.index), image.size))

        screen.select(on_tap)

        def tick(version: int, lang: str) -> Any:
            snap = session.snapshot()
            if snap.version == version:
                return [gr.skip()] * 8
            confirm = snap.status == "confirm"
            text = snap.text or (t(lang, "busy") if snap.status == "running" else t(lang, "waiting"))
            return [snap.version, snap.image, _instruction_html(text, lang), snap.audio, snap.thinking,
                    gr.update(visible=confirm), gr.update(visible=confirm),
                    gr.update(interactive=snap.status == "running")]

        timer.tick(tick, [seen, lang_state], [seen, screen, instruction, audio, thinking, yes, no, do])

        def on_ask(image: Image.Image | None, text: str, lang: str) -> Any:
            if upload_model is None:
                return None, _instruction_html(NO_MODEL[lang], lang).replace('id="instruction"', 'id="answer"'), ""
            if image is None:
                return None, _instruction_html(t(lang, "need_image"), lang).replace('id="instruction"', 'id="answer"'), ""
            try:
                marked, words, thought = where_to_tap(upload_model(), image, text or t(lang, "goal_hint"), lang)
            except Exception as err:  # a bad reply or no model: said on the page, not a crash
                return None, _instruction_html(str(err), lang).replace('id="instruction"', 'id="answer"'), ""
            return marked, _instruction_html(words, lang).replace('id="instruction"', 'id="answer"'), thought

        ask.click(on_ask, [upload, question, lang_state], [answer_image, answer, answer_thinking])
        refresh.click(lambda lang: _runs_html(session.settings.runs_dir, lang), lang_state, runs)
        runs_tab.select(lambda lang: _runs_html(session.settings.runs_dir, lang), lang_state, runs)

        def on_language(new: str) -> Any:
            return [new, -1, f"# {t(new, 'title')}\n{t(new, 'intro')}",
                    gr.update(label=t(new, "language")),
                    gr.update(label=t(new, "goal"), placeholder=t(new, "goal_hint")),
                    gr.update(value=t(new, "start")), gr.update(label=t(new, "screen")),
                    gr.update(label=t(new, "listen")), gr.update(value=t(new, "do")),
                    gr.update(value=t(new, "repeat")), gr.update(value=t(new, "stop")),
                    gr.update(value=t(new, "yes")), gr.update(value=t(new, "no")),
                    gr.update(label=t(new, "thinking")), gr.update(label=t(new, "guide_tab")),
                    gr.update(label=t(new, "upload_tab")), gr.update(label=t(new, "upload")),
                    gr.update(label=t(new, "question")), gr.update(value=t(new, "ask")),
                    gr.update(label=t(new, "runs_tab")), gr.update(value=t(new, "refresh")),
                    _banner_html(new), gr.update(label=t(new, "recorded"))]

        language.change(on_language, language, [
            lang_state, seen, title, language, goal, start, screen, audio, do, repeat, stop, yes, no,
            thinking_panel, guide_tab, upload_tab, upload, question, ask, runs_tab, refresh,
            banner, recorded])
    return app


def _cjk_fonts() -> tuple[str, list[str]]:
    """@font-face rules for the Noto Sans CJK files the simulated phone already ships (a wheel),
    so Chinese reads on a machine with no CJK system font; only CJK characters use them."""
    try:
        from devices.sim.fonts import font_path

        files = {400: font_path(False), 700: font_path(True)}
    except Exception:  # the font wheel is missing: the browser's own fonts it is
        return "", []
    rules = "".join(
        f'@font-face {{ font-family: "QA CJK"; font-weight: {weight}; font-display: swap; '
        f'src: url("/gradio_api/file={path}"); unicode-range: U+3000-30FF, U+3400-9FFF, U+F900-FAFF, U+FF00-FFEF; }}\n'
        for weight, path in files.items())
    rules += ('.gradio-container, .gradio-container * { font-family: var(--font), "QA CJK", sans-serif; }\n'
              '#instruction, #answer { font-family: var(--font), "QA CJK", sans-serif; }\n')
    return rules, [str(p) for p in files.values()]


def launch(app: gr.Blocks, runs_dir: str, host: str, port: int, block: bool = True) -> Any:
    Path(runs_dir).mkdir(parents=True, exist_ok=True)
    fonts_css, font_files = _cjk_fonts()
    return app.launch(server_name=host, server_port=port, css=fonts_css + CSS, theme=gr.themes.Default(),
                      allowed_paths=[str(Path(runs_dir).resolve()), *font_files], prevent_thread_lock=not block,
                      quiet=True, footer_links=[], show_error=True, head=HEAD)
