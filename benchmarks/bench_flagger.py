"""Benchmark the medical-term flagger on consumer-health text (MedQuAD answers).

Reports, measured in one run:
- flagging throughput as a ratio to bare `spacy.blank("en")` tokenization of the same texts, in
  one process and in a pool of worker processes (`--workers`, default 2) against the same
  single-process tokenization, with the pool's start-up and each process's resident memory;
- cold start: a new process until the flagger is ready, with a warm and with a cold cache,
  next to a new process that only imports spaCy and makes `spacy.blank("en")`;
- resident memory of a process holding the loaded flagger;
- loading the compiled table from our msgpack file versus a pickle of the same table.

Run: .venv/bin/python benchmarks/bench_flagger.py [--words 300000] [--workers 2] [--eval-dir ../shared/eval]
"""

from __future__ import annotations

import argparse
import gzip
import json
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
FRONT_MATTER = "---\ntitle: Bench\nslug: bench\nauthor: bench\n---\n\n"


def medquad_answers(eval_dir: Path, words: int) -> list[str]:
    """Answers (non-empty) in file order until about `words` words."""
    answers: list[str] = []
    total = 0
    with gzip.open(eval_dir / "medquad" / "medquad_qa.jsonl.gz", "rt", encoding="utf-8") as stream:
        for line in stream:
            answer = "\n".join(part.strip() for part in json.loads(line)["answer"].strip().splitlines())
            if not answer:
                continue  # MedQuAD's answers are indented: unindented, they read as Markdown prose
            answers.append(answer)
            total += len(answer.split())
            if total >= words:
                break
    return answers


def best_of(repeats: int, work: Callable[[], int]) -> tuple[float, int]:
    """The fastest of `repeats` runs of `work` (seconds) and its result."""
    timings: list[float] = []
    result = 0
    for _ in range(repeats):
        began = time.perf_counter()
        result = work()
        timings.append(time.perf_counter() - began)
    return min(timings), result


def run_process(code: str) -> tuple[float, str]:
    """Wall time of a new Python process running `code`, and its stdout."""
    began = time.perf_counter()
    done = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    return time.perf_counter() - began, done.stdout.strip()


