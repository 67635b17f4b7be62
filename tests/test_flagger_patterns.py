"""Pattern rules: dosages, directives and numeric claims with exact spans; strict rule files."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewers.flagger.patterns import PatternSet, load_patterns
from validators.errors import ConfigError


@pytest.fixture(scope="module")
def patterns() -> PatternSet:
    return PatternSet(load_patterns())


def matches(patterns: PatternSet, text: str) -> list[tuple[str, str]]:
    return sorted(
        ((text[start:end], rule.id) for start, end, rule in patterns.finditer(text)),
        key=lambda m: text.index(m[0]),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Give 10 mg at night.", [("10 mg", "dosage-amount")]),
        ("The dose is 2 mg/kg.", [("2 mg/kg", "dosage-amount")]),
        ("Inject 0.5 mL slowly.", [("0.5 mL", "dosage-amount")]),
        ("About 500 micrograms a day.", [("500 micrograms", "dosage-amount")]),
        ("Use 1-2 g per day.", [("1-2 g per day", "dosage-amount")]),
        ("Take 1 tablet.", [("1 tablet", "dosage-form-count")]),
        ("Use two puffs.", [("two puffs", "dosage-form-count")]),
        ("Apply it twice daily.", [("twice daily", "dosage-frequency")]),
        (
            "One dose every 8 hours.",
            [("One dose", "dosage-form-count"), ("every 8 hours", "dosage-frequency")],
        ),
        ("Three times a day with food.", [("Three times a day", "dosage-frequency")]),
        ("She is 10 years old and 120 cm tall.", []),
        ("Page 10 gives more.", []),
    ],
)
def test_dosage_patterns(patterns: PatternSet, text: str, expected: list[tuple[str, str]]) -> None:
    assert [m for m in matches(patterns, text) if m[1].startswith("dosage")] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Antihistamines must be given prior to surgery to protect.",
            [("must be given prior to surgery", "directive-obligation")],
        ),
        ("You should take it.", [("should take", "directive-obligation")]),
        ("It should be given with food and water.", [("should be given with food", "directive-obligation")]),
        ("Children should not use aspirin.", [("should not use", "directive-obligation")]),
        ("Stop taking the pills.", [("Stop taking", "directive-imperative")]),
        ("Do not take with alcohol, ever.", [("Do not take with alcohol", "directive-imperative")]),
        ("Avoid alcohol while on it.", [("Avoid alcohol while", "directive-avoid")]),
        ("It helps to avoid confusion.", []),
        ("The study must be read carefully.", []),
        ("Patients should see a doctor.", [("should see", "directive-obligation")]),
    ],
)
def test_directive_patterns(patterns: PatternSet, text: str, expected: list[tuple[str, str]]) -> None:
    assert [m for m in matches(patterns, text) if m[1].startswith("directive")] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It has 90% survival.", [("90% survival", "numeric-percent-outcome")]),
        ("The drug cures 80% of cases.", [("cures 80% of", "numeric-verb-percent")]),
        ("The 5-year survival rate of 60% is high.", [("5-year survival rate of 60%", "numeric-rate")]),
        ("It reduces the risk by 50%.", [("reduces the risk by 50%", "numeric-verb-percent")]),
        ("The cure rate is 75 percent.", [("cure rate is 75 percent", "numeric-rate")]),
        ("About 30% of adults have it.", []),
    ],
)
def test_numeric_claim_patterns(patterns: PatternSet, text: str, expected: list[tuple[str, str]]) -> None:
    assert [m for m in matches(patterns, text) if m[1].startswith("numeric")] == expected


def test_disabled_rules_are_left_out() -> None:
    ids = {rule.id for rule in load_patterns(disabled=["directive-avoid"])}
    assert "directive-avoid" not in ids and "directive-obligation" in ids


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "- {id: a, category: dosage, regex: 'x', label: y}\n",
            "rule 1: unknown key 'label' "
            "(allowed keys: id, category, regex, description, ignore_case, trigger)",
        ),
        ("- {id: a, category: dose, regex: 'x'}\n", "rule 1: 'category': 'dose' is not a category"),
        (
            "- {id: a, category: dosage, regex: '(x'}\n",
            "rule 1: 'regex': Value error, regular expression does not compile",
        ),
        (
            "- {id: a, category: dosage, regex: x}\n- {id: a, category: dosage, regex: y}\n",
            "rule id 'a' is used twice",
        ),
        ("id: a\n", "a pattern file is a list of rules"),
    ],
)
def test_bad_pattern_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "patterns.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_patterns(path)
    assert message in str(caught.value)


def test_batch_pattern_search_equals_one_text_at_a_time(patterns: PatternSet) -> None:
    texts = [
        "Give 10 mg twice daily.",
        "",
        "Nothing to see here.",
        "You must stop taking it. 90% survival at five years.",
        "Avoid alcohol.",
    ]
    batch = patterns.find_many(texts)
    single = [list(patterns.finditer(text)) for text in texts]
    assert [[(s, e, r.id) for s, e, r in found] for found in batch] == [
        [(s, e, r.id) for s, e, r in found] for found in single
    ]
    assert [[text[s:e] for s, e, _ in found] for text, found in zip(texts, batch, strict=True)] == [
        ["10 mg", "twice daily"],
        [],
        [],
        ["must stop", "stop taking", "90% survival"],  # overlaps are resolved by the component
        ["Avoid alcohol"],
    ]
    assert patterns.find_many([]) == []


@pytest.mark.parametrize(
    ("trigger", "words", "rest"),
    [
        ("must|should|have to", ("must", "should", "have to"), None),
        (r"once|b\.i\.d|q\d", ("once", "b.i.d"), r"q\d"),
        (r"\d ?(?:mg|ml)", (), r"\d ?(?:mg|ml)"),
        ("%|percent", ("%", "percent"), None),
    ],
)
def test_triggers_split_into_plain_words_and_an_expression(
    trigger: str, words: tuple[str, ...], rest: str | None
) -> None:
    from reviewers.flagger.patterns import split_trigger

    found_words, expression = split_trigger(trigger)
    assert found_words == words
    assert (expression.pattern if expression is not None else None) == rest
