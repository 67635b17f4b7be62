"""Push and fetch against bare remotes in temp dirs: reconciliation, unreachable remotes, conflicts."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from content_repo import (
    ConflictError,
    ContentRepo,
    Identity,
    PublicationRecord,
    PushReport,
    RemoteError,
    text_content_hash,
)
from validators.parser import parse_article

WRITER = Identity(name="Wendy Writer", email="wendy@example.org")
CLINICIAN = Identity(name="Dr Carla Clinician", email="carla@example.org")
PIPELINE_A = Identity(name="Pipeline A", email="a@example.org")
PIPELINE_B = Identity(name="Pipeline B", email="b@example.org")


def git(repo: Path, *args: str) -> str:
    """Run git on a repository and return its stdout."""
    return subprocess.run(
        ["git", f"--git-dir={repo}", *args], capture_output=True, text=True, check=True
    ).stdout


def push(repo: ContentRepo) -> PushReport:
    """Push to origin with fast retries (3 attempts, 10-20 ms apart)."""
    return repo.push("origin", attempts=3, base_delay=0.01, max_delay=0.02, timeout=30.0)


def fetch(repo: ContentRepo, remote: str) -> None:
    """Fetch with fast retries."""
    repo.fetch(remote, attempts=3, base_delay=0.01, max_delay=0.02, timeout=30.0)


def assert_fsck_clean(repo: Path) -> None:
    """`git fsck --strict` reports nothing."""
    done = subprocess.run(["git", f"--git-dir={repo}", "fsck", "--strict"], capture_output=True, text=True)
    assert done.returncode == 0 and "error" not in done.stderr, done.stderr


def publish_new(repo: ContentRepo, slug: str, sentence: str = "Rest helps.") -> None:
    """Submit, approve and publish an article."""
    text = (
        f"---\ntitle: About {slug}\nslug: {slug}\nauthor: wendy-writer\n---\n\n## What is it?\n\n{sentence}\n"
    )
    repo.save_draft(parse_article(text, f"{slug}.md"), WRITER)
    head = repo.record_review(slug, "flags: []\n", CLINICIAN, message="Approve").sha
    record = PublicationRecord(
        reviewers=[CLINICIAN],
        content_hash=text_content_hash(text),
        approved_flags=0,
        reviewed_on=date(2026, 11, 24),
    )
    repo.publish(slug, head, record)


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """An empty bare remote."""
    path = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(path)], check=True)
    return path


@pytest.fixture
def first(tmp_path: Path, remote: Path) -> Iterator[ContentRepo]:
    """A content repository that created the remote's history."""
    repo = ContentRepo.init(tmp_path / "a.git", bare=True, pipeline=PIPELINE_A)
    repo.add_remote("origin", str(remote))
    push(repo)
    yield repo
    repo.close()
    assert_fsck_clean(tmp_path / "a.git")
    assert_fsck_clean(remote)


@pytest.fixture
def second(tmp_path: Path, remote: Path, first: ContentRepo) -> Iterator[ContentRepo]:
    """A second content repository cloned from the remote (another machine)."""
    subprocess.run(["git", "clone", "-q", "--bare", str(remote), str(tmp_path / "b.git")], check=True)
    repo = ContentRepo.open(tmp_path / "b.git", pipeline=PIPELINE_B)
    yield repo
    repo.close()
    assert_fsck_clean(tmp_path / "b.git")


def test_push_sends_main_publication_tags_and_drafts(first: ContentRepo, remote: Path) -> None:
    publish_new(first, "gout")
    first.save_draft(
        parse_article("---\ntitle: A\nslug: asthma\nauthor: w\n---\n\n## What is it?\n\nText.\n", "a.md"),
        WRITER,
    )
    report = push(first)
    assert (report.attempts, report.reconciled, report.drafts_pushed) == (1, False, ["asthma"])
    assert git(remote, "rev-parse", "main") == git(first.git_dir, "rev-parse", "main")
    assert git(remote, "for-each-ref", "--format=%(refname)") == (
        "refs/heads/drafts/asthma\nrefs/heads/main\nrefs/tags/published/gout/v1\n"
    )


def test_a_published_draft_is_deleted_on_the_remote_after_publishing(
    first: ContentRepo, remote: Path
) -> None:
    text = "---\ntitle: A\nslug: asthma\nauthor: w\n---\n\n## What is it?\n\nText.\n"
    head = first.save_draft(parse_article(text, "a.md"), WRITER).sha
    push(first)
    assert "refs/heads/drafts/asthma" in git(remote, "for-each-ref", "--format=%(refname)")
    record = PublicationRecord(
        reviewers=[CLINICIAN],
        content_hash=text_content_hash(text),
        approved_flags=0,
        reviewed_on=date(2026, 1, 2),
    )
    first.publish("asthma", head, record)
    report = push(first)
    assert report.drafts_deleted == ["asthma"]
    assert git(remote, "for-each-ref", "--format=%(refname)", "refs/heads/") == "refs/heads/main\n"


