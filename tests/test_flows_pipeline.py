"""The flows end to end on real git repositories under the Prefect test harness.

submit_draft, publish_approved, review_due and check_corpus: happy paths and failure paths
(validation errors, unusable input, a rejected flag, an error found at publish time, a push that fails
then succeeds on retry, two publish runs at once).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from content_repo import ContentRepo, Identity

pytestmark = [pytest.mark.slow, pytest.mark.prefect]

FIXTURE_ARTICLE = Path(__file__).parent / "fixtures" / "articles" / "malignant-mast-cell-tumor.md"
SLUG = "malignant-mast-cell-tumor"
EDITOR = Identity(name="Ed Editor", email="ed@example.org")
ROSTER = """\
people:
  - {id: wendy-writer, name: Wendy Writer, email: wendy@example.org, roles: [writer]}
  - {id: phil-physician, name: Phil Physician, email: phil@example.org, roles: [physician],
     verified_until: 2099-12-31}
  - {id: pat-pharmacist, name: Pat Pharmacist, email: pat@example.org, roles: [pharmacist],
     verified_until: 2099-12-31}
"""


def make_site(root: Path) -> tuple[Path, Path]:
    """A content repository with the roster on main, and a bare remote `origin` it pushes to."""
    content, remote = root / "content", root / "remote.git"
    ContentRepo.init(remote, bare=True).close()
    with ContentRepo.init(content) as repo:
        repo.add_remote("origin", str(remote))
        repo.write_path("roster.yaml", ROSTER, EDITOR, message="Add roster")
    return content, remote


def write_draft(directory: Path, text: str, slug: str = SLUG) -> Path:
    """The writer's file `<slug>.md` (the name matches the slug, as the rules ask)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{slug}.md"
    path.write_text(text, encoding="utf-8")
    return path


def approve_everything(content: Path, slug: str = SLUG) -> None:
    """Every pending claim approved by the physician (the policy lets a physician decide all categories)."""
    from flows.context import open_repo, read_draft_under_review
    from flows.record_review import record_review
    from reviewers.ledger import ClaimStatus, DecisionInput, Verdict

    with open_repo(path=content) as repo:
        ledger = read_draft_under_review(repo, slug).ledger
    assert ledger is not None
    pending = [c.key for c in ledger.claims if c.status is ClaimStatus.PENDING]
    decisions = [DecisionInput(key=key, verdict=Verdict.APPROVE) for key in pending]
    assert decisions, "the fixture article has claims that need a clinician"
    record_review(slug, "phil-physician", decisions, repo_path=str(content))


def git(git_dir: Path, *args: str) -> str:
    """A git command's output (for assertions only)."""
    return subprocess.run(
        ["git", "--git-dir", str(git_dir), *args], check=True, capture_output=True, text=True
    ).stdout


def latest_artifact(key: str) -> str:
    """The data of the newest artifact with this key (what a person reads in the Prefect UI)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    assert artifacts, f"no artifact {key}"
    return str(artifacts[0].data)


@pytest.fixture(autouse=True)
def no_heartbeats() -> Iterator[None]:
    """Flow runs without the heartbeat thread, whose join costs ~1 s per flow (nothing here needs it)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


@pytest.fixture
def site(tmp_path: Path, prefect_harness: None) -> tuple[Path, Path]:
    """(content repository, bare remote)."""
    return make_site(tmp_path / "site")


# --- submit_draft -------------------------------------------------------------------------------------


def test_submit_saves_draft_and_ledger(site: tuple[Path, Path], tmp_path: Path) -> None:
    from flows.submit import submit_draft
    from reviewers.ledger import DraftStatus, ReviewLedger

    content, _ = site
    text = FIXTURE_ARTICLE.read_text(encoding="utf-8")
    path = write_draft(tmp_path / "work", text)
    result = submit_draft(path, repo_path=content)
    assert result.slug == SLUG
    assert result.errors == []
    assert result.status is DraftStatus.IN_REVIEW
    assert result.pending_keys, "procedures and drugs wait for a clinician"
    with ContentRepo.open(content) as repo:
        saved, ledger_text, head = repo.read_draft(SLUG)
        info = repo.commit_info(head)
    assert saved == text
    assert head == result.commit
    assert info.author == Identity(name="Wendy Writer", email="wendy@example.org")
    assert ledger_text is not None
    assert ReviewLedger.from_yaml(ledger_text) == result.ledger


