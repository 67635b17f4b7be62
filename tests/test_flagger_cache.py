"""The compiled table's disk cache: miss, hit, corruption, input changes, atomic writes."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flagger_fixtures import SMALL_LEXICON, small_flagger, small_lexicon

from reviewers.flagger import load_flagger
from reviewers.flagger.cache import MAGIC, read_table
from reviewers.flagger.lexicon import LexiconEntry
from reviewers.flagger.table import TermTable
from reviewers.flags import FlagCategory
from validators.parser import parse_article

FRONT = "---\ntitle: T\nslug: t\nauthor: w\n---\n\n"


def cache_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache").iterdir())


def test_first_load_builds_and_second_load_hits(tmp_path: Path) -> None:
    first = small_flagger(tmp_path)
    second = small_flagger(tmp_path)
    assert (first.info.cache_status, second.info.cache_status) == ("miss", "hit")
    assert first.info.cache_path == second.info.cache_path
    assert [p.name for p in cache_files(tmp_path)] == [first.info.cache_path.name]
    article = parse_article(FRONT + "Vinblastine and a needle aspiration biopsy.\n", "a.md")
    assert [f.model_dump() for f in first.flag(article)] == [f.model_dump() for f in second.flag(article)]


def test_table_round_trips_through_bytes(tmp_path: Path) -> None:
    table = small_flagger(tmp_path).component.table
    again = TermTable.from_bytes(table.to_bytes())
    for mine, theirs in ((again.lower, table.lower), (again.exact, table.exact)):
        assert mine.keys.tolist() == theirs.keys.tolist() and mine.ids.tolist() == theirs.ids.tolist()
        assert (
            mine.firsts.tolist() == theirs.firsts.tolist()
            and mine.longest.tolist() == theirs.longest.tolist()
        )
    assert [again.entry(i) for i in range(len(again))] == [table.entry(i) for i in range(len(table))]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-1] + bytes([data[-1] ^ 0xFF]),  # one flipped byte
        lambda data: b"not ours at all",
        lambda data: b"",
    ],
)
def test_damaged_cache_is_rebuilt(tmp_path: Path, damage: object, caplog: pytest.LogCaptureFixture) -> None:
    path = small_flagger(tmp_path).info.cache_path
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    assert read_table(path) is None
    with caplog.at_level(logging.WARNING):
        rebuilt = small_flagger(tmp_path)
    assert rebuilt.info.cache_status == "rebuilt"
    assert "damaged" in caplog.text
    assert read_table(path) is not None and path.read_bytes().startswith(MAGIC)
    assert small_flagger(tmp_path).info.cache_status == "hit"


def test_payload_with_a_valid_digest_but_foreign_content_is_refused(tmp_path: Path) -> None:
    import hashlib

    path = small_flagger(tmp_path).info.cache_path
    payload = b"\x81\xa6format\x63"  # msgpack {"format": 99}
    path.write_bytes(MAGIC + hashlib.sha256(payload).digest() + payload)
    assert read_table(path) is None


def test_changed_lexicon_or_config_uses_another_cache_file(tmp_path: Path) -> None:
    first = small_flagger(tmp_path)
    bigger = [*SMALL_LEXICON, LexiconEntry("imatinib", FlagCategory.DRUG, "imatinib", "DrugBank", "DB00619")]
    changed = load_flagger(None, tmp_path / "cache", lexicon=small_lexicon(tmp_path / "lexicon", bigger))
    assert changed.info.cache_status == "miss" and changed.info.cache_path != first.info.cache_path
    config = tmp_path / "org.yaml"
    config.write_text("accept: [biopsy]\n", encoding="utf-8")
    configured = small_flagger(tmp_path, config)
    assert configured.info.cache_status == "miss"
    article = parse_article(FRONT + "Imatinib after a biopsy.\n", "a.md")
    assert [f.term for f in changed.flag(article)] == ["Imatinib", "biopsy"]
    assert [f.term for f in configured.flag(article)] == []


def test_unwritable_cache_still_gives_a_flagger(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be", encoding="utf-8")
    flagger = small_flagger(tmp_path)
    assert flagger.info.cache_status == "miss"
    article = parse_article(FRONT + "Vinblastine.\n", "a.md")
    assert [f.term for f in flagger.flag(article)] == ["Vinblastine"]


def test_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    small_flagger(tmp_path)
    assert [p.name for p in cache_files(tmp_path) if p.name.startswith(".")] == []


def test_missing_lexicon_is_a_configuration_error(tmp_path: Path) -> None:
    from dataclasses import replace

    from validators.errors import ConfigError

    inputs = replace(small_lexicon(tmp_path / "lexicon"), tsv_path=tmp_path / "absent.tsv.gz")
    with pytest.raises(ConfigError, match="the lexicon is missing"):
        load_flagger(None, tmp_path / "cache", lexicon=inputs)


def test_an_edit_to_the_compiler_changes_the_cache_key(monkeypatch: pytest.MonkeyPatch) -> None:
    import reviewers.flagger.cache as cache

    before = cache.cache_key("lexicon", "config")
    assert cache.cache_key("lexicon", "config") == before
    monkeypatch.setattr(cache, "compiler_digest", lambda: "edited")
    assert cache.cache_key("lexicon", "config") != before


def test_a_new_build_prunes_all_but_the_most_recently_used_tables(tmp_path: Path) -> None:
    import os

    from reviewers.flagger.cache import KEEP_TABLES, load_or_build, prune

    built = small_flagger(tmp_path / "other")
    table = read_table(built.info.cache_path)
    assert table is not None
    cache = tmp_path / "cache"
    cache.mkdir()
    old = []
    for age in range(5):  # tables left by earlier versions, each older than the one before
        path = cache / f"terms-old{age}.bin"
        path.write_bytes(b"stale")
        os.utime(path, (1_000_000 - age * 1000, 1_000_000 - age * 1000))
        old.append(path)
    unrelated = cache / "notes.txt"
    unrelated.write_text("not ours", encoding="utf-8")

    result = load_or_build(cache, "k" * 64, lambda: table)
    assert result.status == "miss"
    assert sorted(p.name for p in cache.glob("terms-*.bin")) == sorted(
        [result.path.name, old[0].name, old[1].name]
    )
    assert KEEP_TABLES == 3
    assert unrelated.exists()

    # A hit marks its table as used: made to look oldest, it is the one a prune keeps after the hit.
    os.utime(result.path, (1, 1))
    assert load_or_build(cache, "k" * 64, lambda: table).status == "hit"
    assert sorted(prune(cache, keep=1)) == sorted([old[0], old[1]])
    assert [p.name for p in cache.glob("terms-*.bin")] == [result.path.name]
