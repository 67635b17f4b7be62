"""Front matter rules (FM).

FM01-FM04 are found while parsing (`validators.parser`): their rules hand those findings on, so the
registry names every code. FM05 and FM06 look at values that parse but are still wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import ClassVar

from validators.findings import Finding, Severity
from validators.models import Article
from validators.rules.base import Rule
from validators.templates import Template
from validators.text import normalize_key


class ParserRule(Rule):
    """A rule whose findings the parser produced (they need the raw YAML, so they are made there)."""

    def check(self, article: Article, template: Template) -> Iterable[Finding]:
        """The parse findings with this rule's code."""
        return [f for f in article.parse_findings if f.code == self.code]


class InvalidValue(ParserRule):
    code: ClassVar[str] = "FM01"
    name: ClassVar[str] = "invalid-value"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = "A front matter value has the wrong type or is out of bounds."


class UnknownKey(ParserRule):
    code: ClassVar[str] = "FM02"
    name: ClassVar[str] = "unknown-key"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = "The front matter has a key the article format does not know."


class MissingKey(ParserRule):
    code: ClassVar[str] = "FM03"
    name: ClassVar[str] = "missing-key"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = "A required front matter key (title, slug, author) is missing."


class DuplicateKey(ParserRule):
    code: ClassVar[str] = "FM04"
    name: ClassVar[str] = "duplicate-key"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = "A front matter key is given twice (YAML would keep only the last)."


class PublishAfterWithoutTimezone(Rule):
    code: ClassVar[str] = "FM05"
    name: ClassVar[str] = "publish-after-timezone"
    severity: ClassVar[Severity] = Severity.WARNING
    description: ClassVar[str] = "`publish_after` has no time zone, so it is read as UTC."

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """Flag a `publish_after` written without a UTC offset (the model then assumes UTC)."""
        if article.front_matter is None or article.front_matter.publish_after is None:
            return
        raw = article.raw_front_matter.get("publish_after")
        written = raw.isoformat() if isinstance(raw, date) else str(raw)
        if not _is_naive(raw):
            return
        yield self.finding(
            article,
            f"publish_after '{written}' has no time zone: it is read as UTC",
            line=article.front_matter_lines.get("publish_after", 1),
            column=value_column(article, "publish_after"),
            hint="add the offset, e.g. 2026-12-01T09:00:00Z or 2026-12-01T09:00:00+01:00",
        )


def _is_naive(raw: object) -> bool:
    """True when a raw YAML `publish_after` value names no time zone."""
    if isinstance(raw, datetime):
        return raw.tzinfo is None
    if isinstance(raw, date):
        return True
    if isinstance(raw, str):
        try:
            return datetime.fromisoformat(raw.strip().replace("Z", "+00:00")).tzinfo is None
        except ValueError:
            return False
    return False


class DuplicateListEntry(Rule):
    code: ClassVar[str] = "FM06"
    name: ClassVar[str] = "duplicate-entry"
    severity: ClassVar[Severity] = Severity.WARNING
    description: ClassVar[str] = "`aliases` or `sources` lists the same entry twice."

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """Flag repeated entries (compared case- and white-space-insensitively) in list keys."""
        fm = article.front_matter
        if fm is None:
            return
        for key, values in (("aliases", fm.aliases), ("sources", fm.sources)):
            seen: set[str] = set()
            for index, value in enumerate(values):
                normalized = normalize_key(value)
                if normalized in seen:
                    yield self.finding(
                        article,
                        f"{key} lists '{value}' twice",
                        line=list_item_line(article, key, index),
                        column=1,
                        hint=f"remove the repeated entry from '{key}'",
                    )
                seen.add(normalized)


def value_column(article: Article, key: str) -> int:
    """1-based column where the value of a top-level front matter key starts (1 when unknown)."""
    line = article.front_matter_lines.get(key)
    if line is None:
        return 1
    text = article.text.splitlines()[line - 1]
    _, colon, rest = text.partition(":")
    if not colon:
        return 1
    return len(text) - len(rest.lstrip()) + 1 if rest.strip() else len(text) - len(rest) + 1


def list_item_line(article: Article, key: str, index: int) -> int:
    """The line of the `index`-th block-style item of a front matter list (the key's line if inline)."""
    start = article.front_matter_lines.get(key, 1)
    lines = article.text.splitlines()
    seen = -1
    for number in range(start + 1, article.front_matter_end_line):
        stripped = lines[number - 1].strip()
        if stripped.startswith("- ") or stripped == "-":
            seen += 1
            if seen == index:
                return number
        elif stripped and not lines[number - 1][:1].isspace():
            break
    return start


FRONT_MATTER_RULES: list[Rule] = [
    InvalidValue(),
    UnknownKey(),
    MissingKey(),
    DuplicateKey(),
    PublishAfterWithoutTimezone(),
    DuplicateListEntry(),
]
