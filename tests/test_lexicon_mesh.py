"""MeSH procedures and tests chosen by qualifier profile, on a hand-made CSV of the package's shape."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from reviewers.flags import FlagCategory
from reviewers.lexicon.mesh_procedures import natural_name, procedure_concepts, read_procedure_vocabulary
from reviewers.lexicon.sources import SourceError

METHODS, ADVERSE, INSTRUMENTATION, DOSAGE, DIAGNOSIS = "Q000379", "Q000009", "Q000295", "Q000008", "Q000175"
DESCRIPTORS = {
    "D013906": ("Thoracoscopy", [METHODS, ADVERSE]),
    "D015911": ("Sclerotherapy", [METHODS, ADVERSE]),
    "D011615": ("Psychotherapy, Group", [METHODS, INSTRUMENTATION]),
    "D001676": ("Biofeedback, Psychology", [METHODS, INSTRUMENTATION]),
    "D001901": ("Botany", [METHODS, INSTRUMENTATION]),  # a science, not a technique
    "D000001": ("Calcimycin", [METHODS, DOSAGE]),  # a drug
    "D003920": ("Diabetes Mellitus", [METHODS, DIAGNOSIS]),  # a disease
    "D013812": ("Therapeutics", [METHODS, ADVERSE]),  # generic
    "D012107": ("Research Design", [METHODS, ADVERSE]),
    "D005951": ("Glucose Tolerance Test", [METHODS, ADVERSE]),
    "D009000": ("Monocytes", []),  # no methods
}


def mesh_rows() -> list[list[str]]:
    rows = [["id", "scheme", "subject"]]
    for descriptor, (name, qualifiers) in DESCRIPTORS.items():
        rows.append([f"https://id.nlm.nih.gov/mesh/{descriptor}", "MeSH", name])
        rows += [[f"https://id.nlm.nih.gov/mesh/{descriptor}{q}", "MeSH", f"{name}/x"] for q in qualifiers]
    return rows


def test_qualifier_profiles_pick_clinical_procedures_and_tests() -> None:
    concepts, report = procedure_concepts(mesh_rows(), Path("mesh.csv"))
    assert [(c.canonical, c.category, c.source_id, c.variants) for c in concepts] == [
        (
            "psychology biofeedback",
            FlagCategory.PROCEDURE,
            "D001676",
            ("psychology biofeedback", "biofeedback"),
        ),
        ("glucose tolerance test", FlagCategory.TEST, "D005951", ("glucose tolerance test",)),
        ("group psychotherapy", FlagCategory.PROCEDURE, "D011615", ("group psychotherapy", "psychotherapy")),
        ("thoracoscopy", FlagCategory.TEST, "D013906", ("thoracoscopy",)),
        ("sclerotherapy", FlagCategory.PROCEDURE, "D015911", ("sclerotherapy",)),
    ]
    assert report.kept == {"procedure": 3, "test": 2}
    assert report.dropped == {
        "MeSH technique without a test or therapy head": 1,
        "MeSH generic, research, dental or device heading": 2,
    }


@pytest.mark.parametrize(
    ("heading", "natural"),
    [
        ("Ultrasonography, Doppler, Duplex", "duplex doppler ultrasonography"),
        ("Psychotherapy, Group", "group psychotherapy"),
        ("Thoracoscopy", "thoracoscopy"),
    ],
)
def test_inverted_headings_are_turned_round(heading: str, natural: str) -> None:
    assert natural_name(heading) == natural


def test_a_csv_of_another_shape_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mesh.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["a", "b"], ["1", "2"]])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    with pytest.raises(SourceError, match="expected the header id,scheme,subject"):
        read_procedure_vocabulary(path)
