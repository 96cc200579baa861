"""Everyday apps: Messages (conversations, threads, Send), Notes (list, editor, Save), and a
placeholder for the other launcher apps."""

from __future__ import annotations

from devices.sim import fonts
from devices.sim.catalog import APP_BY_KEY, CONTACT_BY_KEY, CONTACTS, Contact
from devices.sim.chrome import WHITE
from devices.sim.screens.settings_main import finish
from devices.sim.ui import Ctx, Layout, Page, app_bar, icon_button, text
from devices.sim.widgets import Box, Field, Glyph, Intent, Rect, Slide, Text, Widget


def thread_items(ctx: Ctx, contact: Contact) -> list[tuple[bool, str]]:
    """The conversation: fixed history, then what was sent from this phone."""
    lang = ctx.lang
    items = [(incoming, zh if lang == "zh" else en) for incoming, en, zh in contact.history]
    name = contact.name(lang)
    items += [(False, m["text"]) for m in ctx.state.messages if m["to"] in (name, contact.en)]
    return items


def conversations(ctx: Ctx) -> Layout:
    th, t = ctx.theme, ctx.t
    search = icon_button(ctx, ctx.w - th.dp(60), ctx.top + th.dp(4), "search",
                         t("search_conversations"), Intent("noop"))
    bar, top = app_bar(ctx, t("messages"), large=False, back=False, actions=search)
    page = Page(ctx)
    page.gap(4)
    for c in CONTACTS:
        incoming, last = thread_items(ctx, c)[-1]
        sent_now = any(m["to"] in (c.name(ctx.lang), c.en) for m in ctx.state.messages)
        snippet = last if incoming else f"{'我' if ctx.lang == 'zh' else 'You'}: {last}"
        when = t("now") if sent_now else (c.time_zh if ctx.lang == "zh" else c.time_en)
        page.row(c.name(ctx.lang), snippet, avatar=c.name(ctx.lang)[:1], disc=c.color,
                 tap=Intent("nav", f"messages/{c.key}"), right=when)
    fab = _fab(ctx, "chat", t("start_chat"), Intent("noop"))
    return finish(ctx, bar, top, page, fab)


