"""`editorial check --format sarif|github|junit`: the CI formats, exact, and SARIF valid against 2.1.0."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.cli.cmd_check import FileResult as File
from validators.errors import InputError
from validators.findings import Finding, Severity
from validators.report_formats import artifact_uri, github_annotations, junit_xml, sarif_log
from validators.rules import ALL_RULES

TESTS = Path(__file__).resolve().parent
SARIF_SCHEMA = TESTS / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
BROKEN = "fixtures/check/broken-condition.md"
CLEAN = "fixtures/check/clean-condition.md"


def run_check(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", "--no-terms", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def from_tests_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run from tests/ so the reported paths are `fixtures/...`."""
    monkeypatch.chdir(TESTS)
    yield


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def schema_errors(validator: jsonschema.Draft4Validator, log: dict[str, Any]) -> list[str]:
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log))


def finding(
    code: str, severity: Severity, message: str, path: str = "a.md", line: int = 2, column: int = 3
) -> Finding:
    return Finding(
        code=code, rule="some-rule", severity=severity, message=message, path=path, line=line, column=column
    )


# --- SARIF ---------------------------------------------------------------------------------------


def test_sarif_of_a_broken_article_and_an_unusable_file_is_valid_sarif_2_1_0(
    sarif_validator: jsonschema.Draft4Validator, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text("")
    code, out, err = run_check("--format", "sarif", BROKEN, str(empty))
    assert code == 2  # unusable input wins, as in the other formats
    assert err == f"{empty}: error E002 the file is empty (hint: write the front matter and the article)\n"
    log = json.loads(out)
    assert schema_errors(sarif_validator, log) == []
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [*sorted([*(r.code for r in ALL_RULES), "TM01"]), "E002"]
    assert run["columnKind"] == "unicodeCodePoints"
    results = run["results"]
    assert len(results) == 15
    assert [rules[r["ruleIndex"]]["id"] for r in results] == [r["ruleId"] for r in results]
    assert results[0] == {
        "ruleId": "SL01",
        "level": "error",
        "message": {
            "text": "slug 'Pink_Eye' does not match the file name 'broken-condition.md' "
            "(hint: set 'slug: broken-condition' and name the file after it)"
        },
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "fixtures/check/broken-condition.md"},
                    "region": {"startLine": 3, "startColumn": 7, "endLine": 3, "endColumn": 15},
                }
            }
        ],
        "ruleIndex": [r["id"] for r in rules].index("SL01"),
    }
    assert results[3]["level"] == "warning" and results[3]["ruleId"] == "FM05"
    assert results[-1] == {
        "ruleId": "E002",
        "ruleIndex": len(rules) - 1,
        "level": "error",
        "message": {"text": "the file is empty (hint: write the front matter and the article)"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": f"file://{empty}"}}}],
    }
    st01 = rules[[r["id"] for r in rules].index("ST01")]
    assert st01["help"]["text"] == (
        "ST01 missing-section (error): A section the template requires is absent (reported where it "
        "should go). See docs/check.md for every code."
    )
    assert st01["defaultConfiguration"] == {"level": "error"}


def test_sarif_regions_run_to_the_end_of_the_line_in_code_points(
    sarif_validator: jsonschema.Draft4Validator,
) -> None:
    text = "---\nline two: café ☕\n\n"
    files = [
        File(
            "x y.md",
            [
                finding("TY01", Severity.WARNING, "w", "x y.md", 2, 3),
                finding("TM01", Severity.INFO, "i", "x y.md", 3, 1),
            ],
        )
    ]
    log = sarif_log(files, {"x y.md": text}, tool_version="1.2.3")
    assert schema_errors(sarif_validator, log) == []
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in log["runs"][0]["results"]]
    assert regions == [
        {"startLine": 2, "startColumn": 3, "endLine": 2, "endColumn": 17},
        {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 1},
    ]
    assert [r["level"] for r in log["runs"][0]["results"]] == ["warning", "note"]
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "x%20y.md"
    }
    assert log["runs"][0]["tool"]["driver"]["version"] == "1.2.3"


