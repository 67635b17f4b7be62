"""The `editorial_sentences` component: spaCy's sentencizer rule, vectorised.

A sentence ends after a token in the sentencizer's punctuation set (".", "!", "?" and their
equivalents in other scripts); the next token that is not punctuation starts the next sentence.
Same boundaries as `spacy.pipeline.Sentencizer`, computed with numpy instead of a loop over Token
objects (which costs more than tokenizing).
"""

from __future__ import annotations

from collections.abc import Sequence
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


def is_one_of(values: npt.NDArray[Any], sorted_set: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
    """`np.isin` for a small sorted set, by binary search (several times faster than `np.isin`,
    which sorts the values on every call)."""
    where = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    found: npt.NDArray[np.bool_] = sorted_set[where] == values
    return found


def sentence_starts(doc: Doc) -> npt.NDArray[np.int64]:
    """1 where a sentence starts, -1 elsewhere (SENT_START values)."""
    attributes = doc.to_array([ORTH, IS_PUNCT])
    return sentence_starts_of(attributes[:, 0], attributes[:, 1])


def sentence_starts_of(orth: npt.NDArray[Any], is_punct: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    """`sentence_starts` from the tokens' ORTH hashes and IS_PUNCT flags (columns the caller holds)."""
    starts = np.full(len(orth), -1, dtype=np.int64)
    if not len(orth):
        return starts
    ends = is_one_of(orth, PUNCT_HASHES)
    punct = is_punct.astype(bool) | ends
    starts[0] = 1
    words = np.flatnonzero(~punct)
    if len(words) > 1:
        seen = np.concatenate(([0], np.cumsum(ends)))  # seen[i] = period tokens before i
        previous, current = words[:-1], words[1:]
        opened = seen[current] - seen[previous + 1] > 0
        starts[current[opened]] = 1
    return starts


def sentence_bounds_of_many(
    orth: npt.NDArray[Any], is_punct: npt.NDArray[Any], sizes: Sequence[int]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """`sentence_starts_of` for many docs at once, their token rows joined (`sizes` tokens each):
    (first token of each sentence, its last token, the doc it belongs to), in row numbers of the
    joined arrays. A sentence never crosses docs, and each doc's sentences are exactly those
    `sentence_starts_of` gives it alone."""
    bounds = np.cumsum([0, *sizes])
    count = int(bounds[-1])
    if count == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, empty
    doc_of = np.repeat(np.arange(len(sizes)), sizes)
    ends = is_one_of(orth, PUNCT_HASHES)
    punct = is_punct.astype(bool) | ends
    starts = np.zeros(count, dtype=np.bool_)
    starts[bounds[:-1][np.asarray(sizes) > 0]] = True
    words = np.flatnonzero(~punct)
    if len(words) > 1:
        seen = np.concatenate(([0], np.cumsum(ends)))
        previous, current = words[:-1], words[1:]
        opened = (seen[current] - seen[previous + 1] > 0) & (doc_of[previous] == doc_of[current])
        starts[current[opened]] = True
    first = np.flatnonzero(starts)
    owner = doc_of[first]
    following = np.append(first[1:], count)
    last = np.minimum(following, bounds[owner + 1]) - 1
    return first, last, owner
