"""The rule protocol: one rule = one small unit with a stable code, a name, a severity and a hint.

A rule returns findings; it never raises for a content problem.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import ClassVar

from validators.findings import Finding, Severity
from validators.models import Article
from validators.templates import Template


class Rule(ABC):
    """Base of every rule. Subclasses set the class attributes and implement `check`."""

    code: ClassVar[str]  # e.g. "ST01": two letters for the family, two digits
    name: ClassVar[str]  # e.g. "missing-section"
    severity: ClassVar[Severity]
    description: ClassVar[str]

    @abstractmethod
    def check(self, article: Article, template: Template) -> Iterable[Finding]:
        """Yield the findings of this rule on one article."""

    def finding(
        self,
        article: Article,
        message: str,
        *,
        line: int,
        column: int = 1,
        hint: str | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of this rule at a place in the article."""
        return Finding(
            code=self.code,
            rule=self.name,
            severity=severity or self.severity,
            message=message,
            path=article.path,
            line=line,
            column=column,
            hint=hint,
        )