def test_the_schema_check_rejects_a_log_that_is_not_sarif(
    sarif_validator: jsonschema.Draft4Validator,
) -> None:
    log = sarif_log([File("a.md", [finding("TY01", Severity.WARNING, "w")])], {}, tool_version="1")
    del log["runs"][0]["results"][0]["message"]
    log["runs"][0]["results"][0]["level"] = "fatal"
    errors = schema_errors(sarif_validator, log)
    assert any(e.startswith("runs/0/results/0/level: 'fatal' is not one of") for e in errors)
    assert "runs/0/results/0: 'message' is a required property" in errors


def test_artifact_uris() -> None:
    assert artifact_uri("articles/pink eye.md") == "articles/pink%20eye.md"
    assert artifact_uri("/srv/a#b.md") == "file:///srv/a%23b.md"


# --- GitHub ----------------------------------------------------------------------------------------


def test_github_annotations_for_a_broken_article() -> None:
    code, out, err = run_check("--format", "github", BROKEN, CLEAN)
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines[0] == (
        "::error file=fixtures/check/broken-condition.md,line=3,col=7,title=SL01::slug 'Pink_Eye' does not "
        "match the file name 'broken-condition.md' (hint: set 'slug: broken-condition' and name the file "
        "after it)"
    )
    assert lines[3] == (
        "::warning file=fixtures/check/broken-condition.md,line=8,col=16,title=FM05::publish_after "
        "'2026-12-01T09:00:00' has no time zone: it is read as UTC (hint: add the offset, e.g. "
        "2026-12-01T09:00:00Z or 2026-12-01T09:00:00+01:00)"
    )
    assert len(lines) == 15
    assert lines[-1] == "2 files checked: 10 errors, 4 warnings, 0 info, 0 unusable"


def test_github_commands_escape_their_values() -> None:
    files: Sequence[File] = [
        File("dir,1/a:b.md", [finding("TM01", Severity.INFO, "50% of\nthe dose", "dir,1/a:b.md", 4, 2)]),
        File("gone.md", error=InputError("E011", "gone.md", hint="check the path")),
        File("bad.md", error=InputError("E008", "bad.md", line=3, detail="mapping values")),
    ]
    assert github_annotations(files) == [
        "::notice file=dir%2C1/a%3Ab.md,line=4,col=2,title=TM01::50%25 of%0Athe dose",
        "::error file=gone.md,title=E011::no such file or directory (hint: check the path)",
        "::error file=bad.md,line=3,title=E008::the front matter is not valid YAML: mapping values",
    ]


# --- JUnit -----------------------------------------------------------------------------------------


def test_junit_has_a_suite_per_file_and_a_case_per_finding(tmp_path: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text("")
    code, out, _ = run_check("--format", "junit", BROKEN, CLEAN, str(empty))
    assert code == 2
    root = ET.fromstring(out)
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("errors")) == (
        "testsuites",
        "16",
        "10",
        "1",
    )
    suites = root.findall("testsuite")
    assert [(s.get("name"), s.get("tests"), s.get("failures"), s.get("errors")) for s in suites] == [
        (BROKEN, "14", "10", "0"),
        (CLEAN, "1", "0", "0"),
        (str(empty), "1", "0", "1"),
    ]
    broken = suites[0].findall("testcase")
    assert broken[0].get("name") == "SL01 slug-file-name at 3:7"
    assert broken[0].get("line") == "3"
    failure = broken[0].find("failure")
    assert failure is not None and failure.get("type") == "SL01"
    assert failure.text == (
        "fixtures/check/broken-condition.md:3:7: SL01 error slug 'Pink_Eye' does not match the file name "
        "'broken-condition.md'\n    hint: set 'slug: broken-condition' and name the file after it"
    )
    warning = broken[3]
    assert warning.find("failure") is None
    assert warning.findtext("system-out", "").startswith(f"{BROKEN}:8:16: FM05 warning publish_after")
    (clean,) = suites[1].findall("testcase")
    assert clean.get("name") == "no findings" and list(clean) == []
    error = suites[2].find("testcase/error")
    assert error is not None and error.get("type") == "E002"
    assert (
        error.text == f"{empty}: error E002 the file is empty (hint: write the front matter and the article)"
    )


def test_junit_replaces_characters_xml_cannot_hold() -> None:
    xml = junit_xml([File("a.md", [finding("TY05", Severity.ERROR, "bad \x0b char")])])
    failure = ET.fromstring(xml).find("testsuite/testcase/failure")
    assert failure is not None and failure.get("message") == "bad \ufffd char"
