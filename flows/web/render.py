"""The article as HTML with its claims, terms and sentences marked where they sit (pure, no I/O).

The Markdown source gets invisible markers (private-use characters) at each span's start and end, is
rendered by markdown-it with raw HTML off (so a `<script>` in an article is text), and every text run
of the result is then wrapped in the spans that are open there. A span that crosses an element
boundary (a sentence with a bold word) is cut into runs, so the HTML always nests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING

from validators.readability import split_sentences

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from validators.models import Article

OPEN, CLOSE = "\ue000", "\ue001"
ID_BASE = 0xE100
ID_LIMIT = 0xF8FF - ID_BASE  # spans per article (the private-use area's end)
MARKERS = re.compile("[\ue000\ue001][\ue100-\uf8ff]")
TAG = re.compile(r"(<[^>]*>)")
# What opens a line of a list item or quote: a span starting there starts after it.
BLOCK_PREFIX = re.compile(r"[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+|>[ \t]?)+")


class Level(IntEnum):
    """How spans nest: a sentence holds terms."""

    SENTENCE = 0
    TERM = 1


@dataclass(frozen=True)
class Span:
    """A stretch of the article text to mark: its offsets, nesting level, CSS class and attributes."""

    start: int
    end: int
    level: Level
    css: str
    attrs: dict[str, str] = field(default_factory=dict)
    anchor: str | None = None  # an id for the span's first run


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    """The one Markdown renderer: CommonMark plus tables, raw HTML off, unsafe links refused."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def body_offset(article: Article) -> int:
    """The offset in `article.text` where the body starts (after the front matter's closing line)."""
    text = article.text
    if not text.startswith("---"):
        return 0
    offset = 0
    for _ in range(article.front_matter_end_line):
        newline = text.find("\n", offset)
        if newline < 0:
            return len(text)
        offset = newline + 1
    return offset


def sentence_spans(article: Article) -> list[tuple[int, int, str]]:
    """Every sentence of the article's paragraphs: (start, end, text) in `article.text`."""
    found = []
    for block in article.blocks:
        if block.kind != "paragraph":
            continue
        for sentence in split_sentences(block.text):
            start = block.offset + sentence.start
            prefix = BLOCK_PREFIX.match(article.text, start, block.offset + sentence.end)
            if prefix is not None and prefix.end() > start:
                start = prefix.end()
            end = block.offset + sentence.end
            if start < end:
                found.append((start, end, article.text[start:end]))
    return found


def locate(text: str, sentence: str, near: int) -> tuple[int, int] | None:
    """Where `sentence` sits in `text` covering offset `near` (a flag's start), else None."""
    if not sentence:
        return None
    start = text.find(sentence, max(0, near - len(sentence)))
    while 0 <= start <= near:
        if near < start + len(sentence):
            return start, start + len(sentence)
        start = text.find(sentence, start + 1)
    return None


def without_overlaps(spans: Sequence[Span]) -> list[Span]:
    """Spans of each level that do not overlap an earlier span of the same level (first one wins)."""
    kept: list[Span] = []
    taken: dict[Level, list[tuple[int, int]]] = {}
    for span in spans:
        if span.end <= span.start:
            continue
        ranges = taken.setdefault(span.level, [])
        if any(span.start < end and start < span.end for start, end in ranges):
            continue
        ranges.append((span.start, span.end))
        kept.append(span)
    return kept


def mark_source(text: str, spans: Sequence[Span]) -> str:
    """`text` with each span's open and close markers inserted (closes before opens at one offset)."""
    inserts: list[tuple[int, int, int, str]] = []
    for index, span in enumerate(spans):
        code = chr(ID_BASE + index)
        start = span.start
        line_start = text.rfind("\n", 0, start) + 1
        if not text[line_start:start].strip():  # at a line's start: after any list or quote marker
            prefix = BLOCK_PREFIX.match(text, line_start, span.end)
            if prefix is not None and prefix.end() > start:
                start = prefix.end()
        inserts.append((start, 1, int(span.level), OPEN + code))
        inserts.append((span.end, 0, -int(span.level), CLOSE + code))
    inserts.sort(key=lambda item: (item[0], item[1], item[2]))
    pieces: list[str] = []
    last = 0
    for offset, _, _, marker in inserts:
        pieces.append(text[last:offset])
        pieces.append(marker)
        last = offset
    pieces.append(text[last:])
    return "".join(pieces)


def _open_tag(span: Span, anchor: bool) -> str:
    attrs = [f'class="{escape(span.css)}"']
    if anchor and span.anchor:
        attrs.append(f'id="{escape(span.anchor)}"')
    attrs.extend(f'{escape(name)}="{escape(value)}"' for name, value in span.attrs.items())
    return f"<span {' '.join(attrs)}>"


def wrap_runs(html: str, spans: Sequence[Span]) -> str:
    """Replace the markers in rendered HTML by spans around the text they enclose, properly nested.

    Within a text run the open spans nest (a term inside its sentence); at every tag they are closed
    and reopened after it, so the result nests whatever element the span crosses.
    """
    active: list[int] = []
    anchored: set[int] = set()
    out: list[str] = []
    for part in TAG.split(html):
        if not part:
            continue
        if part.startswith("<"):
            for marker in MARKERS.finditer(part):  # a marker inside a tag's attribute: state only
                _toggle(active, marker.group())
            out.append(MARKERS.sub("", part))
            continue
        current: list[int] = []
        position = 0
        found: list[re.Match[str] | None] = [*MARKERS.finditer(part), None]
        for match in found:
            text = part[position : match.start() if match is not None else len(part)]
            if text:
                wanted = sorted(active, key=lambda i: (spans[i].level, i))
                common = 0
                while common < min(len(current), len(wanted)) and current[common] == wanted[common]:
                    common += 1
                out.append("</span>" * (len(current) - common))
                for index in wanted[common:]:
                    out.append(_open_tag(spans[index], index not in anchored))
                    anchored.add(index)
                current = wanted
                out.append(text)
            if match is not None:
                _toggle(active, match.group())
                position = match.end()
        out.append("</span>" * len(current))
    return "".join(out)


def _toggle(active: list[int], marker: str) -> None:
    index = ord(marker[1]) - ID_BASE
    if marker[0] == OPEN:
        active.append(index)
    elif index in active:
        active.remove(index)


def render_article(article: Article, spans: Sequence[Span]) -> str:
    """The article's body as HTML, each span marked where it sits (spans outside the body ignored)."""
    start = body_offset(article)
    usable = [s for s in without_overlaps(spans) if s.start >= start][:ID_LIMIT]
    marked = mark_source(article.text, usable)
    # The body starts after the front matter; markers are only ever inserted at or after `start`.
    body = marked[_shifted(marked, start) :]
    html: str = markdown().render(body)
    return wrap_runs(html, usable)


def _shifted(marked: str, offset: int) -> int:
    """The index in `marked` of the original text's `offset` (markers before it skipped)."""
    seen = 0
    index = 0
    while seen < offset and index < len(marked):
        if marked[index] in (OPEN, CLOSE):
            index += 2
            continue
        seen += 1
        index += 1
    return index


def render_markdown(text: str) -> str:
    """Plain Markdown as safe HTML (no markers): the baseline the benchmark compares against."""
    html: str = markdown().render(text)
    return html
