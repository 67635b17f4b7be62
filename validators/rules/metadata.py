"""Metadata rules (SL): slug, sources, keys owned by publishing, article type."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import PurePath
from typing import ClassVar

from validators.findings import Finding, Severity
from validators.frontmatter import PUBLISHING_KEYS
from validators.models import SLUG_RE, Article, FrontMatter
from validators.rules.base import Rule
from validators.rules.frontmatter import value_column
from validators.templates import Template


def _has_file_name(path: str) -> bool:
    return PurePath(path).suffix == ".md"


class SlugFileNameMismatch(Rule):
    code: ClassVar[str] = "SL01"
    name: ClassVar[str] = "slug-file-name"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = "The slug differs from the file name (`<slug>.md`)."

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """Compare the front matter slug with the file's stem (skipped for text without a .md path)."""
        slug = article.raw_front_matter.get("slug")
        if not isinstance(slug, str) or not slug.strip() or not _has_file_name(article.path):
            return
        stem = PurePath(article.path).stem
        if slug.strip() != stem:
            yield self.finding(
                article,
                f"slug '{slug.strip()}' does not match the file name '{PurePath(article.path).name}'",
                line=article.front_matter_lines.get("slug", 1),
                column=value_column(article, "slug"),
                hint=(
                    f"rename the file to '{slug.strip()}.md' or set 'slug: {stem}'"
                    if SLUG_RE.match(slug.strip())
                    else f"set 'slug: {suggest_slug(stem)}' and name the file after it"
                ),
            )


class UnsafeSlug(Rule):
    code: ClassVar[str] = "SL02"
    name: ClassVar[str] = "unsafe-slug"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = "The slug is not lower-case ASCII words and digits joined by single hyphens."

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """Flag a slug that is not safe as a file name, branch name and URL."""
        slug = article.raw_front_matter.get("slug")
        if not isinstance(slug, str) or not slug.strip() or SLUG_RE.match(slug.strip()):
            return
        yield self.finding(
            article,
            f"slug '{slug.strip()}' is not a safe slug",
            line=article.front_matter_lines.get("slug", 1),
            column=value_column(article, "slug"),
            hint=f"use lower-case letters, digits and single hyphens, e.g. '{suggest_slug(slug)}'",
        )


class NoSources(Rule):
    code: ClassVar[str] = "SL03"
    name: ClassVar[str] = "no-sources"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = "The front matter lists no sources."

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """Require at least one non-blank entry under `sources`."""
        sources = article.raw_front_matter.get("sources")
        if isinstance(sources, list) and any(isinstance(s, str) and s.strip() for s in sources):
            return
        if sources is not None and not isinstance(sources, list):
            return  # FM01 already says the value is not a list
        line = article.front_matter_lines.get("sources", article.front_matter_end_line)
        yield self.finding(
            article,
            "the article lists no sources",
            line=line,
            hint="add a 'sources:' list to the front matter: one '- citation or URL' per line",
        )


class PublishingKeySet(Rule):
    code: ClassVar[str] = "SL04"
    name: ClassVar[str] = "publishing-key"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = (
        "A writer set `reviewed_by` or `last_reviewed`, which only publishing writes."
    )

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """Flag each publishing-owned key present in a draft."""
        for key in PUBLISHING_KEYS:
            if key in article.raw_front_matter:
                yield self.finding(
                    article,
                    f"'{key}' is written by publishing, not by writers",
                    line=article.front_matter_lines.get(key, 1),
                    hint=f"remove the '{key}' line; publishing sets it after the clinical review",
                )


class UnknownType(Rule):
    code: ClassVar[str] = "SL05"
    name: ClassVar[str] = "unknown-type"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = (
        "The article `type` has no template (section and disclaimer rules are skipped)."
    )

    def __init__(self, known_types: Iterable[str] = ()) -> None:
        self.known_types = sorted(known_types)

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """Report an article whose type is not the type of the template it is checked against.

        `check_article` passes a neutral template (type '') when the article's type has none.
        """
        type_name = article_type(article)
        if type_name == template.type:
            return
        known = f"known types: {', '.join(self.known_types)}" if self.known_types else None
        yield self.finding(
            article,
            f"unknown article type '{type_name}'",
            line=article.front_matter_lines.get("type", 1),
            column=value_column(article, "type"),
            hint=known or "add a template for this type to the templates directory",
        )


def article_type(article: Article) -> str:
    """The article's `type` (the model default when the front matter does not say or is invalid)."""
    if article.front_matter is not None:
        return article.front_matter.type
    raw = article.raw_front_matter.get("type")
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    default = FrontMatter.model_fields["type"].default
    return str(default)


def suggest_slug(text: str) -> str:
    """A safe slug made from any text (for hints)."""
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words) or "my-article"


METADATA_RULES: list[Rule] = [
    SlugFileNameMismatch(),
    UnsafeSlug(),
    NoSources(),
    PublishingKeySet(),
    UnknownType(),
]
