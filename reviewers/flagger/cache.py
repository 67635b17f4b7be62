"""The compiled term table on disk: keyed by its inputs, written atomically, verified on load.

A file holds a magic line, the sha256 of its payload and the payload (msgpack, no pickle). A
missing, damaged or foreign file is rebuilt; nothing else ever reads it. Each new build prunes the
tables not used lately (an upgrade or a config change leaves the old ones behind), keeping the
`KEEP_TABLES` most recently used: a hit marks its file as used.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from spacy.about import __version__ as spacy_version

from reviewers.flagger.table import TABLE_FORMAT, TermTable

MAGIC = b"EDITORIAL-TERMS\x01"
DIGEST_SIZE = 32
COMPILER_VERSION = "8"
"""Bump when the way terms are keyed changes, so old caches are not reused."""
COMPILER_SOURCES = ("table.py", "lexicon.py", "runtime.py")
"""The modules that read, tokenize and key the lexicon: an edit to them invalidates old caches."""

KEEP_TABLES = 3
"""Compiled tables kept in a cache directory (several configurations may be in use at once)."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CacheResult:
    """The table and how it was obtained: 'hit', 'miss' (no file) or 'rebuilt' (bad file)."""

    table: TermTable
    status: str
    path: Path


def cache_key(*parts: str) -> str:
    """sha256 of the inputs' fingerprints, the spaCy version and the table format."""
    digest = hashlib.sha256()
    for part in (
        *parts,
        f"spacy={spacy_version}",
        f"format={TABLE_FORMAT}",
        f"compiler={COMPILER_VERSION}",
        f"code={compiler_digest()}",
    ):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


@functools.cache
def compiler_digest() -> str:
    """sha256 of the compiling modules' source (a developer's edit there must not reuse a cache)."""
    digest = hashlib.sha256()
    for name in COMPILER_SOURCES:
        with contextlib.suppress(OSError):
            digest.update((Path(__file__).with_name(name)).read_bytes())
    return digest.hexdigest()


def cache_path(cache_dir: Path, key: str) -> Path:
    """Where the table for `key` lives."""
    return cache_dir / f"terms-{key[:24]}.bin"


def load_or_build(cache_dir: Path, key: str, build: Callable[[], TermTable]) -> CacheResult:
    """The cached table for `key`, or a fresh build written to the cache."""
    path = cache_path(cache_dir, key)
    status = "miss"
    if path.exists():
        table = read_table(path)
        if table is not None:
            with contextlib.suppress(OSError):
                os.utime(path)  # recently used: pruning keeps it
            return CacheResult(table, "hit", path)
        status = "rebuilt"
        log.warning("flagger cache %s is damaged; rebuilding it", path)
    table = build()
    try:
        write_table(path, table)
        prune(cache_dir, keep=KEEP_TABLES)
    except OSError as exc:  # a read-only cache must not stop the flagger
        log.warning("cannot write the flagger cache %s: %s", path, exc)
    return CacheResult(table, status, path)


def prune(cache_dir: Path, *, keep: int) -> list[Path]:
    """Delete all but the `keep` most recently used tables in `cache_dir`; return what was deleted.

    A process still reading a deleted table keeps its open file; one that finds it gone rebuilds it.
    """
    tables = []
    for path in cache_dir.glob("terms-*.bin"):
        with contextlib.suppress(OSError):
            tables.append((path.stat().st_mtime, path))
    tables.sort(reverse=True)
    removed = []
    for _, path in tables[keep:]:
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


def read_table(path: Path) -> TermTable | None:
    """The table in `path`, or None when the file is not one we wrote intact."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header = len(MAGIC) + DIGEST_SIZE
    if len(data) < header or not data.startswith(MAGIC):
        return None
    payload = data[header:]
    if hashlib.sha256(payload).digest() != data[len(MAGIC) : header]:
        return None
    try:
        return TermTable.from_bytes(payload)
    except (ValueError, KeyError, TypeError):
        return None


def write_table(path: Path, table: TermTable) -> None:
    """Write atomically: a temp file in the same directory, flushed, then renamed over `path`."""
    payload = table.to_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".terms-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(MAGIC + hashlib.sha256(payload).digest() + payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