def test_submit_with_errors_is_saved_as_needing_changes(site: tuple[Path, Path], tmp_path: Path) -> None:
    from flows.submit import submit_draft
    from reviewers.ledger import DraftStatus

    content, _ = site
    text = (
        FIXTURE_ARTICLE.read_text(encoding="utf-8")
        .replace('  - "Merck Veterinary Manual: Mast cell tumors"\n', "")
        .replace("sources:\n", "sources: []\n")
    )
    path = write_draft(tmp_path / "work", text)
    result = submit_draft(path, repo_path=content)
    assert latest_artifact(f"submission-{SLUG}").startswith(f"# Submission of `{SLUG}`: needs changes")
    assert [f.code for f in result.errors] == ["SL03"]
    assert result.status is DraftStatus.NEEDS_CHANGES
    assert result.ledger.findings.errors == 1
    with ContentRepo.open(content) as repo:
        saved, _, _ = repo.read_draft(SLUG)
    assert saved == text  # nothing a writer sends is lost


def test_submit_unusable_input_saves_nothing(site: tuple[Path, Path], tmp_path: Path) -> None:
    from flows.submit import submit_draft
    from validators.errors import InputError

    content, _ = site
    path = write_draft(tmp_path / "work", "no front matter here\n")
    with pytest.raises(InputError) as raised:
        submit_draft(path, repo_path=content)
    assert raised.value.code == "E006"
    with ContentRepo.open(content) as repo:
        assert repo.list_drafts() == []


def test_submit_by_unknown_author_is_refused(site: tuple[Path, Path], tmp_path: Path) -> None:
    from flows.submit import SubmissionRefused, submit_draft

    content, _ = site
    text = FIXTURE_ARTICLE.read_text(encoding="utf-8").replace("author: wendy-writer", "author: nobody")
    path = write_draft(tmp_path / "work", text)
    with pytest.raises(SubmissionRefused, match="author 'nobody' is not on the roster"):
        submit_draft(path, repo_path=content)
    with ContentRepo.open(content) as repo:
        assert repo.list_drafts() == []


# --- publish_approved ----------------------------------------------------------------------------------


def test_publish_approved_publishes_exactly_the_approved_text(
    site: tuple[Path, Path], tmp_path: Path
) -> None:
    from flows.publish import Outcome, publish_approved
    from flows.submit import submit_draft
    from validators.frontmatter import strip_publishing_keys

    content, remote = site
    text = FIXTURE_ARTICLE.read_text(encoding="utf-8")
    submit_draft(write_draft(tmp_path / "work", text), repo_path=content)

    waiting = publish_approved(repo_path=content)
    assert [(d.slug, d.outcome) for d in waiting.drafts] == [(SLUG, Outcome.HELD)]
    assert "awaiting approval" in waiting.drafts[0].reason

    approve_everything(content)
    report = publish_approved(repo_path=content)
    assert [(d.slug, d.outcome, d.version) for d in report.drafts] == [(SLUG, Outcome.PUBLISHED, 1)]
    assert report.pushed
    table = latest_artifact("publish-report")
    assert f'"slug": "{SLUG}"' in table and '"outcome": "published"' in table
    published = report.drafts[0]
    assert git(remote, "rev-parse", "main").strip() == published.commit
    trailers = git(remote, "log", "-1", "--format=%(trailers:key=Reviewed-by,valueonly)", "main")
    assert trailers.strip() == "Phil Physician <phil@example.org>"
    with ContentRepo.open(remote) as published_repo:
        on_main = published_repo.read(SLUG)
    assert on_main is not None
    assert strip_publishing_keys(on_main) == text
    assert "last_reviewed:" in on_main

    again = publish_approved(repo_path=content)
    assert again.drafts == []  # nothing published twice
    assert git(remote, "tag", "--list").split() == [f"published/{SLUG}/v1"]


def test_rejected_claim_holds_the_draft_back(site: tuple[Path, Path], tmp_path: Path) -> None:
    from flows.publish import Outcome, publish_approved
    from flows.record_review import record_review
    from flows.submit import submit_draft
    from reviewers.ledger import DecisionInput, Verdict

    content, remote = site
    result = submit_draft(write_draft(tmp_path / "work", FIXTURE_ARTICLE.read_text()), repo_path=content)
    rejected = result.pending_keys[0]
    decisions = [
        DecisionInput(key=key, verdict=Verdict.APPROVE) for key in result.pending_keys if key != rejected
    ] + [DecisionInput(key=rejected, verdict=Verdict.REJECT, note="cite a source for this")]
    record_review(SLUG, "phil-physician", decisions, repo_path=str(content))
    report = publish_approved(repo_path=content)
    assert [(d.slug, d.outcome) for d in report.drafts] == [(SLUG, Outcome.HELD)]
    assert f"rejected: 1 claim(s) rejected: {rejected[:8]}" in report.drafts[0].reason
    assert git(remote, "tag", "--list").strip() == ""


