"""Import and check the real condition pages of `../shared/eval/pages_dev/`; report how well it went.

For every page listed in the folder's `SOURCES.*.json` (each page heading with the house section its
content belongs to, or null when none or several would be right):

- **placement**: a source section is right when every line of its content lands, in the draft, under
  the `##` section the JSON names (sub-sections included); null sections are not scored;
- **text kept**: every line of the page's content (headings aside) must be found, word for word, in
  the draft's body; a line found nowhere is lost, unless the import's notes say it was dropped as
  site chrome: those are counted apart (both are listed with `--verbose`, to judge by eye);
- **findings**: `editorial check` (without the term flagger) on the imported draft, per rule code,
  in total and per article; and the import's own notes per code. Each page is imported as a user
  would, with `--source` its URL (`--no-source` leaves `sources` empty, as a page without one).

Run: `.venv/bin/python benchmarks/bench_pages.py [--pages DIR] [--verbose] [--json OUT]
[--baseline PREVIOUS.json] [--no-source]`. With `--baseline` (a previous `--json` output) every
figure is printed next to its baseline. The pipeline is also judged on pages outside this folder:
improve it by general means (patterns as data), never by fitting these pages' strings.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from validators.check import check_article
from validators.importer import import_page
from validators.parser import parse_article
from validators.templates import load_templates

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = ROOT.parent / "shared" / "eval" / "pages_dev"
_WORDS = re.compile(r"[a-z0-9]+")


def norm(text: str) -> str:
    """Lower-case words joined by single spaces (punctuation, escapes and markup dropped)."""
    return " ".join(_WORDS.findall(text.lower()))


@dataclass
class PageResult:
    """The figures of one page."""

    page: str
    sections_scored: int = 0
    sections_right: int = 0
    wrong: list[str] = field(default_factory=list)
    lines: int = 0
    lines_lost: list[str] = field(default_factory=list)
    lines_dropped: list[str] = field(default_factory=list)
    words: int = 0
    words_lost: int = 0
    findings: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)


def source_sections(
    page_text: str, headings: list[dict[str, Any]]
) -> tuple[list[tuple[Any, list[str]]], int]:
    """[(expected section, content lines)] per JSON heading, in page order, and the heading lines' count."""
    lines = [line.strip() for line in page_text.splitlines()]
    starts: list[tuple[int, Any]] = []
    cursor = 0
    for item in headings:
        wanted = item["heading"].strip()
        for index in range(cursor, len(lines)):
            if lines[index] == wanted:
                starts.append((index, item["section"]))
                cursor = index + 1
                break
    result = []
    for position, (index, section) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        result.append((section, [line for line in lines[index + 1 : end] if line]))
    return result, len(starts)


def draft_sections(article_text: str) -> list[tuple[str, str]]:
    """[(## heading, normalized text of the section and its sub-sections)] of a draft."""
    body = article_text.split("\n---\n", 1)[1] if article_text.startswith("---\n") else article_text
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in body.splitlines():
        if line.startswith("## "):
            sections.append((line[3:].strip(), []))
        else:
            sections[-1][1].append(line.lstrip("#"))
    return [(heading, " " + norm(" ".join(text)) + " ") for heading, text in sections]


def measure(page_path: Path, entry: dict[str, Any], verbose: bool, *, source: bool = True) -> PageResult:
    """Import one page, check the draft, and compare it with the page's headings."""
    templates = load_templates()
    template = templates["condition"]
    text = page_path.read_text(encoding="utf-8")
    sources = [entry["url"]] if source and entry.get("url") else []
    draft = import_page(text, page_path, template, author="bench-writer", sources=sources)
    result = PageResult(entry["page"])
    result.notes.update(n.code for n in draft.notes)
    article = parse_article(draft.text, f"{draft.slug}.md")
    for finding in check_article(article, templates):
        result.findings[finding.code] += 1
        if verbose:
            result.messages.append(f"{finding.code} {finding.line}: {finding.message}")
    sections = draft_sections(draft.text)
    body = " ".join(t for _, t in sections)
    per_section, _ = source_sections(text, entry["headings"])
    title_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    headings = {h["heading"].strip() for h in entry["headings"]} | {title_line}
    content = [line.strip() for line in text.splitlines() if line.strip() and line.strip() not in headings]
    dropped = {n.line for n in draft.notes if n.code == "IM02"}
    numbered = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1)]
    for number, line in numbered:
        key = norm(line)
        if not key or line not in content:
            continue
        result.lines += 1
        result.words += len(key.split())
        if f" {key} " in body:
            continue
        if number in dropped:
            result.lines_dropped.append(line)
        else:
            result.lines_lost.append(line)
            result.words_lost += len(key.split())
    for expected, lines in per_section:
        if expected is None:
            continue
        result.sections_scored += 1
        keys = [f" {norm(line)} " for line in lines if norm(line) and line not in result.lines_dropped]
        placed = [h for h, t in sections if any(k in t for k in keys)]
        if keys and all(any(k in t for h, t in sections if h == expected) for k in keys):
            result.sections_right += 1
        else:
            result.wrong.append(f"{expected!r} -> {sorted(set(placed))}")
    return result


