"""Inline suppression: `<!-- editorial: ignore CODE[, CODE...] reason="..." -->`.

A suppression is an HTML comment block of its own (a blank line or a block boundary before it):

- `ignore` covers the next block: the paragraph, list item, code or comment that follows it; when a
  heading comes next, the whole section under that heading (sub-sections included).
- `ignore-file` covers the whole file, wherever it sits.

The reason is required (SP01, and the suppression then does nothing); a malformed directive or a
code that cannot be suppressed is SP03; a suppression that hides no finding is SP02. Front matter
(FM), suppression (SP) and medical-term (TM) findings cannot be suppressed. Error-level structure (ST),
disclaimer (DS) and safety (SF) findings cannot be suppressed by the writer either: the finding stays
and the suppression is itself an error, SP04 ("needs an editor's approval").

This module is the grammar and `apply_suppressions`; the SP rules are in `validators.rules.suppression`.
It imports no rule, so the rule registry can depend on it and not the other way round.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from validators.findings import Finding, Severity
from validators.models import Article, Block

UNSUPPRESSIBLE_FAMILIES = ("FM", "SP", "TM")

PROTECTED_ERROR_FAMILIES = ("ST", "DS", "SF")
"""Families whose error-level findings a writer cannot suppress: it needs an editor's approval (SP04)."""

NEEDS_APPROVAL_CODE = "SP04"
NEEDS_APPROVAL_NAME = "suppressed-error"
"""The finding `apply_suppressions` adds for such a suppression (the rule in `validators.rules.safety`)."""

UNUSED_CODE = "SP02"
UNUSED_NAME = "unused-suppression"
UNUSED_SEVERITY = Severity.WARNING
"""The finding `apply_suppressions` adds (the rule `validators.rules.suppression.UnusedSuppression`)."""

_DIRECTIVE = re.compile(r"\A<!--\s*editorial\s*:(?P<body>.*?)-->\s*\Z", re.DOTALL)
INLINE_DIRECTIVE = re.compile(r"<!--\s*editorial\s*:")
_BODY = re.compile(
    r"\A\s*(?P<verb>ignore-file|ignore)\s+"
    r"(?P<codes>[A-Za-z]{2}\d{2}(?:\s*,\s*[A-Za-z]{2}\d{2})*)"
    r"(?:\s+reason\s*=\s*(?:\"(?P<reason>[^\"]*)\"|“(?P<curly>[^”]*)”))?\s*\Z",
    re.DOTALL,
)


@dataclass(frozen=True)
class Suppression:
    """One parsed directive: what it hides, why, and the lines it covers (None: nothing follows)."""

    verb: str
    codes: tuple[str, ...]
    reason: str
    block: Block
    scope: tuple[int, int] | None

    def covers(self, finding: Finding) -> bool:
        """True when this suppression hides `finding`."""
        if finding.code not in self.codes or self.scope is None:
            return False
        first, last = self.scope
        return first <= finding.line <= last


@dataclass(frozen=True)
class Directive:
    """An `editorial:` comment, parsed (`suppression`) or not (`problem` says why)."""

    block: Block
    suppression: Suppression | None
    problem: str | None


def directives(article: Article) -> list[Directive]:
    """Every `<!-- editorial: ... -->` comment block of the article, parsed."""
    found: list[Directive] = []
    for block in article.blocks:
        if block.kind != "html":
            continue
        match = _DIRECTIVE.match(block.text.strip())
        if match is None:
            continue
        body = _BODY.match(match.group("body"))
        if body is None:
            problem = (
                "expected 'ignore CODE reason=\"...\"' or 'ignore-file CODE reason=\"...\"'"
                f", got '{' '.join(match.group('body').split())}'"
            )
            found.append(Directive(block, None, problem))
            continue
        codes = tuple(c.strip().upper() for c in body.group("codes").split(","))
        reason = (body.group("reason") or body.group("curly") or "").strip()
        verb = body.group("verb")
        scope = _file_scope(article) if verb == "ignore-file" else _next_scope(article, block)
        found.append(Directive(block, Suppression(verb, codes, reason, block, scope), None))
    return found


