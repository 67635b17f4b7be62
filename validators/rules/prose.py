"""Prose rules: reading grade (RD), typographic slips (TY) and absolute claims (CL).

They read only the prose blocks of an article (paragraphs and list items; never headings, HTML
comments or code). Each block's source text is first turned into its *prose view*: a string of the
same length in which Markdown markup (list markers, emphasis, link targets, inline code, inline HTML)
is blanked, so an index in the view is an index in the source and every finding lands on the exact
line and column of the offending text. Words and phrases live in `prose.yaml` next to this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import ClassVar, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from validators.errors import ConfigError
from validators.findings import Finding, Severity
from validators.models import Article, Block, Section
from validators.readability import Sentence, flesch_kincaid_grade, split_sentences
from validators.rules.base import Rule
from validators.templates import Template
from validators.text import normalize_text

PROSE_DATA = Path(__file__).with_name("prose.yaml")

MASK = "\ue000"
"""Stands in for markup that hides text (inline code, link targets, HTML): neither a word nor space."""


# --- the data file -------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReadingGradeTerms(_Strict):
    min_words: int = Field(ge=0)
    quote_min_words: int = Field(default=8, ge=1)


class DoubledWordTerms(_Strict):
    allowed: list[str]


class MissingFullStopTerms(_Strict):
    non_final_words: list[str]
    sentence_starters: list[str]
    name_followers: list[str]
    names: list[str]


class HyphenSpaceTerms(_Strict):
    suspended_followers: list[str]


class PlaceholderTerm(_Strict):
    label: str
    pattern: str
    ignore_case: bool = False


class ClaimTerm(_Strict):
    phrase: str
    hint: str
    regex: bool = False
    negatable: bool = True
    severity: Literal["error", "warning"] = "error"


class AbsoluteClaimTerms(_Strict):
    negators: list[str]
    hedges: list[str]
    claims: list[ClaimTerm]


class ProseTerms(_Strict):
    """The content of `prose.yaml`."""

    reading_grade: ReadingGradeTerms
    doubled_word: DoubledWordTerms
    missing_full_stop: MissingFullStopTerms
    hyphen_space: HyphenSpaceTerms
    placeholders: list[PlaceholderTerm]
    absolute_claims: AbsoluteClaimTerms


@lru_cache(maxsize=4)
def load_prose_terms(path: Path = PROSE_DATA) -> ProseTerms:
    """The prose rules' words and phrases, loaded strictly (unknown keys are configuration errors)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return ProseTerms.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(path, f"cannot read the prose rules' terms: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(path, f"{where}: {first['msg']}") from exc


def _folded(items: Iterable[str]) -> frozenset[str]:
    return frozenset(item.casefold() for item in items)


# --- the prose view ------------------------------------------------------------------------------

_LINE_PREFIX = re.compile(r"^[ \t]*(?:>[ \t]?)*[ \t]*")
_LIST_MARKER = re.compile(r"(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$)")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_AUTOLINK = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>")
_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>")
_LINK_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
_REFERENCE = re.compile(r"\]\[[^\]]*\]")
_BARE_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()]+")
_ESCAPE = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
_EMPHASIS = re.compile(r"\*+|~~|(?<![^\W_])_+|_+(?![^\W_])")


