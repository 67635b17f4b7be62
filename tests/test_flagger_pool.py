"""Flagging in worker processes gives the same flags, in the same order, as one process."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from flagger_fixtures import small_flagger

from reviewers.flagger import Flagger
from reviewers.flagger import pool as flagger_pool
from reviewers.flagger.pool import FlaggerPool, worth_a_pool
from reviewers.flags import Flag
from validators.models import Article
from validators.parser import parse_article

FRONT = "---\ntitle: T\nslug: t{number}\nauthor: w\n---\n\n"
BODIES = [
    "## Treatment\n\nChemotherapy with vinblastine may follow. Take 10 mg twice daily.\n",
    "Antihistamines block histamine.\n\nX-rays and ultrasound show the mast cell tumor.\n",
    "Nothing medical here at all.\n",
    "A needle aspiration biopsy must be given prior to surgery; 90% survival is reported.\n",
]


def _corpus(count: int) -> list[Article]:
    return [
        parse_article(FRONT.format(number=number) + BODIES[number % len(BODIES)], f"a{number}.md")
        for number in range(count)
    ]


def _dumped(flags_per_article: Iterable[list[Flag]]) -> list[list[dict[str, object]]]:
    return [[flag.model_dump() for flag in flags] for flags in flags_per_article]


@pytest.fixture
def flagger(tmp_path: Path) -> Flagger:
    return small_flagger(tmp_path)


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_pooled_flags_equal_single_process_flags(
    flagger: Flagger, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flagger_pool, "CHUNK_CHARS", 300)  # many chunks, so order matters
    articles = _corpus(40)
    single = _dumped(list(flagger.flag_many(articles)))
    assert sum(map(len, single)) == 10 * (5 + 5 + 0 + 3)  # the corpus does flag things ("Take 10 mg...")
    with FlaggerPool(flagger, 2, method) as pool:
        assert pool.method == method and len(pool.worker_pids()) == 2
        pooled = _dumped(list(pool.flag_many(articles)))
        assert pooled == single
        assert list(pool.flag_many([])) == []


def test_flag_many_uses_a_pool_only_for_big_batches(
    flagger: Flagger, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = _corpus(12)
    head, rest = worth_a_pool(articles)
    assert (len(head), rest) == (12, None)  # below both thresholds: flagged here
    monkeypatch.setattr(flagger_pool, "LOADING_POOL_MIN_ARTICLES", 12)
    assert worth_a_pool(articles, "forkserver")[1] is not None  # loading workers need bigger ones
    monkeypatch.setattr(flagger_pool, "POOL_MIN_ARTICLES", 5)
    head, rest = worth_a_pool(iter(articles))
    assert rest is not None and len(head) == 5 and len(list(rest)) == 7
    started: list[int] = []
    original = FlaggerPool.__init__

    def counting(self: FlaggerPool, *args: object, **kwargs: object) -> None:
        started.append(1)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(FlaggerPool, "__init__", counting)
    single = _dumped(list(flagger.flag_many(articles)))
    assert _dumped(list(flagger.flag_many(iter(articles), workers=2))) == single
    assert started == [1]
    assert _dumped(list(flagger.flag_many(articles[:3], workers=2))) == single[:3]
    assert started == [1]  # three articles: no pool


def test_a_pool_needs_a_worker_and_a_loadable_flagger(flagger: Flagger) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        FlaggerPool(flagger, 0)
    flagger.load_spec = None
    with pytest.raises(ValueError, match="load_flagger"):
        FlaggerPool(flagger, 1, "forkserver")