def comment_column(block: Block) -> int:
    """1-based column where a comment block's text starts (after its indentation)."""
    return len(block.text) - len(block.text.lstrip()) + 1


def _file_scope(article: Article) -> tuple[int, int]:
    return 1, article.text.count("\n") + 1


def _next_scope(article: Article, comment: Block) -> tuple[int, int] | None:
    """The lines of the block after `comment`, or of the section when a heading comes first."""
    next_block = next((b for b in article.blocks if b.offset > comment.offset), None)
    sections = article.sections
    for index, section in enumerate(sections):
        if section.heading is None or section.line <= comment.end_line:
            continue
        if next_block is not None and next_block.line < section.line:
            break
        later = [s.line for s in sections[index + 1 :] if s.heading is not None and s.level <= section.level]
        return section.line, (later[0] - 1 if later else article.text.count("\n") + 1)
    if next_block is None:
        return None
    return next_block.line, next_block.end_line


def apply_suppressions(
    article: Article, findings: Sequence[Finding], ran_codes: Iterable[str]
) -> list[Finding]:
    """`findings` minus the suppressed ones, plus SP02 for suppressions of codes that ran but hid nothing."""
    active = [
        d.suppression for d in directives(article) if d.suppression is not None and d.suppression.reason
    ]
    if not active:
        return list(findings)
    used: set[tuple[int, str]] = set()
    refused: dict[tuple[int, str], Suppression] = {}
    kept: list[Finding] = []
    for finding in findings:
        hiding = [
            s for s in active if not finding.code.startswith(UNSUPPRESSIBLE_FAMILIES) and s.covers(finding)
        ]
        for suppression in hiding:
            used.add((suppression.block.offset, finding.code))
        if hiding and _needs_approval(finding):
            for suppression in hiding:
                refused.setdefault((suppression.block.offset, finding.code), suppression)
            kept.append(finding)
        elif not hiding:
            kept.append(finding)
    kept.extend(_refused(article, suppression, code) for (_, code), suppression in refused.items())
    ran = set(ran_codes)
    for suppression in active:
        idle = [
            c
            for c in suppression.codes
            if c in ran
            and not c.startswith(UNSUPPRESSIBLE_FAMILIES)
            and (suppression.block.offset, c) not in used
        ]
        if idle:
            kept.append(_unused(article, suppression, idle))
    return kept


def _needs_approval(finding: Finding) -> bool:
    """True for a finding a writer's suppression cannot hide (an error of a protected family)."""
    return finding.severity is Severity.ERROR and finding.code.startswith(PROTECTED_ERROR_FAMILIES)


def _refused(article: Article, suppression: Suppression, code: str) -> Finding:
    """The SP04 finding for a writer's suppression of an error that needs an editor's approval."""
    return Finding(
        code=NEEDS_APPROVAL_CODE,
        rule=NEEDS_APPROVAL_NAME,
        severity=Severity.ERROR,
        message=f"{code} is an error a writer cannot suppress: it needs an editor's approval",
        path=article.path,
        line=suppression.block.line,
        column=comment_column(suppression.block),
        hint=f"fix what {code} reports; the comment hides nothing",
    )


def _unused(article: Article, suppression: Suppression, codes: Sequence[str]) -> Finding:
    """The SP02 finding for a suppression whose `codes` hid nothing."""
    where = "in this file" if suppression.verb == "ignore-file" else "in the block it covers"
    return Finding(
        code=UNUSED_CODE,
        rule=UNUSED_NAME,
        severity=UNUSED_SEVERITY,
        message=f"suppression of {', '.join(codes)} is unused: no such finding {where}",
        path=article.path,
        line=suppression.block.line,
        column=comment_column(suppression.block),
        hint="remove the comment (or the codes it no longer needs)",
    )
