"""Pattern rules: dosages, directives and numeric claims with exact spans; strict rule files."""

from __future__ import annotations

import re
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
        (
            "About 500 micrograms a day.",
            [("500 micrograms", "dosage-amount"), ("500 micrograms a day", "dosage-schedule")],
        ),
        ("Use 1-2 g per day.", [("1-2 g per day", "dosage-amount")]),
        ("Take 1 tablet.", [("1 tablet", "dosage-form-count")]),
        ("Use two puffs.", [("two puffs", "dosage-form-count")]),
        (
            "Apply it twice daily.",
            [("Apply it twice daily", "dosage-schedule"), ("twice daily", "dosage-frequency")],
        ),
        (
            "One dose every 8 hours.",
            [
                ("One dose", "dosage-form-count"),
                ("One dose", "dosage-count"),
                ("every 8 hours", "dosage-frequency"),
            ],
        ),
        ("Three times a day with food.", [("Three times a day", "dosage-frequency")]),
        (
            "The cream is applied daily for four to six weeks.",
            [("applied daily", "dosage-schedule"), ("for four to six weeks", "dosage-duration")],
        ),
        (
            "They shouldn't be used for longer than six weeks.",
            [("for longer than six weeks", "dosage-duration")],
        ),
        ("Adults need 800 IUs daily.", [("800 IUs", "dosage-amount"), ("800 IUs daily", "dosage-schedule")]),
        ("Use the lowest effective dose.", [("the lowest effective dose", "dosage-vague")]),
        ("It needs high-dose chemotherapy.", []),
        ("She is 10 years old and 120 cm tall.", []),
        ("Page 10 gives more.", []),
        ("The rash lasts for two weeks.", []),
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
        ("You should take it.", [("should take it", "directive-obligation")]),
        (
            "It should be given with food and water.",
            [("should be given with food and water", "directive-obligation")],
        ),
        ("Children should not use aspirin.", [("should not use aspirin", "directive-obligation")]),
        ("Stop taking the pills.", [("Stop taking the pills", "directive-imperative")]),
        ("Do not take with alcohol, ever.", [("Do not take with alcohol", "directive-imperative")]),
        ("Avoid alcohol while on it.", [("Avoid alcohol", "directive-imperative")]),
        ("If you are at risk, get tested.", [("get tested", "directive-imperative")]),
        ("Patients should see a doctor.", [("should see a doctor", "directive-obligation")]),
        ("Follow-up imaging is advised.", [("is advised", "directive-obligation")]),
        (
            "If needed, you can also give a pain reliever.",
            [("you can also give a pain reliever", "directive-you-can")],
        ),
        ("It helps to avoid confusion.", []),
        ("Side effects should go away in a week.", []),
        ("Please consult with your physician before making any medical decision.", []),
        ("Some people may need to be hospitalized.", []),
        ("See a video about the test.", []),
        ("Use the table on page 4 to find your weight.", []),
    ],
)
def test_directive_patterns(patterns: PatternSet, text: str, expected: list[tuple[str, str]]) -> None:
    assert [m for m in matches(patterns, text) if m[1].startswith("directive")] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Call 911 right away.",
            [
                ("Call 911 right away", "directive-emergency-call"),
                ("Call 911 right away", "directive-emergency-now"),
            ],
        ),
        (
            "If it spreads, go to the emergency room.",
            [("go to the emergency room", "directive-emergency-call")],
        ),
        (
            "Seek immediate medical attention.",
            [("Seek immediate medical attention", "directive-emergency-call")],
        ),
        (
            "You should see a doctor immediately.",
            [("should see a doctor immediately", "directive-emergency-now")],
        ),
        ("Treat it as soon as possible.", []),
        ("Ask your doctor about 911 plans.", []),
    ],
)
def test_emergency_patterns(patterns: PatternSet, text: str, expected: list[tuple[str, str]]) -> None:
    emergency = {rule.id for rule in patterns.rules if rule.emergency}
    assert [m for m in matches(patterns, text) if m[1] in emergency] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It has 90% survival.", [("90% survival", "numeric-percent")]),
        ("The drug cures 80% of cases.", [("cures 80% of cases", "numeric-percent")]),
        (
            "The 5-year survival rate of 60% is high.",
            [("The 5-year survival rate of 60%", "numeric-percent"), ("5-year", "numeric-duration")],
        ),
        ("It reduces the risk by 50%.", [("reduces the risk by 50%", "numeric-percent")]),
        ("The cure rate is 75 percent.", [("The cure rate is 75 percent", "numeric-percent")]),
        ("About 30% of adults have it.", [("About 30% of adults", "numeric-percent")]),
        (
            "It affects about 1 in 10 adults.",
            [("about 1 in 10 adults", "numeric-ratio"), ("10 adults", "numeric-count")],
        ),
        (
            "Approximately 140 cases have been reported.",
            [("Approximately 140 cases", "numeric-count"), ("Approximately 140 cases", "numeric-hedged")],
        ),
        ("Symptoms begin by age 3.", [("by age 3", "numeric-age")]),
        ("Most are diagnosed in their 40s or 50s.", [("in their 40s or 50s", "numeric-age")]),
        ("Smokers are three times more likely to get it.", [("three times more likely", "numeric-fraction")]),
        (
            "It can grow to over 5.5 cm.",
            [("over 5.5 cm", "numeric-hedged"), ("over 5.5 cm", "numeric-measure")],
        ),
        (
            "It starts before the 20th week of pregnancy.",
            [("before the 20th week of pregnancy", "numeric-ordinal")],
        ),
        ("Type 2 diabetes is linked to the FGFR3 gene on chromosome 4.", []),
        ("The syndrome was described in 1912.", []),
    ],
)
def test_numeric_claim_patterns(patterns: PatternSet, text: str, expected: list[tuple[str, str]]) -> None:
    assert [m for m in matches(patterns, text) if m[1].startswith("numeric")] == expected


def test_definitions_are_written_once_and_must_come_first(tmp_path: Path) -> None:
    path = tmp_path / "patterns.yaml"
    path.write_text(
        "- define: {n: '\\d+', unit: '{{n}}\\s*mg'}\n- {id: a, category: dosage, regex: '{{unit}}'}\n",
        encoding="utf-8",
    )
    (rule,) = load_patterns(path)
    assert rule.regex == "(?:(?:\\d+)\\s*mg)"
    path.write_text("- {id: a, category: dosage, regex: '{{unit}}'}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape("item 1: '{{unit}}' is not defined above it")):
        load_patterns(path)


def test_disabled_rules_are_left_out() -> None:
    ids = {rule.id for rule in load_patterns(disabled=["directive-you-can"])}
    assert "directive-you-can" not in ids and "directive-obligation" in ids


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "- {id: a, category: dosage, regex: 'x', label: y}\n",
            "rule 1: unknown key 'label' "
            "(allowed keys: id, category, regex, description, ignore_case, emergency, trigger)",
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
        ["10 mg", "twice daily", "Give 10 mg twice daily"],
        [],
        [],
        ["must stop taking it", "90% survival", "five years"],
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
