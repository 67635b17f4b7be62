"""The `await_review` flow: for teams that decide in the Prefect UI, wait for a clinician's form.

The run pauses with a typed form (a pydantic `RunInput`) listing the draft's claims waiting for the
clinician, each with its sentence, terms and categories. An answer naming an unknown key, rejecting
without a note, deciding nothing, or refused by the policy is answered (a log line and an artifact
saying what to fix) and the form is shown again; nothing is recorded. A valid answer is recorded
through the `record_review` flow (the same rules, `reviewers.desk.decide`, as `editorial review`).

Run from a deployment, the run suspends instead of pausing (`suspend_flow_run`): no process waits, and
a worker resumes it when the form is sent. Run in a process, it pauses (the process waits).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.flow_runs import pause_flow_run, suspend_flow_run
from prefect.input import RunInput
from pydantic import BaseModel, ConfigDict, Field

from flows.record_review import record_review
from flows.review_actions import ReviewOutcome
from flows.tasks import settings_for, utc_now
from reviewers.ledger import Claim, DecisionInput, Verdict
from reviewers.policy import PolicyError
from validators.errors import EditorialError

DEFAULT_WAIT_SECONDS = 7 * 24 * 3600


class FormVerdict(StrEnum):
    """A clinician's choice on one claim in the form (`undecided` leaves it for later)."""

    UNDECIDED = "undecided"
    APPROVE = "approve"
    REJECT = "reject"


class ClaimChoice(BaseModel):
    """One row of the form: which claim, what the clinician decides, and why (required to reject)."""

    key: str = Field(description="The claim's key, as listed above with its sentence.")
    verdict: FormVerdict = FormVerdict.UNDECIDED
    note: str = Field(default="", description="Required when rejecting: what the writer must change.")


class ReviewForm(RunInput):
    """The form a clinician fills in the Prefect UI to decide on a draft's pending claims."""

    decisions: list[ClaimChoice] = Field(default_factory=list)


class PendingClaim(BaseModel):
    """A claim waiting for this reviewer, as the form lists it."""

    model_config = ConfigDict(frozen=True)

    key: str
    categories: list[str]
    terms: list[str]
    line: int
    sentence: str


class AwaitReviewResult(BaseModel):
    """How the wait ended: the recorded review, or why nothing was asked."""

    model_config = ConfigDict(frozen=True)

    slug: str
    reviewer_id: str
    asked: int = Field(ge=0, description="How many times the form was shown.")
    outcome: ReviewOutcome | None = None
    note: str = ""


class AnswerRefused(EditorialError):
    """An answer from the form that cannot be recorded; the message says what to fix."""


@task(name="pending-claims", cache_policy=NO_CACHE)
def pending_claims(repo_path: Path | None, slug: str, reviewer_id: str) -> list[PendingClaim]:
    """The claims of the draft waiting for `reviewer_id`: pending, theirs to decide, not decided by them."""
    from flows.context import load_policy_from, load_roster_from, open_repo, read_draft_under_review
    from reviewers.desk import waiting_for

    with open_repo(settings_for(repo_path)) as repo:
        draft = read_draft_under_review(repo, slug)
        roster, policy = load_roster_from(repo), load_policy_from(repo)
    if draft.ledger is None:
        raise AnswerRefused(f"{slug}: the draft has no review ledger yet; submit it first")
    waiting = waiting_for(draft.ledger, roster.get(reviewer_id), policy, utc_now())
    return [to_pending(c) for c in waiting]


def to_pending(claim: Claim) -> PendingClaim:
    """The form's view of a claim."""
    return PendingClaim(
        key=claim.key,
        categories=[str(c) for c in claim.requirement],
        terms=claim.terms,
        line=claim.line,
        sentence=claim.sentence,
    )


def form_description(slug: str, pending: list[PendingClaim], problem: str | None) -> str:
    """The Markdown shown above the form: what was wrong with the last answer, then the claims."""
    lines: list[str] = []
    if problem:
        lines += [f"**Your last answer was not recorded:** {problem}", ""]
    lines += [
        f"## Claims of `{slug}` waiting for your decision",
        "",
        "Each claim is a sentence of the article with the terms a clinician must check. For each, set "
        "`verdict` to `approve` or `reject` (a rejection needs a `note` saying what the writer must "
        "change); leave `undecided` to decide later. The rows of the form are in this order.",
        "",
    ]
    for number, claim in enumerate(pending, start=1):
        terms = ", ".join(f"**{t}**" for t in claim.terms)
        lines.append(
            f"{number}. `{claim.key}` line {claim.line} ({', '.join(claim.categories)}: {terms}): "
            f"{claim.sentence}"
        )
    return "\n".join(lines)


