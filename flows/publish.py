"""The `publish_approved` flow: publish every approved draft whose time has come, exactly as approved.

One run at a time: with a Prefect server, a global concurrency limit (`editorial-publish`, created here
when missing, so it is never silently skipped; its slot is a lease the server takes back from a dead
holder) serializes runs across workers; a file lock per repository on this machine (released by the
kernel when its holder dies) serializes runs here. A run that cannot get them within
`lock_timeout_seconds` publishes nothing, says so and exits non-zero.

Each draft is read once (text, ledger, head), checked and flagged again, its signed history replayed
(`flows.verify.provenance_holds`: every commit's signer checked against the roster an editor signed,
the ledger re-derived through the desk's `decide`), and passed through the desk's publish gate
(`reviewers.desk.publish_gate`: every reason a draft cannot publish, in one function);
it is published with the head it was read at: if the draft moved since, the repository refuses and
the draft waits for the next run.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict

from flows.candidates import Candidate, read_candidates, verified_rules
from flows.tasks import settings_for, utc_now
from validators.errors import EditorialError

if TYPE_CHECKING:
    from content_repo import ContentRepo, PublicationRecord

PUBLISH_CONCURRENCY_LIMIT = "editorial-publish"
PUBLISH_LEASE_SECONDS = 60.0
PUSH_RETRIES = 3
PUSH_RETRY_DELAYS = [2.0, 5.0, 15.0]


class Outcome(StrEnum):
    """What happened to one draft in a publish run."""

    PUBLISHED = "published"
    HELD = "held back"
    FAILED = "failed"


class DraftOutcome(BaseModel):
    """One line of the publish report."""

    model_config = ConfigDict(frozen=True)

    slug: str
    outcome: Outcome
    reason: str = ""
    version: int | None = None
    commit: str | None = None
    tag: str | None = None


class PublishReport(BaseModel):
    """What a publish run did: per draft, whether the push went through, and whether it ran at all."""

    model_config = ConfigDict(frozen=True)

    drafts: list[DraftOutcome]
    pushed: bool = False
    push_error: str | None = None
    push_note: str | None = None
    skipped: str | None = None
    completed: list[str] = []

    @property
    def published(self) -> list[DraftOutcome]:
        """The drafts that reached main in this run."""
        return [d for d in self.drafts if d.outcome is Outcome.PUBLISHED]

    @property
    def held(self) -> list[DraftOutcome]:
        """The drafts that stay drafts, each with its reason."""
        return [d for d in self.drafts if d.outcome is not Outcome.PUBLISHED]


class PublishSkipped(Exception):
    """Another publish run holds the lock."""


class PushFailed(EditorialError):
    """Publications were made on the local main but the push failed after its retries."""


class MainNotGuarded(EditorialError):
    """Main holds article changes no publication made: nothing is published or pushed until resolved."""


@task(name="complete-publications", cache_policy=NO_CACHE)
def complete_half_applied(repo_path: Path | None) -> list[str]:
    """Recover what a killed run left: stale git locks, and publications half-applied (main and the
    tag moved, the draft ref not).

    A draft whose head is the approved head a publication merged (its commit's second parent) was
    published; its ref is retired (archived, compare-and-swap), so it is never published twice.
    """
    from flows.context import open_repo

    completed: list[str] = []
    with open_repo(settings_for(repo_path)) as repo:
        completed += [
            f"removed a stale git lock left by a killed process: {lock}"
            for lock in repo.recover_stale_locks()
        ]
        drafts = {d.slug: d.head for d in repo.list_drafts()}
        for publication in repo.publications():
            head = drafts.get(publication.slug)
            if head is None:
                continue
            parents = repo.commit_info(publication.commit).parents
            if len(parents) == 2 and parents[1] == head:
                repo.discard_draft(publication.slug, head)
                completed.append(
                    f"{publication.slug}: completed the publication of v{publication.version} "
                    "(a run stopped before retiring its draft)"
                )
    return completed


@task(name="guard-main", cache_policy=NO_CACHE)
def unguarded_main_changes(repo_path: Path | None) -> list[str]:
    """Every article on main changed by a commit that is not its latest publication (`flows.verify`)."""
    from flows.context import open_repo
    from flows.verify import audit_main

    found: list[str] = []
    with open_repo(settings_for(repo_path)) as repo:
        latest = {p.slug: p.commit for p in repo.publications()}
        for article in repo.list_published():
            found += audit_main(repo, article.slug, latest.get(article.slug))
    return found


@contextmanager
def machine_lock(repo_dir: Path, timeout_seconds: float) -> Iterator[None]:
    """An exclusive lock per content repository on this machine (raises `PublishSkipped` on timeout)."""
    digest = hashlib.sha256(str(repo_dir.resolve()).encode()).hexdigest()[:16]
    lock_path = Path(tempfile.gettempdir()) / f"editorial-publish-{digest}.lock"
    deadline = time.monotonic() + timeout_seconds
    with lock_path.open("a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise PublishSkipped("another publish run holds this repository's lock") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_concurrency_limit(name: str = PUBLISH_CONCURRENCY_LIMIT, limit: int = 1) -> None:
    """Create the global concurrency limit when missing (an uncreated limit would be skipped silently)."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectAlreadyExists

    # Another run may create it between our read and our create: then it exists, which is the point.
    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):
        client.upsert_global_concurrency_limit_by_name(name, limit)


