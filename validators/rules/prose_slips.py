"""Prose slips typical of text copied from web pages (TY06-TY12), all warnings.

| code | name | slip |
|---|---|---|
| TY06 | merged-words | two words run together, their dash or space lost ("symptomsthe", "lifethreatening") |
| TY07 | missing-apostrophe | a contraction or possessive without its apostrophe ("doesnt", "babys") |
| TY08 | footnote-digits | a footnote number glued to a word or its full stop ("children.1 Signs") |
| TY09 | missing-space | no space after a full stop ("disease.The") |
| TY10 | heading-run-in | a heading run into its sentence ("Radiation therapy Radiation therapy is ...") |
| TY11 | duplicated-text | a sentence or paragraph said twice |
| TY12 | import-leftover | the site's text or HTML as text left in ("Share this page", "&nbsp;") |

Like the other prose rules they read the prose view of paragraphs and list items (headings, code
and HTML comments are never read), so each finding lands on the exact line and column. Raw HTML in
the body is another rule's business (an error); TY12 reports what an import left behind as text.
Words live in `prose_slips.yaml` next to this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from validators.errors import ConfigError
from validators.findings import Finding, Severity
from validators.models import Article
from validators.readability import split_sentences
from validators.rules.base import Rule
from validators.rules.prose import MASK, ProseBlock, _position, _quote, prose_blocks, run_in_headings
from validators.templates import Template
from validators.text import normalize_key

SLIPS_DATA = Path(__file__).with_name("prose_slips.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MergedWordTerms(_Strict):
    joining_words: list[str]
    min_head: int = Field(ge=1)
    min_head_short_joiner: int = Field(ge=1)
    allowed: list[str]


class ApostropheTerms(_Strict):
    contractions: dict[str, str]
    possessives: dict[str, str]
    ys_allowed: list[str]


class FootnoteTerms(_Strict):
    references: list[str]
    allowed: list[str]


class DuplicateTerms(_Strict):
    min_words: int = Field(ge=2)


class SlipTerms(_Strict):
    """The content of `prose_slips.yaml`."""

    merged_words: MergedWordTerms
    missing_apostrophe: ApostropheTerms
    footnote_digits: FootnoteTerms
    duplicated_text: DuplicateTerms


@lru_cache(maxsize=4)
def load_slip_terms(path: Path = SLIPS_DATA) -> SlipTerms:
    """The slip rules' words, loaded strictly (unknown keys are configuration errors)."""
    try:
        return SlipTerms.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(path, f"cannot read the prose slips' terms: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(path, f"{where}: {first['msg']}") from exc


_WORD = re.compile(r"(?<![\w'’-])[^\W\d_]+(?![\w'’-])")
_LOWER_WORD = re.compile(r"(?<![\w'’\-.])[a-z]+(?![\w'’-])")
_HYPHENATED = re.compile(r"(?<![\w'’-])([a-z]+)-([a-z]+)(?![\w'’-])", re.IGNORECASE)


def _at(rule: Rule, article: Article, item: ProseBlock, index: int, message: str, hint: str) -> Finding:
    line, column = _position(article, item.block, index)
    return rule.finding(article, message, line=line, column=column, hint=hint)


class MergedWords(Rule):
    """Two words run together: "symptomsthe", "foodincluding", "lifethreatening"."""

    code: ClassVar[str] = "TY06"
    name: ClassVar[str] = "merged-words"
    severity: ClassVar[Severity] = Severity.WARNING
    description: ClassVar[str] = 'Two words are run together ("symptomsthe", "lifethreatening").'

    def check(self, article: Article, template: Template) -> Iterable[Finding]:
        """A finding at each word that is two words of the article glued together."""
        terms = load_slip_terms().merged_words
        allowed = {w.casefold() for w in terms.allowed}
        joiners = sorted({w.casefold() for w in terms.joining_words}, key=len, reverse=True)
        items = prose_blocks(article)
        counts: dict[str, int] = {}
        compounds: dict[str, str] = {}
        for item in items:
            for word in _WORD.findall(item.view):
                folded = word.casefold()
                counts[folded] = counts.get(folded, 0) + 1
            for match in _HYPHENATED.finditer(item.view):
                compounds[(match.group(1) + match.group(2)).casefold()] = match.group().lower()
        for item in items:
            for match in _LOWER_WORD.finditer(item.view):
                word = match.group()
                if len(word) < 6 or word in allowed:
                    continue
                split = self.split(word, joiners, counts, terms)
                if split is not None:
                    head, tail = split
                    yield _at(
                        self,
                        article,
                        item,
                        match.start(),
                        f"'{word}': two words run together",
                        f"write '{head} {tail}' (or '{head}—{tail}' if a dash was lost)",
                    )
                elif word in compounds and counts.get(word, 0) < counts.get(compounds[word], 0) + 2:
                    yield _at(
                        self,
                        article,
                        item,
                        match.start(),
                        f"'{word}': a hyphen seems lost (the article also writes '{compounds[word]}')",
                        f"write '{compounds[word]}'",
                    )

    @staticmethod
    def split(
        word: str, joiners: list[str], counts: dict[str, int], terms: MergedWordTerms
    ) -> tuple[str, str] | None:
        """(head, joining word) when `word` is an article word glued to a joining word."""
        for tail in joiners:
            head = word[: -len(tail)]
            minimum = terms.min_head_short_joiner if len(tail) <= 2 else terms.min_head
            if word.endswith(tail) and len(head) >= minimum and counts.get(head, 0) > 0:
                return head, tail
        return None


class MissingApostrophe(Rule):
    """A contraction or possessive without its apostrophe: "doesnt", "bodys", "childrens"."""

    code: ClassVar[str] = "TY07"
    name: ClassVar[str] = "missing-apostrophe"
    severity: ClassVar[Severity] = Severity.WARNING
    description: ClassVar[str] = 'A contraction or possessive lacks its apostrophe ("doesnt", "babys").'

    _YS: ClassVar[re.Pattern[str]] = re.compile(r"[a-z]*[b-df-hj-np-tv-xz]ys")

    def check(self, article: Article, template: Template) -> Iterable[Finding]:
        """A finding at each word missing its apostrophe, with the spelling as the hint."""
        terms = load_slip_terms().missing_apostrophe
        fixes = {**terms.contractions, **terms.possessives}
        allowed = {w.casefold() for w in terms.ys_allowed}
        for item in prose_blocks(article):
            for match in _WORD.finditer(item.view):
                word = match.group()
                folded = word.casefold()
                fix = fixes.get(folded)
                if fix is None and word.islower() and folded not in allowed and self._YS.fullmatch(folded):
                    fix = folded[:-1] + "'s"
                if fix is None:
                    continue
                if word[0].isupper():
                    fix = fix[0].upper() + fix[1:]
                yield _at(
                    self,
                    article,
                    item,
                    match.start(),
                    f"'{word}': the apostrophe is missing",
                    f"write '{fix}'",
                )


class FootnoteDigits(Rule):
    """A footnote number glued to a word or its full stop: "in children.1 Signs", "disease12 and"."""

    code: ClassVar[str] = "TY08"
    name: ClassVar[str] = "footnote-digits"
    severity: ClassVar[Severity] = Severity.WARNING
    description: ClassVar[str] = 'A footnote number is glued to a word ("in children.1 Signs").'

    _AFTER_STOP: ClassVar[re.Pattern[str]] = re.compile(
        r"(?<![\w.])([A-Za-z][a-z]+)([.,;:])(\d{1,3}(?:[,–-]\d{1,3})*)(?=\s|$)"
    )
    _GLUED: ClassVar[re.Pattern[str]] = re.compile(
        r"(?<![\w'’-])([a-z]{3,})(\d{1,3}(?:[,–-]\d{1,2})*)(?=[\s.,;:)]|$)"
    )

    def check(self, article: Article, template: Template) -> Iterable[Finding]:
        """A finding at each footnote number."""
        terms = load_slip_terms().footnote_digits
        references = {w.casefold() for w in terms.references}
        allowed = {w.casefold() for w in terms.allowed}
        for item in prose_blocks(article):
            found: list[tuple[int, str, str]] = []
            for match in self._AFTER_STOP.finditer(item.view):
                if match.group(1).casefold() not in references:
                    found.append((match.start(3), match.group(3), match.group(1) + match.group(2)))
            for match in self._GLUED.finditer(item.view):
                if match.group().casefold() not in allowed and match.group(1).casefold() not in references:
                    found.append((match.start(2), match.group(2), match.group(1)))
            for index, digits, word in sorted(found):
                yield _at(
                    self,
                    article,
                    item,
                    index,
                    f"footnote number '{digits}' glued to '{word}'",
                    "delete the number; cite the source under 'sources' instead",
                )


class MissingSpace(Rule):
    """No space after a full stop: "disease.The"."""

    code: ClassVar[str] = "TY09"
    name: ClassVar[str] = "missing-space"
    severity: ClassVar[Severity] = Severity.WARNING
    description: ClassVar[str] = 'No space after a full stop ("disease.The").'

    _PATTERN: ClassVar[re.Pattern[str]] = re.compile(
        r"(?<![\w.@/])([a-z]{2,}|\d{2,})([.!?])([A-Z][a-z]+)(?![\w.@/])"
    )

    def check(self, article: Article, template: Template) -> Iterable[Finding]:
        """A finding at the full stop."""
        for item in prose_blocks(article):
            for match in self._PATTERN.finditer(item.view):
                before, mark, after = match.groups()
                yield _at(
                    self,
                    article,
                    item,
                    match.start(2),
                    f"'{before}{mark}{after}': no space after '{mark}'",
                    f"write '{before}{mark} {after}'",
                )


class HeadingRunIn(Rule):
    """A heading run into its sentence: "Radiation therapy Radiation therapy is a cancer treatment"."""

    code: ClassVar[str] = "TY10"
    name: ClassVar[str] = "heading-run-in"
    severity: ClassVar[Severity] = Severity.WARNING
    description: ClassVar[str] = 'A heading is run into its sentence ("Surgery    Surgery is ...").'

    def check(self, article: Article, template: Template) -> Iterable[Finding]:
        """A finding at the start of the run-in heading."""
        for item in prose_blocks(article):
            for start, _, heading in run_in_headings(item.view):
                yield _at(
                    self,
                    article,
                    item,
                    start,
                    f"'{_quote(heading, 50)}' seems to be a heading run into its sentence",
                    "put the heading on its own line as a '### ' sub-heading, or delete it",
                )


class DuplicatedText(Rule):
    """A sentence or paragraph said twice in the article."""

    code: ClassVar[str] = "TY11"
    name: ClassVar[str] = "duplicated-text"
    severity: ClassVar[Severity] = Severity.WARNING
    description: ClassVar[str] = "A sentence or paragraph appears twice."

    def check(self, article: Article, template: Template) -> Iterable[Finding]:
        """A finding at the second (and later) copy; a repeated paragraph is reported once, whole."""
        minimum = load_slip_terms().duplicated_text.min_words
        paragraphs: dict[str, int] = {}
        sentences: dict[str, int] = {}
        for item in prose_blocks(article):
            if _is_list_item(item):
                continue  # lists repeat on purpose (the same options under each type); paragraphs do not
            key = _words_key(item.view)
            if len(key.split()) >= minimum:
                if key in paragraphs:
                    yield self.finding(
                        article,
                        f"this paragraph repeats the one at line {paragraphs[key]}",
                        line=item.block.line,
                        column=1,
                        hint="delete one of the two",
                    )
                    continue
                paragraphs[key] = item.block.line
            yield from self._sentences(article, item, sentences, minimum)

    def _sentences(
        self, article: Article, item: ProseBlock, seen: dict[str, int], minimum: int
    ) -> Iterator[Finding]:
        for sentence in split_sentences(item.view):
            key = _words_key(sentence.text)
            if len(key.split()) < minimum:
                continue
            line, _ = _position(article, item.block, sentence.start)
            if key in seen:
                yield _at(
                    self,
                    article,
                    item,
                    sentence.start,
                    f"'{_quote(sentence.text)}' repeats the sentence at line {seen[key]}",
                    "delete one of the two",
                )
            else:
                seen[key] = line


def _words_key(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", normalize_key(text.replace(MASK, " "))))


def _is_list_item(item: ProseBlock) -> bool:
    return bool(re.match(r"[ \t>]*(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$)", item.block.text))


CHROME_MAX_WORDS = 12
"""A paragraph longer than this is never taken for the site's text."""

_ESCAPED_TAG = re.compile(r"\\<\/?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>\n]*)?/?\\?>")
_TEXT_ENTITY = re.compile(r"\\?&(?:[a-zA-Z]{2,8}|#\d{2,5}|#x[0-9a-fA-F]{2,4});")


class ImportLeftover(Rule):
    """What an import left behind: the site's own text ("Share this page", "Latest discussions",
    "Last reviewed: 2 March 2023") or HTML written out as text ("\\<br\\>", "&nbsp;")."""

    code: ClassVar[str] = "TY12"
    name: ClassVar[str] = "import-leftover"
    severity: ClassVar[Severity] = Severity.WARNING
    description: ClassVar[str] = (
        'The source site\'s text or HTML written as text is left in ("Share this page", "&nbsp;").'
    )

    def check(self, article: Article, template: Template) -> Iterable[Finding]:
        """A finding at each leftover: a paragraph that is site text, an escaped tag, an entity."""
        chrome = _chrome_patterns()
        for item in prose_blocks(article):
            text = " ".join(item.view.replace(MASK, " ").split())
            if (
                text
                and not _is_list_item(item)
                and len(text.split()) <= CHROME_MAX_WORDS
                and any(p.fullmatch(text) for p in chrome)
            ):
                yield self.finding(
                    article,
                    f"the site's text '{_quote(text, 50)}' is left in the article",
                    line=item.block.line,
                    column=1,
                    hint="delete it: it is the source site's navigation or promotion, not the article",
                )
                continue
            for pattern, what in ((_ESCAPED_TAG, "an HTML tag"), (_TEXT_ENTITY, "an HTML entity")):
                for match in pattern.finditer(item.block.text):
                    line, column = _position(article, item.block, match.start())
                    yield self.finding(
                        article,
                        f"'{match.group()}' is {what} left in the text",
                        line=line,
                        column=column,
                        hint="delete it, or write the character it stands for",
                    )


@lru_cache(maxsize=1)
def _chrome_patterns() -> list[re.Pattern[str]]:
    """The importer's patterns of site text (validators/data/importer.yaml `navigation`)."""
    from validators.importer import load_import_rules

    return [re.compile(p, re.IGNORECASE) for p in load_import_rules().navigation]


PROSE_SLIP_RULES: list[Rule] = [
    MergedWords(),
    MissingApostrophe(),
    FootnoteDigits(),
    MissingSpace(),
    HeadingRunIn(),
    DuplicatedText(),
    ImportLeftover(),
]
"""The prose-slip rules, in code order (registered in `validators.rules.ALL_RULES`)."""
