"""Text safety rules (SF): what a reader would see differently from what the desk reviews is an error.

Control characters (an ESC sequence can make a terminal show "400 mg" for "4000 mg"), bidi
overrides, words mixing Latin with Cyrillic or Greek look-alikes, zero-width characters and soft
hyphens inside words, raw HTML, code, HTML entities, link titles and multi-line headings are all
places where text is published but not read as text by the checks and the flagger. Each is an error,
so it blocks publishing. The house allows a safe subset of HTML tags and entities in
`validators/data/safety.yaml` (`SafetyConfig`). SF08 reports text over the cost limits of
`validators.limits`. SP04 (made by `validators.suppression.apply_suppressions`) reports a writer's
suppression of an error-level structure, disclaimer, front matter or safety finding.

Every SF rule is an error and none can be suppressed inline.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from validators.datafile import StrictModel, read_yaml_file, validate_document
from validators.findings import Finding, Severity
from validators.limits import scan
from validators.models import Article
from validators.rules.base import Rule
from validators.suppression import NEEDS_APPROVAL_CODE, NEEDS_APPROVAL_NAME
from validators.templates import Template
from validators.text import INVISIBLE

SAFETY_DATA = Path(__file__).resolve().parent.parent / "data" / "safety.yaml"


class SafetyConfig(StrictModel):
    """The safe subset the house allows (validators/data/safety.yaml)."""

    allowed_html_tags: list[str] = Field(
        default_factory=list, description="Bare tags allowed in articles (no attributes), e.g. sup."
    )
    allowed_entities: list[str] = Field(default_factory=list, description="Entities allowed, e.g. '&nbsp;'.")


@lru_cache(maxsize=4)
def load_safety_config(path: Path = SAFETY_DATA) -> SafetyConfig:
    """The shipped safe subset (read strictly; a mistake is a `ConfigError` naming the line)."""
    return validate_document(SafetyConfig, read_yaml_file(path), path)


@dataclass(frozen=True)
class Place:
    """A piece of published text: where it starts in `Article.text` and what it is."""

    offset: int
    text: str
    what: str  # "title", "alias", "heading", "paragraph", ...


def published_places(article: Article) -> Iterator[Place]:
    """The title and aliases (their front matter lines), every heading line and every body block."""
    for key in ("title", "aliases"):
        line = article.front_matter_lines.get(key)
        if line is not None:
            start = _line_offset(article.text, line)
            end = article.text.find("\n", start)
            yield Place(start, article.text[start : end if end >= 0 else len(article.text)], key)
            if key == "aliases":  # block-style list items below the key
                offset = end + 1
                while 0 < offset < len(article.text) and article.text[offset : offset + 1] in (" ", "-"):
                    stop = article.text.find("\n", offset)
                    stop = stop if stop >= 0 else len(article.text)
                    yield Place(offset, article.text[offset:stop], "alias")
                    offset = stop + 1
    for section in article.sections:
        if section.heading is not None:
            start = _line_offset(article.text, section.line)
            end = article.text.find("\n", start)
            yield Place(start, article.text[start : end if end >= 0 else len(article.text)], "heading")
        for block in section.blocks:
            yield Place(block.offset, block.text, block.kind)


def _line_offset(text: str, line: int) -> int:
    offset = 0
    for _ in range(line - 1):
        offset = text.index("\n", offset) + 1
    return offset


class _CharacterRule(Rule):
    """Report characters of one class anywhere in the file (front matter included), one finding a line."""

    severity: ClassVar[Severity] = Severity.ERROR
    pattern: ClassVar[re.Pattern[str]]
    hint: ClassVar[str]

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """One finding per line holding such a character, at its first one."""
        last_line = 0
        for match in self.pattern.finditer(article.text):
            line, column = article.position(match.start())
            if line == last_line or not self.applies(article.text, match):
                continue
            last_line = line
            yield self.finding(
                article, self.describe(match.group()), line=line, column=column, hint=self.hint
            )

    def applies(self, text: str, match: re.Match[str]) -> bool:
        """True when the match is a problem where it stands."""
        return True

    def describe(self, char: str) -> str:
        """The message for one offending character."""
        name = unicodedata.name(char, "")
        return f"{self.name.replace('-', ' ')} U+{ord(char):04X}{f' {name}' if name else ''}"


class ControlCharacter(_CharacterRule):
    code: ClassVar[str] = "SF01"
    name: ClassVar[str] = "control-character"
    description: ClassVar[str] = (
        "A control character (ESC, NUL, backspace...): it can make a terminal show other text."
    )
    pattern: ClassVar[re.Pattern[str]] = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
    hint: ClassVar[str] = "delete it; only line breaks and tabs are allowed"


class BidiControl(_CharacterRule):
    code: ClassVar[str] = "SF02"
    name: ClassVar[str] = "bidi-control"
    description: ClassVar[str] = (
        "A bidirectional override or mark: a browser shows the text in another order."
    )
    pattern: ClassVar[re.Pattern[str]] = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
    hint: ClassVar[str] = "delete it and type the text in reading order"


class InvisibleInWord(_CharacterRule):
    code: ClassVar[str] = "SF04"
    name: ClassVar[str] = "invisible-character"
    description: ClassVar[str] = (
        "A zero-width character or soft hyphen next to a letter: it hides a word from the checks."
    )
    pattern: ClassVar[re.Pattern[str]] = re.compile("[" + "".join(sorted(INVISIBLE)) + "]")
    hint: ClassVar[str] = "delete it (it is invisible: retype the word)"

    def applies(self, text: str, match: re.Match[str]) -> bool:
        """Only next to a letter or digit (a zero-width joiner inside an emoji is fine)."""
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        return before.isalnum() or after.isalnum()


_WORD_WITH_NON_ASCII = re.compile(r"\w*[^\x00-\x7f\W]\w*")
_LOOKALIKE_SCRIPTS = ("CYRILLIC", "GREEK")
_UNIT_PREFIX = re.compile(r"\A[\u03bc\u00b5][A-Za-z]{1,3}\Z")  # μg, μL, μmol


class MixedScript(Rule):
    code: ClassVar[str] = "SF03"
    name: ClassVar[str] = "mixed-script-word"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = (
        "A word mixes Latin letters with Cyrillic or Greek look-alikes ('аspirin' with a Cyrillic 'а')."
    )

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """A finding at each word whose letters come from Latin and a look-alike script."""
        for match in _WORD_WITH_NON_ASCII.finditer(article.text):
            word = match.group()
            if _UNIT_PREFIX.match(word):
                continue
            scripts = {unicodedata.name(c, "?").split(" ")[0] for c in word if c.isalpha()}
            lookalikes = sorted(scripts.intersection(_LOOKALIKE_SCRIPTS))
            if "LATIN" in scripts and lookalikes:
                line, column = article.position(match.start())
                yield self.finding(
                    article,
                    f"'{word}' mixes Latin with {' and '.join(s.title() for s in lookalikes)} letters",
                    line=line,
                    column=column,
                    hint="retype the word with Latin letters only",
                )


_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*)?)/?>|<\?|<![A-Za-z\[]")
_COMMENTS_ONLY = re.compile(r"\A(?:\s*<!--.*?-->)+\s*\Z", re.DOTALL)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)


class RawHtml(Rule):
    code: ClassVar[str] = "SF05"
    name: ClassVar[str] = "raw-html"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = (
        "Raw HTML in the title, an alias, a heading or the body (comments and the house's safe tags "
        "excepted)."
    )

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """A finding at each HTML block and each inline tag outside the safe subset."""
        allowed = {tag.casefold() for tag in load_safety_config().allowed_html_tags}
        for place in published_places(article):
            if place.what == "code":
                continue  # SF06
            if place.what == "html":
                if _COMMENTS_ONLY.match(place.text):
                    continue
                line, column = article.position(place.offset + len(place.text) - len(place.text.lstrip()))
                yield self.finding(
                    article,
                    "raw HTML block: it is published but not checked",
                    line=line,
                    column=column,
                    hint="write it as Markdown text",
                )
                continue
            text = _CODE_SPAN.sub(lambda m: " " * len(m.group()), place.text)
            for match in _TAG.finditer(text):
                tag = (match.group(1) or "").casefold()
                if tag in allowed and not (match.group(2) or "").strip():
                    continue
                line, column = article.position(place.offset + match.start())
                yield self.finding(
                    article,
                    f"raw HTML '{_short(match.group())}' in the {place.what}",
                    line=line,
                    column=column,
                    hint="write it as Markdown text"
                    + (f"; allowed tags: {', '.join(sorted(allowed))}" if allowed else ""),
                )


class Code(Rule):
    code: ClassVar[str] = "SF06"
    name: ClassVar[str] = "code"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = "A code block or inline code: published as-is, never read by the flagger."

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """A finding at each code block and each inline code span."""
        for place in published_places(article):
            if place.what == "code":
                line, column = article.position(place.offset + len(place.text) - len(place.text.lstrip()))
                yield self.finding(
                    article, "code block", line=line, column=column, hint="write it as plain prose or a list"
                )
                continue
            if place.what == "html":
                continue
            for match in _CODE_SPAN.finditer(place.text):
                line, column = article.position(place.offset + match.start())
                yield self.finding(
                    article,
                    f"inline code {_short(match.group())} in the {place.what}",
                    line=line,
                    column=column,
                    hint="remove the backticks",
                )


_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


class HtmlEntity(Rule):
    code: ClassVar[str] = "SF07"
    name: ClassVar[str] = "html-entity"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = (
        "An HTML entity ('aspi&#114;in'): the published text differs from the source."
    )

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """A finding at each entity that decodes to something, outside the house's allowed ones."""
        allowed = set(load_safety_config().allowed_entities)
        for place in published_places(article):
            if place.what in ("code", "html"):
                continue
            for match in _ENTITY.finditer(place.text):
                entity = match.group()
                decoded = html.unescape(entity)
                if entity in allowed or decoded == entity:
                    continue
                line, column = article.position(place.offset + match.start())
                yield self.finding(
                    article,
                    f"HTML entity '{entity}' (shown as '{decoded}') in the {place.what}",
                    line=line,
                    column=column,
                    hint=f"type the character itself: '{decoded}'",
                )


