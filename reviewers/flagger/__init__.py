"""The medical-term flagger: a spaCy pipeline on `spacy.blank("en")` producing `Flag`s.

`load_flagger()` returns a ready `Flagger` (compiled table from the on-disk cache, built on a
miss); `flag_findings()` turns flags into TM01 info findings for `editorial check`.

Overlapping terms keep the longest, except that an informational term never hides one needing
approval under the configuration: "heparin-induced thrombocytopenia" (a condition) flags "heparin"
(a drug) too, while "selective serotonin reuptake inhibitors" (a drug class) alone hides
"serotonin". Directives form their own layer. See `reviewers.flagger.component`.

`Flagger.flag_many(articles, workers=N)` flags a big batch in worker processes
(`reviewers.flagger.pool`) with the same result as one process.
"""

from __future__ import annotations

from reviewers.flagger.documents import Segment, article_segments
from reviewers.flagger.runtime import (
    Flagger,
    FlaggerInfo,
    TermMatch,
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
