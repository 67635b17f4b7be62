"""The `Flagger`: an Article in, its medical-term `Flag`s out, each in its sentence."""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice, pairwise
from pathlib import Path
from typing import NamedTuple, TypeVar, cast

import numpy as np
import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_suffix_regex

from reviewers.flagger.cache import cache_key, load_or_build
from reviewers.flagger.component import (
    IDX_COLUMN,
    LENGTH_COLUMN,
    ORTH_COLUMN,
    PUNCT_COLUMN,
    TEXT_KEY,
    Columns,
    EditorialTerms,
    Match,
    doc_columns,
)
from reviewers.flagger.config import FlaggerConfig, load_config
from reviewers.flagger.documents import Segment, article_segments, paused_gc, trusted_flag
from reviewers.flagger.lexicon import LexiconEntry, LexiconInputs, hpo_acknowledgement, hpo_version
from reviewers.flagger.patterns import DEFAULT_PATTERNS_PATH, PatternSet, load_patterns
from reviewers.flagger.sentences import FACTORY as SENTENCES_FACTORY
from reviewers.flagger.sentences import sentence_bounds_of_many, sentence_starts_of
from reviewers.flagger.table import TermTable, compile_table
from reviewers.flags import Flag, FlagCategory
from validators.findings import Finding, Severity
from validators.models import Article
from validators.text import normalize_key, normalize_text


def default_cache_dir() -> Path:
    """Where compiled term tables go when no cache dir is given: `~/.cache/editorial`, read at call time."""
    return Path.home() / ".cache" / "editorial"


TOKENIZER_CACHE_SIZE = 500_000
PIPE_BATCH_SIZE = 256
ARTICLE_BATCH_SIZE = 64
_CATEGORIES = {category.value: category for category in FlagCategory}
Made = TypeVar("Made")


class TermMatch(NamedTuple):
    """A match in a text: character offsets, what it is, where it came from, and its sentence."""

    start: int
    end: int
    term: str
    category: FlagCategory
    normalized: str
    source: str
    source_id: str | None
    rule_id: str
    sentence_start: int
    sentence_end: int
    emergency: bool = False


@dataclass(frozen=True)
class LoadSpec:
    """How a flagger was loaded, so a worker process can load the same one from the on-disk cache."""

    config_path: Path | None
    cache_dir: Path | None
    lexicon: LexiconInputs
    patterns_path: Path

    def load(self) -> Flagger:
        """The flagger this spec describes (from the on-disk cache): what a loading worker runs."""
        return load_flagger(
            self.config_path, self.cache_dir, lexicon=self.lexicon, patterns_path=self.patterns_path
        )


@dataclass(frozen=True)
class FlaggerInfo:
    """What the loaded flagger is made of, for `--version`-style output and the benchmark."""

    entries: int
    keys: int
    patterns: int
    cache_status: str
    cache_path: Path
    load_seconds: float
    uses_hpo: bool


class SentenceIndex:
    """Character bounds of a doc's sentences, looked up by token (no Span per lookup)."""

    def __init__(self, columns: Columns) -> None:
        starts = np.flatnonzero(sentence_starts_of(columns[:, ORTH_COLUMN], columns[:, PUNCT_COLUMN]) == 1)
        if len(starts) == 0 or starts[0] != 0:
            starts = np.concatenate(([0], starts))
        idx = columns[:, IDX_COLUMN].astype(np.int64)
        length = columns[:, LENGTH_COLUMN].astype(np.int64)
        last = np.append(starts[1:], len(columns)) - 1
        self.starts: list[int] = starts.tolist()
        self.start_chars: list[int] = idx[starts].tolist()
        self.end_chars: list[int] = (idx[last] + length[last]).tolist()

    @classmethod
    def of_many(cls, columns: Sequence[Columns]) -> list[SentenceIndex]:
        """The sentences of many docs, computed in one vectorised pass over their joined columns."""
        if not columns:
            return []
        sizes = [len(column) for column in columns]
        rows = np.concatenate(columns)
        first, last, owner = sentence_bounds_of_many(rows[:, ORTH_COLUMN], rows[:, PUNCT_COLUMN], sizes)
        idx = rows[:, IDX_COLUMN].astype(np.int64)
        length = rows[:, LENGTH_COLUMN].astype(np.int64)
        doc_starts = np.cumsum([0, *sizes])
        starts: list[int] = (first - doc_starts[owner]).tolist()
        start_chars: list[int] = idx[first].tolist()
        end_chars: list[int] = (idx[last] + length[last]).tolist()
        cuts: list[int] = np.searchsorted(owner, np.arange(len(columns) + 1)).tolist()
        indexes: list[SentenceIndex] = []
        for low, high in pairwise(cuts):
            index = cls.__new__(cls)
            index.starts, index.start_chars, index.end_chars = (
                starts[low:high],
                start_chars[low:high],
                end_chars[low:high],
            )
            indexes.append(index)
        return indexes

    def around(self, start: int, end: int) -> tuple[int, int]:
        """(first char, end char) of the sentences holding tokens start..end-1."""
        first = bisect_right(self.starts, start) - 1
        last = bisect_right(self.starts, end - 1) - 1
        return self.start_chars[first], self.end_chars[last]


