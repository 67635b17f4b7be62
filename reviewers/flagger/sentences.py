"""The `editorial_sentences` component: spaCy's sentencizer rule, vectorised.

A sentence ends after a token in the sentencizer's punctuation set (".", "!", "?" and their
equivalents in other scripts); the next token that is not punctuation starts the next sentence.
Same boundaries as `spacy.pipeline.Sentencizer`, computed with numpy instead of a loop over Token
objects (which costs more than tokenizing).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from spacy.attrs import IS_PUNCT, ORTH, SENT_START
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.strings import hash_string  # type: ignore[attr-defined]
from spacy.tokens import Doc

PUNCT_HASHES = np.array(
    sorted(hash_string(char) for char in Sentencizer.default_punct_chars), dtype=np.uint64
)


FACTORY = "editorial_sentences"


@Language.factory(FACTORY)
def make_editorial_sentences(nlp: Language, name: str) -> EditorialSentences:
    """spaCy factory for the vectorised sentencizer."""
    return EditorialSentences()


class EditorialSentences:
    """Sets `is_sent_start` on every token by the sentencizer's punctuation rule."""

    def __call__(self, doc: Doc) -> Doc:
        """Mark the sentence starts."""
        if len(doc):
            values: Any = sentence_starts(doc).reshape(-1, 1).astype(np.uint64)
            doc.from_array([SENT_START], values)
        return doc


def sentence_starts(doc: Doc) -> npt.NDArray[np.int64]:
    """1 where a sentence starts, -1 elsewhere (SENT_START values)."""
    attributes = doc.to_array([ORTH, IS_PUNCT])
    ends = np.isin(attributes[:, 0], PUNCT_HASHES)
    punct = attributes[:, 1].astype(bool) | ends
    starts = np.full(len(doc), -1, dtype=np.int64)
    starts[0] = 1
    words = np.flatnonzero(~punct)
    if len(words) > 1:
        seen = np.concatenate(([0], np.cumsum(ends)))  # seen[i] = period tokens before i
        previous, current = words[:-1], words[1:]
        opened = seen[current] - seen[previous + 1] > 0
        starts[current[opened]] = 1
    return starts
