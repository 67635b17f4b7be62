"""The `editorial_terms` spaCy component: lexicon terms and pattern rules as spans of a Doc.

Shaped like spaCy's span_ruler: `__call__` only runs `match` then `set_annotations`; the work
sits in named methods. Spans go to `doc.spans[spans_key]` with `label_` = category, `id_` = the
rule id and `kb_id_` = the lexicon entry's index (empty for pattern matches).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

import numpy as np
from spacy.attrs import IS_SPACE, LOWER, ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from reviewers.flagger.patterns import PatternSet
from reviewers.flagger.table import SKIPPED_HASHES, KeyIndex, TermTable
from reviewers.flags import FlagCategory

SPANS_KEY = "editorial_terms"
TEXT_KEY = "editorial_text"
ABBREVIATION_RULE = "abbreviation-defined-in-text"
MAX_ABBREVIATION_CHARS = 10
_SEPARATOR_ROW = np.zeros((1, 3), dtype=np.uint64)
_CLASS_LABELS = frozenset({FlagCategory.DRUG_CLASS.value})
_CLASS_HEADS = frozenset(
    {
        "drug",
        "drugs",
        "agent",
        "agents",
        "medication",
        "medications",
        "medicine",
        "medicines",
        "therapy",
        "preparations",
    }
)
_DEFINITION = re.compile(rf"\s*\(\s*([^()\s;,]{{2,{MAX_ABBREVIATION_CHARS}}})\s*\)")
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

    def pipe(self, stream: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        """Like `__call__` over a stream, matching the lexicon over a whole batch at once."""
        stream = iter(stream)
        while batch := list(islice(stream, batch_size)):
            for doc, terms in zip(batch, self.match_terms_batch(batch), strict=True):
                self.set_annotations(doc, [*self.extend_class_heads(doc, terms), *self.match_patterns(doc)])
                yield doc

    def match(self, doc: Doc) -> list[Span]:
        """Every lexicon and pattern match, overlapping ones included."""
        return [*self.extend_class_heads(doc, self.match_terms(doc)), *self.match_patterns(doc)]

    def extend_class_heads(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """Widen a drug or class term over a following head noun: "antihypertensive" + "drugs",
        "hypoglycemic" + "agents" (the lexicon lists classes without every head noun)."""
        widened: list[Span] = []
        for span in spans:
            if span.label_ in _CLASS_LABELS and span.end < len(doc) and doc[span.end].lower_ in _CLASS_HEADS:
                span = Span(
                    doc, span.start, span.end + 1, label=span.label_, kb_id=span.kb_id_, span_id=span.id_
                )
            widened.append(span)
        return widened

    def match_terms(self, doc: Doc) -> list[Span]:
        """The longest lexicon term starting at each token (hyphens and white space ignored)."""
        return self.match_terms_batch([doc])[0]

    def match_terms_batch(self, docs: Sequence[Doc]) -> list[list[Span]]:
        """`match_terms` for many docs in one vectorised pass: their tokens' hashes joined, each doc
        followed by a row of zeros (no term contains hash 0, so no match crosses docs)."""
        if not docs:
            return []
        columns = [doc.to_array([LOWER, ORTH, IS_SPACE]).reshape(-1, 3) for doc in docs]
        sizes = [len(column) + 1 for column in columns]  # one separator row (all zeros) per doc
        rows = np.concatenate([part for column in columns for part in (column, _SEPARATOR_ROW)])
        doc_starts = np.cumsum([0, *sizes])
        skipped = np.isin(rows[:, 0], SKIPPED_HASHES) | rows[:, 2].astype(bool)
        kept = np.flatnonzero(~skipped)
        spans: list[list[Span]] = [[] for _ in docs]
        for index, column in ((self.table.lower, 0), (self.table.exact, 1)):
            if not len(index):
                continue
            starts, lengths, entry_ids = index.longest_matches(rows[kept, column])
            first_rows = kept[starts]
            end_rows = kept[starts + lengths - 1] + 1
            # drop matches nested in an earlier, longer one (most losers) before any Python work
            if len(end_rows) > 1:
                reach = np.maximum.accumulate(end_rows)
                outside = np.concatenate(([True], end_rows[1:] > reach[:-1]))
                first_rows, end_rows, entry_ids = first_rows[outside], end_rows[outside], entry_ids[outside]
            owners = np.searchsorted(doc_starts, first_rows, side="right") - 1
            offsets = doc_starts[owners]
            found: list[list[tuple[int, int, int]]] = [[] for _ in docs]
            for owner, first, end, entry_id in zip(
                owners.tolist(),
                (first_rows - offsets).tolist(),
                (end_rows - offsets).tolist(),
                entry_ids.tolist(),
                strict=True,
            ):
                found[owner].append((first, end, entry_id))
            for owner, matches in enumerate(found):
                spans[owner].extend(
                    self._term_span(docs[owner], start, end, entry_id)
                    for start, end, entry_id in longest_first(matches)
                )
        return spans

    def match_patterns(self, doc: Doc) -> list[Span]:
        """Pattern rule matches, widened to whole tokens."""
        spans: list[Span] = []
        for start, end, rule in self.patterns.finditer(doc_text(doc)):
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
        text = doc_text(doc)
        if "(" not in text:
            return found
        for span in doc.spans.get(self.spans_key, []):
            if not span.kb_id_ or text.find("(", span.end_char, span.end_char + 3) < 0:
                continue
            definition = _DEFINITION.match(text, span.end_char)
            if definition and _is_abbreviation_of(definition.group(1), span.text):
                found[definition.group(1)] = int(span.kb_id_)
        return found

    def mark_abbreviations(self, doc: Doc, abbreviations: dict[str, int]) -> None:
        """Flag each use of the defined abbreviations with its long form's entry."""
        if not abbreviations:
            return
        pattern = re.compile(
            r"(?<![\w-])(?:"
            + "|".join(re.escape(short) for short in sorted(abbreviations, key=len, reverse=True))
            + r")(?![\w-])"
        )
        added: list[Span] = []
        for match in pattern.finditer(doc_text(doc)):
            span = doc.char_span(match.start(), match.end(), alignment_mode="contract")
            if span is not None:
                added.append(
                    self._term_span(
                        doc, span.start, span.end, abbreviations[match.group()], ABBREVIATION_RULE
                    )
                )
        if added:
            self.set_annotations(doc, [*doc.spans.get(self.spans_key, []), *added])

    def _term_span(self, doc: Doc, start: int, end: int, entry_id: int, rule_id: str | None = None) -> Span:
        entry = self.table.entry(entry_id)
        return Span(
            doc, start, end, label=entry.category.value, kb_id=str(entry_id), span_id=rule_id or entry.rule_id
        )


def longest_first(matches: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """(start, end, entry) token matches without those inside or across a longer one (spaCy's
    `filter_spans` rule, on plain tuples so no Span is made for a match that loses)."""
    if len(matches) < 2:
        return matches
    taken: set[int] = set()
    kept: list[tuple[int, int, int]] = []
    for match in sorted(matches, key=lambda m: (m[0] - m[1], m[0])):
        if match[0] not in taken and match[1] - 1 not in taken:
            kept.append(match)
            taken.update(range(match[0], match[1]))
    return kept


def doc_text(doc: Doc) -> str:
    """The doc's text: the original string when the caller stored it under `user_data[TEXT_KEY]`
    (rebuilding `doc.text` from tokens costs more than tokenizing)."""
    text = doc.user_data.get(TEXT_KEY)
    return text if isinstance(text, str) else str(doc.text)


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
