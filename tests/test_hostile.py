"""The hostile-input suite (issue 15): every file of `tests/hostile/cases.py` answers within 10 s,
with the expected one-line error or finding codes, and never a traceback.

The check cases run in-process through the same calls as `editorial check` (`load_article`,
`check_article`), each timed; one real `editorial check` run over all of them proves the CLI prints
one line per unusable file and no traceback. Special files (FIFOs, links to devices, directories)
and the import cases run through the real CLI in subprocesses with a 10 s timeout each. The
pathological cases are also run through the term flagger (over a small lexicon: the tokenizer is
the same), each within 10 s.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile.cases import (
    CHECK_CASES,
    FLAGGER_CASES,
    IMPORT_CASES,
    PATHOLOGICAL_CASES,
    SPECIAL_NAMES,
    Case,
    article,
)

from validators.check import check_article
from validators.errors import InputError
from validators.findings import Severity
from validators.parser import load_article
from validators.templates import Template, load_templates

TIME_LIMIT = 10.0
EDITORIAL = [str(Path(sys.executable).parent / "editorial")]
NEEDS_FLAGGER = {"TM01"}


def test_the_catalogue_has_at_least_90_files() -> None:
    names = [c.name for c in CHECK_CASES] + [c.name for c in IMPORT_CASES] + list(SPECIAL_NAMES)
    assert len(names) == len(set(names))
    assert len(names) >= 90


@pytest.fixture(scope="module")
def templates() -> dict[str, Template]:
    """The shipped templates."""
    return load_templates()


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every check case written to one directory."""
    directory = tmp_path_factory.mktemp("hostile")
    for case in CHECK_CASES:
        (directory / case.file_name).write_bytes(case.data)
    return directory


def _params(cases: list[Case]) -> Iterator[object]:
    for case in cases:
        marks = []
        if case.note.startswith("the flagger reads"):
            marks.append(pytest.mark.xfail(strict=True, reason=case.note))
        yield pytest.param(case, id=case.name, marks=marks)


@pytest.mark.parametrize("case", CHECK_CASES, ids=lambda c: c.name)
def test_each_hostile_file_answers_in_time(
    case: Case, case_dir: Path, templates: dict[str, Template]
) -> None:
    path = case_dir / case.file_name
    began = time.perf_counter()
    try:
        article_ = load_article(path)
    except InputError as exc:
        elapsed = time.perf_counter() - began
        assert (case.expect.error, case.expect.line) == (exc.code, exc.line if case.expect.line else None), (
            exc.format()
        )
        assert "\n" not in exc.format()
        assert elapsed < TIME_LIMIT
        return
    findings = check_article(article_, templates)
    elapsed = time.perf_counter() - began
    assert elapsed < TIME_LIMIT, f"{case.name}: {elapsed:.1f} s"
    assert case.expect.error is None, f"expected {case.expect.error}, got findings"
    codes = {f.code for f in findings}
    missing = set(case.expect.codes) - codes - NEEDS_FLAGGER  # TM01: test_hiding_places_reach_the_flagger
    assert not missing, [f.format() for f in findings]
    has_error = any(f.severity is Severity.ERROR for f in findings)
    assert (1 if has_error else 0) == case.expect.exit, [
        f.format() for f in findings if f.severity == "error"
    ]


SMALL_CASES = [c for c in CHECK_CASES if len(c.data) < 64 * 1024]
"""The cases one CLI run checks (the large ones are timed in-process above and in the slow test)."""


