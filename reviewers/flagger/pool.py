"""Flagging big batches of articles in worker processes, with the same flags as one process.

spaCy's own `nlp.pipe(n_process=2)` is several times slower than one process (it ships Docs);
this pool ships each article's text and segments to a worker, which flags them with its own
flagger and returns small tuples (each flag's field values); the parent rebuilds the `Flag`s.
Results come back in article order, so the output is identical to `Flagger.flag_many` in one
process.

Workers get their flagger in one of two ways:
- `fork` (used when the parent runs a single thread): the worker is a copy of the parent, loaded
  flagger included; starting costs a few milliseconds.
- `forkserver` (when other threads run, as in a Prefect task, since forking a threaded process can
  copy a held lock): each worker loads the flagger from the on-disk cache, about a second.

The pool pays off only for big batches (see `worth_a_pool`); `Flagger.flag_many(articles,
workers=N)` uses it above the size threshold.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import Pool
from operator import itemgetter
from types import TracebackType
from typing import Protocol, TypeVar

from reviewers.flagger.documents import FLAG_FIELDS, Segment, article_segments, paused_gc, trusted_flag
from reviewers.flags import Flag
from validators.models import Article

Made = TypeVar("Made")


class Loadable(Protocol):
    """How a worker that cannot inherit the flagger loads its own (`runtime.LoadSpec`)."""

    def load(self) -> DocumentFlagger: ...


class DocumentFlagger(Protocol):
    """What the pool needs of a flagger (`runtime.Flagger`): this module never imports the runtime."""

    @property
    def load_spec(self) -> Loadable | None: ...

    def flag_documents(
        self, documents: Iterable[tuple[str, list[Segment]]], make: Callable[[dict[str, object]], Made]
    ) -> Iterator[list[Made]]: ...


POOL_MIN_ARTICLES = 200
POOL_MIN_CHARS = 200_000
"""A batch this big (either count) is worth a forked pool; below, start-up costs more than it saves."""
LOADING_POOL_MIN_ARTICLES = 2_000
LOADING_POOL_MIN_CHARS = 2_000_000
"""The same for workers that load the flagger (about a second, as long as flagging 2M characters)."""
MAX_WORKERS = 4
CHUNK_CHARS = 50_000
"""About this many characters of articles go to a worker at a time (a few hundred flags back)."""

Row = tuple[object, ...]
"""A flag's field values in `FLAG_FIELDS` order."""
Payload = list[tuple[str, list[tuple[int, str]]]]
"""Articles sent to a worker: each one's text and its segments as (offset, text)."""

_worker_flagger: DocumentFlagger | None = None


def default_workers() -> int:
    """Worker processes by default: the CPU count, at most `MAX_WORKERS`."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def worth_a_pool(
    articles: Iterable[Article], method: str = "fork"
) -> tuple[list[Article], Iterator[Article] | None]:
    """Read ahead until the batch is known to be big enough for a pool started by `method`:
    (the articles read, the rest of the stream) when it is, (all the articles, None) when not."""
    forked = method == "fork"
    least_articles = POOL_MIN_ARTICLES if forked else LOADING_POOL_MIN_ARTICLES
    least_chars = POOL_MIN_CHARS if forked else LOADING_POOL_MIN_CHARS
    stream = iter(articles)
    head: list[Article] = []
    chars = 0
    for article in stream:
        head.append(article)
        chars += len(article.text)
        if len(head) >= least_articles or chars >= least_chars:
            return head, stream
    return head, None


def start_method() -> str:
    """`fork` when this process runs one thread and the platform has it, else `forkserver`
    (or `spawn` where there is no forkserver)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


class FlaggerPool:
    """Worker processes flagging articles like `flagger`; close it (or use `with`) when done."""

    def __init__(
        self, flagger: DocumentFlagger, workers: int | None = None, method: str | None = None
    ) -> None:
        self.flagger = flagger
        self.workers = default_workers() if workers is None else workers
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")
        self.method = method or start_method()
        context = multiprocessing.get_context(self.method)
        if self.method == "fork":
            # the children inherit the loaded flagger: nothing is pickled or loaded. Frozen, the
            # parent's objects are left alone by the children's garbage collector, which would
            # otherwise touch (and so copy) every page of the loaded lexicon
            gc.freeze()
            try:
                self._pool: Pool = context.Pool(self.workers, _adopt, (flagger,))
            finally:
                gc.unfreeze()
        else:
            if flagger.load_spec is None:
                raise ValueError("this flagger was not made by load_flagger: workers cannot load it")
            self._pool = context.Pool(self.workers, _load, (flagger.load_spec,))

    def __enter__(self) -> FlaggerPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers."""
        self._pool.terminate()
        self._pool.join()

    def worker_pids(self) -> list[int]:
        """The process ids of the workers."""
        return [process.pid for process in self._pool._pool if process.pid is not None]  # type: ignore[attr-defined]

    def ready(self) -> None:
        """Wait until every worker has its flagger (for measuring start-up)."""
        self._pool.map(_ping, range(self.workers), chunksize=1)

    def flag_many(self, articles: Iterable[Article]) -> Iterator[list[Flag]]:
        """The flags of each article, in order: the same as `Flagger.flag_many` in one process."""
        for rows_per_article in self._pool.imap(_flag_payload, _payloads(articles)):
            with paused_gc():  # as in one process: the flags are all kept, a collection frees nothing
                flags = [
                    [trusted_flag(dict(zip(FLAG_FIELDS, row, strict=True))) for row in rows]
                    for rows in rows_per_article
                ]
            yield from flags


def _payloads(articles: Iterable[Article]) -> Iterator[Payload]:
    """Chunks of about `CHUNK_CHARS` characters of articles, as texts and segments."""
    stream = iter(articles)
    while True:
        payload: Payload = []
        chars = 0
        for article in stream:
            segments = article_segments(article)
            payload.append((article.text, [(segment.offset, segment.text) for segment in segments]))
            chars += len(article.text)
            if chars >= CHUNK_CHARS:
                break
        if not payload:
            return
        yield payload


def _adopt(flagger: DocumentFlagger) -> None:
    global _worker_flagger
    _worker_flagger = flagger


def _load(spec: Loadable) -> None:
    _adopt(spec.load())
    gc.freeze()  # the loaded flagger lives as long as the worker: no collection need scan it


def _ping(number: int) -> int:
    return number if _worker_flagger is not None else -1


def _flag_payload(payload: Payload) -> list[list[Row]]:
    """In a worker: each article's flags as rows of field values."""
    if _worker_flagger is None:
        raise RuntimeError("the worker has no flagger")
    documents = ((text, [Segment(offset, part) for offset, part in segments]) for text, segments in payload)
    return list(_worker_flagger.flag_documents(documents, itemgetter(*FLAG_FIELDS)))


__all__ = [
    "POOL_MIN_ARTICLES",
    "POOL_MIN_CHARS",
    "FlaggerPool",
    "default_workers",
    "start_method",
    "worth_a_pool",
]