def prose_view(block: Block) -> str:
    """The block's source text with its Markdown markup blanked; same length, same offsets."""
    chars = list(block.text)

    def blank(start: int, end: int, fill: str) -> None:
        for index in range(start, end):
            if chars[index] != "\n":
                chars[index] = fill

    text = block.text
    position = 0
    for number, line in enumerate(text.split("\n")):
        prefix = _LINE_PREFIX.match(line)
        cut = prefix.end() if prefix else 0
        if number == 0:
            marker = _LIST_MARKER.match(line, cut)
            if marker:
                cut = marker.end()
        blank(position, position + cut, " ")
        position += len(line) + 1
    for pattern in (_CODE_SPAN, _HTML_COMMENT, _AUTOLINK, _HTML_TAG):
        for match in pattern.finditer(text):
            blank(match.start(), match.end(), MASK)
    view = "".join(chars)
    for match in _LINK_TARGET.finditer(view):
        blank(match.start(), match.start() + 1, " ")
        blank(match.start() + 1, match.end(), MASK)
        opening = view.rfind("[", 0, match.start())
        if opening >= 0:
            blank(opening, opening + 1, " ")
            if opening > 0 and view[opening - 1] == "!":
                blank(opening - 1, opening, " ")
    view = "".join(chars)
    for match in _REFERENCE.finditer(view):
        blank(match.start(), match.start() + 1, " ")
        blank(match.start() + 1, match.end(), MASK)
        opening = view.rfind("[", 0, match.start())
        if opening >= 0:
            blank(opening, opening + 1, " ")
    view = "".join(chars)
    for pattern in (_BARE_URL,):
        for match in pattern.finditer(view):
            blank(match.start(), match.end(), MASK)
    view = "".join(chars)
    escaped = set()
    for match in _ESCAPE.finditer(view):
        blank(match.start(), match.end(), " ")
        escaped.add(match.end())  # the escaped character is text, never markup
    for match in _EMPHASIS.finditer(view):
        for index in range(match.start(), match.end()):
            if index not in escaped:
                blank(index, index + 1, " ")
    return "".join(chars)


@dataclass(frozen=True)
class ProseBlock:
    """A prose block of an article with its prose view."""

    section: Section
    block: Block
    view: str


def prose_blocks(article: Article) -> list[ProseBlock]:
    """Every prose block of the article (paragraphs and list items), with its prose view.

    The seven prose rules ask for the same article in a row: the last answer is kept.
    """
    last = _Last.entry
    if last is not None and last[0] is article:
        return last[1]
    blocks = [
        ProseBlock(section, block, prose_view(block))
        for section in article.sections
        for block in section.prose_blocks
    ]
    _Last.entry = (article, blocks)
    return blocks


class _Last:
    """The last article `prose_blocks` read, and its blocks (replaced in one assignment)."""

    entry: tuple[Article, list[ProseBlock]] | None = None


def _position(article: Article, block: Block, index: int) -> tuple[int, int]:
    return article.position(block.offset + index)


def _quote(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split()).replace(MASK, "")
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# --- RD: reading grade ---------------------------------------------------------------------------


class ReadingGrade(Rule):
    """A section's Flesch–Kincaid grade is above the template's `reading_grade_max`.

    Only prose is graded: paragraphs, never list items, table rows or disclaimers (a list of names or
    links has no sentences to grade). A section is the template's section with its sub-sections; one
    with fewer than `min_words` words of prose is not graded. The hint quotes the hardest real
    sentence: one of at least `quote_min_words` words when the section has one.
    """

    code: ClassVar[str] = "RD01"
    name: ClassVar[str] = "reading-grade"
    severity: ClassVar[Severity] = Severity.WARNING
    description: ClassVar[str] = (
        "A section's prose (lists and tables aside) reads above the target grade (Flesch–Kincaid)."
    )

    def check(self, article: Article, template: Template) -> Iterable[Finding]:
        """One finding per section whose grade (disclaimers left out) is above the target."""
        from validators.rules.structure import section_layout

        terms = load_prose_terms().reading_grade
        disclaimers = [normalize_text(d.text) for d in template.disclaimers]
        tops = {id(top.section) for top in section_layout(article, template).sections}
        owner: dict[int, Section] = {}
        current: Section | None = None
        for section in article.sections:
            if id(section) in tops:
                current = section
            elif current is not None and section.level > current.level:
                owner[id(section)] = current  # a sub-section is graded with its section
        by_section: dict[int, list[tuple[Block, Sentence]]] = {}
        sections: dict[int, Section] = {}
        for item in prose_blocks(article):
            if _NOT_PROSE.match(item.block.text) or any(d in normalize_text(item.view) for d in disclaimers):
                continue
            section = owner.get(id(item.section), item.section)
            key = id(section)
            sections[key] = section
            by_section.setdefault(key, []).extend((item.block, s) for s in split_sentences(item.view))
        for key, sentences in by_section.items():
            word_count = sum(s.words for _, s in sentences)
            if word_count < terms.min_words or word_count == 0:
                continue
            syllables = sum(s.syllables for _, s in sentences)
            grade = round(flesch_kincaid_grade(word_count, len(sentences), syllables), 1)
            if grade <= template.reading_grade_max:
                continue
            section = sections[key]
            quotable = [pair for pair in sentences if pair[1].words >= terms.quote_min_words] or sentences
            block, hardest = max(quotable, key=lambda pair: (pair[1].grade, pair[1].words))
            line, _ = _position(article, block, hardest.start)
            name = f"'{section.heading}'" if section.heading is not None else "the text before any heading"
            line_of_section = section.line if section.heading is not None else sentences[0][0].line
            yield self.finding(
                article,
                f"{name} reads at grade {grade:.1f}, above the target {template.reading_grade_max:g}",
                line=line_of_section,
                hint=(
                    f"use shorter sentences and everyday words; hardest sentence (line {line}, "
                    f"grade {hardest.grade:.1f}): '{_quote(hardest.text)}'"
                ),
            )


