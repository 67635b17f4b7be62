"""The writers' pre-commit hooks: article files only, the command they run, documented with a real tag."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from flows.cli import app

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def hooks() -> dict[str, dict[str, Any]]:
    loaded = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return {hook["id"]: hook for hook in loaded}


@pytest.mark.parametrize(
    ("path", "checked"),
    [
        ("articles/pink-eye.md", True),
        ("drafts/pink-eye.md", True),
        ("articles/2026/pink-eye.md", True),
        ("README.md", False),
        ("notes/ideas.md", False),
        ("articles/pink-eye.txt", False),
        ("docs/articles/pink-eye.md", False),
    ],
)
def test_hooks_check_article_files_only(hooks: dict[str, dict[str, Any]], path: str, checked: bool) -> None:
    assert set(hooks) == {"editorial-check", "editorial-check-terms"}
    for hook in hooks.values():
        assert bool(re.search(hook["files"], path)) is checked, (hook["id"], path)


def test_hook_entries_are_valid_check_commands(hooks: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Our articles\n")
    for hook in hooks.values():
        program, *options = shlex.split(hook["entry"])
        assert (program, hook["language"]) == ("editorial", "python")
        if "--no-terms" in options:  # the entry parses; a non-article (no front matter) is E006
            result = CliRunner().invoke(app, [*options, str(readme)])
            assert result.exit_code == 2
            assert "error E006" in result.stderr
    assert hooks["editorial-check"]["entry"] == "editorial check --no-terms"
    terms = hooks["editorial-check-terms"]
    assert (terms["entry"], terms["verbose"], terms["require_serial"]) == ("editorial check", True, True)


def test_docs_give_a_real_tag_and_the_hook_ids() -> None:
    docs = (ROOT / "docs" / "check.md").read_text(encoding="utf-8")
    assert "rev: v0.2.0" in docs
    assert "id: editorial-check\n" in docs and "id: editorial-check-terms" in docs
