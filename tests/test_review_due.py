"""`review_due` holds: a review date in the future is due; an unreadable article is reported, not fatal."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from review_fixtures import make_content_repo

pytestmark = pytest.mark.slow

GOOD = Path(__file__).parent / "fixtures" / "articles" / "malignant-mast-cell-tumor.md"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def commit_on_main(repo: Path, files: dict[str, str]) -> None:
    """Files committed straight onto main with plain git (as someone with push access could)."""
    env = {**os.environ, "GIT_INDEX_FILE": str(repo / "forged-index")}

    def git(*args: str, stdin: str | None = None) -> str:
        return subprocess.run(
            ["git", "-C", str(repo), *args], input=stdin, env=env, check=True, capture_output=True, text=True
        ).stdout.strip()

    git("read-tree", "main")
    for path, text in files.items():
        blob = git("hash-object", "-w", "--stdin", stdin=text)
        git("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}")
    tree = git("write-tree")
    commit = git("commit-tree", tree, "-p", "main", "-m", "Straight onto main")
    git("update-ref", "refs/heads/main", commit)


def test_a_future_review_date_is_due_and_an_unreadable_article_is_reported(tmp_path: Path) -> None:
    from content_repo import ContentRepo
    from flows.review_due import reopen_due_articles

    repo = make_content_repo(tmp_path / "content")
    future = GOOD.read_text(encoding="utf-8").replace(
        "author: wendy-writer", "author: wendy-writer\nlast_reviewed: 2099-01-01", 1
    )
    assert "last_reviewed: 2099-01-01" in future
    commit_on_main(
        repo, {"articles/malignant-mast-cell-tumor.md": future, "articles/broken.md": "\x00\x01 not text"}
    )
    results = reopen_due_articles.fn(repo, NOW)
    by_slug = {r.slug: r for r in results}
    assert set(by_slug) == {"broken", "malignant-mast-cell-tumor"}
    assert by_slug["broken"].action.startswith("cannot be read, not reopened: ")
    due = by_slug["malignant-mast-cell-tumor"]
    assert due.action.startswith("last_reviewed 2099-01-01 is in the future; reopened on drafts/")
    with ContentRepo.open(repo) as content:
        assert [d.slug for d in content.list_drafts()] == ["ibuprofen-for-pain", "malignant-mast-cell-tumor"]
