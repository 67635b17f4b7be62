"""Benchmark `editorial check` without term flagging.

1. In-process: every rule (structure, disclaimers, metadata, prose; no terms) over >= 1,000 generated
   articles, against two baselines measured in the same run on the same files: reading the files
   and loading their YAML front matter, and the bare parse (`load_article`).
2. Cold start: `editorial check --no-terms one.md` as a fresh process, against `python -c pass`.

Run: `.venv/bin/python benchmarks/bench_check.py [--articles N]`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from validators.check import check_article
from validators.parser import load_article
from validators.rules import ALL_RULES
from validators.templates import load_templates

SECTIONS = ["What is it?", "Signs & symptoms", "Diagnosis", "Treatment"]
DISCLAIMER = (
    "This is not a substitute for professional medical advice. Please consult with your physician "
    "before making any medical decision."
)
PROSE = (
    "the skin may look red and feel warm a doctor can check the blood and the heart most people get "
    "better with rest fluids and time some need medicine for a few days the pain can come and go "
    "children and older adults are more likely to get it a test can show how far it has spread"
)
WORDS = PROSE.split(" ")


def sentence(rng: random.Random) -> str:
    """One plain sentence of 6-18 words."""
    words: list[str] = []
    while len(words) < rng.randint(6, 18):
        word = rng.choice(WORDS)
        if not words or word != words[-1]:
            words.append(word)
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    """A paragraph of 2-6 sentences, wrapped at about 100 columns like a real draft."""
    text = " ".join(sentence(rng) for _ in range(rng.randint(2, 6)))
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) > 100:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


def article(index: int, rng: random.Random) -> tuple[str, str]:
    """A varied, realistic draft: mostly correct, some with typical defects."""
    slug = f"condition-{index:05d}"
    sections = list(SECTIONS)
    defect = rng.random()
    if defect < 0.1:
        sections.remove(rng.choice(SECTIONS))  # missing section
    elif defect < 0.15:
        sections[1], sections[2] = sections[2], sections[1]  # out of order
    elif defect < 0.2:
        sections.insert(2, "Living with it")  # unknown section
    front = {
        "title": f"Condition {index}",
        "slug": slug,
        "type": "condition",
        "author": "wendy-writer",
        "aliases": [f"Alias {index}"] if rng.random() < 0.5 else [],
        "sources": [f"Manual of medicine, chapter {index % 40}"] if rng.random() < 0.95 else [],
    }
    body: list[str] = []
    for name in sections:
        body.append(f"## {name}")
        body.extend(paragraph(rng) for _ in range(rng.randint(1, 4)))
        if rng.random() < 0.3:
            body.append("\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(2, 5))))
    disclaimer = DISCLAIMER if rng.random() < 0.9 else DISCLAIMER.replace("physician", "doctor")
    body.append(disclaimer)
    header = yaml.safe_dump(front, sort_keys=False)
    return slug, f"---\n{header}---\n\n" + "\n\n".join(body) + "\n"


def timed(action: Callable[[], object], repeat: int) -> float:
    """Best wall time of `repeat` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def cold(command: list[str], repeat: int) -> float:
    """Median wall time of a fresh process."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=False, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Generate the corpus, time each stage, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    options = parser.parse_args()
    rng = random.Random(20261124)
    templates = load_templates()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        paths = []
        for index in range(options.articles):
            slug, text = article(index, rng)
            path = root / f"{slug}.md"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        total_bytes = sum(p.stat().st_size for p in paths)

        def read_yaml() -> None:
            for path in paths:
                text = path.read_text(encoding="utf-8")
                yaml.safe_load(text.split("---\n", 2)[1])

        def parse() -> None:
            for path in paths:
                load_article(path)

        findings: list[int] = []
        structure_rules = [r for r in ALL_RULES if r.code[:2] in ("FM", "ST", "DS", "SL", "SP")]

        def check_structure() -> None:
            for path in paths:
                check_article(load_article(path), templates, rules=structure_rules)

        def check() -> None:
            findings.clear()
            for path in paths:
                findings.append(len(check_article(load_article(path), templates)))

        t_yaml = timed(read_yaml, options.repeat)
        t_parse = timed(parse, options.repeat)
        t_structure = timed(check_structure, options.repeat)
        t_check = timed(check, options.repeat)

        editorial = str(Path(sys.executable).parent / "editorial")
        t_pass = cold([sys.executable, "-c", "pass"], 7)
        t_cli = cold([editorial, "check", "--no-terms", str(paths[0])], 7)
        t_help = cold([editorial, "--help"], 3)

    n = options.articles
    print(f"{n} articles, {total_bytes / n / 1024:.1f} KiB each on average, {sum(findings)} findings")
    print(f"{'stage':<48} {'seconds':>9} {'articles/s':>11} {'ratio':>7}")
    rows = [
        ("read + YAML-load front matter (baseline)", t_yaml, t_yaml),
        ("load_article: safe read + parse", t_parse, t_yaml),
        ("check: parse + structure rules (FM ST DS SL SP)", t_structure, t_yaml),
        ("check: parse + all rules, no terms", t_check, t_yaml),
    ]
    for name, seconds, base in rows:
        print(f"{name:<48} {seconds:>9.3f} {n / seconds:>11,.0f} {seconds / base:>6.1f}x")
    print(f"{'  structure check vs bare parse':<48} {'':>9} {'':>11} {t_structure / t_parse:>6.1f}x")
    print(f"{'  full check vs bare parse':<48} {'':>9} {'':>11} {t_check / t_parse:>6.1f}x")
    print(f"{'cold: python -c pass (baseline)':<48} {t_pass:>9.3f} {'':>11} {1.0:>6.1f}x")
    print(f"{'cold: editorial --help':<48} {t_help:>9.3f} {'':>11} {t_help / t_pass:>6.1f}x")
    print(f"{'cold: editorial check --no-terms one.md':<48} {t_cli:>9.3f} {'':>11} {t_cli / t_pass:>6.1f}x")


if __name__ == "__main__":
    main()
