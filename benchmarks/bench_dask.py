"""Benchmark `check_corpus` on a Dask task runner: 2 workers against 1, in the same run.

20,000 generated condition articles (the generator of bench_flows.py) are checked and flagged by the
same batches three ways, after a warm-up that starts Prefect's embedded API:
- `check_corpus_dask`, 1 worker process (the baseline of the speed-up);
- `check_corpus_dask`, N worker processes (default 2);
- `check_corpus` on its default runner (one thread in this process, batches of 250), for comparison.
The Dask variant cuts the corpus into a few batches per worker (`batch_size_for`): each Prefect task
run costs 0.1-0.5 s on the API, which a loaded 2-core machine runs beside the workers.
Each Dask run starts its own local cluster; each worker loads the flagger once when it starts
(`flows.check_corpus_dask.dask_setup`) and returns small `FileCheck`s. The cluster's start-up
(processes, imports, flagger load) is measured apart on a one-file corpus and reported beside it.
Prints the times, the speed-up of N workers over 1 (goal >= 1.6 on 2 free cores) and the cost per
article (wall milliseconds, and worker-milliseconds = wall x workers). The machine is shared, so the
load average at the start and end is printed too.

Run: `.venv/bin/python benchmarks/bench_dask.py [--articles N] [--batch-size B] [--workers W]`
(needs the `dask` extra: `pip install -e ".[dask]"`).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_flows import generate_article


def timed(run: Callable[[], object]) -> tuple[float, object]:
    """Wall seconds of `run()` and its result."""
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def load() -> str:
    """The 1-minute load average (the machine is shared)."""
    return f"{os.getloadavg()[0]:.1f}"


def main() -> None:
    """Generate the corpus, warm up, time 1 and N Dask workers and the default runner, print ratios."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=250)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--dask-batch-size",
        type=int,
        default=0,
        help="Default: the variant's own (a few batches per worker).",
    )
    options = parser.parse_args()

    from flows.check_corpus import CorpusReport, check_corpus
    from flows.check_corpus_dask import batch_size_for, check_corpus_dask, dask_task_runner
    from flows.tasks import embedded_api_settings

    rng = random.Random(6)
    print(f"load average at start: {load()} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as temp, embedded_api_settings():
        corpus, one = Path(temp) / "corpus", Path(temp) / "one"
        corpus.mkdir()
        one.mkdir()
        for index in range(options.articles):
            (corpus / f"article-{index:05d}.md").write_text(generate_article(index, rng), encoding="utf-8")
        (one / "one.md").write_text(generate_article(0, rng), encoding="utf-8")

        api_start, _ = timed(lambda: check_corpus(one, batch_size=options.batch_size))

        def dask_run(directory: Path, workers: int) -> tuple[float, object]:
            flow = check_corpus_dask.with_options(task_runner=dask_task_runner(workers))
            size = options.dask_batch_size or batch_size_for(options.articles, workers)
            return timed(lambda: flow(directory, batch_size=size))

        start_1, _ = dask_run(one, 1)
        start_n, _ = dask_run(one, options.workers)
        one_worker, report_1 = dask_run(corpus, 1)
        n_workers, report_n = dask_run(corpus, options.workers)
        default, report_d = timed(lambda: check_corpus(corpus, batch_size=options.batch_size))

    totals = []
    for report in (report_1, report_n, report_d):
        assert isinstance(report, CorpusReport)
        totals.append((len(report.files), sum(sum(f.codes.values()) for f in report.files)))
    if len(set(totals)) != 1:
        raise SystemExit(f"the runs disagree on (files, findings): {totals}")
    files, findings = totals[0]
    batches = -(-files // options.batch_size)
    dask_sizes = [options.dask_batch_size or batch_size_for(files, w) for w in (1, options.workers)]

    def cost(seconds: float, workers: int) -> str:
        per = seconds / files * 1000
        return f"{per:.2f} ms/article wall, {per * workers:.2f} worker-ms/article"

    print(
        f"articles: {files}; default runner: {batches} batches of {options.batch_size}; Dask batches of "
        f"{dask_sizes[0]} (1 worker) and {dask_sizes[1]} ({options.workers} workers); "
        f"findings per run: {findings}"
    )
    print(f"one-time: embedded Prefect API start + first flow run {api_start:.2f} s")
    print(
        f"cluster start-up (processes, imports, flagger load, one-file run): 1 worker {start_1:.2f} s, "
        f"{options.workers} workers {start_n:.2f} s"
    )
    print(f"Dask, 1 worker:  {one_worker:.2f} s ({cost(one_worker, 1)})  <- baseline")
    print(f"Dask, {options.workers} workers: {n_workers:.2f} s ({cost(n_workers, options.workers)})")
    print(f"default runner (1 thread in-process): {default:.2f} s ({cost(default, 1)})")
    speedup = one_worker / n_workers
    net = (one_worker - start_1) / max(n_workers - start_n, 1e-9)
    print(
        f"speed-up of {options.workers} Dask workers over 1: {speedup:.2f}x (goal >= 1.6); "
        f"without cluster start-up: {net:.2f}x"
    )
    print(f"speed-up of {options.workers} Dask workers over the default runner: {default / n_workers:.2f}x")
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    main()
