"""The `editorial_terms` spaCy component: lexicon terms and pattern rules as spans of a Doc.

Shaped like spaCy's span_ruler: `__call__` only runs `match` then `set_annotations`; the work
sits in named methods. Spans go to `doc.spans[spans_key]` with `label_` = category, `id_` = the
rule id and `kb_id_` = the lexicon entry's index (empty for pattern matches).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
from spacy.attrs import IS_SPACE, LOWER, ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from reviewers.flagger.patterns import PatternSet
from reviewers.flagger.table import SKIPPED_HASHES, KeyIndex, TermTable
from reviewers.flags import FlagCategory

SPANS_KEY = "editorial_terms"
ABBREVIATION_RULE = "abbreviation-defined-in-text"
MAX_ABBREVIATION_CHARS = 10
_CLASS_LABELS = frozenset({FlagCategory.DRUG_CLASS.value})
_CLASS_HEADS = frozenset(
    {"drug", "drugs", "agent", "agents", "medication", "medications", "medicine", "medicines", "therapy", "preparations"}
)
_DEFINITION = re.compile(r"\s*\(\s*([^()\s;,]{2,%d})\s*\)" % MAX_ABBREVIATION_CHARS)
_ABBREVIATION_SHAPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-/+.]*$")


@Language.factory("editorial_terms", default_config={"spans_key": SPANS_KEY})
def make_editorial_terms(nlp: Language, name: str, spans_key: str) -> EditorialTerms:
    """spaCy factory: an empty component; `Flagger` loads the compiled table into it."""
    return EditorialTerms(name=name, spans_key=spans_key)


class EditorialTerms:
    """Marks lexicon terms (longest match) and pattern matches in a Doc."""

    def __init__(self, name: str = "editorial_terms", *, spans_key: str = SPANS_KEY) -> None:
        self.name = name
        self.spans_key = spans_key
        self.table = TermTable([], KeyIndex(), KeyIndex())
        self.patterns = PatternSet([])

    def use(self, table: TermTable, patterns: PatternSet) -> None:
        """Install the compiled term table and the pattern rules."""
        self.table = table
        self.patterns = patterns

    def __call__(self, doc: Doc) -> Doc:
        """Find the matches and store them on the doc."""
        self.set_annotations(doc, self.match(doc))
        return doc

    def match(self, doc: Doc) -> list[Span]:
        """Every lexicon and pattern match, overlapping ones included."""
        return [*self.extend_class_heads(doc, self.match_terms(doc)), *self.match_patterns(doc)]

    def extend_class_heads(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """Widen a drug or class term over a following head noun: "antihypertensive" + "drugs",
        "hypoglycemic" + "agents" (the lexicon lists classes without every head noun)."""
        widened: list[Span] = []
        for span in spans:
            if span.label_ in _CLASS_LABELS and span.end < len(doc) and doc[span.end].lower_ in _CLASS_HEADS:
                span = Span(doc, span.start, span.end + 1, label=span.label_, kb_id=span.kb_id_, span_id=span.id_)
            widened.append(span)
        return widened

    def match_terms(self, doc: Doc) -> list[Span]:
        """The longest lexicon term starting at each token (hyphens and white space ignored)."""
        if len(doc) == 0:
            return []
        lower = doc.to_array(LOWER)
        skipped = np.isin(lower, SKIPPED_HASHES) | doc.to_array(IS_SPACE).astype(bool)
        kept = np.flatnonzero(~skipped)
        spans: list[Span] = []
        for index, hashes in ((self.table.lower, lower[kept]), (self.table.exact, doc.to_array(ORTH)[kept])):
            if not index.keys:
                continue
            lengths = index.candidate_lengths(hashes)
            starts = np.flatnonzero(lengths)
            if len(starts) == 0:
                continue
            sequence: list[int] = hashes.tolist()
            for start, most in zip(starts.tolist(), lengths[starts].tolist(), strict=True):
                found = index.longest_at(sequence, start, most)
                if found is None:
                    continue
                length, entry_id = found
                spans.append(self._term_span(doc, int(kept[start]), int(kept[start + length - 1]) + 1, entry_id))
        return spans

    def match_patterns(self, doc: Doc) -> list[Span]:
        """Pattern rule matches, widened to whole tokens."""
        spans: list[Span] = []
        for start, end, rule in self.patterns.finditer(doc.text):
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is not None and len(span) > 0:
                spans.append(Span(doc, span.start, span.end, label=rule.category.value, span_id=rule.id))
        return spans

    def set_annotations(self, doc: Doc, spans: Iterable[Span]) -> None:
        """Keep the longest of overlapping spans and store them (sorted) under `spans_key`."""
        doc.spans[self.spans_key] = resolve_overlaps(spans)

    def defined_abbreviations(self, doc: Doc) -> dict[str, int]:
        """Abbreviations the text defines right after a lexicon term, "5-fluorouracil (5-FU)":
        short form -> the term's entry."""
        found: dict[str, int] = {}
        for span in doc.spans.get(self.spans_key, []):
            if not span.kb_id_:
                continue
            definition = _DEFINITION.match(doc.text, span.end_char)
            if definition and _is_abbreviation_of(definition.group(1), span.text):
                found[definition.group(1)] = int(span.kb_id_)
        return found

    def mark_abbreviations(self, doc: Doc, abbreviations: dict[str, int]) -> None:
        """Flag each use of the defined abbreviations with its long form's entry."""
        if not abbreviations:
            return
        pattern = re.compile(
            r"(?<![\w-])(?:" + "|".join(re.escape(short) for short in sorted(abbreviations, key=len, reverse=True)) + r")(?![\w-])"
        )
        added: list[Span] = []
        for match in pattern.finditer(doc.text):
            span = doc.char_span(match.start(), match.end(), alignment_mode="contract")
            if span is not None:
                added.append(self._term_span(doc, span.start, span.end, abbreviations[match.group()], ABBREVIATION_RULE))
        if added:
            self.set_annotations(doc, [*doc.spans.get(self.spans_key, []), *added])

    def _term_span(self, doc: Doc, start: int, end: int, entry_id: int, rule_id: str | None = None) -> Span:
        entry = self.table.entry(entry_id)
        return Span(
            doc, start, end, label=entry.category.value, kb_id=str(entry_id), span_id=rule_id or entry.rule_id
        )


def resolve_overlaps(spans: Iterable[Span]) -> list[Span]:
    """Longest wins among overlapping spans; directives form their own layer, so a directive never
    hides the drug or procedure it mentions."""
    directives: list[Span] = []
    others: list[Span] = []
    for span in spans:
        (directives if span.label_ == FlagCategory.DIRECTIVE.value else others).append(span)
    kept: Sequence[Span] = [*filter_spans(others), *filter_spans(directives)]
    return sorted(kept, key=lambda span: (span.start_char, -span.end_char))


def _is_abbreviation_of(short: str, long_form: str) -> bool:
    """A short form: 2-10 characters, no spaces, a capital or digit, starting with the long form's
    first letter and no longer than it."""
    if not (2 <= len(short) <= MAX_ABBREVIATION_CHARS) or not _ABBREVIATION_SHAPE.match(short):
        return False
    if not any(char.isupper() or char.isdigit() for char in short) or len(short) >= len(long_form):
        return False
    return short[0].casefold() == long_form[0].casefold()