LOAD = (
    "import time, pathlib; t = time.perf_counter()\n"
    "from reviewers.flagger import load_flagger\n"
    "f = load_flagger(None, pathlib.Path({cache!r}))\n"
    "ready = time.perf_counter() - t\n"
    "status = dict(line.split(':', 1) for line in open('/proc/self/status') if ':' in line)\n"
    "print(f.info.cache_status, round(ready, 3), status['VmRSS'].split()[0], status['VmHWM'].split()[0])\n"
)
BASELINE_START = "import spacy; spacy.blank('en')"


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process (Linux /proc), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=300_000, help="corpus size in words (default 300,000)")
    parser.add_argument("--eval-dir", type=Path, default=REPO_ROOT.parent / "shared" / "eval")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the pool (default 2)")
    args = parser.parse_args()

    import spacy

    from reviewers.flagger import load_flagger
    from reviewers.flagger.cache import read_table
    from reviewers.flagger.pool import FlaggerPool
    from validators.parser import parse_article

    answers = medquad_answers(args.eval_dir, args.words)
    articles = [
        parse_article(FRONT_MATTER + answer + "\n", f"medquad-{i}.md") for i, answer in enumerate(answers)
    ]
    paragraphs = [[b.text.strip() for b in article.blocks if b.kind == "paragraph"] for article in articles]
    texts = [text for group in paragraphs for text in group]
    words = sum(len(text.split()) for text in texts)

    with tempfile.TemporaryDirectory() as temp:
        cache = Path(temp) / "cache"
        cold_wall, cold_out = run_process(LOAD.format(cache=str(cache)))
        warm_wall, warm_out = run_process(LOAD.format(cache=str(cache)))
        base_wall, _ = run_process(BASELINE_START)

        flagger = load_flagger(None, cache)
        blank = spacy.blank("en")
        blank_tokenizer: Any = blank.tokenizer
        blank_tokenizer.max_cache_size = 500_000
        for _ in blank_tokenizer.pipe(texts[:200]):  # warm both tokenizers' caches alike
            pass
        list(flagger.find_many([texts[:200]]))

        tokenize_seconds, tokens = best_of(3, lambda: sum(len(doc) for doc in blank_tokenizer.pipe(texts)))
        find_seconds, matches = best_of(
            3, lambda: sum(len(m) for per_doc in flagger.find_many(paragraphs) for m in per_doc)
        )
        flag_seconds, flags = best_of(3, lambda: sum(len(f) for f in flagger.flag_many(articles)))
        single_rss = rss_mb()

        pools: dict[str, dict[str, Any]] = {}
        for method in ("fork", "forkserver"):
            began = time.perf_counter()
            with FlaggerPool(flagger, args.workers, method) as pool:
                pool.ready()
                start = time.perf_counter() - began
                seconds, pooled = best_of(3, lambda: sum(len(f) for f in pool.flag_many(articles)))
                workers_rss = [rss_mb(pid) for pid in pool.worker_pids()]
                parent_rss = rss_mb()
            pools[method] = {"start": start, "seconds": seconds, "rss": workers_rss, "parent": parent_rss}
            if pooled != flags:
                raise SystemExit(f"{method} pool found {pooled} flags, one process {flags}")
        began = time.perf_counter()
        total = sum(len(f) for f in flagger.flag_many(articles, workers=args.workers))
        with_start_seconds = time.perf_counter() - began
        if total != flags:
            raise SystemExit(f"flag_many(workers={args.workers}) found {total} flags, one process {flags}")

        table_path = flagger.info.cache_path
        began = time.perf_counter()
        table = read_table(table_path)
        msgpack_seconds = time.perf_counter() - began
        pickled = pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)
        began = time.perf_counter()
        pickle.loads(pickled)
        pickle_seconds = time.perf_counter() - began
        msgpack_mb = table_path.stat().st_size / 1e6

    cold_status, cold_ready, cold_rss, cold_peak = cold_out.split()
    warm_status, warm_ready, warm_rss, warm_peak = warm_out.split()
    rows = [
        (
            "corpus",
            f"MedQuAD answers: {len(articles)} articles, {len(texts)} paragraphs, "
            f"{words:,} words, {tokens:,} tokens",
        ),
        (
            "bare spacy.blank('en') tokenization",
            f"{tokenize_seconds:.2f} s  ({words / tokenize_seconds / 1e6:.2f} M words/s)",
        ),
        (
            "flagger matching (find_many)",
            f"{find_seconds:.2f} s  ({words / find_seconds / 1e6:.2f} M words/s), {matches:,} matches",
        ),
        (
            "flagger on Articles (flag_many)",
            f"{flag_seconds:.2f} s  ({words / flag_seconds / 1e6:.2f} M words/s), {flags:,} flags",
        ),
        (
            "throughput ratio, matching / tokenization",
            f"{tokenize_seconds / find_seconds:.2f}  (goal >= 0.5)",
        ),
        (
            "throughput ratio, flag_many / tokenization",
            f"{tokenize_seconds / flag_seconds:.2f}  (single process; goal >= 0.5)",
        ),
        *(
            (
                f"pool of {args.workers} ({method}): start, flag_many",
                f"start {pool['start']:.2f} s; {pool['seconds']:.2f} s "
                f"({words / pool['seconds'] / 1e6:.2f} M words/s), same {flags:,} flags",
            )
            for method, pool in pools.items()
        ),
        *(
            (
                f"throughput ratio, pool of {args.workers} ({method})",
                f"{tokenize_seconds / pool['seconds']:.2f}  (pooled flagging, started pool, vs bare "
                "single-process tokenization; goal >= 0.5)",
            )
            for method, pool in pools.items()
        ),
        (
            f"flag_many(workers={args.workers}) incl. start",
            f"{with_start_seconds:.2f} s; ratio {tokenize_seconds / with_start_seconds:.2f} "
            f"(start method here: fork)",
        ),
        *(
            (
                f"resident memory, pool ({method})",
                f"parent {pool['parent']:.0f} MB (before the pool: {single_rss:.0f} MB); workers "
                + ", ".join(f"{rss:.0f}" for rss in pool["rss"])
                + " MB"
                + ("  (forked: pages shared with the parent until written)" if method == "fork" else ""),
            )
            for method, pool in pools.items()
        ),
        ("new process: import spacy + blank('en')", f"{base_wall:.2f} s (baseline)"),
        (
            "new process to ready, warm cache",
            f"{warm_wall:.2f} s wall; load_flagger {warm_ready} s ({warm_status}); "
            f"ratio to baseline {warm_wall / base_wall:.2f}",
        ),
        (
            "new process to ready, cold cache",
            f"{cold_wall:.2f} s wall; load_flagger {cold_ready} s ({cold_status})",
        ),
        (
            "resident memory, loaded (warm)",
            f"{int(warm_rss) / 1024:.0f} MB (peak {int(warm_peak) / 1024:.0f} MB; limit 400 MB)",
        ),
        (
            "resident memory, after a cold build",
            f"{int(cold_rss) / 1024:.0f} MB (peak {int(cold_peak) / 1024:.0f} MB)",
        ),
        (
            "compiled table: msgpack read+verify",
            f"{msgpack_seconds * 1000:.0f} ms ({msgpack_mb:.1f} MB file)",
        ),
        (
            "compiled table: pickle.loads of same",
            f"{pickle_seconds * 1000:.0f} ms ({len(pickled) / 1e6:.1f} MB)",
        ),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
