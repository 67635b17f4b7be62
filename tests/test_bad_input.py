"""Unusable input through the real `editorial check`: one clear line per file, the run goes on, exit 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from validators.parser import MAX_FILE_BYTES

GOOD = (Path(__file__).parent / "fixtures" / "check" / "clean-condition.md").read_bytes()

BILLION_LAUGHS = b"""---
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: [*c,*c,*c,*c,*c,*c,*c,*c,*c]
---
"""

BAD_FILES: list[tuple[str, bytes, str]] = [
    (
        "empty.md",
        b"",
        "empty.md: error E002 the file is empty (hint: write the front matter and the article)",
    ),
    (
        "blank.md",
        b" \n\n\t\n",
        "blank.md: error E002 the file is empty (hint: write the front matter and the article)",
    ),
    (
        "binary.md",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "binary.md: error E003 the file is binary, not text (hint: drafts are Markdown text files)",
    ),
    (
        "latin1.md",
        "---\ntitle: Caf\u00e9 au lait spots\n---\n".encode("latin-1"),
        "latin1.md:2: error E004 the file is not valid UTF-8 (byte 14) (hint: save the file as UTF-8)",
    ),
    (
        "no-front-matter.md",
        b"# Pink eye\n\nSome text.\n",
        "no-front-matter.md:1: error E006 no YAML front matter: the file must start with a line '---' "
        "(hint: start the file with '---', the front matter keys, then '---')",
    ),
    (
        "unclosed.md",
        b"---\ntitle: Pink eye\nslug: unclosed\n\n## What is it?\n",
        "unclosed.md:1: error E007 the front matter is not closed by a line '---' "
        "(hint: add a line '---' after the last front matter key)",
    ),
    (
        "malformed.md",
        b"---\ntitle: Pink eye\nslug: malformed\nauthor: [wendy\nsources: x\n---\n",
        "malformed.md:5: error E008 the front matter is not valid YAML: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence on line 4) (hint: check indentation, colons and quotes on that line)",
    ),
    (
        "bad-indent.md",
        b"---\ntitle: Pink eye\n  slug: bad-indent\n---\n",
        "bad-indent.md:3: error E008 the front matter is not valid YAML: mapping values are not allowed here "
        "(hint: check indentation, colons and quotes on that line)",
    ),
    (
        "aliases.md",
        b"---\ntitle: &t Pink eye\nslug: aliases\naliases: [*t]\n---\n",
        "aliases.md:2: error E009 YAML anchors and aliases are not allowed "
        "(hint: write the value out in full)",
    ),
    (
        "billion-laughs.md",
        BILLION_LAUGHS,
        "billion-laughs.md:2: error E009 YAML anchors and aliases are not allowed "
        "(hint: write the value out in full)",
    ),
    (
        "a-list.md",
        b"---\n- title\n- slug\n---\n",
        "a-list.md:2: error E010 the front matter must be a mapping of keys to values, not a list "
        "(hint: write one 'key: value' per line)",
    ),
    (
        "huge.md",
        b"---\ntitle: Huge\n---\n" + b"All work and no play. " * (MAX_FILE_BYTES // 22 + 1),
        "huge.md: error E005 the file is larger than the 1024 KiB cap "
        "(hint: split the article; drafts are prose)",
    ),
]


def run_check(*args: str) -> tuple[int, str, str]:
    """Run `editorial check --no-terms` in-process: (exit code, stdout, stderr)."""
    result = CliRunner().invoke(app, ["check", "--no-terms", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_each_bad_file_gets_one_line_and_exit_2(
    name: str, data: bytes, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(name).write_bytes(data)
    code, out, err = run_check(name)
    assert err == message + "\n"
    assert out == "1 files checked: 0 errors, 0 warnings, 0 info, 1 unusable\n"
    assert code == 2


def test_the_run_goes_on_after_bad_files_in_a_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    drafts = Path("drafts")
    drafts.mkdir()
    for name, data, _ in BAD_FILES:
        (drafts / name).write_bytes(data)
    (drafts / "clean-condition.md").write_bytes(GOOD)
    (drafts / "dangling.md").symlink_to(tmp_path / "gone.md")
    (drafts / "folder.md").mkdir()  # a directory named like a draft is searched, not read
    (drafts / "folder.md" / "pipe.md").parent.mkdir(exist_ok=True)
    os.mkfifo(drafts / "folder.md" / "pipe.md")  # reading a FIFO would block: it is refused
    code, out, err = run_check("drafts")
    lines = err.splitlines()
    expected = [
        *(f"drafts/{m}" for _, _, m in BAD_FILES),
        "drafts/dangling.md: error E001 cannot read the file: broken symbolic link "
        "(hint: fix or remove the link)",
        "drafts/folder.md/pipe.md: error E001 cannot read the file: not a regular file "
        "(hint: give a Markdown file)",
    ]
    assert sorted(lines) == sorted(expected)
    files, unusable = len(BAD_FILES) + 3, len(BAD_FILES) + 2
    assert out == f"{files} files checked: 0 errors, 0 warnings, 0 info, {unusable} unusable\n"
    assert code == 2


def test_nonexistent_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_check("missing.md")
    assert err == "missing.md: error E011 no such file or directory (hint: check the path)\n"
    assert (code, out) == (2, "1 files checked: 0 errors, 0 warnings, 0 info, 1 unusable\n")


def test_directory_without_drafts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("empty-dir").mkdir()
    code, _, err = run_check("empty-dir")
    assert err == (
        "empty-dir: error E001 cannot read the file: no *.md files in this directory "
        "(hint: give a draft or a folder of drafts)\n"
    )
    assert code == 2


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file without read permission (skipped as root, who reads everything)."""
    if os.geteuid() == 0:
        pytest.skip("root can read a mode-000 file; the dangling link and FIFO cases cover unreadable files")
    monkeypatch.chdir(tmp_path)
    Path("locked.md").write_bytes(GOOD)
    Path("locked.md").chmod(0)
    code, _, err = run_check("locked.md")
    assert (
        err == "locked.md: error E001 cannot read the file: Permission denied (hint: check its permissions)\n"
    )
    assert code == 2


def test_json_report_names_unusable_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.chdir(tmp_path)
    Path("empty.md").write_bytes(b"")
    Path("clean-condition.md").write_bytes(GOOD)
    result = CliRunner().invoke(
        app, ["check", "--no-terms", "--format", "json", "empty.md", "clean-condition.md"]
    )
    report = json.loads(result.stdout)
    assert report["files"][0] == {
        "path": "empty.md",
        "status": "unusable",
        "error": {
            "code": "E002",
            "message": "the file is empty",
            "line": None,
            "hint": "write the front matter and the article",
        },
        "findings": [],
    }
    assert report["files"][1]["status"] == "checked"
    assert report["summary"] == {
        "files": 2,
        "checked": 1,
        "unusable": 1,
        "errors": 0,
        "warnings": 0,
        "info": 0,
    }
    assert report["exit_code"] == result.exit_code == 2