Analysed = tuple[str, Columns, list[Match], SentenceIndex]
"""A text, its token columns, its matches and its sentences."""


class Flagger:
    """Flags medical terms, dosages, directives and numeric claims in articles."""

    def __init__(
        self, nlp: Language, config: FlaggerConfig, info: FlaggerInfo, load_spec: LoadSpec | None = None
    ) -> None:
        self.nlp = nlp
        self.config = config
        self.info = info
        self.load_spec = load_spec
        self.component = cast(EditorialTerms, nlp.get_pipe("editorial_terms"))
        self._accepted = set(config.accept)
        self._approval = {category: config.approval_needed(category) for category in FlagCategory}

    def hpo_version(self) -> str:
        """The HPO release whose terms this flagger matches ('not used' without HPO)."""
        return hpo_version() if self.info.uses_hpo else "not used"

    def hpo_acknowledgement(self) -> str:
        """The acknowledgement the HPO licence asks us to show ('' without HPO)."""
        return hpo_acknowledgement() if self.info.uses_hpo else ""

    def flag(self, article: Article) -> list[Flag]:
        """The flags of one article, sorted by offset."""
        return next(self.flag_many([article]))

    def flag_many(self, articles: Iterable[Article], workers: int | None = 1) -> Iterator[list[Flag]]:
        """The flags of each article, in order, streaming the texts through one spaCy pipe.

        With `workers` > 1 (None: `pool.default_workers()`), a batch big enough to repay starting
        the workers (`pool.worth_a_pool`: 200 articles or 200k characters when they can be forked)
        is flagged in that many worker processes, with the same flags in the same order; a
        smaller one here, as is everything when the workers cannot be started."""
        from reviewers.flagger import pool  # deferred: multiprocessing is only needed for big batches

        workers = pool.default_workers() if workers is None else workers
        if workers > 1:
            method = pool.start_method()
            head, rest = pool.worth_a_pool(articles, method)
            articles = head if rest is None else chain(head, rest)
            if rest is not None:
                try:
                    flagging = pool.FlaggerPool(self, workers, method)
                except OSError:
                    flagging = None  # no processes to be had (a sandbox, a process limit): flag here
                if flagging is not None:
                    with flagging:
                        yield from flagging.flag_many(articles)
                    return
        yield from self.flag_documents(((a.text, article_segments(a)) for a in articles), trusted_flag)

    def flag_documents(
        self, documents: Iterable[tuple[str, list[Segment]]], make: Callable[[dict[str, object]], Made]
    ) -> Iterator[list[Made]]:
        """For each (article text, its segments): `make` applied to each flag's field values (a
        dict in `FLAG_FIELDS` order, what `trusted_flag` takes), sorted by offset. The cyclic GC
        is paused while a batch is flagged."""
        pending = iter(documents)
        while batch := list(islice(pending, ARTICLE_BATCH_SIZE)):
            with paused_gc():  # a batch allocates many small objects and frees none of them
                groups = self.find_many([[segment.text for segment in segments] for _, segments in batch])
                results = [
                    [make(values) for values in self._flag_values(text, segments, matches)]
                    for (text, segments), matches in zip(batch, groups, strict=True)
                ]
            yield from results

    def find(self, texts: Sequence[str]) -> list[list[TermMatch]]:
        """Matches in the texts of one document (abbreviations defined in one apply to all)."""
        return next(self.find_many([texts]))

    def find_many(self, documents: Iterable[Sequence[str]]) -> Iterator[list[list[TermMatch]]]:
        """`find` over many documents, their texts tokenized and matched in batches."""
        documents = list(documents)
        analysed = self._analyse(text for texts in documents for text in texts)
        for texts in documents:
            yield self._document_matches(list(islice(analysed, len(texts))))

    def process(self, texts: Iterable[str]) -> Iterator[Doc]:
        """Run the whole spaCy pipeline over texts (sentences set, matches under
        `doc.spans[spans_key]`), keeping each original string on its doc."""
        stream = iter(texts)
        while batch := list(islice(stream, PIPE_BATCH_SIZE)):
            docs = list(tokenizer_of(self.nlp).pipe(batch))
            for text, doc in zip(batch, docs, strict=True):
                doc.user_data[TEXT_KEY] = text
            for _, component in self.nlp.pipeline:
                if hasattr(component, "pipe"):
                    docs = list(component.pipe(docs, batch_size=PIPE_BATCH_SIZE))
                else:
                    docs = [component(doc) for doc in docs]
            yield from docs

    def _analyse(self, texts: Iterable[str]) -> Iterator[Analysed]:
        """Each text with its token columns and the component's matches: the hot path, which
        reads the matches as tuples and never makes a Span."""
        tokenizer = tokenizer_of(self.nlp)
        stream = iter(texts)
        while batch := list(islice(stream, PIPE_BATCH_SIZE)):
            columns = [doc_columns(doc) for doc in tokenizer.pipe(batch)]
            matches = self.component.match_batch([], columns, batch)
            sentences = SentenceIndex.of_many(columns)
            yield from zip(batch, columns, matches, sentences, strict=True)

    def _document_matches(self, analysed: list[Analysed]) -> list[list[TermMatch]]:
        abbreviations: dict[str, int] = {}
        for text, columns, matches, _ in analysed:
            abbreviations.update(self.component.defined_abbreviations(text, columns, matches))
        return [
            self._matches(
                text,
                columns,
                self.component.abbreviation_matches(text, columns, matches, abbreviations),
                sentences,
            )
            for text, columns, matches, sentences in analysed
        ]

    def _matches(
        self, text: str, columns: Columns, found: list[Match], sentences: SentenceIndex
    ) -> list[TermMatch]:
        if not found:
            return []
        starts = columns[:, IDX_COLUMN].astype(np.int64)
        token_starts: list[int] = starts.tolist()
        token_ends: list[int] = (starts + columns[:, LENGTH_COLUMN].astype(np.int64)).tolist()
        entry = self.component.table.entry
        accepted = self._accepted
        emergency_rules = self.component.patterns.emergency_ids
        around = sentences.around
        matches: list[TermMatch] = []
        for match in found:
            start, end = token_starts[match.start], token_ends[match.end - 1]
            term = text[start:end]
            if match.entry >= 0:
                info = entry(match.entry)
                normalized, source, source_id = info.canonical, info.source, info.source_id
            else:
                normalized, source, source_id = normalize_key(term), "pattern", None
            if accepted and (normalize_key(term) in accepted or normalized in accepted):
                continue
            sentence_start, sentence_end = around(match.start, match.end)
            matches.append(  # positional: a NamedTuple built by keywords costs twice as much
                TermMatch(
                    start,
                    end,
                    term,
                    _CATEGORIES[match.label],
                    normalized,
                    source,
                    source_id,
                    match.rule_id,
                    sentence_start,
                    sentence_end,
                    match.entry < 0 and match.rule_id in emergency_rules,
                )
            )
        return matches

    def _flag_values(
        self, text: str, segments: list[Segment], matches: list[list[TermMatch]]
    ) -> list[dict[str, object]]:
        values: list[dict[str, object]] = []
        if not any(matches):
            return values
        line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
        approval = self._approval
        for segment, found in zip(segments, matches, strict=True):
            offset, segment_text = segment.offset, segment.text
            for match in found:
                start = offset + match.start
                line = bisect_right(line_starts, start)
                values.append(
                    {
                        "term": match.term,
                        "normalized": match.normalized,
                        "category": match.category,
                        "sentence": segment_text[match.sentence_start : match.sentence_end].rstrip(),
                        "start": start,
                        "end": offset + match.end,
                        "line": line,
                        "column": start - line_starts[line - 1] + 1,
                        "source": match.source,
                        "source_id": match.source_id,
                        "rule_id": match.rule_id,
                        "needs_approval": approval[match.category],
                        "emergency": match.emergency,
                    }
                )
        values.sort(key=_flag_order)
        return values


