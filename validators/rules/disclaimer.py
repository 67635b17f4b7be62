"""Disclaimer rules (DS): each disclaimer of the template is present, word for word, where it belongs.

Texts are compared after `validators.text.normalize_text` (white space, quote marks, dashes) and
after dropping Markdown emphasis markers and any leading symbols, so "☝️ This is not..." or
"*This is not...*" count as the exact text. A paragraph close to a disclaimer but not equal is
reported as reworded, with a short word diff.
"""

from __future__ import annotations

import difflib
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

from validators.findings import Finding, Severity
from validators.models import Article, Block
from validators.rules.base import Rule
from validators.templates import Disclaimer, Template
from validators.text import normalize_text

REWORDED_MIN_SIMILARITY = 0.6
"""Word-level similarity (difflib ratio) from which a paragraph counts as a reworded disclaimer."""

_EMPHASIS = str.maketrans("", "", "*_`")
_LEADING_PUNCTUATION = set("*_>-•·:|#~")


@dataclass(frozen=True)
class DisclaimerMatch:
    """Where a template disclaimer was found: the paragraph, and whether it is word for word."""

    disclaimer: Disclaimer
    block: Block | None
    exact: bool


def clean_candidate(text: str) -> str:
    """A paragraph's text as compared with a disclaimer: normalized, emphasis and leading symbols gone."""
    text = normalize_text(text.translate(_EMPHASIS))
    start = 0
    while start < len(text) and _is_decoration(text[start]):
        start += 1
    return text[start:]


def _is_decoration(char: str) -> bool:
    return char in _LEADING_PUNCTUATION or unicodedata.category(char)[0] in "SZCM"


def _words(text: str) -> list[str]:
    return text.split()


_last_located = threading.local()


def locate_disclaimers(article: Article, template: Template) -> list[DisclaimerMatch]:
    """For each template disclaimer, the paragraph that holds it (exactly, or reworded), or None.

    Several rules ask for the same article in a row: each thread keeps its last answer (articles
    and templates are frozen, and the kept reference stops their ids from being reused).
    """
    last: tuple[Article, Template, list[DisclaimerMatch]] | None = getattr(_last_located, "entry", None)
    if last is not None and last[0] is article and last[1] is template:
        return last[2]
    matches = _locate(article, template)
    _last_located.entry = (article, template, matches)
    return matches


def _locate(article: Article, template: Template) -> list[DisclaimerMatch]:
    blocks = [b for b in article.blocks if b.kind == "paragraph"]
    cleaned = [clean_candidate(b.content) for b in blocks]
    used: set[int] = set()
    matches: list[DisclaimerMatch] = []
    for disclaimer in template.disclaimers:
        target = clean_candidate(disclaimer.text)
        exact = [i for i, text in enumerate(cleaned) if i not in used and target in text]
        if exact:
            used.add(exact[-1])
            matches.append(DisclaimerMatch(disclaimer, blocks[exact[-1]], True))
            continue
        best, best_score = None, REWORDED_MIN_SIMILARITY
        target_words = _words(target.casefold())
        for index, text in enumerate(cleaned):
            if index in used:
                continue
            matcher = difflib.SequenceMatcher(None, target_words, _words(text.casefold()), autojunk=False)
            if matcher.real_quick_ratio() < best_score or matcher.quick_ratio() < best_score:
                continue
            score = matcher.ratio()
            if score >= best_score:
                best, best_score = index, score
        if best is not None:
            used.add(best)
        matches.append(DisclaimerMatch(disclaimer, blocks[best] if best is not None else None, False))
    return matches


def disclaimer_blocks(article: Article, template: Template) -> set[int]:
    """Offsets of the paragraphs that hold a disclaimer (exact or reworded): not section content."""
    return {m.block.offset for m in locate_disclaimers(article, template) if m.block is not None}


