"""The `record_review` flow: a clinician's decisions, checked against roster and policy, committed.

Read the draft, its ledger, the roster and the policy at one moment; apply the decisions (all or
none, `reviewers.ledger.apply_decisions`); commit the new ledger on `drafts/<slug>` authored by the
clinician, only if the branch has not moved since it was read. If it moved, read again and re-apply
(bounded). A refused decision raises `PolicyError` and nothing is recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.events import emit_event
from pydantic import BaseModel, ConfigDict

from content_repo.errors import RefRaceError
from flows.context import identity_of, load_policy_from, load_roster_from, open_repo, read_draft_under_review
from reviewers.ledger import (
    DecisionInput,
    DraftStatus,
    ReviewLedger,
    Verdict,
    apply_decisions,
    draft_status,
)
from reviewers.policy import PolicyError
from validators.errors import EditorialError

MAX_ATTEMPTS = 3


class ReviewRefusedError(EditorialError):
    """The draft cannot be reviewed at all (no ledger yet)."""


class DecidedFlag(BaseModel):
    """One decision as recorded, for the summary."""

    model_config = ConfigDict(frozen=True)

    key: str
    category: str
    term: str
    verdict: Verdict
    note: str | None


class ReviewOutcome(BaseModel):
    """What `record_review` recorded: the commit, the decisions and where the draft now stands."""

    model_config = ConfigDict(frozen=True)

    slug: str
    reviewer_id: str
    commit: str
    status: DraftStatus
    previous_status: DraftStatus
    decided: list[DecidedFlag]
    attempts: int


class ReviewedLedger(BaseModel):
    """The new ledger and what to commit it on top of."""

    model_config = ConfigDict(frozen=True)

    before: ReviewLedger
    after: ReviewLedger
    head: str


@task(name="apply-decisions")
def decide(
    repo_path: str | None, slug: str, reviewer_id: str, decisions: list[DecisionInput], now: datetime
) -> ReviewedLedger:
    """Read draft, ledger, roster and policy and apply the decisions (raises `PolicyError` on refusal)."""
    with open_repo(path=repo_path) as repo:
        draft = read_draft_under_review(repo, slug)
        roster = load_roster_from(repo)
        policy = load_policy_from(repo)
    if draft.ledger is None:
        raise ReviewRefusedError(f"{slug}: the draft has no review ledger yet; run `editorial submit` first")
    after = apply_decisions(
        draft.ledger, decisions, reviewer_id, roster, policy, now, text_hash=draft.article.content_hash
    )
    return ReviewedLedger(before=draft.ledger, after=after, head=draft.head)


@task(name="commit-review")
def commit_review(repo_path: str | None, reviewed: ReviewedLedger, reviewer_id: str, message: str) -> str:
    """Commit the new ledger on the draft branch as the clinician, only from the head that was read."""
    with open_repo(path=repo_path) as repo:
        person = load_roster_from(repo).get(reviewer_id)
        if person is None:  # removed from the roster between reading and committing
            raise PolicyError("PO01", reviewer=reviewer_id)
        commit = repo.record_review(
            reviewed.after.slug,
            reviewed.after.to_yaml(),
            identity_of(person),
            message=message,
            expected_head=reviewed.head,
        )
    return commit.sha


def decided_flags(reviewed: ReviewedLedger, reviewer_id: str) -> list[DecidedFlag]:
    """The flags that gained a decision by `reviewer_id` in this review, in ledger order."""
    before = {f.key: len(f.decisions) for f in reviewed.before.flags}
    decided = []
    for flag in reviewed.after.flags:
        new = flag.decisions[before.get(flag.key, 0) :]
        for decision in new:
            if decision.reviewer_id == reviewer_id:
                decided.append(
                    DecidedFlag(
                        key=flag.key,
                        category=str(flag.category),
                        term=flag.term,
                        verdict=decision.verdict,
                        note=decision.note,
                    )
                )
    return decided


def commit_message(slug: str, reviewer_id: str, decided: list[DecidedFlag]) -> str:
    """`Review <slug>: N approved, M rejected`, one body line per decision, and a Reviewer-Id trailer."""
    approved = sum(1 for d in decided if d.verdict is Verdict.APPROVE)
    rejected = len(decided) - approved
    lines = [f"Review {slug}: {approved} approved, {rejected} rejected", ""]
    for d in decided:
        note = f" ({d.note})" if d.note else ""
        lines.append(f"- {d.verdict.value} {d.key} {d.category} '{d.term}'{note}")
    lines += ["", f"Reviewer-Id: {reviewer_id}"]
    return "\n".join(lines) + "\n"


def summary_markdown(outcome: ReviewOutcome) -> str:
    """The artifact a person reads in the Prefect UI."""
    rows = [
        f"| `{d.key}` | {d.category} | {d.term} | {d.verdict.value} | {(d.note or '').replace('|', '/')} |"
        for d in outcome.decided
    ]
    return "\n".join(
        [
            f"# Review of `{outcome.slug}` by `{outcome.reviewer_id}`",
            "",
            f"Status: **{outcome.previous_status.value}** → **{outcome.status.value}**; "
            f"commit `{outcome.commit[:12]}`",
            "",
            "| key | category | term | verdict | note |",
            "|---|---|---|---|---|",
            *rows,
        ]
    )


@flow(name="record-review", log_prints=False)
def record_review(
    slug: str, reviewer_id: str, decisions: list[DecisionInput], repo_path: str | None = None
) -> ReviewOutcome:
    """Record a clinician's decisions on a draft's flags (all or none), as a commit by the clinician."""
    repo_path = str(Path(repo_path)) if repo_path is not None else None
    for attempt in range(1, MAX_ATTEMPTS + 1):
        reviewed = decide(repo_path, slug, reviewer_id, decisions, datetime.now(UTC))
        decided = decided_flags(reviewed, reviewer_id)
        try:
            sha = commit_review(repo_path, reviewed, reviewer_id, commit_message(slug, reviewer_id, decided))
        except RefRaceError:
            if attempt == MAX_ATTEMPTS:
                raise
            continue  # someone else moved the draft: read it again and re-check every decision
        outcome = ReviewOutcome(
            slug=slug,
            reviewer_id=reviewer_id,
            commit=sha,
            status=draft_status(reviewed.after, published=False),
            previous_status=draft_status(reviewed.before, published=False),
            decided=decided,
            attempts=attempt,
        )
        announce(outcome)
        return outcome
    raise AssertionError("unreachable")  # pragma: no cover


def draft_event(outcome: ReviewOutcome) -> str | None:
    """The event to emit: the draft became approved, or now needs changes; None otherwise."""
    if outcome.status is outcome.previous_status:
        return None
    return {
        DraftStatus.APPROVED: "editorial.draft.approved",
        DraftStatus.NEEDS_CHANGES: "editorial.draft.needs-changes",
    }.get(outcome.status)


def announce(outcome: ReviewOutcome) -> None:
    """The summary artifact, and an event when the draft became approved or needs changes."""
    create_markdown_artifact(
        summary_markdown(outcome),
        key=f"review-{outcome.slug}",
        description=f"Review of {outcome.slug} by {outcome.reviewer_id}",
    )
    event = draft_event(outcome)
    if event is not None:
        emit_event(
            event=event,
            resource={"prefect.resource.id": f"editorial.draft.{outcome.slug}"},
            related=[
                {
                    "prefect.resource.id": f"editorial.reviewer.{outcome.reviewer_id}",
                    "prefect.resource.role": "reviewer",
                }
            ],
            payload={"commit": outcome.commit, "reviewer": outcome.reviewer_id},
        )
