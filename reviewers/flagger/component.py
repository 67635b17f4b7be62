"""The `editorial_terms` spaCy component: lexicon terms and pattern rules as spans of a Doc.

Shaped like spaCy's span_ruler: `__call__` only runs `match` then `set_annotations`; the work
sits in named methods. Spans go to `doc.spans[spans_key]` with `label_` = category, `id_` = the
rule id and `kb_id_` = the lexicon entry's index (empty for pattern matches).

The matching itself works on plain tuples (`Match`: token start and end, label, entry, rule) over
numpy columns of the doc, and only `set_annotations` makes `Span`s: the `Flagger` reads the
tuples straight from `match_batch`, since making a Span per match costs more than tokenizing.

Overlapping matches: the longest wins (spaCy's `filter_spans` rule), with two exceptions.
- Directives form their own layer: "must be given prior to surgery" never hides "surgery".
- An informational term never hides a term that needs approval. A shorter term inside (or
  across) a longer one is kept too when the shorter one's category needs approval and the
  longer one's does not: "heparin-induced thrombocytopenia" (condition, informational) flags
  "heparin" (drug) as well, since a drug hidden in a condition is an unreviewed claim in front
  of a patient. Terms needing approval still hide each other ("selective serotonin reuptake
  inhibitors", a drug class, hides "serotonin"), and when the longer term needs approval too
  (say the configuration makes conditions need approval) only the longest is kept. Which
  categories need approval is the configuration's (`EditorialTerms.use(..., approval=...)`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice, pairwise
from typing import NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, LOWER, ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span

from reviewers.flagger.patterns import PatternRule, PatternSet
from reviewers.flagger.sentences import is_one_of
from reviewers.flagger.table import SKIPPED_HASHES, KeyIndex, TermTable, string_id
from reviewers.flags import FlagCategory

SPANS_KEY = "editorial_terms"
TEXT_KEY = "editorial_text"
ABBREVIATION_RULE = "abbreviation-defined-in-text"
SUPPRESSED = "suppressed"
"""The label of a `suppress` rule's match: never flagged, it hides every match it overlaps."""
MAX_ABBREVIATION_CHARS = 10
COLUMNS = [LOWER, ORTH, IS_SPACE, IS_PUNCT, IDX, LENGTH]
"""The token attributes matching reads, in this column order (one `Doc.to_array` per doc)."""
LOWER_COLUMN, ORTH_COLUMN, SPACE_COLUMN, PUNCT_COLUMN, IDX_COLUMN, LENGTH_COLUMN = range(len(COLUMNS))
Columns = npt.NDArray[np.uint64]
_SEPARATOR_ROW = np.zeros((1, len(COLUMNS)), dtype=np.uint64)
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
_DRUG_LABELS = frozenset({FlagCategory.DRUG.value})
_SALT_WORDS = frozenset(
    {
        "hydrochloride",
        "hcl",
        "dihydrochloride",
        "hydrobromide",
        "sodium",
        "potassium",
        "calcium",
        "magnesium",
        "citrate",
        "sulfate",
        "sulphate",
        "mesylate",
        "maleate",
        "tartrate",
        "bitartrate",
        "acetate",
        "phosphate",
        "succinate",
        "fumarate",
        "besylate",
        "besilate",
        "tromethamine",
        "bromide",
        "chloride",
        "tosylate",
        "lactate",
        "gluconate",
        "disodium",
        "dipropionate",
        "propionate",
        "valerate",
        "pivoxil",
        "monohydrate",
        "trihydrate",
    }
)
"""Salt and ester words a label writes after a drug ("labetalol HCl", "cerivastatin sodium")."""
_CLASS_HEAD_HASHES = frozenset(string_id(word) for word in _CLASS_HEADS)
_SALT_HASHES = frozenset(string_id(word) for word in _SALT_WORDS)
_DIRECTIVE = FlagCategory.DIRECTIVE.value
_DEFINITION = re.compile(rf"\s*\(\s*([^()\s;,]{{2,{MAX_ABBREVIATION_CHARS}}})\s*\)")
_ABBREVIATION_SHAPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-/+.]*$")


