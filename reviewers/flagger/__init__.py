"""The medical-term flagger: a spaCy pipeline on `spacy.blank("en")` producing `Flag`s.

`load_flagger()` returns a ready `Flagger` (compiled table from the on-disk cache, built on a
miss); `flag_findings()` turns flags into TM01 info findings for `editorial check`.
"""

from __future__ import annotations

from reviewers.flagger.runtime import (
    Flagger,
    FlaggerInfo,
    Segment,
    TermMatch,
    article_segments,
    flag_findings,
    load_flagger,
)

__all__ = [
    "Flagger",
    "FlaggerInfo",
    "Segment",
    "TermMatch",
    "article_segments",
    "flag_findings",
    "load_flagger",
]
