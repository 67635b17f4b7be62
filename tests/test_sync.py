"""Nothing only local: a decision (or comment) reaches the remote as soon as it is recorded."""

from __future__ import annotations

import subprocess
from pathlib import Path

from review_fixtures import make_content_repo

from reviewers.ledger import DecisionInput, Verdict, claim_key

SLUG = "ibuprofen-for-pain"
WHAT = "Ibuprofen is a pain reliever."


def remote_head(remote: Path, ref: str) -> str:
    found = subprocess.run(
        ["git", "--git-dir", str(remote), "rev-parse", "--verify", "--quiet", ref],
        capture_output=True,
        text=True,
    )
    return found.stdout.strip()


def test_a_decision_is_on_the_remote_right_after_it_is_made(tmp_path: Path) -> None:
    from content_repo import ContentRepo
    from flows.review_actions import record_comment, record_decisions

    repo = make_content_repo(tmp_path / "content")
    remote = tmp_path / "remote.git"
    ContentRepo.init(remote, bare=True).close()
    with ContentRepo.open(repo) as content:
        content.add_remote("origin", str(remote))
    outcome = record_decisions(
        repo, SLUG, "doc-physician", [DecisionInput(key=claim_key(WHAT), verdict=Verdict.APPROVE)]
    )
    assert remote_head(remote, f"refs/heads/drafts/{SLUG}") == outcome.commit
    commented = record_comment(repo, SLUG, "nina-nurse", WHAT, "Say which pain.")
    assert remote_head(remote, f"refs/heads/drafts/{SLUG}") == commented


def test_an_unreachable_remote_is_reported_and_the_decision_stands(tmp_path: Path) -> None:
    from content_repo import ContentRepo
    from flows.review_actions import record_decisions
    from flows.sync import push_now

    repo = make_content_repo(tmp_path / "content")
    with ContentRepo.open(repo) as content:
        content.add_remote("origin", str(tmp_path / "nowhere.git"))
    outcome = record_decisions(
        repo, SLUG, "doc-physician", [DecisionInput(key=claim_key(WHAT), verdict=Verdict.APPROVE)]
    )
    with ContentRepo.open(repo) as content:
        assert content.read_draft(SLUG)[2] == outcome.commit  # recorded locally
    warning = push_now(repo)
    assert warning is not None and warning.startswith("saved locally; the push to 'origin' failed (")
    assert warning.endswith("the next write or publish run pushes it")