def _flag_order(values: dict[str, object]) -> tuple[int, int, str]:
    """Flags sort by offset, the longer first, then by category."""
    return cast(int, values["start"]), -cast(int, values["end"]), cast(str, values["category"])


def flag_findings(flags: Sequence[Flag], path: str) -> list[Finding]:
    """TM01 info findings, one per flag, for `editorial check`."""
    return [
        Finding(
            code="TM01",
            rule="medical-term",
            severity=Severity.INFO,
            message=(
                f"{flag.category.value} '{normalize_text(flag.term)}' needs clinician approval"
                if flag.needs_approval
                else f"{flag.category.value} '{normalize_text(flag.term)}' (informational)"
            ),
            path=path,
            line=flag.line,
            column=flag.column,
        )
        for flag in flags
    ]


def load_flagger(
    config_path: Path | None = None,
    cache_dir: Path | None = None,
    *,
    lexicon: LexiconInputs | None = None,
    patterns_path: Path = DEFAULT_PATTERNS_PATH,
) -> Flagger:
    """A ready flagger: the compiled term table from the on-disk cache, built on a miss."""
    began = time.perf_counter()
    config = load_config(config_path)
    lexicon = lexicon or LexiconInputs()
    patterns = load_patterns(patterns_path, config.disabled_rules)
    nlp = make_pipeline()
    component = cast(EditorialTerms, nlp.get_pipe("editorial_terms"))
    key = cache_key(lexicon.fingerprint(), config.fingerprint())
    result = load_or_build(cache_dir or default_cache_dir(), key, lambda: build_table(nlp, lexicon, config))
    component.use(result.table, PatternSet(patterns), approval=(c.value for c in config.needs_approval))
    info = FlaggerInfo(
        entries=len(result.table),
        keys=len(result.table.lower) + len(result.table.exact),
        patterns=len(patterns),
        cache_status=result.status,
        cache_path=result.path,
        load_seconds=time.perf_counter() - began,
        uses_hpo=lexicon.include_hpo,
    )
    return Flagger(nlp, config, info, LoadSpec(config_path, cache_dir, lexicon, patterns_path))


