"""`TargetCheck`: the sandbox's answer to a fooled model.

`SensitiveCheck` reads the model's own words (`element`, `text`, `app`), so a pop-up that names a
"Transfer money" button "Bluetooth" gets past it. This check reads the device's ground truth
(`StepContext.target`, from the device's optional `describe_target`): when what the action really
reaches is sensitive, a person must say yes, whatever the model believed it was tapping.
"""

from __future__ import annotations

from devices import DEVICE_KINDS
from policies.verdict import ALLOW, StepContext, Verdict


def _short(text: str | None, limit: int = 40) -> str:
    flat = " ".join(str(text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


class TargetCheck:
    """Confirm an action whose real target (as the device reports it) is sensitive."""

    name = "target"

    def check(self, ctx: StepContext) -> Verdict:
        target = ctx.target
        if target is None or not target.sensitive or ctx.action.kind not in DEVICE_KINDS:
            return ALLOW
        said = getattr(ctx.action, "element", None) or ctx.action.kind
        where = f' "{_short(target.label)}"' if target.label else ""
        return Verdict(
            "confirm",
            # Device text is data, not trusted to be one line: squeezed like the model's words.
            f"sensitive target: the element{where} really {_short(target.effect or target.role, 60)} "
            f'(the model called it "{_short(said)}")',
            self.name,
        )