def test_error_found_at_publish_time_holds_the_draft_back(site: tuple[Path, Path]) -> None:
    """A ledger that claims no errors (rules changed since the review) does not let an error through."""
    from flows.publish import Outcome, publish_approved
    from flows.tasks import check_articles, settings_for
    from reviewers.desk import make_submission, open_ledger
    from reviewers.policy import load_policy
    from validators.parser import parse_article

    content, _ = site
    text = FIXTURE_ARTICLE.read_text(encoding="utf-8").replace(
        "This is not a substitute for professional medical advice.", "Ask your vet."
    )
    article = parse_article(text, f"articles/{SLUG}.md")
    checked = check_articles([article], settings_for(content))[0]
    assert checked.errors, "the changed disclaimer is an error"
    blind = make_submission(article, [], [])  # a ledger blind to the error and to the flags
    ledger = open_ledger(blind, None, datetime.now(UTC), load_policy(None), "wendy-writer")
    with ContentRepo.open(content) as repo:
        repo.save_draft(
            article, Identity(name="Wendy Writer", email="wendy@example.org"), ledger_text=ledger.to_yaml()
        )
    report = publish_approved(repo_path=content, remote=None)
    assert [(d.slug, d.outcome) for d in report.drafts] == [(SLUG, Outcome.HELD)]
    assert "error finding(s) at publish time (DS" in report.drafts[0].reason
    assert "claim(s) the review lacks" in report.drafts[0].reason


def test_publish_after_in_the_future_waits(site: tuple[Path, Path], tmp_path: Path) -> None:
    from flows.publish import Outcome, publish_approved
    from flows.submit import submit_draft

    content, _ = site
    text = FIXTURE_ARTICLE.read_text(encoding="utf-8").replace(
        "author: wendy-writer\n", "author: wendy-writer\npublish_after: 2030-01-01T09:00:00Z\n"
    )
    submit_draft(write_draft(tmp_path / "work", text), repo_path=content)
    approve_everything(content)
    early = publish_approved(repo_path=content, now=datetime(2029, 12, 31, tzinfo=UTC), remote=None)
    assert early.drafts[0].outcome is Outcome.HELD
    assert "publish_after 2030-01-01T09:00:00+00:00 has not come" in early.drafts[0].reason
    due = publish_approved(repo_path=content, now=datetime(2030, 1, 2, tzinfo=UTC), remote=None)
    assert due.drafts[0].outcome is Outcome.PUBLISHED


def test_publish_without_that_remote_publishes_locally_and_says_so(
    site: tuple[Path, Path], tmp_path: Path
) -> None:
    from flows.publish import Outcome, publish_approved
    from flows.submit import submit_draft

    content, _ = site
    draft = write_draft(tmp_path / "work", FIXTURE_ARTICLE.read_text(encoding="utf-8"))
    submit_draft(draft, repo_path=content)
    approve_everything(content)
    report = publish_approved(repo_path=content, remote="mirror")
    assert [d.outcome for d in report.drafts] == [Outcome.PUBLISHED]
    assert (report.pushed, report.push_error) == (False, None)
    assert report.push_note == (
        "the content repository has no remote 'mirror': published on the local main only "
        "(add one with `git remote add mirror URL`, or pass --no-push)"
    )


def test_push_that_fails_then_succeeds_on_retry(site: tuple[Path, Path], tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        TaskRunFilter,
        TaskRunFilterName,
        TaskRunFilterState,
        TaskRunFilterStateName,
    )

    from flows.publish import publish_approved
    from flows.submit import submit_draft

    content, remote = site
    submit_draft(write_draft(tmp_path / "work", FIXTURE_ARTICLE.read_text()), repo_path=content)
    approve_everything(content)
    hidden = remote.with_name("remote-away.git")
    remote.rename(hidden)  # the remote is unreachable ...
    retrying = TaskRunFilter(
        name=TaskRunFilterName(like_="push"),
        state=TaskRunFilterState(name=TaskRunFilterStateName(any_=["AwaitingRetry"])),
    )
    seen_retry = threading.Event()

    def come_back() -> None:
        with get_client(sync_client=True) as client:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if client.read_task_runs(task_run_filter=retrying):
                    seen_retry.set()
                    break
                time.sleep(0.1)
        hidden.rename(remote)  # ... and reachable again once the push task failed and waits to retry

    returning = threading.Thread(target=come_back)
    returning.start()
    try:
        report = publish_approved(repo_path=content, push_retry_delay_seconds=[1.0, 1.0, 1.0])
    finally:
        returning.join()
    assert seen_retry.is_set()
    assert report.pushed and report.push_error is None
    assert git(remote, "rev-parse", "main").strip() == report.published[0].commit