@contextmanager
def one_publish_run(repo_dir: Path, timeout_seconds: float) -> Iterator[None]:
    """Hold this machine's lock (with a Prefect server, the global slot too), or raise `PublishSkipped`.

    Neither outlives a holder that dies: the machine lock is an `flock` the kernel releases with the
    process, and the server's slot is a lease (`PUBLISH_LEASE_SECONDS`, renewed while the run lives)
    that the server takes back once it is not renewed. On the embedded API (one machine, an API per
    process) the machine lock alone serializes runs: a slot held in a per-process API would leak
    with a killed process.
    """
    from prefect.settings import get_current_settings

    if not get_current_settings().api.url:
        with machine_lock(repo_dir, timeout_seconds):
            yield
        return
    from prefect.concurrency.sync import concurrency

    ensure_concurrency_limit()
    try:
        with (
            concurrency(
                PUBLISH_CONCURRENCY_LIMIT,
                occupy=1,
                timeout_seconds=timeout_seconds,
                strict=True,
                lease_duration=PUBLISH_LEASE_SECONDS,
            ),
            machine_lock(repo_dir, timeout_seconds),
        ):
            yield
    except TimeoutError as exc:
        raise PublishSkipped("another publish run holds the global publish slot") from exc


def publication_record(repo: ContentRepo, candidate: Candidate, now: datetime) -> PublicationRecord:
    """What the review approved, as the repository records it in the publishing commit."""
    from content_repo import PublicationRecord
    from flows.context import identity_of
    from reviewers.desk import reviewers_of
    from reviewers.ledger import ClaimStatus

    assert candidate.ledger is not None
    _, roster, _ = verified_rules(repo)
    people = reviewers_of(candidate.ledger, roster)
    return PublicationRecord(
        reviewers=[identity_of(p) for p in people],
        content_hash=candidate.ledger.content_hash,  # the gate checked the text has exactly this hash
        approved_flags=candidate.ledger.count(ClaimStatus.APPROVED),
        reviewed_on=now.date(),
    )


@task(name="publish-drafts", cache_policy=NO_CACHE)
def publish_candidates(
    repo_path: Path | None, candidates: list[Candidate], now: datetime
) -> list[DraftOutcome]:
    """Publish each publishable draft at the head it was read at; the others are reported with reasons."""
    from content_repo.errors import ContentRepoError
    from flows.context import open_repo

    outcomes: list[DraftOutcome] = []
    with open_repo(settings_for(repo_path)) as repo:
        for candidate in candidates:
            if candidate.reasons:
                reason = "; ".join(candidate.reasons)
                outcomes.append(DraftOutcome(slug=candidate.slug, outcome=Outcome.HELD, reason=reason))
                continue
            try:
                record = publication_record(repo, candidate, now)
                publication = repo.publish(
                    candidate.slug, expected_draft_commit=candidate.head, record=record
                )
            except ContentRepoError as exc:
                refused = f"refused: {exc}"
                outcomes.append(DraftOutcome(slug=candidate.slug, outcome=Outcome.HELD, reason=refused))
                continue
            outcomes.append(
                DraftOutcome(
                    slug=candidate.slug,
                    outcome=Outcome.PUBLISHED,
                    version=publication.version,
                    commit=publication.commit,
                    tag=publication.tag,
                )
            )
    return outcomes


def missing_remote_note(repo_path: Path | None, remote: str) -> str | None:
    """Why no push can happen when the repository has no remote of that name, else None."""
    from flows.context import open_repo

    with open_repo(settings_for(repo_path)) as repo:
        if remote in repo.remotes():
            return None
    return (
        f"the content repository has no remote {remote!r}: published on the local main only "
        f"(add one with `git remote add {remote} URL`, or pass --no-push)"
    )


@task(name="push", retries=PUSH_RETRIES, retry_delay_seconds=PUSH_RETRY_DELAYS, cache_policy=NO_CACHE)
def push_to_remote(repo_path: Path | None, remote: str) -> None:
    """Push main, drafts and tags to the remote (retried: a remote can be briefly unreachable)."""
    from flows.context import open_repo

    with open_repo(settings_for(repo_path)) as repo:
        repo.push(remote, attempts=1)  # the retries are this task's, declared above


