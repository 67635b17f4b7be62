"""Benchmark the `check_corpus` flow against the same work as plain function calls, in the same run.

1,000 generated condition articles (varied slugs, sentences and medical terms) are written to a temp
directory. Measured, after a warm-up that loads the flagger and starts Prefect's embedded API once:
- plain: `flows.tasks.check_files` over the same batches (parse, every rule, flagging) — no Prefect;
- flow:  `check_corpus(directory, batch_size)` — one flow run, one task per batch, with the settings
  `editorial check-corpus` uses on the embedded API (`flows.tasks.embedded_api_settings`: no flow-run
  heartbeat thread, whose join costs ~1 s per flow run);
- flow with Prefect's default settings (heartbeats on), reported for comparison.
Prints the times, the ratio flow/plain (goal <= 1.3) and the one-time costs reported apart.

Run: `.venv/bin/python benchmarks/bench_flows.py [--articles N] [--batch-size B] [--repeat R]`.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")

DISCLAIMER = (
    "This is not a substitute for professional medical advice. Please consult with your physician "
    "before making any medical decision."
)
CONDITIONS = ["asthma", "migraine", "eczema", "gout", "anemia", "psoriasis", "bronchitis", "shingles"]
SYMPTOMS = ["cough", "fever", "nausea", "fatigue", "headache", "rash", "dizziness", "itching", "vomiting"]
TESTS = ["a blood test", "an X-ray", "an ultrasound", "a skin biopsy", "a urine test"]
DRUGS = ["ibuprofen", "paracetamol", "prednisone", "amoxicillin", "metformin", "cetirizine"]
FILLER = [
    "Most people feel better within a few weeks.",
    "It is more common in older adults.",
    "Rest and fluids help many people.",
    "A doctor can tell you what to expect.",
    "It can come back after treatment.",
    "Some people have no signs at first.",
]


def generate_article(index: int, rng: random.Random) -> str:
    """One plausible condition article with a unique slug."""
    condition = rng.choice(CONDITIONS)
    slug = f"{condition}-{index:05d}"
    symptoms = ", ".join(rng.sample(SYMPTOMS, 4))
    filler = " ".join(rng.sample(FILLER, 3))
    return (
        f"---\ntitle: {condition.capitalize()} {index}\nslug: {slug}\ntype: condition\nauthor: wendy-writer\n"
        f'sources:\n  - "Health encyclopedia: {condition}"\n---\n\n'
        f"## What is it?\n\n{condition.capitalize()} is a common condition. {filler}\n\n"
        f"## Signs & symptoms\n\nSigns may include {symptoms}.\n\n"
        f"## Diagnosis\n\nA doctor may order {rng.choice(TESTS)} to check for it.\n\n"
        f"## Treatment\n\nTreatment may include {rng.choice(DRUGS)}. Take 200 mg twice a day with food. "
        f"Call your doctor if it gets worse.\n\n{DISCLAIMER}\n"
    )


def main() -> None:
    """Generate the corpus, warm up, time plain and flow runs, print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=250)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()

    from flows.check_corpus import check_corpus, corpus_files
    from flows.settings import get_settings
    from flows.tasks import check_files, embedded_api_settings

    rng = random.Random(6)
    with tempfile.TemporaryDirectory(prefix="bench-flows-") as temp:
        corpus = Path(temp) / "corpus"
        corpus.mkdir()
        for index in range(options.articles):
            (corpus / f"article-{index:05d}.md").write_text(generate_article(index, rng), encoding="utf-8")
        paths = corpus_files(corpus)
        batches = [paths[i : i + options.batch_size] for i in range(0, len(paths), options.batch_size)]
        settings = get_settings()

        started = time.perf_counter()
        check_files(paths[:1], settings)
        flagger_load = time.perf_counter() - started
        started = time.perf_counter()
        warm = Path(temp) / "warm"
        warm.mkdir()
        (warm / "one.md").write_text(generate_article(0, rng), encoding="utf-8")
        check_corpus(warm, batch_size=options.batch_size)
        api_start = time.perf_counter() - started

        plain_times: list[float] = []
        flow_times: list[float] = []
        default_times: list[float] = []
        findings_plain = findings_flow = 0
        for _ in range(options.repeat):
            started = time.perf_counter()
            results = [item for batch in batches for item in check_files(batch, settings)]
            plain_times.append(time.perf_counter() - started)
            findings_plain = sum(sum(r.codes.values()) for r in results)

            with embedded_api_settings():
                started = time.perf_counter()
                report = check_corpus(corpus, batch_size=options.batch_size)
                flow_times.append(time.perf_counter() - started)
            findings_flow = sum(sum(r.codes.values()) for r in report.files)

            started = time.perf_counter()
            check_corpus(corpus, batch_size=options.batch_size)
            default_times.append(time.perf_counter() - started)

    if findings_plain != findings_flow:
        raise SystemExit(f"the flow found {findings_flow} findings, the plain calls {findings_plain}")
    plain, flow = statistics.median(plain_times), statistics.median(flow_times)
    default = statistics.median(default_times)
    print(
        f"articles: {len(paths)} in {len(batches)} batches of {options.batch_size}; "
        f"findings per run: {findings_plain}"
    )
    print(
        f"one-time: flagger load {flagger_load:.2f} s; Prefect API start + first flow run {api_start:.2f} s"
    )
    print(
        f"plain function calls: {plain:.2f} s (median of {options.repeat}: "
        f"{', '.join(f'{t:.2f}' for t in plain_times)})"
    )
    print(
        f"check_corpus flow:    {flow:.2f} s (median of {options.repeat}: "
        f"{', '.join(f'{t:.2f}' for t in flow_times)})"
    )
    print(f"check_corpus flow, Prefect defaults (heartbeats): {default:.2f} s (ratio {default / plain:.2f})")
    print(f"ratio flow/plain: {flow / plain:.2f} (goal <= 1.3)")


if __name__ == "__main__":
    main()
