"""One lexicon row, and the one on-disk format: gzip UTF-8 TSV with a fixed header, sorted, deterministic."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from reviewers.flags import FlagCategory

TSV_HEADER = ("term", "category", "canonical", "source", "source_id")
SOURCES = ("DrugBank", "MeSH", "HPO", "editorial")


class LexiconEntry(NamedTuple):
    """A matchable term (case-folded), its category, preferred name and where it comes from."""

    term: str
    category: FlagCategory
    canonical: str
    source: str
    source_id: str


class LexiconFormatError(ValueError):
    """The lexicon file is not in the contract's format (header, five columns, known category/source)."""


def _check_field(value: str) -> str:
    if "\t" in value or "\n" in value or "\r" in value:
        raise LexiconFormatError(f"a lexicon field may not contain a tab or a line break: {value!r}")
    return value


def entries_to_tsv(entries: Iterable[LexiconEntry]) -> bytes:
    """The TSV bytes (uncompressed) of the entries: header, then rows sorted and de-duplicated."""
    rows = sorted({tuple(_check_field(str(field)) for field in entry) for entry in entries})
    lines = ["\t".join(TSV_HEADER)] + ["\t".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_lexicon(entries: Iterable[LexiconEntry], path: Path) -> int:
    """Write the gzip TSV with mtime 0, so the same entries give the same bytes; returns the byte size."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(entries_to_tsv(entries))
    data = buffer.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return len(data)


def read_lexicon(path: Path) -> Iterator[LexiconEntry]:
    """Read a lexicon written by `write_lexicon`, checking the header, columns, category and source."""
    with gzip.open(path, "rt", encoding="utf-8", newline="\n") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        if tuple(header) != TSV_HEADER:
            raise LexiconFormatError(f"{path}: header is {header!r}, expected {list(TSV_HEADER)!r}")
        for number, line in enumerate(handle, start=2):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != len(TSV_HEADER):
                raise LexiconFormatError(
                    f"{path}:{number}: {len(fields)} columns, expected {len(TSV_HEADER)}"
                )
            term, category, canonical, source, source_id = fields
            try:
                flag_category = FlagCategory(category)
            except ValueError:
                raise LexiconFormatError(f"{path}:{number}: unknown category {category!r}") from None
            if source not in SOURCES:
                raise LexiconFormatError(
                    f"{path}:{number}: unknown source {source!r}, expected one of {SOURCES}"
                )
            yield LexiconEntry(term, flag_category, canonical, source, source_id)
