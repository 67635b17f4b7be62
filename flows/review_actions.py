"""A clinician's actions, recorded by a direct call: read, apply the desk's rule, commit, emit an event.

A click on the web desk or an `editorial review` is not a flow run (a flow run costs about a second):
these functions read the draft, its ledger, the roster and the policy at one head, call
`reviewers.desk.decide` (or `comment`), and commit the new ledger on `drafts/<slug>` as the clinician,
only from the head that was read. If someone else moved the draft meanwhile (another decision, a
resubmission), everything is read again and the rule applied again to the new head, so no decision
recorded meanwhile is lost and a decision on text that changed is refused (PO08).
"""

from __future__ import annotations

import random
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from flows.context import identity_of, load_policy_from, load_roster_from, open_repo, read_draft_under_review
from flows.events import Transition, emit
from flows.tasks import utc_now
from reviewers.desk import Decided, RecordedDecision, comment, decide
from reviewers.ledger import DecisionInput, DraftStatus, ReviewLedger, Verdict
from validators.errors import EditorialError

if TYPE_CHECKING:
    from content_repo import SigningKey

MAX_ATTEMPTS = 25


def back_off(attempt: int) -> None:
    """A random pause of up to 5, 10, 20 ... 200 ms after a lost race (jitter spreads racing writers)."""
    time.sleep(random.uniform(0, min(0.2, 0.005 * 2**attempt)))


class ReviewRefusedError(EditorialError):
    """The draft cannot be reviewed at all (no ledger yet)."""


class ReviewOutcome(BaseModel):
    """What was recorded: the commit, the decisions and where the draft now stands."""

    model_config = ConfigDict(frozen=True)

    slug: str
    reviewer_id: str
    commit: str
    status: DraftStatus
    previous_status: DraftStatus
    decided: list[RecordedDecision]
    attempts: int


def commit_message(
    slug: str, reviewer_id: str, recorded: list[RecordedDecision], *, via: str | None = None
) -> str:
    """`Review <slug>: N approved, M rejected`, one body line per claim, and a Reviewer-Id trailer.

    With `via` (a service signing for the clinician), an `On-Behalf-Of: <reviewer id>` trailer too.
    """
    counts = {v: sum(1 for r in recorded if r.decision.verdict is v) for v in Verdict}
    subject = f"Review {slug}: {counts[Verdict.APPROVE]} approved, {counts[Verdict.REJECT]} rejected"
    if counts[Verdict.WITHDRAW]:
        subject += f", {counts[Verdict.WITHDRAW]} withdrawn"
    lines = [subject, ""]
    for r in recorded:
        note = f" ({r.decision.note})" if r.decision.note else ""
        categories = "+".join(r.decision.categories)
        lines.append(
            f"- {r.decision.verdict.value} claim {r.claim} [{categories}] {', '.join(r.terms)}{note}"
        )
    lines += ["", f"Reviewer-Id: {reviewer_id}"]
    if via:
        lines.append(f"On-Behalf-Of: {reviewer_id}")
    return "\n".join(lines) + "\n"


def record_decisions(
    repo_path: str | Path | None,
    slug: str,
    reviewer_id: str,
    decisions: list[DecisionInput],
    *,
    now: datetime | None = None,
    via: str | None = None,
    signer: SigningKey | None = None,
    push: bool | str = True,
) -> ReviewOutcome:
    """Record a clinician's decisions on a draft's claims (all or none) as a commit by the clinician.

    `signer` signs the commit: the clinician's own key, or (with `via`, the service's roster id) the
    desk service's key, the commit then naming the clinician in an `On-Behalf-Of:` trailer.
    Raises `PolicyError` (nothing recorded) when the desk's rules refuse a decision.
    """
    from content_repo.errors import RefRaceError

    for attempt in range(1, MAX_ATTEMPTS + 1):
        moment = utc_now(now)
        with open_repo(path=repo_path) as repo:
            draft = read_draft_under_review(repo, slug)
            if draft.ledger is None:
                raise ReviewRefusedError(
                    f"{slug}: the draft has no review ledger yet; run `editorial submit` first"
                )
            roster = load_roster_from(repo)
            decided = decide(
                draft.ledger,
                decisions,
                reviewer_id,
                roster,
                load_policy_from(repo),
                moment,
                text_hash=draft.content_hash,
                via=via,
            )
            person = roster.get(reviewer_id)
            assert person is not None  # decide refused otherwise
            try:
                commit = repo.record_review(
                    slug,
                    decided.after.to_yaml(),
                    identity_of(person),
                    message=commit_message(slug, reviewer_id, decided.recorded, via=via),
                    expected_head=draft.head,
                    signer=signer,
                )
            except RefRaceError:
                if attempt == MAX_ATTEMPTS:
                    raise
                back_off(attempt)
                continue  # the draft moved: read it again and apply the rules to the new head
        outcome = ReviewOutcome(
            slug=slug,
            reviewer_id=reviewer_id,
            commit=commit.sha,
            status=decided.status_after,
            previous_status=decided.status_before,
            decided=decided.recorded,
            attempts=attempt,
        )
        announce(outcome, decided, repo_path)
        sync(repo_path, push)
        return outcome
    raise AssertionError("unreachable")  # pragma: no cover