class PathologicalText(Rule):
    code: ClassVar[str] = "SF08"
    name: ClassVar[str] = "pathological-text"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = (
        "Text over the cost limits (a long run of symbols, a flood of Markdown symbols): "
        "blanked before parsing and flagging."
    )

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """One finding per place `validators.limits.scan` reports."""
        for excess in scan(article.text):
            yield self.finding(
                article, excess.message, line=excess.line, column=excess.column, hint=excess.hint
            )


_INLINE_TITLE = re.compile(r"\]\(\s*(?:<[^>\n]*>|[^\s()]*)\s+(\"[^\"]*\"|'[^']*'|\([^)]*\))\s*\)")
_REFERENCE = re.compile(
    r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S+(?:[ \t]+|[ \t]*\n[ \t]*)(\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\))[ \t]*$",
    re.MULTILINE,
)


class LinkTitle(Rule):
    code: ClassVar[str] = "SF09"
    name: ClassVar[str] = "link-title"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = (
        "A link or image title (a tooltip), inline or in a reference definition: published but unchecked."
    )

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """A finding at each link title, in blocks and in reference definitions."""
        body_start = _line_offset(article.text, article.front_matter_end_line + 1)
        found: set[int] = set()
        for match in _REFERENCE.finditer(article.text, body_start):
            found.add(match.start(1))
        for block in article.blocks:
            if block.kind == "paragraph":
                found.update(block.offset + m.start(1) for m in _INLINE_TITLE.finditer(block.text))
        for offset in sorted(found):
            line, column = article.position(offset)
            yield self.finding(
                article,
                "link title: tooltips are published but not reviewed",
                line=line,
                column=column,
                hint="remove the quoted title; put the words in the text",
            )