def _fab(ctx: Ctx, glyph: str, label: str, intent: Intent, extended: bool = True) -> list[Widget]:
    """Material 3 floating action button, bottom-right."""
    th = ctx.theme
    px = th.sp(15)
    h = th.dp(56)
    w = (th.dp(56) + round(fonts.width(label, px, True)) + th.dp(8)) if extended else h
    r = Rect(ctx.w - th.dp(16) - w, ctx.bottom - th.dp(16) - h, ctx.w - th.dp(16),
             ctx.bottom - th.dp(16))
    g = th.dp(24)
    cy = r.center[1]
    gx = r.x0 + th.dp(18) if extended else r.center[0] - g // 2
    out: list[Widget] = [Box(rect=r, fill="primary_container", radius=th.dp(16), label=label,
                             tap=intent, blocks=True),
                         Glyph(rect=Rect(gx, cy - g // 2, gx + g, cy + g // 2), name=glyph,
                               color="on_primary_container")]
    if extended:
        out.append(Text(rect=Rect(r.x0 + th.dp(52), r.y0, r.x1, r.y1), lines=(label,), px=px,
                        color="on_primary_container", bold=True))
    return out


def thread(ctx: Ctx, key: str) -> Layout:
    """One conversation: bubbles, then the composer (attach, text field, Send) at the bottom."""
    th, t = ctx.theme, ctx.t
    contact = CONTACT_BY_KEY[key]
    bar, top = app_bar(ctx, contact.name(ctx.lang), large=False)
    d = th.dp(36)
    ay = top - th.dp(64) + th.dp(14)
    bar.append(Glyph(rect=Rect(ctx.w - th.dp(60), ay, ctx.w - th.dp(60) + d, ay + d),
                     name="letter", letter=contact.name(ctx.lang)[:1], disc=contact.color,
                     color=WHITE))
    composer_h = th.dp(72)
    comp_top = ctx.bottom - composer_h
    page = Page(ctx)
    page.gap(12)
    max_w = round(ctx.w * 0.72)
    for incoming, body in thread_items(ctx, contact):
        msg = text(ctx, 0, 0, body, 16, max_w=max_w - th.dp(32), wrap=12,
                   color="on_surface" if incoming else "on_primary_container")
        lw = max(fonts.width(line, msg.px, msg.bold) for line in msg.lines)
        bw, bh = round(lw) + th.dp(32), msg.rect.height + th.dp(20)
        x0 = th.dp(16) if incoming else ctx.w - th.dp(16) - bw
        bubble = Rect(x0, page.y, x0 + bw, page.y + bh)
        page.add(Box(rect=bubble, fill="surface_high" if incoming else "primary_container",
                     radius=th.dp(20)),
                 Text(rect=Rect(x0 + th.dp(16), page.y + th.dp(10), x0 + bw, page.y + bh),
                      lines=msg.lines, px=msg.px, color=msg.color, bold=msg.bold, line_h=msg.line_h))
        page.y = bubble.y1 + th.dp(8)
    field_id = f"messages/{key}:compose"
    st = ctx.state
    composer: list[Widget] = [Box(rect=Rect(0, comp_top, ctx.w, ctx.bottom), fill="bg", blocks=True)]
    composer += icon_button(ctx, th.dp(4), comp_top + th.dp(8), "plus", t("attach"), Intent("noop"),
                            color="primary")
    fr = Rect(th.dp(60), comp_top + th.dp(10), ctx.w - th.dp(72), ctx.bottom - th.dp(10))
    composer.append(Field(rect=fr, label=t("text_message"), tap=Intent("focus", field_id),
                          field_id=field_id, text=st.drafts.get(field_id, ""),
                          hint=t("text_message"), focused=st.focused_field == field_id,
                          px=th.sp(16), radius=fr.height // 2))
    composer += icon_button(ctx, ctx.w - th.dp(64), comp_top + th.dp(8), "send", t("send"),
                            Intent("send", field_id), color="on_primary", disc="primary")
    # A thread opens at its newest message.
    return finish(ctx, bar, top, page, composer, bottom=comp_top, start_at_end=True)


def notes(ctx: Ctx) -> Layout:
    th, t = ctx.theme, ctx.t
    bar, top = app_bar(ctx, t("notes"), large=False, back=False)
    page = Page(ctx)
    page.gap(4)
    pill = Rect(th.dp(16), page.y, ctx.w - th.dp(16), page.y + th.dp(52))
    page.add(Box(rect=pill, fill="surface_high", radius=pill.height // 2),
             Glyph(rect=Rect(pill.x0 + th.dp(18), pill.center[1] - th.dp(12), pill.x0 + th.dp(42),
                             pill.center[1] + th.dp(12)), name="search"),
             Text(rect=Rect(pill.x0 + th.dp(58), pill.y0, pill.x1, pill.y1),
                  lines=(t("search_notes"),), px=th.sp(16), color="on_surface_variant"))
    page.y = pill.y1 + th.dp(16)
    if not ctx.state.notes:
        page.gap(120)
        page.add(text(ctx, ctx.w // 2, page.y, t("no_notes"), 16, align="center",
                      color="on_surface_variant", max_w=ctx.w - th.dp(48)))
    for i, note in enumerate(ctx.state.notes):
        body = text(ctx, th.dp(36), page.y + th.dp(16), note, 16, wrap=6, max_w=ctx.w - th.dp(72))
        card = Rect(th.dp(16), page.y, ctx.w - th.dp(16), body.rect.y1 + th.dp(16))
        # Swipe a card sideways to delete the note, as in Keep; a vertical drag still scrolls.
        swipe = Slide(Intent("delete_note", i), distance=round(card.width * 0.4), both_ways=True)
        page.add(Box(rect=card, fill="surface", radius=th.dp(16), outline="outline_variant",
                     outline_width=th.dp(1), slide=swipe), body)
        page.y = card.y1 + th.dp(10)
    fab = _fab(ctx, "plus", t("new_note"), Intent("nav", "notes/new"))
    return finish(ctx, bar, top, page, fab)


NOTE_FIELD = "notes/new:body"


def note_editor(ctx: Ctx) -> Layout:
    th, t = ctx.theme, ctx.t
    px = th.sp(14)
    label = t("save")
    w = round(fonts.width(label, px, True)) + th.dp(32)
    save_r = Rect(ctx.w - th.dp(12) - w, ctx.top + th.dp(12), ctx.w - th.dp(12), ctx.top + th.dp(52))
    save = [Box(rect=save_r, label=label, tap=Intent("save_note", NOTE_FIELD), fill="primary",
                radius=save_r.height // 2),
            Text(rect=save_r, lines=(label,), px=px, color="on_primary", bold=True, align="center")]
    bar, top = app_bar(ctx, t("new_note"), large=False, actions=save)
    st = ctx.state
    field = Field(rect=Rect(th.dp(12), top + th.dp(8), ctx.w - th.dp(12), ctx.bottom - th.dp(12)),
                  label=t("note_hint"), tap=Intent("focus", NOTE_FIELD), field_id=NOTE_FIELD,
                  text=st.drafts.get(NOTE_FIELD, ""), hint=t("note_hint"),
                  focused=st.focused_field == NOTE_FIELD, px=th.sp(18), multiline=True,
                  fill="bg")
    return Layout(tuple([field, *bar]))


def placeholder(ctx: Ctx, key: str) -> Layout:
    """Apps the simulated phone does not model open to a plain, honest screen."""
    th = ctx.theme
    app = APP_BY_KEY[key]
    name = app.name(ctx.lang)
    bar, top = app_bar(ctx, name, large=False)
    d = th.dp(96)
    cx, cy = ctx.w // 2, (top + ctx.bottom) // 2 - th.dp(60)
    out: list[Widget] = [Glyph(rect=Rect(cx - d // 2, cy - d // 2, cx + d // 2, cy + d // 2),
                               name=app.glyph, disc=app.color, color=WHITE, letter=name[:1])]
    out.append(text(ctx, cx, cy + d // 2 + th.dp(20), name, 24, align="center",
                    max_w=ctx.w - th.dp(48)))
    out.append(text(ctx, cx, out[-1].rect.y1 + th.dp(8), ctx.t("app_empty"), 16, align="center",
                    color="on_surface_variant", max_w=ctx.w - th.dp(48)))
    return Layout(tuple([*out, *bar]))