def test_push_that_keeps_failing_fails_the_run_but_keeps_the_publication(
    site: tuple[Path, Path], tmp_path: Path
) -> None:
    from flows.publish import PushFailed, publish_approved
    from flows.submit import submit_draft

    content, remote = site
    submit_draft(write_draft(tmp_path / "work", FIXTURE_ARTICLE.read_text()), repo_path=content)
    approve_everything(content)
    shutil.rmtree(remote)
    with pytest.raises(PushFailed, match="published locally: malignant-mast-cell-tumor"):
        publish_approved(repo_path=content, push_retry_delay_seconds=[0.1, 0.1, 0.1])
    with ContentRepo.open(content) as repo:
        assert [p.slug for p in repo.list_published()] == [SLUG]
        assert repo.list_drafts() == []


def test_two_publish_runs_at_once_publish_once(site: tuple[Path, Path], tmp_path: Path) -> None:
    from flows.publish import PublishReport, publish_approved
    from flows.submit import submit_draft

    content, remote = site
    submit_draft(write_draft(tmp_path / "work", FIXTURE_ARTICLE.read_text()), repo_path=content)
    approve_everything(content)
    reports: list[PublishReport] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        try:
            reports.append(publish_approved(repo_path=content, lock_timeout_seconds=30.0))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()
    assert errors == []
    published = sorted(len(r.published) for r in reports)
    assert published == [0, 1]  # one published; the other waited for the lock and found nothing left
    assert git(remote, "tag", "--list").split() == [f"published/{SLUG}/v1"]


def test_publish_skips_while_another_run_holds_the_lock(site: tuple[Path, Path]) -> None:
    from flows.publish import machine_lock, publish_approved

    content, _ = site
    with machine_lock(content, timeout_seconds=0):
        report = publish_approved(repo_path=content, lock_timeout_seconds=0.5, remote=None)
    assert report.skipped == "another publish run holds this repository's lock"
    assert report.drafts == []


# --- review_due ----------------------------------------------------------------------------------------


def test_review_due_reopens_expired_reviews(site: tuple[Path, Path], tmp_path: Path) -> None:
    from flows.publish import publish_approved
    from flows.review_due import review_due
    from flows.submit import submit_draft
    from reviewers.ledger import ClaimStatus, ReviewLedger

    content, _ = site
    submit_draft(write_draft(tmp_path / "work", FIXTURE_ARTICLE.read_text()), repo_path=content)
    approve_everything(content)
    published_at = datetime.now(UTC)
    publish_approved(repo_path=content, now=published_at, remote=None)

    assert review_due(repo_path=content, now=published_at + timedelta(days=300)) == []
    later = published_at + timedelta(days=370)
    due = review_due(repo_path=content, now=later)
    assert [(d.slug, d.last_reviewed) for d in due] == [(SLUG, published_at.date())]
    from reviewers.desk import add_months

    assert due[0].action.startswith(f"review expired on {add_months(published_at.date(), 12)}; reopened on")
    with ContentRepo.open(content) as repo:
        text, ledger_text, _ = repo.read_draft(SLUG)
        assert text == repo.read(SLUG)  # the published text, to be reviewed again
    assert ledger_text is not None
    ledger = ReviewLedger.from_yaml(ledger_text)
    assert ledger.claims and all(c.status is ClaimStatus.PENDING and not c.decisions for c in ledger.claims)

    again = review_due(repo_path=content, now=later)
    assert [(d.slug, d.action.split("; ")[-1]) for d in again] == [(SLUG, "already open for review")]


def test_add_months_clamps_the_day() -> None:
    from reviewers.desk import add_months

    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 12) == date(2027, 11, 30)


# --- check_corpus --------------------------------------------------------------------------------------


def test_check_corpus_in_batches(tmp_path: Path, prefect_harness: None) -> None:
    from flows.check_corpus import check_corpus

    corpus = tmp_path / "corpus"
    good = FIXTURE_ARTICLE.read_text(encoding="utf-8")
    for index in range(3):
        slug = f"article-{index}"
        write_draft(corpus, good.replace(f"slug: {SLUG}", f"slug: {slug}"), slug)
    write_draft(
        corpus / "sub",
        good.replace('sources:\n  - "Merck Veterinary Manual: Mast cell tumors"\n', "sources: []\n"),
        SLUG,
    )
    (corpus / "empty.md").write_text("", encoding="utf-8")
    report = check_corpus(corpus, batch_size=2)
    assert report.batches == 3
    assert len(report.files) == 5
    assert [Path(f.path).name for f in report.unusable] == ["empty.md"]
    assert [Path(f.path).relative_to(corpus).as_posix() for f in report.with_errors] == [f"sub/{SLUG}.md"]
    assert report.codes["SL03"] == 1
    assert all(f.flags_needing_approval > 0 for f in report.files if f.unusable is None)
    summary = report.summary_markdown()
    assert "5 files in 3 batches: 1 with errors, 1 unusable" in summary
    assert latest_artifact("corpus-check") == summary