def test_a_push_rejected_because_the_remote_moved_is_reconciled_keeping_both_sides(
    first: ContentRepo, second: ContentRepo, remote: Path
) -> None:
    publish_new(first, "gout")
    publish_new(second, "asthma")
    push(first)
    report = push(second)  # rejected (the remote has gout), fetched, merged, pushed
    assert report.reconciled is True and report.attempts == 2
    subjects = git(remote, "log", "--format=%s|%an", "main").splitlines()
    assert "Publish gout v1|Wendy Writer" in subjects and "Publish asthma v1|Wendy Writer" in subjects
    assert subjects[0] == "Reconcile main with origin/main|Pipeline B"
    assert git(remote, "ls-tree", "--name-only", "main", "articles/").split() == [
        "articles/asthma.md",
        "articles/gout.md",
    ]
    assert git(remote, "for-each-ref", "--format=%(refname:short)", "refs/tags/").split() == [
        "published/asthma/v1",
        "published/gout/v1",
    ]
    # The first machine catches up by fast-forward on its next push.
    publish_new(first, "eczema")
    again = push(first)
    assert again.reconciled is True
    assert git(remote, "ls-tree", "--name-only", "main", "articles/").split() == [
        "articles/asthma.md",
        "articles/eczema.md",
        "articles/gout.md",
    ]
    assert git(remote, "rev-parse", "main") == git(first.git_dir, "rev-parse", "main")


def test_both_sides_publishing_the_same_article_is_reported_not_overwritten(
    first: ContentRepo, second: ContentRepo, remote: Path
) -> None:
    publish_new(first, "gout", "One text.")
    publish_new(second, "gout", "Another text.")
    push(first)
    remote_main = git(remote, "rev-parse", "main")
    second_main = git(second.git_dir, "rev-parse", "main")
    with pytest.raises(RemoteError, match=r"remote 'origin': the remote already has different tags"):
        push(second)
    assert git(remote, "rev-parse", "main") == remote_main
    assert git(second.git_dir, "rev-parse", "main") == second_main
    assert "Another text." in (second.read("gout") or "")


def test_same_article_changed_on_both_sides_without_tag_clash_is_a_conflict(
    first: ContentRepo, second: ContentRepo, remote: Path
) -> None:
    first.write_path("roster.yaml", "people: [a]\n", WRITER, message="Roster from A")
    second.write_path("roster.yaml", "people: [b]\n", WRITER, message="Roster from B")
    push(first)
    with pytest.raises(ConflictError) as caught:
        push(second)
    assert caught.value.slug == "roster.yaml"
    assert "both changed the same files" in caught.value.reason
    assert second.read_path("roster.yaml") == "people: [b]\n"
    assert git(remote, "show", "main:roster.yaml") == "people: [a]\n"


def test_an_unreachable_remote_keeps_the_publication_and_a_later_push_sends_it(
    first: ContentRepo, remote: Path, tmp_path: Path
) -> None:
    publish_new(first, "gout")
    away = tmp_path / "moved-away.git"
    remote.rename(away)
    with pytest.raises(RemoteError) as caught:
        push(first)
    assert caught.value.remote == "origin"
    assert "push failed after 3 attempts" in caught.value.reason
    assert "does not appear to be a git repository" in caught.value.reason
    assert first.read("gout") is not None and first.list_drafts() == []
    away.rename(remote)
    report = push(first)
    assert report.attempts == 1
    assert git(remote, "rev-parse", "main") == git(first.git_dir, "rev-parse", "main")


def test_fetch_brings_the_remote_publications(first: ContentRepo, second: ContentRepo) -> None:
    publish_new(first, "gout")
    push(first)
    fetch(second, "origin")
    assert git(second.git_dir, "rev-parse", "refs/remotes/origin/main") == git(
        first.git_dir, "rev-parse", "main"
    )
    assert git(second.git_dir, "rev-parse", "published/gout/v1") == git(
        first.git_dir, "rev-parse", "published/gout/v1"
    )


def test_bad_remote_names_and_urls_are_refused(first: ContentRepo) -> None:
    with pytest.raises(RemoteError, match="remote name"):
        first.add_remote("--upload-pack=evil", "x")
    with pytest.raises(RemoteError, match="unusable URL"):
        first.add_remote("backup", "--upload-pack=touch /tmp/pwned")
    with pytest.raises(RemoteError, match="remote 'nowhere'"):
        fetch(first, "nowhere")


def test_a_repository_pushing_to_a_remote_initialised_separately_merges_both_first_commits(
    tmp_path: Path,
) -> None:
    ContentRepo.init(tmp_path / "remote.git", bare=True, pipeline=PIPELINE_B).close()
    with ContentRepo.init(tmp_path / "local", pipeline=PIPELINE_A) as local:
        local.add_remote("origin", str(tmp_path / "remote.git"))
        local.write_path("roster.yaml", "people: []\n", WRITER, message="Add roster")
        report = push(local)
        assert report.reconciled is True
    remote_log = git(tmp_path / "remote.git", "log", "--format=%s|%cn", "main").splitlines()
    assert remote_log[0] == "Reconcile main with origin/main|Pipeline A"
    assert sorted(remote_log[1:]) == [
        "Add roster|Pipeline A",
        "Initialize content repository|Pipeline A",
        "Initialize content repository|Pipeline B",
    ]
    assert_fsck_clean(tmp_path / "remote.git")
