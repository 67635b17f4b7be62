"""Rule cases kept as data: `tests/rule_cases/<CODE>.yaml`, one file per rule code.

A case file:

    rule: ST01
    cases:
      - name: treatment missing
        body: |                 # Markdown after the standard front matter (default: STANDARD_BODY)
          ## What is it?
        front_matter: {}        # merged into STANDARD_FRONT_MATTER; a null value deletes the key
        front_matter_extra: |   # optional raw YAML lines appended to the front matter
          title: Twice
        path: other-name.md     # optional; default '<slug>.md'
        expect:                 # this rule's findings, exactly, in order; [] for a pass case
          - {line: 3, column: 1}

In `expect`, `line` counts from the first body line (1); `fm_key: slug` means the line of that
front matter key, `fm_fence: true` the closing '---' and `file_line` a line of the file.
`column`, `severity` and `message` are compared when given. Every registered rule has a file with
at least one passing and one failing case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from validators.check import check_text
from validators.findings import Finding
from validators.rules import ALL_RULES
from validators.templates import Template, load_templates

CASES_DIR = Path(__file__).parent / "rule_cases"

STANDARD_FRONT_MATTER: dict[str, Any] = {
    "title": "Test condition",
    "slug": "test-condition",
    "type": "condition",
    "author": "wendy-writer",
    "sources": ["Merck Manual: Test condition"],
}

STANDARD_BODY = """\
## What is it?

A test condition is a made-up illness. It helps us test the checks.

## Signs & symptoms

Symptoms may include a rash and a mild fever.

## Diagnosis

A doctor looks at the skin and asks about the fever.

## Treatment

Rest and fluids usually help. The rash goes away in a week.

This is not a substitute for professional medical advice. Please consult with your physician before
making any medical decision.
"""


class Expected(BaseModel):
    """One expected finding."""

    model_config = ConfigDict(extra="forbid")

    line: int | None = Field(default=None, ge=1)
    file_line: int | None = Field(default=None, ge=1)
    fm_key: str | None = None
    fm_fence: bool = False
    column: int | None = Field(default=None, ge=1)
    severity: str | None = None
    message: str | None = None

    @model_validator(mode="after")
    def one_place(self) -> Expected:
        """Exactly one of line, file_line, fm_key, fm_fence."""
        places = [self.line is not None, self.file_line is not None, self.fm_key is not None, self.fm_fence]
        if sum(places) != 1:
            raise ValueError("give exactly one of line, file_line, fm_key, fm_fence")
        return self


class RuleCase(BaseModel):
    """One case: an article and the findings of the rule on it."""

    model_config = ConfigDict(extra="forbid")

    name: str
    body: str = STANDARD_BODY
    front_matter: dict[str, Any] = Field(default_factory=dict)
    front_matter_extra: str = Field(default="", description="Raw YAML lines appended to the front matter.")
    path: str | None = None
    expect: list[Expected]


class CaseFile(BaseModel):
    """A rule's case file."""

    model_config = ConfigDict(extra="forbid")

    rule: str = Field(pattern=r"^[A-Z]{2}\d{2}$")
    cases: list[RuleCase] = Field(min_length=1)


def build_text(case: RuleCase) -> tuple[str, str, int]:
    """The article text, its path, and the file line of the first body line."""
    front_matter = dict(STANDARD_FRONT_MATTER)
    for key, value in case.front_matter.items():
        if value is None:
            front_matter.pop(key, None)
        else:
            front_matter[key] = value
    header = yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True, width=1000)
    extra = case.front_matter_extra
    if extra and not extra.endswith("\n"):
        extra += "\n"
    header += extra
    text = f"---\n{header}---\n{case.body}"
    slug = front_matter.get("slug")
    path = case.path or (f"{slug}.md" if isinstance(slug, str) else "article.md")
    return text, path, header.count("\n") + 3


def load_case_files() -> list[CaseFile]:
    """Every case file, validated."""
    return [
        CaseFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        for path in sorted(CASES_DIR.glob("*.yaml"))
    ]


def _params() -> list[Any]:
    return [
        pytest.param(case_file.rule, case, id=f"{case_file.rule}-{case.name}")
        for case_file in load_case_files()
        for case in case_file.cases
    ]


@pytest.fixture(scope="module")
def templates() -> dict[str, Template]:
    """The shipped templates."""
    return load_templates()


def _expected_line(expected: Expected, article_lines: dict[str, int], fence: int, first_body: int) -> int:
    if expected.fm_key is not None:
        return article_lines[expected.fm_key]
    if expected.fm_fence:
        return fence
    if expected.file_line is not None:
        return expected.file_line
    assert expected.line is not None
    return first_body + expected.line - 1


def _actual(finding: Finding, expected: Expected) -> dict[str, Any]:
    shown: dict[str, Any] = {"line": finding.line}
    if expected.column is not None:
        shown["column"] = finding.column
    if expected.severity is not None:
        shown["severity"] = finding.severity.value
    if expected.message is not None:
        shown["message"] = finding.message
    return shown


@pytest.mark.parametrize(("code", "case"), _params())
def test_rule_case(code: str, case: RuleCase, templates: dict[str, Template]) -> None:
    text, path, first_body = build_text(case)
    article, findings = check_text(text, path, templates)
    ours = [f for f in findings if f.code == code]
    wanted = []
    for expected in case.expect:
        line = _expected_line(expected, article.front_matter_lines, article.front_matter_end_line, first_body)
        item: dict[str, Any] = {"line": line}
        if expected.column is not None:
            item["column"] = expected.column
        if expected.severity is not None:
            item["severity"] = expected.severity
        if expected.message is not None:
            item["message"] = expected.message
        wanted.append(item)
    got = [_actual(f, e) for f, e in zip(ours, case.expect, strict=False)]
    assert len(ours) == len(case.expect), [f.format() for f in ours]
    assert got == wanted, [f.format() for f in ours]


def test_every_rule_has_passing_and_failing_cases() -> None:
    by_code = {case_file.rule: case_file for case_file in load_case_files()}
    for rule in ALL_RULES:
        assert rule.code in by_code, f"no tests/rule_cases/{rule.code}.yaml"
        kinds = {bool(case.expect) for case in by_code[rule.code].cases}
        assert kinds == {True, False}, f"{rule.code} needs a passing and a failing case"


def test_case_files_name_registered_rules() -> None:
    codes = {rule.code for rule in ALL_RULES}
    for path in sorted(CASES_DIR.glob("*.yaml")):
        assert path.stem in codes, f"{path.name} names no registered rule"
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["rule"] == path.stem


def test_the_standard_case_article_is_clean(templates: dict[str, Template]) -> None:
    text, path, _ = build_text(RuleCase(name="standard", expect=[]))
    _, findings = check_text(text, path, templates)
    assert [f.format() for f in findings if f.code[:2] in ("FM", "ST", "DS", "SL", "SP")] == []
