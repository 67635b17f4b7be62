"""The Dask variant of the bulk check: batch sizing, worker settings, and a real run on a local cluster."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.check_corpus_dask import batch_size_for, local_workers


@pytest.mark.parametrize(
    ("files", "workers", "size"),
    [(20_000, 2, 2_500), (20_000, 1, 5_000), (100, 2, 250), (1_000_000, 8, 5_000), (0, 2, 250)],
)
def test_a_few_big_batches_per_worker(files: int, workers: int, size: int) -> None:
    assert batch_size_for(files, workers) == size


def test_local_workers_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITORIAL_DASK_WORKERS", "3")
    assert local_workers() == 3
    monkeypatch.setenv("EDITORIAL_DASK_WORKERS", "many")
    with pytest.raises(
        ValueError, match=r"EDITORIAL_DASK_WORKERS='many' is not a number of workers \(e.g. 4\)"
    ):
        local_workers()
    monkeypatch.setenv("EDITORIAL_DASK_WORKERS", "0")
    with pytest.raises(ValueError, match="give at least 1 worker"):
        local_workers()


@pytest.mark.slow
@pytest.mark.prefect
def test_dask_run_finds_what_the_default_runner_finds(
    tmp_path: Path, prefect_harness: None, fixtures: Path
) -> None:
    pytest.importorskip("prefect_dask", reason="needs the optional extra `dask`")
    from flows.check_corpus import check_corpus
    from flows.check_corpus_dask import check_corpus_dask, dask_task_runner

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("broken-condition.md", "clean-condition.md", "missing-disclaimer.md"):
        (corpus / name).write_bytes((fixtures / "check" / name).read_bytes())
    (corpus / "unusable.md").write_bytes(b"\xff\xfe not text")
    expected = check_corpus(corpus, batch_size=2)
    report = check_corpus_dask.with_options(task_runner=dask_task_runner(2))(corpus, batch_size=2)
    assert report.batches == 2
    assert report.files == expected.files
    assert len(report.unusable) == 1 and report.unusable[0].path.endswith("unusable.md")