def word_diff(expected: str, actual: str, *, context: int = 2, max_changes: int = 3) -> str:
    """A short word diff of `actual` against `expected`: `… your [-physician-]{+doctor+} before …`."""
    old, new = _words(expected), _words(actual)
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    changes = [op for op in opcodes if op[0] != "equal"]
    parts: list[str] = []
    for tag, i1, i2, j1, j2 in changes[:max_changes]:
        before = old[max(0, i1 - context) : i1]
        after = old[i2 : i2 + context]
        piece = ""
        if tag in ("delete", "replace"):
            piece += "[-" + " ".join(old[i1:i2]) + "-]"
        if tag in ("insert", "replace"):
            piece += "{+" + " ".join(new[j1:j2]) + "+}"
        lead = ("… " if i1 - context > 0 else "") + " ".join(before)
        tail = " ".join(after) + (" …" if i2 + context < len(old) else "")
        parts.append(" ".join(p for p in (lead, piece, tail) if p))
    more = len(changes) - max_changes
    text = "; ".join(parts)
    return text + (f" (and {more} more change{'s' if more > 1 else ''})" if more > 0 else "")


def _text_column(block: Block) -> int:
    first_line = block.text.split("\n", 1)[0]
    for index, char in enumerate(first_line):
        if char.isalnum():
            return index + 1
    return 1


def end_of_article_line(article: Article) -> int:
    """The line just after the last non-blank line: where text added at the end goes."""
    lines = article.text.split("\n")
    last = len(lines)
    while last > 1 and not lines[last - 1].strip():
        last -= 1
    return min(last + 1, len(lines))


class MissingDisclaimer(Rule):
    code: ClassVar[str] = "DS01"
    name: ClassVar[str] = "missing-disclaimer"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = "A disclaimer the template requires is not in the article."

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """Report each template disclaimer with no paragraph that holds it or resembles it."""
        for match in locate_disclaimers(article, template):
            if match.block is not None:
                continue
            at_end = match.disclaimer.position == "end"
            yield self.finding(
                article,
                f"the {match.disclaimer.id} disclaimer is missing",
                line=end_of_article_line(article) if at_end else article.front_matter_end_line + 1,
                hint=("add this paragraph at the end of the article: " if at_end else "add this paragraph: ")
                + normalize_text(match.disclaimer.text),
            )


class RewordedDisclaimer(Rule):
    code: ClassVar[str] = "DS02"
    name: ClassVar[str] = "reworded-disclaimer"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = (
        "A disclaimer is present but not word for word (the message shows a word diff)."
    )

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """Report each disclaimer found only as a close paraphrase, with the word diff."""
        for match in locate_disclaimers(article, template):
            if match.block is None or match.exact:
                continue
            expected = clean_candidate(match.disclaimer.text)
            yield self.finding(
                article,
                f"the {match.disclaimer.id} disclaimer is reworded: "
                + word_diff(expected, clean_candidate(match.block.content)),
                line=match.block.line,
                column=_text_column(match.block),
                hint="use the exact text: " + normalize_text(match.disclaimer.text),
            )


class DisclaimerNotAtEnd(Rule):
    code: ClassVar[str] = "DS03"
    name: ClassVar[str] = "disclaimer-not-at-end"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = "A disclaimer that belongs at the end is followed by other content."

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """Report an end disclaimer followed by a heading or by prose other than end disclaimers."""
        matches = locate_disclaimers(article, template)
        tail = {m.block.offset for m in matches if m.block is not None and m.disclaimer.position == "end"}
        for match in matches:
            if match.block is None or match.disclaimer.position != "end":
                continue
            if self._content_after(article, match.block, tail):
                yield self.finding(
                    article,
                    f"the {match.disclaimer.id} disclaimer is not at the end of the article",
                    line=match.block.line,
                    column=_text_column(match.block),
                    hint="move it after the last section's text, as the article's last paragraph",
                )

    @staticmethod
    def _content_after(article: Article, block: Block, tail: set[int]) -> bool:
        headings_after = any(s.heading is not None and s.line > block.line for s in article.sections)
        blocks_after: Sequence[Block] = [b for b in article.blocks if b.offset > block.offset]
        return headings_after or any(
            b.kind in ("paragraph", "code") and b.offset not in tail for b in blocks_after
        )


DISCLAIMER_RULES: list[Rule] = [MissingDisclaimer(), RewordedDisclaimer(), DisclaimerNotAtEnd()]
