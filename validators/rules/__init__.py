"""The rule registry: `ALL_RULES`, every rule `editorial check` runs, in a stable order.

Front matter (FM), structure (ST), disclaimers (DS), metadata (SL) and suppression (SP) rules live
next to this module; the prose rules (TY, CL, RD) in `validators.rules.prose`, and the slips of
copied text (TY06-TY12) in `validators.rules.prose_slips`.
"""

from __future__ import annotations

from functools import lru_cache

from validators.rules.base import Rule
from validators.rules.disclaimer import DISCLAIMER_RULES
from validators.rules.frontmatter import FRONT_MATTER_RULES
from validators.rules.metadata import METADATA_RULES
from validators.rules.prose import PROSE_RULES
from validators.rules.prose_slips import PROSE_SLIP_RULES
from validators.rules.safety import SAFETY_RULES
from validators.rules.structure import STRUCTURE_RULES
from validators.rules.suppression import suppression_rules


@lru_cache(maxsize=1)
def rule_codes() -> frozenset[str]:
    """The codes of every registered rule."""
    return frozenset(rule.code for rule in ALL_RULES)


ALL_RULES: list[Rule] = [
    *FRONT_MATTER_RULES,
    *STRUCTURE_RULES,
    *DISCLAIMER_RULES,
    *METADATA_RULES,
    *PROSE_RULES,
    *SAFETY_RULES,
    *PROSE_SLIP_RULES,
    *suppression_rules(known=rule_codes),
]

TEMPLATE_FAMILIES = ("ST", "DS")
"""Rule families that need the article's own template; skipped when its `type` has none (SL05)."""

EXTERNAL_CODES: dict[str, tuple[str, str, str]] = {
    "TM01": ("medical-term", "info", "A medical term a clinician reviews (added by the term flagger)."),
}
"""Codes `editorial check` reports that no rule in `ALL_RULES` makes: code -> (name, severity, meaning)."""


def rules_table_markdown() -> str:
    """The Markdown table of every code `editorial check` reports (docs/check.md embeds it)."""
    rows = ["| code | name | severity | meaning |", "|---|---|---|---|"]
    for rule in sorted(ALL_RULES, key=lambda r: r.code):
        rows.append(f"| {rule.code} | {rule.name} | {rule.severity.value} | {rule.description} |")
    for code, (name, severity, meaning) in sorted(EXTERNAL_CODES.items()):
        rows.append(f"| {code} | {name} | {severity} | {meaning} |")
    return "\n".join(rows) + "\n"


__all__ = ["ALL_RULES", "TEMPLATE_FAMILIES", "Rule", "rule_codes", "rules_table_markdown"]
