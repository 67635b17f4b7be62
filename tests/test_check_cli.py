"""`editorial check`: golden output on fixture articles, directories, formats, options, exit codes.

Golden files live in tests/fixtures/check/golden/; after a deliberate change of output, rewrite
them with `EDITORIAL_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_check_cli.py` and review the diff.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from validators.rules import ALL_RULES, rules_table_markdown

TESTS = Path(__file__).parent
CHECK_FIXTURES = TESTS / "fixtures" / "check"
GOLDEN = CHECK_FIXTURES / "golden"
DOCS = TESTS.parent / "docs" / "check.md"
UPDATE = os.environ.get("EDITORIAL_UPDATE_GOLDEN") == "1"


def run_check(*args: str) -> tuple[int, str, str]:
    """Run `editorial check` in-process: (exit code, stdout, stderr)."""
    result = CliRunner().invoke(app, ["check", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def assert_golden(name: str, actual: str) -> None:
    """Compare with (or, when updating, rewrite) a golden file."""
    path = GOLDEN / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def from_tests_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run from tests/ so the printed paths are `fixtures/...`; settings read afresh in each test."""
    from flows.settings import get_settings

    monkeypatch.chdir(TESTS)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_correct_article_passes() -> None:
    code, out, err = run_check("--no-terms", "fixtures/check/clean-condition.md")
    assert (code, out, err) == (0, "1 files checked: 0 errors, 0 warnings, 0 info, 0 unusable\n", "")


def test_the_mast_cell_fixture_has_no_errors() -> None:
    code, out, _ = run_check("--no-terms", "fixtures/articles/malignant-mast-cell-tumor.md")
    assert code == 0
    assert out.endswith(" 0 errors, 0 warnings, 0 info, 0 unusable\n") or " 0 errors," in out.splitlines()[-1]
    assert not re.search(r":\d+:\d+: [A-Z]{2}\d\d error ", out)


@pytest.mark.parametrize(
    ("fixture", "exit_code"),
    [
        ("broken-condition", 1),
        ("misplaced-disclaimer", 1),
        ("missing-disclaimer", 1),
        ("unknown-type", 1),
        ("prose-slips", 1),
        ("clean-condition", 0),
    ],
)
def test_golden_text_output(fixture: str, exit_code: int) -> None:
    code, out, err = run_check("--no-terms", f"fixtures/check/{fixture}.md")
    assert err == ""
    assert_golden(f"{fixture}.txt", out)
    assert code == exit_code


def test_broken_article_reports_each_defect_at_its_line() -> None:
    _, out, _ = run_check("--no-terms", "fixtures/check/broken-condition.md")
    places = re.findall(r"^fixtures/check/broken-condition\.md:(\d+):(\d+): ([A-Z]{2}\d\d) ", out, re.M)
    assert places == [
        ("3", "7", "SL01"),
        ("3", "7", "SL02"),
        ("6", "1", "SL04"),
        ("8", "16", "FM05"),
        ("9", "1", "SL03"),
        ("11", "1", "ST06"),
        ("17", "1", "ST04"),
        ("19", "1", "SP01"),
        ("21", "1", "ST03"),
        ("25", "1", "ST01"),
        ("29", "1", "SP02"),
        ("31", "1", "ST02"),
        ("35", "1", "DS02"),
        ("35", "1", "DS03"),
        ("38", "1", "SP04"),
    ]
    # DS03 is an error: the writer's ignore-file comment hides nothing and is itself SP04


def test_golden_json_output_for_a_directory() -> None:
    code, out, err = run_check("--no-terms", "--format", "json", "fixtures/check")
    assert (code, err) == (1, "")
    assert_golden("check-dir.json", out)
    report = json.loads(out)
    assert report["schema"] == "editorial.check/1"
    assert report["summary"] == {
        "files": 6,
        "checked": 6,
        "unusable": 0,
        "errors": 18,
        "warnings": 8,
        "info": 0,
    }
    assert [f["path"] for f in report["files"]] == [
        f"fixtures/check/{name}.md"
        for name in (
            "broken-condition",
            "clean-condition",
            "misplaced-disclaimer",
            "missing-disclaimer",
            "prose-slips",
            "unknown-type",
        )
    ]
    first = report["files"][0]["findings"][0]
    assert set(first) == {"code", "rule", "severity", "message", "path", "line", "column", "hint"}


