"""`check_article` / `check_text`, suppression scopes and the disclaimer word diff."""

from __future__ import annotations

import pytest

from validators.check import check_article, check_text
from validators.errors import InputError
from validators.parser import parse_article
from validators.rules import ALL_RULES, rule_codes
from validators.rules.disclaimer import clean_candidate, locate_disclaimers, word_diff
from validators.suppression import directives
from validators.templates import Template, load_templates

FRONT = "---\ntitle: Pink eye\nslug: pink-eye\nauthor: wendy\nsources: [NHS]\n---\n"
DISCLAIMER = (
    "This is not a substitute for professional medical advice. Please consult with your physician "
    "before making any medical decision."
)
BODY = f"""
## What is it?

Pink eye is a red, sore eye.

## Signs & symptoms

The eye looks pink.

## Diagnosis

A doctor looks at the eye.

## Treatment

Clean the eye with water.

{DISCLAIMER}
"""


@pytest.fixture(scope="module")
def templates() -> dict[str, Template]:
    """The shipped templates."""
    return load_templates()


def codes(text: str, templates: dict[str, Template], path: str = "pink-eye.md") -> list[tuple[int, str]]:
    """(line, code) of the structure-family findings of a text."""
    _, findings = check_text(text, path, templates)
    return [(f.line, f.code) for f in findings if f.code[:2] in ("FM", "ST", "DS", "SL", "SP")]


def test_a_correct_article_has_no_findings_of_these_families(templates: dict[str, Template]) -> None:
    assert codes(FRONT + BODY, templates) == []


def test_findings_are_sorted_and_include_parse_findings(templates: dict[str, Template]) -> None:
    text = FRONT.replace("author: wendy\n", "colour: red\n") + BODY.replace("## Diagnosis", "## Our stories")
    article, findings = check_text(text, "pink-eye.md", templates)
    assert [(f.line, f.column, f.code) for f in findings if f.code[:2] in ("FM", "ST")] == [
        (1, 1, "FM03"),
        (4, 1, "FM02"),
        (16, 1, "ST05"),
        (20, 1, "ST01"),
    ]
    assert article.parse_findings[0].code in ("FM02", "FM03")
    keys = [(f.line, f.column, f.code) for f in findings]
    assert keys == sorted(keys)


def test_unknown_type_skips_template_rules(templates: dict[str, Template]) -> None:
    text = FRONT.replace("author: wendy", "author: wendy\ntype: recipe") + "\n## Ingredients\n\nFlour.\n"
    _, findings = check_text(text, "pink-eye.md", templates)
    ours = [f for f in findings if f.code[:2] in ("ST", "DS", "SL")]
    assert [(f.code, f.message, f.hint) for f in ours] == [
        ("SL05", "unknown article type 'recipe'", "known types: condition, first-aid"),
    ]


def test_check_text_raises_for_unusable_input(templates: dict[str, Template]) -> None:
    with pytest.raises(InputError) as caught:
        check_text("no front matter\n", "x.md", templates)
    assert caught.value.format() == (
        "x.md:1: error E006 no YAML front matter: the file must start with a line '---' "
        "(hint: start the file with '---', the front matter keys, then '---')"
    )


def test_a_subset_of_rules_reports_no_unused_suppression_for_rules_that_did_not_run(
    templates: dict[str, Template],
) -> None:
    text = FRONT + BODY.replace("## Treatment", '<!-- editorial: ignore TY01 reason="x" -->\n\n## Treatment')
    article = parse_article(text, "pink-eye.md")
    structure = [r for r in ALL_RULES if r.code.startswith("ST")]
    assert check_article(article, templates, rules=structure) == []
    assert [f.code for f in check_article(article, templates) if f.code.startswith("SP")] == ["SP02"]


def test_ignore_above_a_heading_covers_the_section_and_its_sub_sections(
    templates: dict[str, Template],
) -> None:
    text = FRONT + BODY.replace(
        "## Treatment",
        '<!-- editorial: ignore ST05 reason="desk" -->\n## Our stories\n\nRest.\n\n'
        "### Work\n\nStay home.\n\n## Treatment",
    )
    assert codes(text, templates) == []
    unsuppressed = text.replace("### Work", "## Work")
    assert codes(unsuppressed, templates) == [(25, "ST05")]


def test_ignore_inside_a_section_covers_only_the_next_block(templates: dict[str, Template]) -> None:
    text = FRONT + BODY.replace(
        DISCLAIMER,
        '<!-- editorial: ignore DS02 reason="legal approved" -->\n'
        + DISCLAIMER.replace("physician", "doctor")
        + "\n\nMore text.\n",
    )
    article = parse_article(text, "pink-eye.md")
    (directive,) = directives(article)
    assert directive.suppression is not None
    assert directive.suppression.scope == (25, 25)
    # DS02 is an error: the writer's suppression hides nothing and is itself SP04 (needs an editor)
    assert codes(text, templates) == [(24, "SP04"), (25, "DS02"), (25, "DS03")]


def test_ignore_with_nothing_after_it_is_unused(templates: dict[str, Template]) -> None:
    text = FRONT + BODY + '\n<!-- editorial: ignore ST05 reason="x" -->\n'
    article = parse_article(text, "pink-eye.md")
    (directive,) = directives(article)
    assert directive.suppression is not None and directive.suppression.scope is None
    assert codes(text, templates) == [(26, "SP02")]


def test_curly_quoted_reason_is_accepted(templates: dict[str, Template]) -> None:
    text = FRONT + "<!-- editorial: ignore ST06 reason=“intro” -->\nIntro.\n" + BODY
    assert codes(text, templates) == []


def test_rule_codes_are_unique_and_well_formed() -> None:
    all_codes = [r.code for r in ALL_RULES]
    assert len(all_codes) == len(set(all_codes)) == len(rule_codes())
    for rule in ALL_RULES:
        assert rule.name and rule.description and rule.severity.value in ("error", "warning", "info")


def test_leading_emoji_and_emphasis_are_not_rewording() -> None:
    assert clean_candidate("☝️ *This is not a “substitute”.*") == 'This is not a "substitute".'
    assert clean_candidate("⚠️ **Note** the rest") == "Note the rest"


def test_word_diff_is_short() -> None:
    assert word_diff("a b c d e f g", "a b X d e f g") == "a b [-c-]{+X+} d e …"
    assert word_diff("one two three", "one two three four") == "… two three {+four+}"
    many = word_diff("a b c d e f g h i j k l", "A b C d E f G h I j K l")
    assert many.endswith("(and 3 more changes)")


def test_several_disclaimers_are_matched_separately(templates: dict[str, Template]) -> None:
    emergency = (
        "If you think you or someone else is having a medical emergency, call your local emergency "
        "number right away."
    )
    text = (
        FRONT.replace("author: wendy", "author: wendy\ntype: first-aid")
        + f"\n## What is it?\n\nA burn.\n\n{emergency.replace('right away', 'now')}\n\n"
        "## What to do\n\nCool it.\n\n## When to get emergency help\n\nDeep burns.\n\n"
        f"{DISCLAIMER}\n"
    )
    article = parse_article(text, "pink-eye.md")
    matches = locate_disclaimers(article, templates["first-aid"])
    assert [(m.disclaimer.id, m.exact, m.block.line if m.block else None) for m in matches] == [
        ("emergency", False, 13),
        ("medical-advice", True, 23),
    ]
    _, findings = check_text(text, "pink-eye.md", templates)
    assert [f.message for f in findings if f.code == "DS02"] == [
        "the emergency disclaimer is reworded: … emergency number [-right away.-]{+now.+}"
    ]