@Language.factory("editorial_terms", default_config={"spans_key": SPANS_KEY})
def make_editorial_terms(nlp: Language, name: str, spans_key: str) -> EditorialTerms:
    """spaCy factory: an empty component; `Flagger` loads the compiled table into it."""
    return EditorialTerms(name=name, spans_key=spans_key)


class Match(NamedTuple):
    """A match on a doc's tokens: [start, end), category label, lexicon entry (-1: a pattern), rule id."""

    start: int
    end: int
    label: str
    entry: int
    rule_id: str


def doc_columns(doc: Doc) -> Columns:
    """The doc's `COLUMNS` as an (n, 6) uint64 array."""
    columns: Columns = doc.to_array(COLUMNS).reshape(-1, len(COLUMNS)).astype(np.uint64, copy=False)
    return columns


class EditorialTerms:
    """Marks lexicon terms (longest match) and pattern matches in a Doc."""

    def __init__(self, name: str = "editorial_terms", *, spans_key: str = SPANS_KEY) -> None:
        self.name = name
        self.spans_key = spans_key
        self.table = TermTable([], KeyIndex(), KeyIndex())
        self.patterns = PatternSet([])
        self.approval: frozenset[str] = frozenset()
        self._approval_mask: npt.NDArray[np.bool_] | None = None

    def use(self, table: TermTable, patterns: PatternSet, approval: Iterable[str] = ()) -> None:
        """Install the compiled term table, the pattern rules and the category values needing
        approval (an informational term never hides one of those; see the module docstring)."""
        self.table = table
        self.patterns = patterns
        self.approval = frozenset(approval)
        self._approval_mask = None

    def approval_mask(self) -> npt.NDArray[np.bool_]:
        """For each entry id of the table, whether its category needs approval (made on first use)."""
        if self._approval_mask is None:
            self._approval_mask = self.table.category_mask(self.approval)
        return self._approval_mask

    def __call__(self, doc: Doc) -> Doc:
        """Find the matches and store them on the doc."""
        self.set_annotations(doc, self.match(doc))
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        """Like `__call__` over a stream, matching the lexicon over a whole batch at once."""
        stream = iter(stream)
        while batch := list(islice(stream, batch_size)):
            for doc, matches in zip(batch, self.match_batch(batch), strict=True):
                self.set_annotations(doc, self.spans(doc, matches))
                yield doc

    def match(self, doc: Doc) -> list[Span]:
        """Every lexicon and pattern match, overlapping ones resolved (see the module docstring)."""
        return self.spans(doc, self.match_batch([doc])[0])

    def match_batch(
        self,
        docs: Sequence[Doc],
        columns: Sequence[Columns] | None = None,
        texts: Sequence[str] | None = None,
    ) -> list[list[Match]]:
        """The resolved matches of each doc (lexicon terms widened over class heads and salts, and
        pattern matches), sorted by start; `columns` and `texts` may be passed when already known."""
        columns = columns if columns is not None else [doc_columns(doc) for doc in docs]
        texts = texts if texts is not None else [doc_text(doc) for doc in docs]
        terms = self.term_matches(columns)
        patterns = self.patterns.find_many(texts)
        return [
            resolve_matches(
                without_suppressed([*found, *self.pattern_matches(text, column, hits)]),
                self.approval,
                self.patterns.emergency_ids,
            )
            for found, text, column, hits in zip(terms, texts, columns, patterns, strict=True)
        ]

    def term_matches(self, columns: Sequence[Columns]) -> list[list[Match]]:
        """The longest lexicon term starting at each token of each doc (hyphens and white space
        ignored), and the longest needing approval where the longest does not, overlaps resolved
        (see the module docstring), widened over a class head or a drug's salt, in one vectorised
        pass: the docs' rows joined, each doc followed by a row of zeros (no term contains hash 0,
        so no match crosses docs)."""
        if not columns:
            return []
        sizes = [len(column) + 1 for column in columns]  # one separator row (all zeros) per doc
        rows = np.concatenate([part for column in columns for part in (column, _SEPARATOR_ROW)])
        doc_starts = np.cumsum([0, *sizes])
        skipped = is_one_of(rows[:, LOWER_COLUMN], SKIPPED_HASHES) | rows[:, SPACE_COLUMN].astype(bool)
        kept = np.flatnonzero(~skipped)
        mask = self.approval_mask() if self.approval else None
        parts: list[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.uint32]]] = []
        for index, column in ((self.table.lower, LOWER_COLUMN), (self.table.exact, ORTH_COLUMN)):
            if len(index):
                for starts, lengths, entry_ids in index.longest_and_wanted_matches(rows[kept, column], mask):
                    parts.append((kept[starts], kept[starts + lengths - 1] + 1, entry_ids))
        if not parts:
            return [[] for _ in columns]
        first_rows = np.concatenate([part[0] for part in parts])
        end_rows = np.concatenate([part[1] for part in parts])
        entry_ids = np.concatenate([part[2] for part in parts])
        order = np.lexsort((-end_rows, first_rows))  # by start, the longest first
        first_rows, end_rows, entry_ids = first_rows[order], end_rows[order], entry_ids[order]
        # drop matches nested in an earlier, longer one (most losers) before any Python work; a
        # match needing approval is dropped only when nested in an earlier one needing approval
        if len(end_rows) > 1:
            reach = np.maximum.accumulate(end_rows)
            outside = np.concatenate(([True], end_rows[1:] > reach[:-1]))
            if mask is not None:
                needs = mask[entry_ids]
                reach_needing = np.maximum.accumulate(np.where(needs, end_rows, 0))
                outside[1:] |= needs[1:] & (end_rows[1:] > reach_needing[:-1])
            first_rows, end_rows, entry_ids = first_rows[outside], end_rows[outside], entry_ids[outside]
        crossing = np.zeros(len(first_rows), dtype=np.bool_)
        if len(first_rows) > 1:
            crossing[1:] = first_rows[1:] < end_rows[:-1]  # overlaps a neighbour without nesting
        bounds = np.searchsorted(first_rows, doc_starts).tolist()
        owners_crossing = np.searchsorted(doc_starts, first_rows[crossing], side="right") - 1
        needs_filter = set(owners_crossing.tolist())
        offsets = doc_starts[:-1].tolist()
        firsts, ends, ids = first_rows.tolist(), end_rows.tolist(), entry_ids.tolist()
        result: list[list[Match]] = []
        for owner, doc_rows in enumerate(columns):
            low, high, offset = bounds[owner], bounds[owner + 1], offsets[owner]
            found = [(firsts[i] - offset, ends[i] - offset, ids[i]) for i in range(low, high)]
            if owner in needs_filter:
                found = longest_first(found, None if mask is None else lambda match: bool(mask[match[2]]))
            lower = doc_rows[:, LOWER_COLUMN]
            result.append([self._widened(lower, *match) for match in found])
        return result

    def _widened(self, lower: Columns, start: int, end: int, entry_id: int) -> Match:
        label, rule_id = self.table.label_and_rule(entry_id)
        if label in _CLASS_LABELS:
            if end < len(lower) and int(lower[end]) in _CLASS_HEAD_HASHES:
                end += 1  # "antihypertensive" + "drugs"
        elif label in _DRUG_LABELS:
            first_end = end
            while end < len(lower) and end - first_end < 2 and int(lower[end]) in _SALT_HASHES:
                end += 1  # the salt a drug is given as: "labetalol HCl", "cerivastatin sodium"
        return Match(start, end, label, entry_id, rule_id)

    def match_terms(self, doc: Doc) -> list[Span]:
        """The lexicon matches of one doc as spans (before pattern matches and overlap resolution)."""
        return self.match_terms_batch([doc])[0]

    def match_terms_batch(self, docs: Sequence[Doc]) -> list[list[Span]]:
        """`match_terms` for many docs in one vectorised pass."""
        found = self.term_matches([doc_columns(doc) for doc in docs])
        return [self.spans(doc, matches) for doc, matches in zip(docs, found, strict=True)]

    def pattern_matches(
        self, text: str, columns: Columns, found: Sequence[tuple[int, int, PatternRule]] | None = None
    ) -> list[Match]:
        """Pattern rule matches (`found` when already known), widened to whole tokens."""
        found = list(self.patterns.finditer(text)) if found is None else found
        if not found or not len(columns):
            return []
        starts = columns[:, IDX_COLUMN].astype(np.int64)
        ends = starts + columns[:, LENGTH_COLUMN].astype(np.int64)
        matches: list[Match] = []
        for start_char, end_char, rule in found:
            first = max(int(np.searchsorted(starts, start_char, side="right")) - 1, 0)
            end = int(np.searchsorted(starts, end_char, side="left"))
            while first < end and ends[first] <= start_char:
                first += 1  # the match starts in the white space after a token
            if first < end:
                label = SUPPRESSED if rule.category is None else rule.category.value
                matches.append(Match(first, end, label, -1, rule.id))
        return matches

    def spans(self, doc: Doc, matches: Iterable[Match]) -> list[Span]:
        """The matches as spans: label = category, kb_id = entry index ('' for a pattern), id = rule."""
        return [
            Span(
                doc,
                match.start,
                match.end,
                label=match.label,
                kb_id=str(match.entry) if match.entry >= 0 else "",
                span_id=match.rule_id,
            )
            for match in matches
        ]

    def set_annotations(self, doc: Doc, spans: Iterable[Span]) -> None:
        """Store the spans (sorted) under `spans_key`."""
        doc.spans[self.spans_key] = sorted(spans, key=lambda span: (span.start_char, -span.end_char))

    def defined_abbreviations(self, text: str, columns: Columns, matches: Sequence[Match]) -> dict[str, int]:
        """Abbreviations the text defines right after a lexicon term, "5-fluorouracil (5-FU)":
        short form -> the term's entry."""
        found: dict[str, int] = {}
        if "(" not in text or not matches:
            return found
        starts = columns[:, IDX_COLUMN]
        ends = starts + columns[:, LENGTH_COLUMN]
        for match in matches:
            if match.entry < 0:
                continue
            end_char = int(ends[match.end - 1])
            if text.find("(", end_char, end_char + 3) < 0:
                continue
            definition = _DEFINITION.match(text, end_char)
            long_form = text[int(starts[match.start]) : end_char]
            if definition and _is_abbreviation_of(definition.group(1), long_form):
                found[definition.group(1)] = match.entry
        return found

    def abbreviation_matches(
        self, text: str, columns: Columns, matches: list[Match], abbreviations: dict[str, int]
    ) -> list[Match]:
        """`matches` plus each use of the defined abbreviations, flagged with its long form's entry."""
        if not abbreviations:
            return matches
        pattern = re.compile(
            r"(?<![\w-])(?:"
            + "|".join(re.escape(short) for short in sorted(abbreviations, key=len, reverse=True))
            + r")(?![\w-])"
        )
        hits = list(pattern.finditer(text))
        if not hits:
            return matches
        starts = columns[:, IDX_COLUMN].astype(np.int64)
        ends = starts + columns[:, LENGTH_COLUMN].astype(np.int64)
        added: list[Match] = []
        for hit in hits:
            first = int(np.searchsorted(starts, hit.start(), side="left"))
            end = int(np.searchsorted(ends, hit.end(), side="right"))
            if first < end:
                entry_id = abbreviations[hit.group()]
                label = self.table.entry(entry_id).category.value
                added.append(Match(first, end, label, entry_id, ABBREVIATION_RULE))
        if not added:
            return matches
        return resolve_matches([*matches, *added], self.approval, self.patterns.emergency_ids)