def report_rows(report: PublishReport) -> list[dict[str, str]]:
    """The publish report as table rows for the Prefect UI."""
    return [
        {
            "slug": d.slug,
            "outcome": d.outcome.value,
            "version": str(d.version or ""),
            "commit": (d.commit or "")[:12],
            "reason": d.reason,
        }
        for d in report.drafts
    ]


def announce(report: PublishReport, repo_dir: Path, remote: str | None) -> None:
    """Events for what the run did (published, held back, push failed); the writer of each published
    draft and the operator of a failed push are told (`flows.notify`). Held-back drafts are reported
    by the daily `editorial notify held-back`, not on every run."""
    from flows.events import Transition, emit, emit_about, repository_resource
    from flows.notify import notify_transition

    for item in report.published:
        published = {"version": item.version, "tag": item.tag, "commit": item.commit}
        emit(Transition.PUBLISHED, item.slug, payload=published)
        notify_transition(Transition.PUBLISHED, item.slug, repo_path=repo_dir, payload=published)
    for item in report.held:
        emit(Transition.HELD_BACK, item.slug, payload={"reason": item.reason})
    if report.push_error:
        failed = {
            "remote": remote,
            "error": report.push_error,
            "published": [d.slug for d in report.published],
        }
        emit_about(Transition.PUSH_FAILED, repository_resource(repo_dir.name), payload=failed)
        notify_transition(Transition.PUSH_FAILED, "", payload=failed)


@flow(name="publish-approved")
def publish_approved(
    repo_path: Path | None = None,
    remote: str | None = "origin",
    now: datetime | None = None,
    lock_timeout_seconds: float = 60.0,
    push_retry_delay_seconds: list[float] | None = None,
) -> PublishReport:
    """Publish every approved draft whose `publish_after` has come; push; report what waits and why.

    The push runs on every run when `remote` is set (None: no push), so publications whose push failed
    earlier are sent by the next run.
    """
    logger = get_run_logger()
    moment = utc_now(now)
    repo_dir = settings_for(repo_path).repo
    push_note = missing_remote_note(repo_path, remote) if remote else None
    if push_note:
        logger.warning(push_note)
        remote = None
    push = push_to_remote
    if push_retry_delay_seconds is not None:
        push = push_to_remote.with_options(retry_delay_seconds=push_retry_delay_seconds)
    try:
        with one_publish_run(repo_dir, lock_timeout_seconds):  # the push too: it may merge the remote's main
            completed = complete_half_applied(repo_path)
            unguarded = unguarded_main_changes(repo_path)
            if unguarded:  # never publish onto, nor push, a main someone changed outside the desk
                raise MainNotGuarded(
                    "main holds changes no publication made, so nothing was published or pushed: "
                    + "; ".join(unguarded)
                    + " (an editor must revert them: `editorial rollback` or `git revert`, then publish)"
                )
            candidates = read_candidates(repo_path, moment)
            outcomes = publish_candidates(repo_path, candidates, moment)
            push_state = push(repo_path, remote, return_state=True) if remote else None
    except PublishSkipped as exc:
        logger.warning("publish run skipped: %s", exc)
        report = PublishReport(drafts=[], skipped=str(exc))
        create_table_artifact(
            table=[{"slug": "", "outcome": "skipped", "version": "", "commit": "", "reason": str(exc)}],
            key="publish-report",
            description="Publish run skipped",
        )
        return report
    report = PublishReport(drafts=outcomes, push_note=push_note, completed=completed)
    if push_state is not None:
        if push_state.is_completed():
            report = report.model_copy(update={"pushed": True})
        else:
            report = report.model_copy(update={"push_error": str(push_state.message or "push failed")})
    summary = f"Publish run at {moment.isoformat()}: {len(report.published)} published, "
    summary += f"{len(report.held)} held back"
    if report.push_error:
        summary += f"; push failed: {report.push_error}"
    if report.push_note:
        summary += f"; {report.push_note}"
    create_table_artifact(table=report_rows(report), key="publish-report", description=summary)
    for item in report.drafts:
        logger.info("%s: %s %s", item.slug, item.outcome.value, item.reason or item.tag or "")
    announce(report, repo_dir, remote)
    if report.push_error:
        done = ", ".join(d.slug for d in report.published) or "nothing new"
        raise PushFailed(
            f"the push to {remote!r} failed after {PUSH_RETRIES + 1} attempts ({report.push_error}); "
            f"published locally: {done}; the next publish run pushes again"
        )
    return report
