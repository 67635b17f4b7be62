"""Flags as `editorial check --format json` writes them, and noise the flagger must not make."""

from __future__ import annotations

from pathlib import Path

import pytest
from flagger_fixtures import small_flagger

from reviewers.flagger import Flagger
from reviewers.flagger.documents import flag_record
from validators.parser import parse_article

FRONT = "---\ntitle: T\nslug: t\ntype: condition\n---\n"


@pytest.fixture(scope="module")
def flagger(tmp_path_factory: pytest.TempPathFactory) -> Flagger:
    return small_flagger(tmp_path_factory.mktemp("json"))


def test_a_flag_record_gives_term_category_approval_claim_and_both_ends(flagger: Flagger) -> None:
    text = FRONT + "# T\n\nIt helps.\nGive vinblastine\nslowly. Call 911 right away.\n"
    article = parse_article(text, "t.md")
    records = [flag_record(flag, article) for flag in flagger.flag(article)]
    drug = next(r for r in records if r["term"] == "vinblastine")
    assert drug == {
        "term": "vinblastine",
        "normalized": "vinblastine",
        "category": "drug",
        "needs_approval": True,
        "emergency": False,
        "claim": "Give vinblastine\nslowly.",
        "start": {"line": 9, "column": 6, "offset": text.index("vinblastine")},
        "end": {"line": 9, "column": 17, "offset": text.index("vinblastine") + len("vinblastine")},
        "source": "DrugBank",
        "rule_id": "DrugBank:DB00570",
        "key": drug["key"],
    }
    emergency = [r for r in records if r["emergency"]]
    assert [(r["term"], r["category"], r["claim"]) for r in emergency] == [
        ("Call 911 right away", "directive", "Call 911 right away.")
    ]


@pytest.mark.parametrize(
    ("text", "unwanted"),
    [
        ("A test (an-jee-OG-rah-fee) helps.", "an-jee-OG-rah-fee"),
        ("Vinblastine-resistant bacteria spread.", "Vinblastine"),
        ("The Histamine Research Foundation helps.", "Histamine"),
    ],
)
def test_names_and_guides_hide_the_terms_inside_them(flagger: Flagger, text: str, unwanted: str) -> None:
    article = parse_article(FRONT + "# T\n\n" + text + "\n", "t.md")
    assert [f.term for f in flagger.flag(article) if unwanted in f.term or f.term in unwanted] == []


def test_a_drug_still_flags_outside_a_name(flagger: Flagger) -> None:
    article = parse_article(FRONT + "# T\n\nHistamine is released.\n", "t.md")
    assert [f.term for f in flagger.flag(article)] == ["Histamine"]


def test_check_json_has_the_flags_of_each_file(tmp_path: Path) -> None:
    from flows.cli.cmd_check import FileResult

    result = FileResult("a.md", flags=[{"term": "x"}])
    assert result.to_dict()["flags"] == [{"term": "x"}]
    assert FileResult("b.md").to_dict()["flags"] == []


def test_a_substance_inside_a_disease_name_is_not_flagged_unless_hyphenated(tmp_path: Path) -> None:
    from flagger_fixtures import SMALL_LEXICON, small_lexicon

    from reviewers.flagger import load_flagger
    from reviewers.flagger.lexicon import LexiconEntry
    from reviewers.flags import FlagCategory as C

    entries = [
        *SMALL_LEXICON,
        LexiconEntry("histamine intolerance", C.CONDITION, "histamine intolerance", "MeSH", "D0"),
        LexiconEntry("histamine-induced urticaria", C.CONDITION, "urticaria", "MeSH", "D1"),
    ]
    flagger = load_flagger(None, tmp_path / "cache", lexicon=small_lexicon(tmp_path / "lex", entries))
    body = "# T\n\nHistamine intolerance is rare. Histamine-induced urticaria itches. Histamine rises.\n"
    found = [(f.term, f.category.value) for f in flagger.flag(parse_article(FRONT + body, "t.md"))]
    assert found == [
        ("Histamine intolerance", "condition"),
        ("Histamine-induced urticaria", "condition"),
        ("Histamine", "chemical"),
        ("Histamine", "chemical"),
    ]
