"""Sandbox policies: limits, checks and confirmations around every action, independent of the
model. `load_policy()` reads the settings (defaults in `policies/default.yaml`), `Sandbox` applies
them; see `policies/sandbox.py` for how the agent loop calls it.
"""

from policies.checks import (
    ConfidenceCheck,
    ConfirmKindsCheck,
    KeywordMatcher,
    KillSwitchCheck,
    KindCheck,
    LoopCheck,
    OnScreenCheck,
    SensitiveCheck,
    default_checks,
)
from policies.config import PolicyConfig, load_policy
from policies.confirm import AutoConfirm, Confirmer, ScriptedConfirmer, TerminalConfirmer
from policies.sandbox import Sandbox
from policies.verdict import ALLOW, Check, Decision, StepContext, Verdict

__all__ = [
    "ALLOW", "AutoConfirm", "Check", "ConfidenceCheck", "ConfirmKindsCheck", "Confirmer",
    "Decision", "KeywordMatcher", "KillSwitchCheck", "KindCheck", "LoopCheck", "OnScreenCheck",
    "PolicyConfig", "Sandbox", "ScriptedConfirmer", "SensitiveCheck", "StepContext",
    "TerminalConfirmer", "Verdict", "default_checks", "load_policy",
]
