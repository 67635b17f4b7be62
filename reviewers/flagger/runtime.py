"""The `Flagger`: an Article in, its medical-term `Flag`s out, each in its sentence."""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import NamedTuple, cast

import numpy as np
import spacy
from spacy.attrs import IDX, LENGTH, SENT_START
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

from reviewers.flagger.cache import cache_key, load_or_build
from reviewers.flagger.component import TEXT_KEY, EditorialTerms, doc_text
from reviewers.flagger.config import FlaggerConfig, load_config
from reviewers.flagger.lexicon import LexiconEntry, LexiconInputs, hpo_acknowledgement, hpo_version
from reviewers.flagger.patterns import DEFAULT_PATTERNS_PATH, PatternSet, load_patterns
from reviewers.flagger.sentences import FACTORY as SENTENCES_FACTORY
from reviewers.flagger.table import TermTable, compile_table
from reviewers.flags import Flag, FlagCategory
from validators.findings import Finding, Severity
from validators.models import Article
from validators.text import normalize_key, normalize_text

DEFAULT_CACHE_DIR = Path.home() / ".cache" / "editorial"
TOKENIZER_CACHE_SIZE = 500_000
PIPE_BATCH_SIZE = 256
_CATEGORIES = {category.value: category for category in FlagCategory}
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+|$)")
_ATX_CLOSING = re.compile(r"[ \t]+#+[ \t]*$")


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of an article flagged on its own (a heading or a prose block) and where it starts."""

    offset: int
    text: str


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

    def __init__(self, doc: Doc) -> None:
        columns = doc.to_array([SENT_START, IDX, LENGTH]).reshape(-1, 3).astype(np.int64)
        starts = np.flatnonzero(columns[:, 0] == 1)
        if len(starts) == 0 or starts[0] != 0:
            starts = np.concatenate(([0], starts))
        idx, length = columns[:, 1], columns[:, 2]
        last = np.append(starts[1:], len(doc)) - 1
        self.starts: list[int] = starts.tolist()
        self.start_chars: list[int] = idx[starts].tolist()
        self.end_chars: list[int] = (idx[last] + length[last]).tolist()

    def around(self, start: int, end: int) -> tuple[int, int]:
        """(first char, end char) of the sentences holding tokens start..end-1."""
        first = bisect_right(self.starts, start) - 1
        last = bisect_right(self.starts, end - 1) - 1
        return self.start_chars[first], self.end_chars[last]


class Flagger:
    """Flags medical terms, dosages, directives and numeric claims in articles."""

    def __init__(self, nlp: Language, config: FlaggerConfig, info: FlaggerInfo) -> None:
        self.nlp = nlp
        self.config = config
        self.info = info
        self.component = cast(EditorialTerms, nlp.get_pipe("editorial_terms"))
        self._accepted = set(config.accept)

    def hpo_version(self) -> str:
        """The HPO release whose terms this flagger matches ('not used' without HPO)."""
        return hpo_version() if self.info.uses_hpo else "not used"

    def hpo_acknowledgement(self) -> str:
        """The acknowledgement the HPO licence asks us to show ('' without HPO)."""
        return hpo_acknowledgement() if self.info.uses_hpo else ""

    def flag(self, article: Article) -> list[Flag]:
        """The flags of one article, sorted by offset."""
        return next(self.flag_many([article]))

    def flag_many(self, articles: Iterable[Article]) -> Iterator[list[Flag]]:
        """The flags of each article, in order, streaming the texts through one spaCy pipe."""
        pending = ((article, article_segments(article)) for article in articles)
        while batch := list(islice(pending, 64)):
            groups = self.find_many([[segment.text for segment in segments] for _, segments in batch])
            for (article, segments), matches in zip(batch, groups, strict=True):
                yield self._flags(article, segments, matches)

    def find(self, texts: Sequence[str]) -> list[list[TermMatch]]:
        """Matches in the texts of one document (abbreviations defined in one apply to all)."""
        return next(self.find_many([texts]))

    def find_many(self, documents: Iterable[Sequence[str]]) -> Iterator[list[list[TermMatch]]]:
        """`find` over many documents, streamed through `nlp.pipe`."""
        documents = list(documents)
        docs = self.process(text for texts in documents for text in texts)
        for texts in documents:
            yield self._document_matches(list(islice(docs, len(texts))))

    def process(self, texts: Iterable[str]) -> Iterator[Doc]:
        """Run the pipeline over texts, keeping each original string on its doc."""
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

    def _document_matches(self, docs: list[Doc]) -> list[list[TermMatch]]:
        abbreviations: dict[str, int] = {}
        for doc in docs:
            abbreviations.update(self.component.defined_abbreviations(doc))
        for doc in docs:
            self.component.mark_abbreviations(doc, abbreviations)
        return [self._matches(doc) for doc in docs]

    def _matches(self, doc: Doc) -> list[TermMatch]:
        spans = doc.spans[self.component.spans_key]
        if not len(spans):
            return []
        sentences = SentenceIndex(doc)
        text = doc_text(doc)
        matches: list[TermMatch] = []
        for span in spans:
            start, end = span.start_char, span.end_char
            term = text[start:end]
            if span.kb_id_:
                entry = self.component.table.entry(int(span.kb_id_))
                normalized, source, source_id = entry.canonical, entry.source, entry.source_id
            else:
                normalized, source, source_id = normalize_key(term), "pattern", None
            if self._accepted and (normalize_key(term) in self._accepted or normalized in self._accepted):
                continue
            sentence_start, sentence_end = sentences.around(span.start, span.end)
            matches.append(
                TermMatch(
                    start=start,
                    end=end,
                    term=term,
                    category=_CATEGORIES[span.label_],
                    normalized=normalized,
                    source=source,
                    source_id=source_id,
                    rule_id=span.id_,
                    sentence_start=sentence_start,
                    sentence_end=sentence_end,
                )
            )
        return matches

    def _flags(self, article: Article, segments: list[Segment], matches: list[list[TermMatch]]) -> list[Flag]:
        flags: list[Flag] = []
        line_starts = [0, *(m.end() for m in re.finditer("\n", article.text))]
        approval = {category: self.config.approval_needed(category) for category in FlagCategory}
        for segment, found in zip(segments, matches, strict=True):
            for match in found:
                start = segment.offset + match.start
                line = bisect_right(line_starts, start)
                column = start - line_starts[line - 1] + 1
                # every field is built here from typed values: skip re-validation (it is a hot path)
                flags.append(
                    Flag.model_construct(
                        term=match.term,
                        normalized=match.normalized,
                        category=match.category,
                        sentence=segment.text[match.sentence_start : match.sentence_end].rstrip(),
                        start=start,
                        end=segment.offset + match.end,
                        line=line,
                        column=column,
                        source=match.source,
                        source_id=match.source_id,
                        rule_id=match.rule_id,
                        needs_approval=approval[match.category],
                    )
                )
        return sorted(flags, key=lambda flag: (flag.start, -flag.end, flag.category.value))


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
    result = load_or_build(cache_dir or DEFAULT_CACHE_DIR, key, lambda: build_table(nlp, lexicon, config))
    component.use(result.table, PatternSet(patterns))
    info = FlaggerInfo(
        entries=len(result.table),
        keys=len(result.table.lower) + len(result.table.exact),
        patterns=len(patterns),
        cache_status=result.status,
        cache_path=result.path,
        load_seconds=time.perf_counter() - began,
        uses_hpo=lexicon.include_hpo,
    )
    return Flagger(nlp, config, info)


EXTRA_INFIXES = (r"\)(?=[-\u2010\u2013])", r"(?<=\))[-\u2010\u2013](?=\w)")
"""Split "(DOX)-induced" into "(", "DOX", ")", "-", "induced" so the abbreviation is a token."""


def tokenizer_of(nlp: Language) -> Tokenizer:
    """The pipeline's rule-based tokenizer (typed: spaCy declares it as any callable)."""
    return cast(Tokenizer, nlp.tokenizer)


def make_pipeline() -> Language:
    """`spacy.blank("en")` with a sentencizer and the `editorial_terms` component (empty)."""
    nlp = spacy.blank("en")
    infixes = [*(nlp.Defaults.infixes or []), *EXTRA_INFIXES]
    tokenizer = tokenizer_of(nlp)
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
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
    ranked = [*always, *((1, entry) for entry in lexicon.entries())]
    return compile_table(ranked, tokenizer_of(nlp), stoplist=lexicon.stoplist(), accepted=set(config.accept))