def test_check_corpus_refuses_a_missing_directory(tmp_path: Path, prefect_harness: None) -> None:
    from flows.check_corpus import check_corpus

    with pytest.raises(NotADirectoryError, match="not a directory"):
        check_corpus(tmp_path / "missing")


def test_publish_refuses_a_main_changed_outside_the_desk(site: tuple[Path, Path], tmp_path: Path) -> None:
    """A commit straight on main (the article's dose changed, no review) stops the run: nothing is
    published or pushed, the run exits non-zero naming the commit."""
    from typer.testing import CliRunner

    from flows.cli import app
    from flows.publish import publish_approved
    from flows.submit import submit_draft

    content, remote = site
    dot_git = content / ".git"
    submit_draft(write_draft(tmp_path / "work", FIXTURE_ARTICLE.read_text()), repo_path=content)
    approve_everything(content)
    assert publish_approved(repo_path=content).published
    env = {**os.environ, "GIT_INDEX_FILE": str(tmp_path / "index")}
    main = git(dot_git, "rev-parse", "main").strip()
    subprocess.run(["git", "--git-dir", str(dot_git), "read-tree", "main"], env=env, check=True)
    forged = FIXTURE_ARTICLE.read_text(encoding="utf-8").replace("vinblastine", "vinblastine 50 mg daily", 1)
    blob = subprocess.run(
        ["git", "--git-dir", str(dot_git), "hash-object", "-w", "--stdin"],
        input=forged,
        text=True,
        capture_output=True,
        check=True,
    ).stdout.strip()
    subprocess.run(
        [
            "git",
            "--git-dir",
            str(dot_git),
            "update-index",
            "--cacheinfo",
            f"100644,{blob},articles/{SLUG}.md",
        ],
        env=env,
        check=True,
    )
    tree = subprocess.run(
        ["git", "--git-dir", str(dot_git), "write-tree"], env=env, text=True, capture_output=True, check=True
    ).stdout.strip()
    sneaky = git(dot_git, "commit-tree", tree, "-p", main, "-m", "Quick dose fix").strip()
    git(dot_git, "update-ref", "refs/heads/main", sneaky)
    remote_main = git(remote, "rev-parse", "main").strip()

    result = CliRunner().invoke(app, ["publish", "--repo", str(content)])
    assert result.exit_code == 1
    assert (
        f"{SLUG}: commit {sneaky[:12]} changed articles/{SLUG}.md on main after its publication"
        in result.stderr
    )
    assert git(remote, "rev-parse", "main").strip() == remote_main  # nothing pushed
    assert git(dot_git, "rev-parse", "main").strip() == sneaky  # nothing published on top


def test_a_half_applied_publication_is_completed_not_published_twice(
    site: tuple[Path, Path], tmp_path: Path
) -> None:
    """A run killed after main and the tag moved but before the draft ref went: the next run retires the
    draft (archived) instead of publishing the same approval again as v2."""
    from flows.publish import publish_approved
    from flows.submit import submit_draft

    content, _ = site
    dot_git = content / ".git"
    submit_draft(write_draft(tmp_path / "work", FIXTURE_ARTICLE.read_text()), repo_path=content)
    approve_everything(content)
    [published] = publish_approved(repo_path=content, remote=None).published
    approved_head = git(dot_git, "rev-parse", f"{published.commit}^2").strip()
    git(dot_git, "update-ref", f"refs/heads/drafts/{SLUG}", approved_head)  # the state a kill leaves

    report = publish_approved(repo_path=content, remote=None)
    assert report.completed == [
        f"{SLUG}: completed the publication of v1 (a run stopped before retiring its draft)"
    ]
    assert report.drafts == []
    assert git(dot_git, "tag", "--list", f"published/{SLUG}/*").split() == [f"published/{SLUG}/v1"]
    assert git(dot_git, "for-each-ref", "--format=%(refname)", "refs/heads/drafts/") == ""
    assert publish_approved(repo_path=content, remote=None).completed == []
