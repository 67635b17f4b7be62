"""Suppression rules (SP): a reason is required, a suppression must hide something, directives are valid.

The grammar and `apply_suppressions` are in `validators.suppression`; SP02 is reported there (it
depends on the other rules' findings), this module registers it so its code is known and documented.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import ClassVar

from validators.findings import Finding, Severity
from validators.models import Article
from validators.rules.base import Rule
from validators.suppression import (
    INLINE_DIRECTIVE,
    UNSUPPRESSIBLE_FAMILIES,
    UNUSED_CODE,
    UNUSED_NAME,
    UNUSED_SEVERITY,
    comment_column,
    directives,
)
from validators.templates import Template


class MissingReason(Rule):
    code: ClassVar[str] = "SP01"
    name: ClassVar[str] = "suppression-without-reason"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = "A suppression gives no reason (it then suppresses nothing)."

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """Report suppressions whose `reason="..."` is absent or blank."""
        for directive in directives(article):
            if directive.suppression is not None and not directive.suppression.reason:
                yield self.finding(
                    article,
                    f"suppression of {', '.join(directive.suppression.codes)} gives no reason",
                    line=directive.block.line,
                    column=comment_column(directive.block),
                    hint='say why, e.g. <!-- editorial: ignore ST05 reason="approved by the desk" -->',
                )


class UnusedSuppression(Rule):
    code: ClassVar[str] = UNUSED_CODE
    name: ClassVar[str] = UNUSED_NAME
    severity: ClassVar[Severity] = UNUSED_SEVERITY
    description: ClassVar[str] = "A suppression hides no finding (found by `apply_suppressions`)."

    def check(self, article: Article, template: Template) -> Iterable[Finding]:
        """Nothing on its own: whether a suppression is used depends on the other rules' findings."""
        return ()


class MalformedSuppression(Rule):
    code: ClassVar[str] = "SP03"
    name: ClassVar[str] = "malformed-suppression"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = (
        "An `editorial:` comment is not a valid directive, or names a code that does not exist "
        "or cannot be suppressed."
    )

    def __init__(self, known: Callable[[], frozenset[str]]) -> None:
        self._known = known

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """Report unparsable directives and codes that are unknown or unsuppressible."""
        known = self._known()
        for block in article.blocks:
            inline = INLINE_DIRECTIVE.search(block.text) if block.kind == "paragraph" else None
            if inline is not None:
                line, column = article.position(block.offset + inline.start())
                yield self.finding(
                    article,
                    "an editorial comment inside a paragraph is ignored",
                    line=line,
                    column=column,
                    hint="put the comment on its own line, with a blank line before it",
                )
        for directive in directives(article):
            column = comment_column(directive.block)
            if directive.suppression is None:
                yield self.finding(
                    article,
                    f"malformed editorial comment: {directive.problem}",
                    line=directive.block.line,
                    column=column,
                    hint='write <!-- editorial: ignore CODE reason="why" -->',
                )
                continue
            for code in directive.suppression.codes:
                if code.startswith(UNSUPPRESSIBLE_FAMILIES):
                    message, hint = f"{code} cannot be suppressed", "fix the problem instead"
                elif code not in known:
                    message, hint = f"unknown rule code {code}", "run 'editorial check' to see the codes"
                else:
                    continue
                yield self.finding(article, message, line=directive.block.line, column=column, hint=hint)


def suppression_rules(known: Callable[[], frozenset[str]]) -> list[Rule]:
    """SP01-SP03; `known` gives the codes a suppression may name (the registry's, called at check time)."""
    return [MissingReason(), UnusedSuppression(), MalformedSuppression(known)]
