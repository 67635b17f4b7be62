"""The seed bar, with the shipped lexicon: the seed page's terms, each in its right sentence; and
`editorial eval` end to end on the hand-made fixture corpora."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SEED_PAGE
from flagger_fixtures import seed_article_text

from reviewers.flagger import Flagger, load_flagger
from validators.parser import parse_article

pytestmark = pytest.mark.slow

EVAL = Path(__file__).parent / "fixtures" / "eval"


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("flagger-cache")


@pytest.fixture(scope="module")
def flagger(shared_cache: Path) -> Flagger:
    return load_flagger(None, shared_cache)


SEED_BAR = [
    (
        "vinblastine",
        "drug",
        "further treatment such as chemotherapy, such as vinblastine, and radiation is needed.",
    ),
    ("histamine", "chemical", "which release histamine and are in association with allergic reactions."),
    ("Antihistamines", "drug_class", "Antihistamines must be given prior to surgery to protect against"),
    ("chemotherapy", "procedure", "further treatment such as chemotherapy, such as vinblastine"),
    ("radiation", "procedure", "such as vinblastine, and radiation is needed."),
    ("surgical removal", "procedure", "includes a surgical removal of it with wide margins"),
    (
        "needle aspiration biopsy",
        "test",  # a procedure done to diagnose is a test
        "is done with a needle aspiration biopsy by proving a large number",
    ),
    ("X-rays", "test", "Furthermore, X-rays, ultrasound, or lymph nodes"),
    ("ultrasound", "test", "Furthermore, X-rays, ultrasound, or lymph nodes"),
    (
        "must be given prior to surgery",
        "directive",
        "Antihistamines must be given prior to surgery to protect",
    ),
]


@pytest.mark.parametrize(("term", "category", "in_sentence"), SEED_BAR)
def test_seed_page_flags(flagger: Flagger, term: str, category: str, in_sentence: str) -> None:
    article = parse_article(seed_article_text(SEED_PAGE.read_text(encoding="utf-8")), "seed.md")
    flags = [f for f in flagger.flag(article) if f.term == term]
    assert flags, f"{term!r} not flagged"
    flag = flags[0]
    assert flag.category.value == category
    assert in_sentence in flag.sentence
    assert flag.sentence in article.text
    assert article.text[flag.start : flag.end] == term
    assert article.position(flag.start) == (flag.line, flag.column)
    # the sentence is one sentence: it starts with a capital and ends with a full stop
    assert flag.sentence[0].isupper() and flag.sentence.endswith(".")


def test_no_flag_in_the_seed_is_a_common_word(flagger: Flagger) -> None:
    article = parse_article(seed_article_text(SEED_PAGE.read_text(encoding="utf-8")), "seed.md")
    terms = {f.term.casefold() for f in flagger.flag(article)}
    assert not terms & {"type", "cell", "skin", "trunk", "wrist", "lung", "group", "names", "grade", "stage"}


@pytest.fixture
def cli_env(shared_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from flows.settings import get_settings

    monkeypatch.setenv("EDITORIAL_CACHE_DIR", str(shared_cache))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_eval_command_prints_a_table(cli_env: None) -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, ["eval", "--eval-dir", str(EVAL)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["corpus", "label", "mode", "P", "R", "F1", "TP", "FP", "FN"]
    assert [line.split()[:3] for line in lines[2:10]] == [
        ["bc5cdr-dev", "Chemical", "strict"],
        ["bc5cdr-dev", "Chemical", "overlap"],
        ["bc5cdr-dev", "Disease", "strict"],
        ["bc5cdr-dev", "Disease", "overlap"],
        ["ddi2013-train", "drug", "strict"],
        ["ddi2013-train", "drug", "overlap"],
        ["ddi2013-train", "group", "strict"],
        ["ddi2013-train", "group", "overlap"],
    ]
    assert "Human Phenotype Ontology (version" in result.output


def test_eval_command_json_figures(cli_env: None) -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(
        app, ["eval", "--eval-dir", str(EVAL), "--corpus", "bc5cdr-dev", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    chemical = next(r for r in data["scores"] if r["label"] == "Chemical" and r["mode"] == "strict")
    # gold: Aspirin, Ibuprofen, IBU, IBU, Lithium; all five are drugs every lexicon knows or defines
    assert (chemical["true_positives"], chemical["false_negatives"]) == (5, 0)
    assert data["flagger"]["hpo_version"].startswith("hp/releases/")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "--format must be 'table' or 'json'"),
        (["--corpus", "nope"], "unknown corpus 'nope'"),
        (["--eval-dir", "/nonexistent/eval"], "no evaluation corpus found"),
    ],
)
def test_eval_command_usage_errors(args: list[str], message: str) -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, ["eval", *args])
    assert result.exit_code == 2
    assert message in result.output


# --- everyday medical phrases made of easy words (regression: they were dropped as filler) --------

EVERYDAY_PHRASES = [
    (
        "An X-ray showed a heart attack.",
        [
            ("X-ray", "test", "An X-ray showed a heart attack."),
            ("heart attack", "condition", "An X-ray showed a heart attack."),
        ],
    ),
    (
        "She had a chest x-ray. A blood test came back normal.",
        [
            ("chest x-ray", "test", "She had a chest x-ray."),
            ("blood test", "test", "A blood test came back normal."),
        ],
    ),
    (
        "He had a sore throat and hearing loss.",
        [
            ("sore throat", "symptom", "He had a sore throat and hearing loss."),
            ("hearing loss", "condition", "He had a sore throat and hearing loss."),
        ],
    ),
    (
        "Pink eye spreads fast. Dry mouth is common.",
        [
            ("Pink eye", "condition", "Pink eye spreads fast."),
            ("Dry mouth", "symptom", "Dry mouth is common."),
        ],
    ),
    (
        "A broken bone heals slowly when blood sugar is high.",
        [
            ("broken bone", "condition", "A broken bone heals slowly when blood sugar is high."),
            ("blood sugar", "chemical", "A broken bone heals slowly when blood sugar is high."),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), EVERYDAY_PHRASES)
def test_everyday_phrases_of_easy_words_are_flagged(
    flagger: Flagger, text: str, expected: list[tuple[str, str, str]]
) -> None:
    [matches] = flagger.find([text])
    found = [(m.term, m.category.value, text[m.sentence_start : m.sentence_end].rstrip()) for m in matches]
    assert found == expected


def test_foods_and_codes_of_easy_words_are_still_not_flagged(flagger: Flagger) -> None:
    # DrugBank/MeSH "drug" and "chemical" names made only of easy words are foods, extracts or codes
    [matches] = flagger.find(["Add black pepper, cow milk and coconut oil at 10 past noon."])
    assert [m.term for m in matches] == []