def without_suppressed(matches: list[Match]) -> list[Match]:
    """The matches without those of `suppress` rules (label `SUPPRESSED`: names of organisations
    and organisms, pronunciation guides) and without the lexicon terms overlapping one of them
    (pattern matches stay: "Ask the American Cancer Society" is still a directive)."""
    hidden = [(match.start, match.end) for match in matches if match.label == SUPPRESSED]
    if not hidden:
        return matches
    return [
        match
        for match in matches
        if match.label != SUPPRESSED
        and (match.entry < 0 or not any(start < match.end and match.start < end for start, end in hidden))
    ]


Spanned = TypeVar("Spanned", bound=tuple[int, int, int] | Match)
"""A token match whose first two fields are its start and end."""


def _longest_wins(matches: Sequence[Spanned]) -> list[Spanned]:
    """Spans without those inside or across a longer one (spaCy's `filter_spans` rule)."""
    taken: set[int] = set()
    kept: list[Spanned] = []
    for match in sorted(matches, key=lambda m: (m[0] - m[1], m[0])):
        if match[0] not in taken and match[1] - 1 not in taken:
            kept.append(match)
            taken.update(range(match[0], match[1]))
    return kept


def _longest_wins_sparing(
    matches: Sequence[Spanned], needs_approval: Callable[[Spanned], bool]
) -> list[Spanned]:
    """`_longest_wins`, except that an informational match never hides one needing approval:
    the informational winners among all matches, with the winners among those needing approval."""
    kept = _longest_wins(matches)
    if len(kept) == len(matches) or all(not needs_approval(m) for m in set(matches) - set(kept)):
        return kept  # no match needing approval lost: the common case
    needing = _longest_wins([m for m in matches if needs_approval(m)])
    return [*(m for m in kept if not needs_approval(m)), *needing]


