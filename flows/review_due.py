"""The `review_due` flow: reopen every published article whose last medical review has expired.

Whether a review is due is the desk's rule (`reviewers.desk.review_expiry`: never reviewed, a review
date in the future, or older than the policy's `review_interval_months`). Each due article is opened
for re-review as a draft on `drafts/<slug>` (the published text, committed by the pipeline) with a
fresh ledger where every claim is pending again (`reviewers.desk.reopen`). An article that already
has an open draft is reported and left alone; one that cannot be read is reported and the run goes on.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict

from flows.events import Transition, emit
from flows.tasks import check_articles, settings_for, utc_now
from validators.errors import EditorialError


class DueArticle(BaseModel):
    """A published article and where its review stands."""

    model_config = ConfigDict(frozen=True)

    slug: str
    version: int
    last_reviewed: date | None
    due_on: date | None
    action: str


@task(name="reopen-due-articles", cache_policy=NO_CACHE)
def reopen_due_articles(repo_path: Path | None, now: datetime) -> list[DueArticle]:
    """Find the published articles whose review expired and open each for re-review."""
    from flows.context import load_policy_from, open_repo
    from reviewers.desk import reopen, review_expiry
    from validators.models import Article
    from validators.parser import parse_article

    settings = settings_for(repo_path)
    today = now.date()
    results: list[DueArticle] = []
    with open_repo(settings) as repo:
        policy = load_policy_from(repo)
        open_drafts = {d.slug for d in repo.list_drafts()}
        due: list[tuple[int, date | None, date | None, str]] = []
        articles: list[Article] = []
        for published in repo.list_published():
            try:
                article = parse_article(published.text, f"articles/{published.slug}.md")
            except EditorialError as exc:
                results.append(
                    DueArticle(
                        slug=published.slug,
                        version=published.version,
                        last_reviewed=None,
                        due_on=None,
                        action=f"cannot be read, not reopened: {exc}",
                    )
                )
                continue
            last = article.front_matter.last_reviewed if article.front_matter is not None else None
            expiry = review_expiry(last, policy.review_interval_months, today)
            if not expiry.due:
                continue
            if published.slug in open_drafts:
                results.append(
                    DueArticle(
                        slug=published.slug,
                        version=published.version,
                        last_reviewed=last,
                        due_on=expiry.due_on,
                        action=f"{expiry.reason}; already open for review",
                    )
                )
                continue
            articles.append(article)
            due.append((published.version, last, expiry.due_on, expiry.reason))
        for submission, (version, last, due_on, reason) in zip(
            check_articles(articles, settings), due, strict=True
        ):
            ledger = reopen(submission, now, policy)
            message = (
                f"Reopen {submission.slug} for medical re-review: {reason}, "
                f"interval {policy.review_interval_months} months"
            )
            repo.save_draft(submission.article, repo.pipeline, ledger_text=ledger.to_yaml(), message=message)
            emit(Transition.REVIEW_DUE, submission.slug, payload={"reason": reason})
            results.append(
                DueArticle(
                    slug=submission.slug,
                    version=version,
                    last_reviewed=last,
                    due_on=due_on,
                    action=f"{reason}; reopened on drafts/{submission.slug} "
                    f"({len(ledger.claims)} claim(s) pending)",
                )
            )
    return sorted(results, key=lambda r: r.slug)


@flow(name="review-due")
def review_due(repo_path: Path | None = None, now: datetime | None = None) -> list[DueArticle]:
    """Open every published article whose medical review has expired for re-review, and report them."""
    logger = get_run_logger()
    moment = utc_now(now)
    results = reopen_due_articles(repo_path, moment)
    create_table_artifact(
        table=[
            {
                "slug": r.slug,
                "version": str(r.version),
                "last reviewed": str(r.last_reviewed or "never"),
                "due on": str(r.due_on or "now"),
                "action": r.action,
            }
            for r in results
        ],
        key="review-due",
        description=f"Reviews due on {moment.date().isoformat()}: {len(results)} article(s)",
    )
    for r in results:
        logger.info("%s v%d: %s", r.slug, r.version, r.action)
    if not results:
        logger.info("no published article is due for re-review")
    return results