def test_directories_are_searched_recursively_skipping_hidden_ones(tmp_path: Path) -> None:
    clean = (CHECK_FIXTURES / "clean-condition.md").read_text(encoding="utf-8")
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (tmp_path / "a" / "b" / "clean-condition.md").write_text(clean, encoding="utf-8")
    (tmp_path / "a" / "notes.txt").write_text("not a draft", encoding="utf-8")
    (tmp_path / ".git" / "x.md").write_text("", encoding="utf-8")
    (tmp_path / "other.md").write_text(clean, encoding="utf-8")
    code, out, err = run_check("--no-terms", str(tmp_path))
    assert err == ""
    assert out == (
        f"{tmp_path}/other.md:3:7: SL01 error "
        "slug 'clean-condition' does not match the file name 'other.md'\n"
        "    hint: rename the file to 'clean-condition.md' or set 'slug: other'\n"
        "2 files checked: 1 errors, 0 warnings, 0 info, 0 unusable\n"
    )
    assert code == 1


def test_a_file_given_twice_is_checked_once() -> None:
    path = "fixtures/check/clean-condition.md"
    code, out, _ = run_check("--no-terms", path, path)
    assert (code, out) == (0, "1 files checked: 0 errors, 0 warnings, 0 info, 0 unusable\n")


def test_template_override_directory(tmp_path: Path) -> None:
    (tmp_path / "condition.yaml").write_text(
        "type: condition\nrequired_sections: ['What is it?', Outlook]\n"
        "optional_sections: [Additional names, 'Signs & symptoms', Diagnosis, Treatment, Our stories]\n",
        encoding="utf-8",
    )
    code, out, _ = run_check("--no-terms", "--templates", str(tmp_path), "fixtures/check/clean-condition.md")
    ours = [line for line in out.splitlines() if re.search(r": (ST|DS|SP)\d\d ", line)]
    assert ours == [
        "fixtures/check/clean-condition.md:34:1: SP02 warning suppression of ST05 is unused: "
        "no such finding in the block it covers",
        "fixtures/check/clean-condition.md:41:1: ST01 error required section 'Outlook' is missing",
    ]
    assert "    hint: add a '## Outlook' section at the end of the article\n" in out
    assert code == 1


def test_templates_directory_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.settings import get_settings

    (tmp_path / "recipe.yaml").write_text(
        "type: recipe\nrequired_sections: [Ingredients]\n", encoding="utf-8"
    )
    monkeypatch.setenv("EDITORIAL_TEMPLATES_DIR", str(tmp_path))
    get_settings.cache_clear()
    code, out, _ = run_check("--no-terms", "fixtures/check/unknown-type.md")
    assert "SL05" not in out
    assert "RD01" not in out and "ST" not in out.replace("fixtures/check", "")
    assert code == 0


def test_a_broken_template_directory_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "condition.yaml").write_text("type: condition\nrequired: [x]\n", encoding="utf-8")
    code, out, err = run_check(
        "--no-terms", "--templates", str(tmp_path), "fixtures/check/clean-condition.md"
    )
    assert out == ""
    assert err.startswith(f"{tmp_path}/condition.yaml: error E013 configuration error: required_sections: ")
    assert code == 2
    (tmp_path / "condition.yaml").write_text("type: condition\nrequired_sections: [What is it?]\n")
    code, out, err = run_check(
        "--no-terms", "--templates", str(tmp_path), "fixtures/check/clean-condition.md"
    )
    assert (code, out) == (2, "")
    assert err == (
        f"{tmp_path}/condition.yaml:2: error E013 configuration error: "
        "not valid YAML: expected ',' or ']', but got '?' "
        "(hint: check indentation, colons and quotes on that line)\n"
    )
    code, out, err = run_check("--no-terms", "--templates", str(tmp_path / "nope"), "x.md")
    assert (code, out) == (2, "")
    assert err == f"{tmp_path}/nope: error E013 configuration error: the templates directory does not exist\n"


def test_usage_errors_exit_2() -> None:
    assert run_check("--no-terms", "--format", "xml", "x.md")[0] == 2
    assert run_check("--no-terms")[0] == 2


def test_unusable_input_wins_over_errors_in_the_exit_code() -> None:
    code, out, err = run_check("--no-terms", "fixtures/check/missing-disclaimer.md", "fixtures/nope.md")
    assert err == "fixtures/nope.md: error E011 no such file or directory (hint: check the path)\n"
    assert out.endswith("2 files checked: 1 errors, 0 warnings, 0 info, 1 unusable\n")
    assert code == 2


