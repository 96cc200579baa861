"""The checks that judge what an action really does, not what the model calls it.

Every action is reviewed as its primitives, each just before it runs, against the device's own
truth on the screen as it is then (`StepContext.effect`, from `devices.base.KnowsEffects`):

- `EffectCheck`: the device says the primitive moves money, sends, deletes, uninstalls or puts
  text into a password field -> a person must say yes, whatever the model believed. Where the
  device knows only the element's own words (Android's UI tree), those words are read for
  sensitive keywords.
- `ModelWordsCheck`: where the device cannot tell what the first primitive does (a desktop, a
  WebView), the model's own words (`element`, `app`) are all there is, and they are read.
- `TextWordsCheck`: typed text counts by where it lands. Into a field the device knows (a note, a
  search box) its words are harmless — "buy stamps" in a note needs no yes; where the device
  cannot say where it lands, its words are read.
"""

from __future__ import annotations

from collections.abc import Iterable

from devices import DEVICE_KINDS
from devices.primitives import Text
from policies.keywords import KeywordMatcher, one_line
from policies.verdict import ALLOW, StepContext, Verdict


def _said(ctx: StepContext) -> str:
    return one_line(getattr(ctx.action, "element", None) or ctx.action.kind, 40)


class EffectCheck:
    """Confirm a primitive whose real effect (as the device reports it) is sensitive."""

    name = "target"
    per_primitive = True

    def __init__(self, keywords: Iterable[str]) -> None:
        self.matcher = KeywordMatcher(keywords)

    def check(self, ctx: StepContext) -> Verdict:
        effect = ctx.effect
        if effect is None or ctx.primitive is None:
            return ALLOW
        where = f' "{one_line(effect.label, 40)}"' if effect.label else ""
        if effect.sensitive:
            return Verdict("confirm", f"sensitive target: the element{where} really "
                           f"{one_line(effect.effect or effect.role)} (the model called it "
                           f'"{_said(ctx)}")', self.name)
        if not effect.known and effect.label:
            keyword = self.matcher.find(effect.label)
            if keyword is not None:
                return Verdict("confirm", f'sensitive: "{keyword}" in the real target'
                               f'{where} (the model called it "{_said(ctx)}")', self.name)
        return ALLOW


class ModelWordsCheck:
    """Ask a person before an action whose `element` or `app` mentions a sensitive keyword —
    unless the device knows what the action's first primitive really does (then that decides).

    Only kinds that act on the device are checked: `done`, `ask_user` and `wait` change nothing,
    and a final "Payment sent" report must not need a yes.
    """

    name = "sensitive"
    per_primitive = False
    FIELDS = ("element", "app")

    def __init__(self, keywords: Iterable[str]) -> None:
        self.matcher = KeywordMatcher(keywords)

    def check(self, ctx: StepContext) -> Verdict:
        if ctx.action.kind not in DEVICE_KINDS or (ctx.effect is not None and ctx.effect.known):
            return ALLOW
        for field in self.FIELDS:
            value = getattr(ctx.action, field, None)
            if isinstance(value, str) and value:
                keyword = self.matcher.find(value)
                if keyword is not None:
                    return Verdict("confirm", f'sensitive: "{keyword}" in {field} "{one_line(value)}"',
                                   self.name)
        return ALLOW


class TextWordsCheck:
    """Typed text whose destination the device cannot tell is read for sensitive keywords."""

    name = "sensitive"
    per_primitive = True

    def __init__(self, keywords: Iterable[str]) -> None:
        self.matcher = KeywordMatcher(keywords)

    def check(self, ctx: StepContext) -> Verdict:
        if not isinstance(ctx.primitive, Text) or ctx.effect is not None:
            return ALLOW
        keyword = self.matcher.find(ctx.primitive.text)
        if keyword is None:
            return ALLOW
        return Verdict("confirm", f'sensitive: "{keyword}" in text "{one_line(ctx.primitive.text)}"'
                       " (the device cannot say where it lands)", self.name)