EXTRA_INFIXES = (r"\)(?=[-\u2010\u2013])", r"(?<=\))[-\u2010\u2013](?=\w)")
"""Split "(DOX)-induced" into "(", "DOX", ")", "-", "induced" so the abbreviation is a token."""
EXTRA_SUFFIXES = (r"(?<=^[A-Z])\.",)
"""Split the full stop off a lone capital ("vitamin K." -> "K", "."): spaCy keeps "K." whole as an
initial, so "Take vitamin D." would not match "vitamin D" (initials are rare in health articles)."""


def tokenizer_of(nlp: Language) -> Tokenizer:
    """The pipeline's rule-based tokenizer (typed: spaCy declares it as any callable)."""
    return cast(Tokenizer, nlp.tokenizer)


def make_pipeline() -> Language:
    """`spacy.blank("en")` with a sentencizer and the `editorial_terms` component (empty)."""
    nlp = spacy.blank("en")
    infixes = [*(nlp.Defaults.infixes or []), *EXTRA_INFIXES]
    tokenizer = tokenizer_of(nlp)
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    suffixes = [*(nlp.Defaults.suffixes or []), *EXTRA_SUFFIXES]
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    tokenizer.max_cache_size = TOKENIZER_CACHE_SIZE
    nlp.add_pipe(SENTENCES_FACTORY)
    nlp.add_pipe("editorial_terms")
    return nlp


def build_table(nlp: Language, lexicon: LexiconInputs, config: FlaggerConfig) -> TermTable:
    """Compile the lexicon (the organization's always-flag terms first, winning every tie)."""
    always = [
        (
            0,
            LexiconEntry(
                item.term, item.category, (item.canonical or item.term).casefold(), "editorial", None
            ),
        )
        for item in config.always_flag
    ]
    ranked = chain(always, ((1, entry) for entry in lexicon.entries()))  # streamed: see compile_table
    return compile_table(ranked, tokenizer_of(nlp), stoplist=lexicon.stoplist(), accepted=set(config.accept))