def test_docs_list_every_rule_code() -> None:
    text = DOCS.read_text(encoding="utf-8")
    begin, end = "<!-- rules:begin -->\n", "<!-- rules:end -->"
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    if UPDATE:
        text = head + begin + rules_table_markdown() + end + tail
        DOCS.write_text(text, encoding="utf-8")
    assert begin + rules_table_markdown() + end in text, "regenerate: EDITORIAL_UPDATE_GOLDEN=1 pytest"
    for rule in ALL_RULES:
        assert f"| {rule.code} | {rule.name} | {rule.severity.value} |" in text


def test_docs_show_the_json_keys_the_command_writes() -> None:
    text = DOCS.read_text(encoding="utf-8")
    _, out, _ = run_check("--no-terms", "--format", "json", "fixtures/check/broken-condition.md")
    report = json.loads(out)
    keys = {*report, *report["summary"], *report["files"][0], *report["files"][0]["findings"][0]}
    for key in keys:
        assert f'"{key}"' in text, key


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    clean = (CHECK_FIXTURES / "clean-condition.md").read_text(encoding="utf-8")
    for index in range(25):
        (tmp_path / f"a{index:02}.md").write_text(
            clean.replace("slug: clean-condition", f"slug: a{index:02}")
        )
    main_fd, terminal_fd = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "100"}
    process = subprocess.run(
        [str(Path(sys.executable).parent / "editorial"), "check", "--no-terms", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=terminal_fd,
        env=env,
        timeout=60,
        check=False,
    )
    os.close(terminal_fd)
    drawn = b""
    try:
        while chunk := os.read(main_fd, 65536):
            drawn += chunk
    except OSError:
        pass
    os.close(main_fd)
    assert process.stdout.decode().endswith("25 files checked: 0 errors, 0 warnings, 0 info, 0 unusable\n")
    assert b"checking" in drawn and b"25" in drawn
    assert process.returncode == 0


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    clean = (CHECK_FIXTURES / "clean-condition.md").read_text(encoding="utf-8")
    for index in range(25):
        (tmp_path / f"a{index:02}.md").write_text(
            clean.replace("slug: clean-condition", f"slug: a{index:02}")
        )
    code, _, err = run_check("--no-terms", str(tmp_path))
    assert (code, err) == (0, "")


@pytest.fixture(scope="module")
def flagger_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One compiled-flagger cache for this module's term tests (the first build takes seconds)."""
    return tmp_path_factory.mktemp("flagger-cache")


def _with_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    from flows.settings import get_settings

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()


@pytest.mark.slow
def test_medical_terms_are_listed_as_tm01_info(flagger_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _with_settings(monkeypatch, EDITORIAL_CACHE_DIR=str(flagger_cache))
    code, out, err = run_check("fixtures/check/clean-condition.md", "fixtures/check/missing-disclaimer.md")
    assert err == ""
    terms = re.findall(r"^fixtures/check/[a-z-]+\.md:\d+:\d+: TM01 info .+$", out, re.M)
    assert (
        "fixtures/check/clean-condition.md:31:39: TM01 info directive 'Do not share towels' needs clinician approval"
        in terms
    )
    assert all(line.endswith(("needs clinician approval", "(informational)")) for line in terms)
    assert out.endswith(f"2 files checked: 1 errors, 0 warnings, {len(terms)} info, 0 unusable\n")
    assert code == 1  # info findings never change the exit code
    _, no_terms, _ = run_check("--no-terms", "fixtures/check/clean-condition.md")
    assert "TM01" not in no_terms


@pytest.mark.slow
def test_a_broken_flagger_configuration_is_a_usage_error(
    flagger_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "flagger.yaml"
    config.write_text("bogus: 1\n", encoding="utf-8")
    _with_settings(monkeypatch, EDITORIAL_CACHE_DIR=str(flagger_cache), EDITORIAL_FLAGGER_CONFIG=str(config))
    code, out, err = run_check("fixtures/check/clean-condition.md")
    assert out == ""
    assert err == (
        f"{config}: error E013 configuration error: unknown key 'bogus' "
        "(allowed keys: needs_approval, accept, always_flag, disabled_rules)\n"
    )
    assert code == 2
