"""What both the flagger and its worker pool need: an article's segments and flags built from rows.

`reviewers.flagger.runtime` (the `Flagger`) and `reviewers.flagger.pool` (its worker processes)
both import this module and neither imports the other at module level: the pool is handed a
flagger (or, in a loading worker, a `LoadSpec` whose `load()` makes one).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from reviewers.flags import Flag
from validators.models import Article

_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+|$)")
_ATX_CLOSING = re.compile(r"[ \t]+#+[ \t]*$")


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of an article flagged on its own (a heading or a prose block) and where it starts."""

    offset: int
    text: str


_FLAG_FIELDS = frozenset(Flag.model_fields)
FLAG_FIELDS = tuple(Flag.model_fields)
"""The Flag's fields in declaration order (a worker process returns each flag's values in it)."""


def trusted_flag(values: dict[str, object]) -> Flag:
    """A Flag from values the flagger built from typed data, without re-validating them: what
    pydantic's `model_construct` does, minus its per-field default and alias handling (every
    field is given), which costs more than finding the term. `values` must hold every field."""
    flag = Flag.__new__(Flag)
    object.__setattr__(flag, "__dict__", values)
    object.__setattr__(flag, "__pydantic_fields_set__", set(_FLAG_FIELDS))
    object.__setattr__(flag, "__pydantic_extra__", None)
    object.__setattr__(flag, "__pydantic_private__", None)
    return flag


@contextmanager
def paused_gc() -> Iterator[None]:
    """Hold the cyclic garbage collector while a batch is flagged (restored after, never across a
    `yield`): the batch's flags are all kept, so the collections it would trigger, each scanning
    the loaded lexicon's objects, find nothing to free and cost about a sixth of the flagging time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def article_segments(article: Article) -> list[Segment]:
    """The headings and prose blocks of an article, leading white space stripped (offsets kept)."""
    segments: list[Segment] = []
    line_starts = [0, *(match.end() for match in re.finditer("\n", article.text))]
    for section in article.sections:
        if section.heading is not None and section.line <= len(line_starts):
            segment = _heading_segment(article.text, line_starts, section.line)
            if segment is not None:
                segments.append(segment)
        for block in section.prose_blocks:
            text = block.text.lstrip()
            if text.strip():
                segments.append(Segment(block.offset + len(block.text) - len(text), text.rstrip()))
    return segments


def _heading_segment(text: str, line_starts: list[int], line: int) -> Segment | None:
    start = line_starts[line - 1]
    end = text.find("\n", start)
    source = text[start : end if end != -1 else len(text)]
    marker = _ATX_HEADING.match(source)
    content_start = marker.end() if marker else len(source) - len(source.lstrip())
    content = _ATX_CLOSING.sub("", source[content_start:]).rstrip()
    return Segment(start + content_start, content) if content else None
