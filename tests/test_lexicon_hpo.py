"""HPO terms read at run time from an unaltered hp.obo: terms, synonyms, version, acknowledgement."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewers.flags import FlagCategory
from reviewers.lexicon.hpo import hpo_acknowledgement, hpo_obo_path, hpo_terms, hpo_version

OBO = """\
format-version: 1.2
data-version: hp/releases/2099-01-01
remark: test fixture

[Term]
id: HP:0000001
name: All

[Term]
id: HP:0000118
name: Phenotypic abnormality
is_a: HP:0000001 ! All

[Term]
id: HP:0000256
name: Macrocephaly
synonym: "Big head" EXACT layperson []
synonym: "Large head circumference" BROAD []
synonym: "MCP" EXACT abbreviation []
is_a: HP:0000118 ! Phenotypic abnormality

[Term]
id: HP:0001945
name: Fever
synonym: "Pyrexia" EXACT []
synonym: "Raised temperature" RELATED layperson []
is_a: HP:0000256 ! (a child of a child of the root, for the test)

[Term]
id: HP:0000005
name: Mode of inheritance
is_a: HP:0000001 ! All

[Term]
id: HP:0000006
name: Autosomal dominant inheritance
is_a: HP:0000005 ! Mode of inheritance

[Term]
id: HP:0009999
name: Obsolete tumor
is_obsolete: true
is_a: HP:0000118

[Typedef]
id: part_of
name: part of
"""


@pytest.fixture
def obo(tmp_path: Path) -> Path:
    path = tmp_path / "hp.obo"
    path.write_text(OBO, encoding="utf-8")
    return path


def test_phenotypic_abnormalities_with_exact_and_layperson_synonyms(obo: Path) -> None:
    found = {entry.term: (entry.canonical, entry.source_id) for entry in hpo_terms(obo, variants=False)}
    assert found == {
        "macrocephaly": ("macrocephaly", "HP:0000256"),
        "big head": ("macrocephaly", "HP:0000256"),
        "fever": ("fever", "HP:0001945"),
        "pyrexia": ("fever", "HP:0001945"),
        "raised temperature": ("fever", "HP:0001945"),
    }


def test_entries_are_symptoms_from_hpo(obo: Path) -> None:
    entries = list(hpo_terms(obo))
    assert {entry.category for entry in entries} == {FlagCategory.SYMPTOM}
    assert {entry.source for entry in entries} == {"HPO"}


def test_variants_and_stoplist(obo: Path) -> None:
    terms = {entry.term for entry in hpo_terms(obo, stoplist=frozenset({"fever"}))}
    assert "big heads" in terms
    assert "fever" not in terms
    assert "fevers" not in terms  # nor the spellings made from a stopped term
    assert "pyrexia" in terms


def test_version_and_acknowledgement(obo: Path) -> None:
    assert hpo_version(obo) == "hp/releases/2099-01-01"
    assert hpo_acknowledgement(obo) == (
        "This service/product uses the Human Phenotype Ontology (version hp/releases/2099-01-01). "
        "Find out more at http://www.human-phenotype-ontology.org"
    )


def test_installed_hpo() -> None:
    path = hpo_obo_path()
    assert path.name == "hp.obo"
    assert hpo_version().startswith("hp/releases/")
    found = {entry.term: entry for entry in hpo_terms(variants=False)}
    assert found["fever"].source_id == "HP:0001945"
    assert found["stomach pain"].canonical == "abdominal pain"
    assert "autosomal dominant inheritance" not in found  # not a phenotypic abnormality
    assert len(found) > 30_000
