"""Run every rule on an article: the one entry point `editorial check` and the flows use."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from pathlib import Path

from validators.findings import Finding, sort_findings
from validators.models import Article
from validators.parser import parse_article
from validators.rules import ALL_RULES, TEMPLATE_FAMILIES, Rule
from validators.rules.metadata import UnknownType, article_type
from validators.suppression import apply_suppressions
from validators.templates import Template


def check_article(
    article: Article, templates: dict[str, Template], *, rules: Sequence[Rule] | None = None
) -> list[Finding]:
    """All rules on one parsed article, inline suppressions applied, sorted by (line, column, code).

    When the article's `type` has no template, SL05 says so and the section and disclaimer rules
    (which need the template) are skipped; the other rules run against a neutral template.
    """
    rules = ALL_RULES if rules is None else rules
    type_name = article_type(article)
    template = templates.get(type_name)
    findings: list[Finding] = []
    ran: list[str] = []
    if template is None:
        template = _neutral_template()
        rules = [
            UnknownType(templates) if isinstance(rule, UnknownType) else rule
            for rule in rules
            if not rule.code.startswith(TEMPLATE_FAMILIES)
        ]
    for rule in rules:
        findings.extend(_bounded(rule, rule.check(article, template), article))
        ran.append(rule.code)
    findings = apply_suppressions(article, findings, ran)
    return sort_findings(findings)


MAX_FINDINGS_PER_RULE = 100
"""A rule stops after this many findings in one file (and says so): bounded cost on hostile text."""


def _bounded(rule: Rule, found: Iterable[Finding], article: Article) -> list[Finding]:
    """At most `MAX_FINDINGS_PER_RULE` of `found` (a rule's lazy findings), plus one saying more were cut."""
    kept = list(islice(found, MAX_FINDINGS_PER_RULE + 1))
    if len(kept) <= MAX_FINDINGS_PER_RULE:
        return kept
    last = kept[MAX_FINDINGS_PER_RULE - 1]
    more = rule.finding(
        article,
        f"more {rule.code} findings not shown: this rule stops after {MAX_FINDINGS_PER_RULE} in a file",
        line=last.line,
        column=last.column,
        hint="fix these and check again",
        severity=last.severity,
    )
    return [*kept[:MAX_FINDINGS_PER_RULE], more]


def check_text(
    text: str, path: str | Path, templates: dict[str, Template], *, rules: Sequence[Rule] | None = None
) -> tuple[Article, list[Finding]]:
    """Parse `text` as the article at `path` and check it; raises `InputError` for unusable input."""
    article = parse_article(text, path)
    return article, check_article(article, templates, rules=rules)


def _neutral_template() -> Template:
    """A template with no sections or disclaimers (type ''), for articles whose type has none."""
    return Template.model_construct(
        type="",
        required_sections=[],
        optional_sections=[],
        disclaimers=[],
        reading_grade_max=Template.model_fields["reading_grade_max"].default,
    )