def summary(results: list[PageResult]) -> dict[str, Any]:
    """The figures over every page."""
    findings: Counter[str] = Counter()
    notes: Counter[str] = Counter()
    for result in results:
        findings.update(result.findings)
        notes.update(result.notes)
    pages = len(results)
    scored = sum(r.sections_scored for r in results)
    lines = sum(r.lines for r in results)
    words = sum(r.words for r in results)
    return {
        "pages": pages,
        "placement": sum(r.sections_right for r in results) / scored if scored else 0.0,
        "sections_scored": scored,
        "lines_kept": 1 - sum(len(r.lines_lost) for r in results) / lines if lines else 1.0,
        "words_kept": 1 - sum(r.words_lost for r in results) / words if words else 1.0,
        "pages_losing_text": sum(1 for r in results if r.lines_lost),
        "lines_dropped_as_chrome": sum(len(r.lines_dropped) for r in results),
        "findings_per_article": sum(findings.values()) / pages if pages else 0.0,
        "findings": {code: findings[code] / pages for code in sorted(findings)},
        "notes": {code: notes[code] / pages for code in sorted(notes)},
    }


def _show(label: str, value: float, baseline: float | None, fmt: str) -> str:
    shown = format(value, fmt)
    if baseline is not None:
        shown += f"   (baseline {format(baseline, fmt)})"
    return f"{label:<34}{shown}"


def main() -> int:
    """Measure every page and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--verbose", action="store_true", help="List wrong sections, lost lines, findings.")
    parser.add_argument("--json", type=Path, help="Also write the summary as JSON here.")
    parser.add_argument("--baseline", type=Path, help="A previous --json output to compare with.")
    parser.add_argument("--no-source", action="store_true", help="Import without --source URL.")
    args = parser.parse_args()
    sources = sorted(args.pages.glob("SOURCES*.json"))
    if not sources:
        print(f"{args.pages}: no SOURCES*.json here (the development pages live in ../shared/eval/pages_dev)")
        return 2
    entries = [entry for path in sources for entry in json.loads(path.read_text(encoding="utf-8"))]
    ordered = sorted(entries, key=lambda e: e["page"])
    results = [measure(args.pages / e["page"], e, args.verbose, source=not args.no_source) for e in ordered]
    figures = summary(results)
    base = json.loads(args.baseline.read_text(encoding="utf-8")) if args.baseline else None

    def b(key: str) -> float | None:
        return None if base is None else float(base[key])

    if args.verbose:
        for result in results:
            problems = result.wrong + [f"LOST {line[:100]}" for line in result.lines_lost]
            problems += [f"dropped as chrome: {line[:100]}" for line in result.lines_dropped]
            print(
                f"== {result.page}: {result.sections_right}/{result.sections_scored} placed, "
                f"{sum(result.findings.values())} findings"
            )
            for problem in problems:
                print(f"   {problem}")
            for message in result.messages:
                print(f"   {message[:160]}")
    print(f"{figures['pages']} pages, {figures['sections_scored']} scored source sections")
    print(_show("sections in the right section", figures["placement"], b("placement"), ".1%"))
    print(_show("content lines kept", figures["lines_kept"], b("lines_kept"), ".2%"))
    print(_show("content words kept", figures["words_kept"], b("words_kept"), ".2%"))
    print(_show("pages losing text", figures["pages_losing_text"], b("pages_losing_text"), ".0f"))
    print(_show("lines dropped as chrome", figures["lines_dropped_as_chrome"], None, ".0f"))
    print(_show("findings per article", figures["findings_per_article"], b("findings_per_article"), ".2f"))
    codes = sorted(set(figures["findings"]) | set(base["findings"] if base else {}))
    print("findings per article, by rule:")
    for code in codes:
        was = base["findings"].get(code, 0.0) if base else None
        print("  " + _show(code, figures["findings"].get(code, 0.0), was, ".2f"))
    print("import notes per article, by code:")
    for code in sorted(set(figures["notes"]) | set(base["notes"] if base else {})):
        was = base["notes"].get(code, 0.0) if base else None
        print("  " + _show(code, figures["notes"].get(code, 0.0), was, ".2f"))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