def record_comment(
    repo_path: str | Path | None,
    slug: str,
    author_id: str,
    sentence: str,
    text: str,
    *,
    now: datetime | None = None,
    via: str | None = None,
    signer: SigningKey | None = None,
    push: bool | str = True,
) -> str:
    """Record a comment on one sentence of a draft as a commit by its author; returns the commit.

    `signer` signs it (the author's key, or with `via` the desk service's: `On-Behalf-Of:` names them).
    """
    from content_repo.errors import RefRaceError

    for attempt in range(1, MAX_ATTEMPTS + 1):
        with open_repo(path=repo_path) as repo:
            draft = read_draft_under_review(repo, slug)
            if draft.ledger is None:
                raise ReviewRefusedError(
                    f"{slug}: the draft has no review ledger yet; run `editorial submit` first"
                )
            roster = load_roster_from(repo)
            after: ReviewLedger = comment(
                draft.ledger,
                sentence,
                text,
                author_id,
                roster,
                utc_now(now),
                text_hash=draft.content_hash,
                article_text=draft.text,
                via=via,
            )
            person = roster.get(author_id)
            assert person is not None
            message = (
                f"Comment on {slug}\n\n> {sentence.strip()}\n\n{text.strip()}\n\nReviewer-Id: {author_id}\n"
            )
            if via:
                message += f"On-Behalf-Of: {author_id}\n"
            try:
                commit = repo.record_review(
                    slug,
                    after.to_yaml(),
                    identity_of(person),
                    message=message,
                    expected_head=draft.head,
                    signer=signer,
                )
            except RefRaceError:
                if attempt == MAX_ATTEMPTS:
                    raise
                back_off(attempt)
                continue
        emit(Transition.CLAIM_COMMENTED, slug, actor=author_id, payload={"commit": commit.sha})
        sync(repo_path, push)
        return commit.sha
    raise AssertionError("unreachable")  # pragma: no cover


def sync(repo_path: str | Path | None, push: bool | str) -> None:
    """Push the new commit to the remote: now (True), on a background thread ("background"), or not."""
    from flows.sync import push_in_background, push_now

    if push == "background":
        push_in_background(repo_path)
    elif push:
        push_now(repo_path)


def announce(outcome: ReviewOutcome, decided: Decided, repo_path: str | Path | None = None) -> None:
    """An event per decided claim, and one when the draft became approved or now needs changes; the
    writer is told (`flows.notify`) when the draft needs changes or a claim was rejected."""
    from flows.notify import notify_transition

    for recorded in decided.recorded:
        emit(
            Transition.CLAIM_DECIDED,
            outcome.slug,
            actor=outcome.reviewer_id,
            payload={
                "commit": outcome.commit,
                "claim": recorded.claim,
                "verdict": recorded.decision.verdict.value,
                "categories": [str(c) for c in recorded.decision.categories],
            },
        )
    event = draft_event(outcome)
    if event is not None:
        emit(event, outcome.slug, actor=outcome.reviewer_id, payload={"commit": outcome.commit})
    rejected = [r.claim for r in decided.recorded if r.decision.verdict is Verdict.REJECT]
    if event == Transition.NEEDS_CHANGES:
        notify_transition(Transition.NEEDS_CHANGES, outcome.slug, repo_path=repo_path)
    elif rejected:
        payload = {"verdict": "reject", "claims": rejected}
        notify_transition(Transition.CLAIM_DECIDED, outcome.slug, repo_path=repo_path, payload=payload)


def draft_event(outcome: ReviewOutcome) -> str | None:
    """The event to emit: the draft became approved, or now needs changes; None otherwise."""
    if outcome.status is outcome.previous_status:
        return None
    return {
        DraftStatus.APPROVED: Transition.APPROVED,
        DraftStatus.NEEDS_CHANGES: Transition.NEEDS_CHANGES,
    }.get(outcome.status)
