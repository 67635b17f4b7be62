"""Overlapping terms: the longest wins, except that an informational term never hides one needing approval."""

from __future__ import annotations

from pathlib import Path

from flagger_fixtures import SMALL_LEXICON, small_lexicon

from reviewers.flagger import Flagger, load_flagger
from reviewers.flagger.component import Match, longest_first, resolve_matches
from reviewers.flagger.lexicon import LexiconEntry
from reviewers.flags import FlagCategory as C
from validators.parser import parse_article

FRONT = "---\ntitle: T\nslug: t\nauthor: w\n---\n\n"
EXTRA = [
    LexiconEntry("heparin", C.DRUG, "heparin", "DrugBank", "DB01109"),
    LexiconEntry(
        "heparin-induced thrombocytopenia", C.CONDITION, "heparin-induced thrombocytopenia", "MeSH", "D013921"
    ),
    LexiconEntry("thrombocytopenia", C.CONDITION, "thrombocytopenia", "MeSH", "D013921"),
    LexiconEntry("serotonin", C.CHEMICAL, "serotonin", "MeSH", "D012701"),
    LexiconEntry(
        "selective serotonin reuptake inhibitors",
        C.DRUG_CLASS,
        "selective serotonin reuptake inhibitor",
        "editorial",
        "class-ssri",
    ),
    LexiconEntry("iron deficiency anemia", C.CONDITION, "iron deficiency anemia", "MeSH", "D018798"),
    LexiconEntry("iron", C.CHEMICAL, "iron", "MeSH", "D007501"),
]


def _flagger(tmp_path: Path, config_text: str | None = None) -> Flagger:
    config = None
    if config_text is not None:
        config = tmp_path / "org.yaml"
        config.write_text(config_text, encoding="utf-8")
    lexicon = small_lexicon(tmp_path / "lexicon", [*SMALL_LEXICON, *EXTRA])
    return load_flagger(config, tmp_path / "cache", lexicon=lexicon)


def _flags(flagger: Flagger, body: str) -> list[tuple[str, str, int, int, bool, str]]:
    article = parse_article(FRONT + body, "t.md")
    return [
        (f.term, f.category.value, f.start - len(FRONT), f.end - len(FRONT), f.needs_approval, f.sentence)
        for f in flagger.flag(article)
    ]


def test_a_drug_inside_an_informational_condition_is_flagged_too(tmp_path: Path) -> None:
    sentence = "Heparin-induced thrombocytopenia is rare."
    assert _flags(_flagger(tmp_path), sentence + "\n") == [
        ("Heparin-induced thrombocytopenia", "condition", 0, 32, False, sentence),
        ("Heparin", "drug", 0, 7, True, sentence),
    ]


def test_a_term_needing_approval_hides_the_one_it_holds(tmp_path: Path) -> None:
    sentence = "Selective serotonin reuptake inhibitors help."
    assert _flags(_flagger(tmp_path), sentence + "\n") == [
        ("Selective serotonin reuptake inhibitors", "drug_class", 0, 39, True, sentence),
    ]


def test_only_the_longest_when_the_longer_term_needs_approval_too(tmp_path: Path) -> None:
    flagger = _flagger(tmp_path, "needs_approval: [drug, drug_class, chemical, condition]\n")
    sentence = "Heparin-induced thrombocytopenia is rare."
    assert _flags(flagger, sentence + "\n") == [
        ("Heparin-induced thrombocytopenia", "condition", 0, 32, True, sentence),
    ]


def test_an_approval_term_later_inside_a_condition_is_kept_but_informational_ones_still_hide(
    tmp_path: Path,
) -> None:
    # "heparin" in a hyphenated modifier of a condition is kept; "thrombocytopenia" (informational)
    # stays hidden; "iron" named inside a disease's name is not a claim about iron: not flagged
    sentence = "Severe iron deficiency anemia and heparin-induced thrombocytopenia. Iron helps."
    found = [(term, category) for term, category, *_ in _flags(_flagger(tmp_path), sentence + "\n")]
    assert found == [
        ("iron deficiency anemia", "condition"),
        ("heparin-induced thrombocytopenia", "condition"),
        ("heparin", "drug"),
        ("Iron", "chemical"),
    ]


def test_the_rule_on_plain_matches() -> None:
    approval = frozenset({"drug", "directive"})
    condition = Match(0, 4, "condition", 1, "c")
    drug = Match(0, 1, "drug", 2, "d")
    crossing_drug = Match(3, 6, "drug", 3, "d2")
    symptom = Match(1, 2, "symptom", 4, "s")
    directive = Match(0, 5, "directive", -1, "x")
    everything = [condition, drug, crossing_drug, symptom, directive]
    assert resolve_matches(everything) == [directive, condition]  # the longest hides the rest
    assert resolve_matches(everything, approval) == [directive, condition, drug, crossing_drug]
    # the condition needs approval too: only the longest
    assert resolve_matches(everything, approval | {"condition"}) == [directive, condition]
    tuples = [(0, 4, 1), (0, 1, 2), (1, 2, 4)]
    assert longest_first(tuples) == [(0, 4, 1)]
    assert longest_first(tuples, lambda match: match[2] == 2) == [(0, 1, 2), (0, 4, 1)]
