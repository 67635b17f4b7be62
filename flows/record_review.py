"""The `record_review` flow: a clinician's decisions recorded from a deployment or the Prefect form.

The work is `flows.review_actions.record_decisions` (a direct call, which the CLI and the web desk use
without a flow run); this flow wraps it for Prefect deployments and `await_review`, and leaves a
summary artifact a person reads in the Prefect UI.
"""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.review_actions import ReviewOutcome, record_decisions
from flows.tasks import markdown_table
from reviewers.ledger import DecisionInput


def summary_markdown(outcome: ReviewOutcome) -> str:
    """The artifact a person reads in the Prefect UI."""
    rows = [
        [
            f"`{r.claim}`",
            "+".join(r.decision.categories),
            ", ".join(r.terms),
            r.decision.verdict.value,
            r.decision.note or "",
            r.sentence,
        ]
        for r in outcome.decided
    ]
    return "\n".join(
        [
            f"# Review of `{outcome.slug}` by `{outcome.reviewer_id}`",
            "",
            f"Status: **{outcome.previous_status.value}** → **{outcome.status.value}**; "
            f"commit `{outcome.commit[:12]}`",
            "",
            markdown_table(["claim", "categories", "terms", "verdict", "note", "sentence"], rows),
        ]
    )


@flow(name="record-review", log_prints=False)
def record_review(
    slug: str, reviewer_id: str, decisions: list[DecisionInput], repo_path: str | None = None
) -> ReviewOutcome:
    """Record a clinician's decisions on a draft's claims (all or none), as a commit by the clinician."""
    outcome = record_decisions(repo_path, slug, reviewer_id, decisions)
    create_markdown_artifact(
        summary_markdown(outcome),
        key=f"review-{outcome.slug}",
        description=f"Review of {outcome.slug} by {outcome.reviewer_id}",
    )
    return outcome