def longest_first(
    matches: list[tuple[int, int, int]], needs_approval: Callable[[tuple[int, int, int]], bool] | None = None
) -> list[tuple[int, int, int]]:
    """(start, end, entry) token matches without those inside or across a longer one (spaCy's
    `filter_spans` rule, on plain tuples so no Span is made for a match that loses), except that
    when `needs_approval` is given an informational match never hides one needing approval."""
    if len(matches) < 2:
        return matches
    if needs_approval is None:
        return sorted(_longest_wins(matches))
    return sorted(_longest_wins_sparing(matches, needs_approval))


def resolve_matches(
    matches: list[Match], approval: frozenset[str] = frozenset(), emergency: frozenset[str] = frozenset()
) -> list[Match]:
    """Longest wins among overlapping matches (spaCy's `filter_spans` rule), except that a match
    whose label is in `approval` is never hidden by one whose label is not; directives form their
    own layer, so a directive never hides the drug or procedure it mentions, and in it a directive
    of an `emergency` rule wins over any other it overlaps. Sorted by start."""
    if len(matches) < 2:
        return matches
    ordered = sorted(matches, key=_start_then_longest)
    if all(first.end <= second.start for first, second in pairwise(ordered)):
        return ordered  # nothing overlaps: the common case
    kept: list[Match] = []
    for layer in (
        [m for m in matches if m.label != _DIRECTIVE],
        [m for m in matches if m.label == _DIRECTIVE],
    ):
        if approval:
            kept += _longest_wins_sparing(layer, lambda m: m.label in approval)
        else:
            kept += _longest_wins(layer)
    if emergency and any(m.rule_id in emergency for m in matches):
        urgent = _longest_wins([m for m in matches if m.label == _DIRECTIVE and m.rule_id in emergency])
        kept = [
            m
            for m in kept
            if m.label != _DIRECTIVE or not any(u.start < m.end and m.start < u.end for u in urgent)
        ]
        kept += urgent
    return sorted(kept, key=_start_then_longest)


def _start_then_longest(match: Match) -> tuple[int, int]:
    return match.start, -match.end


def doc_text(doc: Doc) -> str:
    """The doc's text: the original string when the caller stored it under `user_data[TEXT_KEY]`
    (rebuilding `doc.text` from tokens costs more than tokenizing)."""
    text = doc.user_data.get(TEXT_KEY)
    return text if isinstance(text, str) else str(doc.text)


def _is_abbreviation_of(short: str, long_form: str) -> bool:
    """A short form: 2-10 characters, no spaces, a capital or digit, starting with the long form's
    first letter and no longer than it."""
    if not (2 <= len(short) <= MAX_ABBREVIATION_CHARS) or not _ABBREVIATION_SHAPE.match(short):
        return False
    if not any(char.isupper() or char.isdigit() for char in short) or len(short) >= len(long_form):
        return False
    return short[0].casefold() == long_form[0].casefold()