class MultiLineHeading(Rule):
    code: ClassVar[str] = "SF10"
    name: ClassVar[str] = "multi-line-heading"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = (
        "A heading written over several lines (setext): its later lines go unchecked."
    )

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """A finding at each heading whose text spans more than one line."""
        for section in article.sections:
            if section.heading is not None and "\n" in section.heading:
                yield self.finding(
                    article,
                    f"heading '{_short(section.heading.splitlines()[0])}...' spans "
                    f"{section.heading.count(chr(10)) + 1} lines",
                    line=section.line,
                    hint="write the heading on one line starting with '## '; the rest as a paragraph",
                )


class SuppressedError(Rule):
    code: ClassVar[str] = NEEDS_APPROVAL_CODE
    name: ClassVar[str] = NEEDS_APPROVAL_NAME
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = (
        "A writer's inline suppression of an error-level structure, disclaimer, front matter or safety "
        "finding: it needs an editor's approval and hides nothing (found by `apply_suppressions`)."
    )

    def check(self, article: Article, template: Template) -> Iterable[Finding]:
        """Nothing on its own: made where suppressions are applied."""
        return ()


def _short(text: str, limit: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


SAFETY_RULES: list[Rule] = [
    ControlCharacter(),
    BidiControl(),
    MixedScript(),
    InvisibleInWord(),
    RawHtml(),
    Code(),
    HtmlEntity(),
    PathologicalText(),
    LinkTitle(),
    MultiLineHeading(),
    SuppressedError(),
]

__all__ = ["SAFETY_RULES", "SafetyConfig", "load_safety_config", "published_places"]