_NOT_PROSE = re.compile(r"^[ \t]*(?:>[ \t]?)*[ \t]*(?:[-+*]|\d{1,9}[.)]|\|)(?=[ \t]|$)")
"""A list item or a table row: not graded."""


# --- TY: typographic slips -----------------------------------------------------------------------

_LETTERS = r"[^\W\d_]"


class DoubledWord(Rule):
    """The same word twice in a row ("the the")."""

    code: ClassVar[str] = "TY01"
    name: ClassVar[str] = "doubled-word"
    severity: ClassVar[Severity] = Severity.WARNING
    description: ClassVar[str] = 'A word is repeated ("the the").'

    _PATTERN: ClassVar[re.Pattern[str]] = re.compile(
        rf"(?<![\w'’-])({_LETTERS}+)\s+(\1)(?![\w'’-])", re.IGNORECASE
    )

    def check(self, article: Article, template: Template) -> Iterable[Finding]:
        """A finding at the first of two equal adjacent words."""
        allowed = _folded(load_prose_terms().doubled_word.allowed)
        for item in prose_blocks(article):
            for match in self._PATTERN.finditer(item.view):
                word, again = match.group(1), match.group(2)
                if word.casefold() in allowed or again[0].isupper():
                    continue  # "had had"; "Walla Walla"
                line, column = _position(article, item.block, match.start())
                yield self.finding(
                    article,
                    f"doubled word '{word} {again}'",
                    line=line,
                    column=column,
                    hint=f"delete one '{again}'",
                )


class MissingFullStop(Rule):
    """A sentence runs into the next without its full stop ("tissue trauma Mast cells originate")."""

    code: ClassVar[str] = "TY02"
    name: ClassVar[str] = "missing-full-stop"
    severity: ClassVar[Severity] = Severity.WARNING
    description: ClassVar[str] = "A sentence runs into the next without its full stop."

    _PATTERN: ClassVar[re.Pattern[str]] = re.compile(
        r"(?<![\w'’.-])([a-z][a-z'’-]*[a-z])[ \t\n]+([A-Z][a-z]+)(?![\w'’.-])"
    )
    _NEXT_WORD: ClassVar[re.Pattern[str]] = re.compile(r"[ \t\n]*([^\W_][\w'’-]*)?")
    _LOWER_WORD: ClassVar[re.Pattern[str]] = re.compile(r"(?<![\w'’-])[a-z][a-z'’-]*(?![\w'’-])")

    def check(self, article: Article, template: Template) -> Iterable[Finding]:
        """A finding at the last word of the sentence that lacks its full stop."""
        terms = load_prose_terms().missing_full_stop
        non_final = _folded(terms.non_final_words)
        starters = _folded(terms.sentence_starters)
        followers = _folded(terms.name_followers)
        names = _folded(terms.names)
        items = list(prose_blocks(article))
        lower_words = {w.casefold() for item in items for w in self._LOWER_WORD.findall(item.view)}
        for item in items:
            run_in_ends = {end for _, end, _ in run_in_headings(item.view)}
            for match in self._PATTERN.finditer(item.view):
                last, first = match.group(1), match.group(2)
                if match.end(1) in run_in_ends:
                    continue  # a heading run into its sentence (TY10), not a lost full stop
                folded = first.casefold()
                if last.casefold() in non_final or folded in names:
                    continue
                if not (folded in starters or folded in lower_words):
                    continue  # no evidence that the capital is not a name
                following = self._NEXT_WORD.match(item.view, match.end())
                next_word = following.group(1) if following else None
                if next_word and (
                    next_word[0].isupper() or next_word[0].isdigit() or next_word.casefold() in followers
                ):
                    continue  # "The Lancet", "Calpain 1", "Down syndrome"
                line, column = _position(article, item.block, match.start())
                yield self.finding(
                    article,
                    f"'{last} {first}': the sentence seems to run into the next without its full stop",
                    line=line,
                    column=column,
                    hint=f"put a full stop after '{last}', or write '{folded}' in lower case",
                )