def decisions_from(form: ReviewForm, pending: list[PendingClaim]) -> list[DecisionInput]:
    """The form's answer as decisions; raises `AnswerRefused` for unknown keys, missing notes, no decision."""
    known = {f.key for f in pending}
    decisions: list[DecisionInput] = []
    for choice in form.decisions:
        key = choice.key.strip().lower()
        if choice.verdict is FormVerdict.UNDECIDED:
            continue
        if key not in known:
            raise AnswerRefused(f"{choice.key!r} is not the key of a claim waiting for you; use a key listed")
        note = choice.note.strip() or None
        if choice.verdict is FormVerdict.REJECT and note is None:
            raise AnswerRefused(f"rejecting claim {key} needs a note saying what the writer must change")
        decisions.append(DecisionInput(key=key, verdict=Verdict(choice.verdict.value), note=note))
    if not decisions:
        raise AnswerRefused("no decision given: set at least one verdict to approve or reject")
    return decisions


@task(name="check-answer", cache_policy=NO_CACHE)
def check_with_policy(
    repo_path: Path | None, slug: str, reviewer_id: str, decisions: list[DecisionInput]
) -> None:
    """Apply the decisions to the current ledger without recording them; raises `AnswerRefused`."""
    from flows.context import load_policy_from, load_roster_from, open_repo, read_draft_under_review
    from reviewers.desk import decide

    with open_repo(settings_for(repo_path)) as repo:
        draft = read_draft_under_review(repo, slug)
        if draft.ledger is None:
            raise AnswerRefused(f"{slug}: the draft has no review ledger yet")
        try:
            decide(
                draft.ledger,
                decisions,
                reviewer_id,
                load_roster_from(repo),
                load_policy_from(repo),
                utc_now(),
                text_hash=draft.content_hash,
            )
        except PolicyError as exc:
            raise AnswerRefused(str(exc)) from exc


def ask(form: type[ReviewForm], key: str, timeout_seconds: int, poll_interval_seconds: int) -> ReviewForm:
    """Show the form and wait: suspend when run from a deployment (no process waits), else pause."""
    context = FlowRunContext.get()
    in_deployment = context is not None and context.flow_run is not None and context.flow_run.deployment_id
    if in_deployment:
        return suspend_flow_run(wait_for_input=form, timeout=timeout_seconds, key=key)
    return pause_flow_run(
        wait_for_input=form, timeout=timeout_seconds, poll_interval=poll_interval_seconds, key=key
    )


@flow(name="await-review", persist_result=True)
def await_review(
    slug: str,
    reviewer_id: str,
    repo_path: Path | None = None,
    timeout_seconds: int = DEFAULT_WAIT_SECONDS,
    poll_interval_seconds: int = 10,
    max_asks: int = 10,
) -> AwaitReviewResult:
    """Wait for `reviewer_id`'s decisions on `slug` from the Prefect UI form, re-asking until valid."""
    logger = get_run_logger()
    pending = pending_claims(repo_path, slug, reviewer_id)
    if not pending:
        logger.info("%s has no claim waiting for %s", slug, reviewer_id)
        return AwaitReviewResult(slug=slug, reviewer_id=reviewer_id, asked=0, note="no claim is waiting")
    problem: str | None = None
    for asked in range(1, max_asks + 1):
        form = ReviewForm.with_initial_data(
            description=form_description(slug, pending, problem),
            decisions=[ClaimChoice(key=c.key) for c in pending],
        )
        answer = ask(form, f"review-{slug}-{asked}", timeout_seconds, poll_interval_seconds)
        try:
            decisions = decisions_from(answer, pending)
            check_with_policy(repo_path, slug, reviewer_id, decisions)
            outcome = record_review(
                slug, reviewer_id, decisions, repo_path=str(repo_path) if repo_path is not None else None
            )
        except (AnswerRefused, PolicyError) as exc:
            problem = str(exc)
            logger.warning("answer %d not recorded: %s", asked, problem)
            create_markdown_artifact(
                key=f"review-answer-{slug}",
                markdown=f"# Answer {asked} on `{slug}` not recorded\n\n{problem}\n\nAsked again.",
                description=f"Answer from {reviewer_id} refused",
            )
            pending = pending_claims(repo_path, slug, reviewer_id)
            if not pending:
                return AwaitReviewResult(
                    slug=slug, reviewer_id=reviewer_id, asked=asked, note="no claim is waiting any more"
                )
            continue
        logger.info("recorded %d decision(s) on %s: now %s", len(decisions), slug, outcome.status.value)
        return AwaitReviewResult(slug=slug, reviewer_id=reviewer_id, asked=asked, outcome=outcome)
    raise AnswerRefused(f"{slug}: {max_asks} answers were refused; last problem: {problem}")