def test_one_cli_run_over_the_small_cases(tmp_path: Path) -> None:
    """The real CLI: one line per unusable file on stderr, JSON statuses as expected, no traceback."""
    for case in SMALL_CASES:
        (tmp_path / case.file_name).write_bytes(case.data)
    began = time.perf_counter()
    result = subprocess.run(
        [*EDITORIAL, "check", "--no-terms", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT * 3,
    )
    elapsed = time.perf_counter() - began
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    report = json.loads(result.stdout)
    statuses = {Path(f["path"]).name: f for f in report["files"]}
    refused = [c for c in SMALL_CASES if c.expect.error is not None]
    assert len(SMALL_CASES) >= 80
    for case in SMALL_CASES:
        entry = statuses[case.file_name]
        if case.expect.error is not None:
            assert entry["status"] == "unusable", case.name
            assert entry["error"]["code"] in (case.expect.error, "E001"), case.name
        else:
            assert entry["status"] == "checked", case.name
    assert len(result.stderr.splitlines()) == len(refused)
    assert elapsed < TIME_LIMIT * 3, f"{len(SMALL_CASES)} files took {elapsed:.1f} s"


LARGE_CASES = [c for c in CHECK_CASES if len(c.data) >= 64 * 1024 and c.expect.error is None]


@pytest.mark.slow
def test_the_large_cases_through_the_real_cli_with_terms(tmp_path: Path) -> None:
    """`editorial check` with the term flagger on every large or pathological file: 10 s a file at most."""
    cases = [*LARGE_CASES, *(c for c in PATHOLOGICAL_CASES if c not in LARGE_CASES)]
    paths = []
    for case in cases:
        paths.append(str(tmp_path / case.file_name))
        (tmp_path / case.file_name).write_bytes(case.data)
    began = time.perf_counter()
    result = subprocess.run(
        [*EDITORIAL, "check", "--format", "json", *paths],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT * len(cases),
    )
    elapsed = time.perf_counter() - began
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert [f["status"] for f in report["files"]] == ["checked"] * len(cases)
    assert elapsed < TIME_LIMIT * len(cases), f"{len(cases)} files took {elapsed:.1f} s"


def _make_special(directory: Path, name: str) -> Path:
    path = directory / name
    if name == "fifo.md":
        os.mkfifo(path)
    elif name == "dev-zero.md":
        path.symlink_to("/dev/zero")
    elif name == "dev-null.md":
        path.symlink_to("/dev/null")
    elif name == "directory.md":
        path.mkdir()
    elif name == "broken-link.md":
        path.symlink_to(directory / "nowhere.md")
    elif name == "link-loop.md":
        path.symlink_to(path)
    return path


SPECIAL_ERRORS = {
    "fifo.md": r"error E0(01|18) .*(not a regular file|a FIFO)",
    "dev-zero.md": r"error E0(01|18) .*(not a regular file|a character device)",
    "dev-null.md": r"error E0(01|18) .*(not a regular file|a character device)",
    "directory.md": r"error E0(01|18) .*(directory|not a regular file)",
    "broken-link.md": r"error E001 .*broken symbolic link",
    "link-loop.md": r"error E001 .*(symbolic links|not a regular file)",
}


def test_check_refuses_every_special_file_in_one_run(tmp_path: Path) -> None:
    paths = [_make_special(tmp_path, name) for name in SPECIAL_NAMES]
    result = subprocess.run(
        [*EDITORIAL, "check", "--no-terms", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
    )
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    lines = result.stdout.splitlines()[:-1] + result.stderr.splitlines()
    assert len(lines) == len(SPECIAL_NAMES), lines
    for name, path in zip(SPECIAL_NAMES, paths, strict=True):
        (line,) = [text for text in lines if text.startswith(f"{path}:")]
        assert re.search(SPECIAL_ERRORS[name], line), line


@pytest.mark.parametrize("name", ["fifo.md", "dev-zero.md", "dev-null.md"])  # import takes directories
@pytest.mark.parametrize("command", ["import", "submit"])
def test_import_and_submit_refuse_special_files_before_reading(
    tmp_path: Path, name: str, command: str
) -> None:
    path = _make_special(tmp_path, name)
    (tmp_path / "repo").mkdir()
    args = {
        "import": ["import", str(path), "-o", str(tmp_path / "out") + "/"],
        "submit": ["submit", "--repo", str(tmp_path / "repo"), str(path)],
    }[command]
    result = subprocess.run(
        [*EDITORIAL, *args], capture_output=True, text=True, timeout=TIME_LIMIT, cwd=tmp_path
    )
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    (first,) = result.stderr.splitlines()
    assert first.startswith(str(path)), result.stderr
    assert re.search(SPECIAL_ERRORS[name], first), first


@pytest.mark.parametrize(
    ("name", "code", "kind"),
    [
        ("fifo.md", "E018", "(a FIFO): refused before reading"),
        ("dev-zero.md", "E018", "(a character device): refused before reading"),
        ("dev-null.md", "E018", "(a character device): refused before reading"),
        ("directory.md", "E018", "(a directory): refused before reading"),
    ],
)
def test_the_one_reader_refuses_special_files(tmp_path: Path, name: str, code: str, kind: str) -> None:
    path = _make_special(tmp_path, name)
    began = time.perf_counter()
    with pytest.raises(InputError) as caught:
        load_article(path)
    assert time.perf_counter() - began < 1.0
    assert caught.value.code == code
    assert kind in caught.value.format()
    assert "\n" not in caught.value.format()


@pytest.mark.parametrize("case", IMPORT_CASES, ids=lambda c: c.name)
def test_hostile_pages_through_editorial_import(tmp_path: Path, case: Case) -> None:
    page = tmp_path / case.file_name
    page.write_bytes(case.data)
    result = subprocess.run(
        [*EDITORIAL, "import", str(page), "--author", "wendy-writer", "-o", str(tmp_path / "out") + "/"],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
    )
    assert "Traceback" not in result.stderr
    assert result.returncode == case.expect.exit, result.stderr
    if case.expect.error is not None:
        where = f"{page}:{case.expect.line}" if case.expect.line else str(page)
        assert result.stderr.startswith(f"{where}: error {case.expect.error} "), result.stderr
        assert len(result.stderr.splitlines()) == 1


@pytest.fixture(scope="module")
def flagger(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The term flagger over the small test lexicon (the same spaCy tokenizer and patterns)."""
    from flagger_fixtures import small_flagger

    return small_flagger(tmp_path_factory.mktemp("flagger"))


@pytest.mark.parametrize("case", list(_params(FLAGGER_CASES)))
def test_hiding_places_reach_the_flagger(case: Case, tmp_path: Path, flagger) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / case.file_name
    path.write_bytes(case.data)
    flags = flagger.flag(load_article(path))
    assert case.expect.line in {flag.line for flag in flags}, [(f.line, f.term) for f in flags]


@pytest.mark.slow
@pytest.mark.parametrize("case", PATHOLOGICAL_CASES, ids=lambda c: c.name)
def test_pathological_text_is_flagged_in_time(case: Case, tmp_path: Path, flagger) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / case.file_name
    path.write_bytes(case.data)
    parsed = load_article(path)
    began = time.perf_counter()
    flagger.flag(parsed)
    elapsed = time.perf_counter() - began
    assert elapsed < TIME_LIMIT, f"{case.name}: flagging took {elapsed:.1f} s"


def test_a_clean_article_is_not_refused(tmp_path: Path, templates: dict[str, Template]) -> None:
    path = tmp_path / "clean.md"
    path.write_text(article("clean"), encoding="utf-8")
    findings = check_article(load_article(path), templates)
    assert [f.format() for f in findings if f.severity is Severity.ERROR] == []
