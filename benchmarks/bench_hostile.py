"""Benchmark the hostile files: `editorial check`'s work (read, parse, every rule, the term flagger's
tokenizer) on each large or pathological case of `tests/hostile/cases.py`, against a clean article of
the same size measured in the same run (the baseline: ratio 1.0 means hostile text costs what prose
of its size costs).

With `--unguarded`, it also times what the same text costs without `validators.limits` (markdown-it
and spaCy's tokenizer on the raw text, each stopped after `--cap` seconds): the cost the guard saves.

Run: `.venv/bin/python benchmarks/bench_hostile.py [--unguarded] [--cap 60]`.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hostile.cases import CHECK_CASES, PATHOLOGICAL_CASES, Case, article

from validators.check import check_article
from validators.errors import InputError
from validators.limits import defuse
from validators.parser import load_article
from validators.templates import load_templates

PROSE = "Rest and fluids usually help, and the rash goes away in a week or two. "


def clean_of_size(size: int) -> bytes:
    """A clean article padded with prose paragraphs to `size` bytes (the baseline)."""
    head = article("baseline")
    filler = (PROSE * 12 + "\n\n") * (size // (len(PROSE) * 12 + 2) + 1)
    return (head + "\n" + filler)[: max(size, len(head))].encode("utf-8")


def time_check(path: Path) -> float:
    """Seconds to read, parse and check `path` and tokenize its defused text as the flagger does."""
    import spacy

    tokenizer = spacy.blank("en").tokenizer
    templates = load_templates()
    began = time.perf_counter()
    try:
        parsed = load_article(path)
    except InputError:
        return time.perf_counter() - began
    check_article(parsed, templates)
    for block in parsed.blocks:
        tokenizer(block.text)
    return time.perf_counter() - began


def _unguarded(text: str) -> None:
    import spacy
    from markdown_it import MarkdownIt

    MarkdownIt("commonmark").parse(text)
    spacy.blank("en").tokenizer(text)


def time_unguarded(text: str, cap: float) -> float | None:
    """Seconds markdown-it and the tokenizer take on the raw text, or None past `cap` seconds."""
    process = multiprocessing.Process(target=_unguarded, args=(text,))
    began = time.perf_counter()
    process.start()
    process.join(cap)
    if process.is_alive():
        process.kill()
        process.join()
        return None
    return time.perf_counter() - began


def main() -> None:
    """Print one row per case: seconds, baseline seconds, ratio (and the unguarded cost)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unguarded", action="store_true", help="also time the raw text without the guard")
    parser.add_argument("--cap", type=float, default=60.0, help="seconds before an unguarded run is stopped")
    options = parser.parse_args()
    cases: list[Case] = [c for c in CHECK_CASES if len(c.data) >= 64 * 1024 and c.expect.error is None]
    cases += [c for c in PATHOLOGICAL_CASES if c not in cases]
    directory = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    print(
        f"{'case':22} {'bytes':>8} {'check':>8} {'baseline':>9} {'ratio':>6}"
        + ("  unguarded" if options.unguarded else "")
    )
    worst = 0.0
    for case in cases:
        path = directory / case.file_name
        path.write_bytes(case.data)
        baseline_path = directory / "baseline.md"
        baseline_path.write_bytes(clean_of_size(len(case.data)))
        seconds = time_check(path)
        baseline = time_check(baseline_path)
        worst = max(worst, seconds)
        row = f"{case.name:22} {len(case.data):8} {seconds:7.2f}s {baseline:8.2f}s {seconds / baseline:6.2f}"
        if options.unguarded:
            text = case.data.decode("utf-8", "replace")
            raw = time_unguarded(text, options.cap)
            guarded = time_unguarded(defuse(text), options.cap)
            shown = f">{options.cap:.0f}s" if raw is None else f"{raw:.2f}s"
            row += f"  {shown} (guarded {guarded or 0:.2f}s)"
        print(row, flush=True)
    print(f"worst case {worst:.2f}s (bar: 10 s a file)")


if __name__ == "__main__":
    main()