_SENTENCE_START = re.compile(r"(?:^|(?<=[.!?:]\s)|(?<=[.!?:]\s\s)|(?<=\n))(?=[A-Z])")
_TOKEN = re.compile(r"[\w'’()-]+")
_WIDE_GAP = re.compile(r"(?<=[^\s])(?: {3,})(?=[A-Z])")


def run_in_headings(view: str) -> list[tuple[int, int, str]]:
    """(start, end, heading) of each heading run into the sentence after it, in a prose view.

    Three shapes: the heading's words start the sentence again ("Radiation therapy Radiation
    therapy is ..."); a wide gap where the line break was ("Surgery    Gallbladder cancer may ...");
    a Title Case phrase at a sentence's start followed by a capitalized sentence opener ("Genetic
    Diseases Each cell contains ...").
    """
    found: dict[int, tuple[int, int, str]] = {}
    starters = {w.casefold() for w in load_prose_terms().missing_full_stop.sentence_starters}
    for start in _SENTENCE_START.finditer(view):
        tokens = list(_TOKEN.finditer(view, start.start(), min(len(view), start.start() + 240)))
        words = [t.group() for t in tokens]
        for size in range(1, min(8, len(words) // 2 + 1)):
            if [w.casefold() for w in words[:size]] == [w.casefold() for w in words[size : 2 * size]]:
                if size == 1 and not words[1][0].isupper():
                    break  # "Very very": a doubled word (TY01), no heading
                if _only_space(view, tokens[size - 1].end(), tokens[size].start()):
                    end = tokens[size - 1].end()
                    found[start.start()] = (start.start(), end, view[start.start() : end])
                break
        if start.start() not in found:
            title = 0
            while title < min(len(words), 6) and (words[title][0].isupper() or words[title] in _SMALL_WORDS):
                opener = words[title][0].isupper() and words[title].casefold() in starters
                if title and opener and len(words) > title + 1:
                    following = words[title + 1]
                    if (
                        following[0].islower()
                        and words[title - 1] not in _SMALL_WORDS
                        and words[0].casefold() not in starters
                        and _no_stop(view, tokens[0].start(), tokens[title].start())
                    ):
                        end = tokens[title - 1].end()
                        found[start.start()] = (start.start(), end, view[start.start() : end])
                    break
                title += 1
    previous_gap = 0
    for gap in _WIDE_GAP.finditer(view):
        stops = [view.rfind(mark, 0, gap.start()) for mark in (". ", "? ", "! ")]
        bounds = [
            view.rfind("\n", 0, gap.start()) + 1,
            previous_gap,
            *(stop + 2 for stop in stops if stop >= 0),
        ]
        previous_gap = gap.end()
        begin = max(bounds)
        while begin < gap.start() and view[begin].isspace():
            begin += 1
        heading = view[begin : gap.start()]
        if heading and heading[-1] not in ".!?:;," and len(heading.split()) <= 10 and begin not in found:
            found[begin] = (begin, gap.start(), heading)
    return sorted(found.values())


_SMALL_WORDS = frozenset({"and", "of", "the", "in", "for", "or", "to", "with", "on", "a", "an", "by", "&"})


def _only_space(view: str, start: int, end: int) -> bool:
    """Only spaces (and at most one line break) between two words."""
    gap = view[start:end]
    return not gap.strip() and gap.count("\n") <= 1


def _no_stop(view: str, start: int, end: int) -> bool:
    """No punctuation or markup between `start` and `end` (one phrase, not a sentence's end)."""
    return not re.search(r"[.!?:;,\n]", view[start:end]) and MASK not in view[start:end]


class HyphenSpace(Rule):
    """A hyphen followed by a space inside a word ("round- cell"); suspended hyphens are fine."""

    code: ClassVar[str] = "TY03"
    name: ClassVar[str] = "hyphen-space"
    severity: ClassVar[Severity] = Severity.WARNING
    description: ClassVar[str] = 'A hyphen is followed by a space inside a word ("round- cell").'

    _PATTERN: ClassVar[re.Pattern[str]] = re.compile(
        rf"(?<![\w'’-])({_LETTERS}+(?:-{_LETTERS}+)*)-[ \t]+([^\W\d_][\w'’-]*|&)"
    )

    def check(self, article: Article, template: Template) -> Iterable[Finding]:
        """A finding at the start of the broken word."""
        suspended = _folded(load_prose_terms().hyphen_space.suspended_followers)
        for item in prose_blocks(article):
            for match in self._PATTERN.finditer(item.view):
                head, tail = match.group(1), match.group(2)
                if tail.casefold() in suspended:
                    continue  # "pre- and post-operative"
                line, column = _position(article, item.block, match.start())
                yield self.finding(
                    article,
                    f"'{head}- {tail}': a hyphen followed by a space",
                    line=line,
                    column=column,
                    hint=f"write '{head}-{tail}' (or '{head} {tail}')",
                )


class UnbalancedBrackets(Rule):
    """A bracket, parenthesis or double quote without its partner in the same paragraph."""

    code: ClassVar[str] = "TY04"
    name: ClassVar[str] = "unbalanced-brackets"
    severity: ClassVar[Severity] = Severity.WARNING
    description: ClassVar[str] = "A bracket or quote mark has no partner in its paragraph."

    _PAIRS: ClassVar[dict[str, str]] = {"(": ")", "[": "]", "{": "}", "“": "”"}
    _MARKS: ClassVar[re.Pattern[str]] = re.compile(r'[()\[\]{}“”"]')
    _ENUMERATION: ClassVar[re.Pattern[str]] = re.compile(r"(?:^|(?<=\s))[a-zA-Z0-9]{1,2}$")

    def check(self, article: Article, template: Template) -> Iterable[Finding]:
        """A finding at each mark left without its partner."""
        for item in prose_blocks(article):
            for index, mark in self.unmatched(item.view):
                line, column = _position(article, item.block, index)
                partner = self._PAIRS.get(mark) or next((o for o, c in self._PAIRS.items() if c == mark), '"')
                yield self.finding(
                    article,
                    f"unbalanced '{mark}': no matching '{partner}' in this paragraph",
                    line=line,
                    column=column,
                    hint=f"add the missing '{partner}' or delete this '{mark}'",
                )

    def unmatched(self, view: str) -> list[tuple[int, str]]:
        """(index, mark) of each bracket or quote of `view` left without its partner, in order."""
        closers = {c: o for o, c in self._PAIRS.items()}
        stack: list[tuple[int, str]] = []
        lonely: list[tuple[int, str]] = []
        straight: list[int] = []
        for mark in self._MARKS.finditer(view):
            index, char = mark.start(), mark.group()
            if char in self._PAIRS:
                stack.append((index, char))
            elif char in closers:
                if stack and stack[-1][1] == closers[char]:
                    stack.pop()
                elif char == ")" and self._ENUMERATION.search(view, 0, index):
                    continue  # "a) first, b) second"
                else:
                    lonely.append((index, char))
            elif char == '"' and not (index > 0 and view[index - 1].isdigit()):
                straight.append(index)  # a '"' after a digit is an inch mark
        if len(straight) % 2:
            lonely.append((straight[-1], '"'))
        return sorted(lonely + stack)


class Placeholder(Rule):
    """Placeholder text left in the draft (TODO, TBD, lorem ipsum, [citation needed])."""

    code: ClassVar[str] = "TY05"
    name: ClassVar[str] = "placeholder-text"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = "Placeholder text (TODO, TBD, lorem ipsum, [citation needed]) is left in."

    def check(self, article: Article, template: Template) -> Iterable[Finding]:
        """A finding at each placeholder (an error: a placeholder must never be published)."""
        patterns = _placeholder_patterns()
        for item in prose_blocks(article):
            found = [(m.start(), label, m.group()) for label, p in patterns for m in p.finditer(item.view)]
            for start, label, text in sorted(found):
                line, column = _position(article, item.block, start)
                yield self.finding(
                    article,
                    f"placeholder text '{_quote(text, 40)}' ({label})",
                    line=line,
                    column=column,
                    hint="write the missing text, or move the note into an HTML comment <!-- ... -->",
                )


@lru_cache(maxsize=1)
def _placeholder_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """(label, pattern) of each placeholder (separate patterns scan faster than one alternation)."""
    return [
        (term.label, re.compile(term.pattern, re.IGNORECASE if term.ignore_case else 0))
        for term in load_prose_terms().placeholders
    ]


# --- CL: absolute claims -------------------------------------------------------------------------


class AbsoluteClaim(Rule):
    """An absolute health claim ("cures", "guaranteed", "100% effective", "no side effects").

    An error, not a warning: in consumer health content such a claim misleads readers about their
    treatment and is what regulators act on, so it must not be published as written. When the claim
    is true and sourced, the writer keeps it with an inline suppression whose reason is on record.
    Phrases that honest writing also uses ("proven to") are warnings (`severity` in prose.yaml);
    denied ("nothing cures it") and hedged ("most people have no side effects") phrases are no claims.
    """

    code: ClassVar[str] = "CL01"
    name: ClassVar[str] = "absolute-claim"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = 'An absolute claim ("cures", "guaranteed", "100% effective").'

    _WORD_BEFORE: ClassVar[re.Pattern[str]] = re.compile(r"[\w'’]+")

    def check(self, article: Article, template: Template) -> Iterable[Finding]:
        """A finding at each absolute claim that is neither denied nor hedged."""
        terms = load_prose_terms().absolute_claims
        negators, hedges = _folded(terms.negators), _folded(terms.hedges)
        claims, any_claim = _claim_patterns()
        for item in prose_blocks(article):
            found: dict[int, tuple[re.Match[str], ClaimTerm]] = {}
            for candidate in any_claim.finditer(item.view):
                start = candidate.start()
                before = self._words_before(item.view, start)
                for term, pattern in claims:
                    match = pattern.match(item.view, start)
                    if match is None or before & hedges or (term.negatable and before & negators):
                        continue
                    best = found.get(start)
                    if best is None or len(match.group()) > len(best[0].group()):
                        found[start] = (match, term)
            covered_to = -1
            for start in sorted(found):
                match, term = found[start]
                if start < covered_to:
                    continue  # inside a longer claim already reported
                covered_to = match.end()
                line, column = _position(article, item.block, start)
                yield self.finding(
                    article,
                    f"absolute claim '{_quote(match.group(), 40)}'",
                    line=line,
                    column=column,
                    hint=term.hint,
                    severity=Severity(term.severity),
                )

    def _words_before(self, view: str, start: int) -> frozenset[str]:
        """The (up to) three words before `start` in its sentence, case-folded."""
        sentence_start = max(view.rfind(mark, 0, start) for mark in ".!?;:")
        words = self._WORD_BEFORE.findall(view[sentence_start + 1 : start])[-3:]
        return frozenset(word.casefold().replace("’", "'") for word in words)


@lru_cache(maxsize=1)
def _claim_patterns() -> tuple[list[tuple[ClaimTerm, re.Pattern[str]]], re.Pattern[str]]:
    """Each claim's pattern, and one pattern finding where any claim may start (one pass per block)."""
    compiled = []
    bodies = []
    for term in load_prose_terms().absolute_claims.claims:
        body = term.phrase if term.regex else r"\s+".join(re.escape(w) for w in term.phrase.split())
        bodies.append(f"(?:{body})")
        compiled.append((term, re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)))
    any_claim = re.compile(rf"(?<![\w-])(?=(?:{'|'.join(bodies)}))", re.IGNORECASE)
    return compiled, any_claim


PROSE_RULES: list[Rule] = [
    ReadingGrade(),
    DoubledWord(),
    MissingFullStop(),
    HyphenSpace(),
    UnbalancedBrackets(),
    Placeholder(),
    AbsoluteClaim(),
]
"""The prose rules, in code order (imported by `validators.rules.ALL_RULES`)."""
