"""Benchmark the prose rules (RD01, TY01-TY05, CL01) and `editorial import`.

The corpus is real prose: the imported seed article and the fixture article, each repeated with its
sentences shuffled so no two articles are equal. Every figure is a ratio against the bare parse of
the same articles (`parse_article`), measured in the same run; the import is measured against
parsing the draft it produces.

Run: `.venv/bin/python benchmarks/bench_prose.py [--articles N]`.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from pathlib import Path

from validators.importer import import_page
from validators.models import Article
from validators.parser import parse_article
from validators.readability import reading_stats
from validators.rules.prose import PROSE_RULES, prose_view
from validators.templates import load_templates

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    ROOT / "tests" / "fixtures" / "import" / "malignant-mast-cell-tumor.md",
    ROOT / "tests" / "fixtures" / "articles" / "malignant-mast-cell-tumor.md",
]
SEED_PAGE = ROOT / "flows" / "data" / "seed_page.txt"


def shuffled(text: str, rng: random.Random) -> str:
    """The article with the sentences of each body line shuffled (front matter and headings kept)."""
    head, _, body = text.partition("\n---\n")
    lines = []
    for line in body.split("\n"):
        sentences = line.split(". ")
        if len(sentences) > 2 and not line.startswith(("#", "-")):
            rng.shuffle(sentences)
        lines.append(". ".join(sentences))
    return head + "\n---\n" + "\n".join(lines)


def timed(action: Callable[[], object], repeat: int = 3) -> float:
    """Best wall time of `repeat` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Build the corpus, time each stage, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(2)
    sources = [path.read_text(encoding="utf-8") for path in SOURCES]
    texts = [shuffled(sources[i % len(sources)], rng) for i in range(args.articles)]
    templates = load_templates()
    template = templates["condition"]
    articles: list[Article] = [parse_article(t, f"a{i}.md") for i, t in enumerate(texts)]

    def parse_all() -> None:
        for index, text in enumerate(texts):
            parse_article(text, f"a{index}.md")

    def views_all() -> None:
        for article in articles:
            for block in article.blocks:
                prose_view(block)

    def grades_all() -> None:
        for article in articles:
            reading_stats(prose_view(b) for b in article.blocks if b.kind == "paragraph")

    def rule_all(index: int) -> Callable[[], None]:
        def run() -> None:
            for article in articles:
                list(PROSE_RULES[index].check(article, template))

        return run

    def prose_all() -> None:
        for article in articles:
            for rule in PROSE_RULES:
                list(rule.check(article, template))

    baseline = timed(parse_all)
    words = sum(len(t.split()) for t in texts)
    print(f"{len(texts)} articles, {words // len(texts)} words each on average")
    print(f"{'stage':<46}{'seconds':>9}{'articles/s':>12}{'ratio':>8}")
    rows: list[tuple[str, float]] = [
        ("parse_article (baseline)", baseline),
        ("prose view of every block", timed(views_all)),
        ("reading grade of every block", timed(grades_all)),
    ]
    rows += [(f"rule {rule.code} {rule.name}", timed(rule_all(i))) for i, rule in enumerate(PROSE_RULES)]
    rows.append(("all prose rules", timed(prose_all)))
    for name, seconds in rows:
        print(f"{name:<46}{seconds:>9.3f}{len(texts) / seconds:>12,.0f}{seconds / baseline:>7.1f}x")

    page = SEED_PAGE.read_text(encoding="utf-8")
    pages = 200
    draft = import_page(page, "seed.txt", template, author="w").text
    parse_draft = timed(lambda: [parse_article(draft, "d.md") for _ in range(pages)])
    imports = timed(lambda: [import_page(page, "seed.txt", template, author="w") for _ in range(pages)])
    print(
        f"{'parse the imported draft (baseline)':<46}{parse_draft:>9.3f}{pages / parse_draft:>12,.0f}"
        f"{1:>7.1f}x"
    )
    print(
        f"{'import_page of the seed page':<46}{imports:>9.3f}{pages / imports:>12,.0f}"
        f"{imports / parse_draft:>7.1f}x"
    )


if __name__ == "__main__":
    main()
