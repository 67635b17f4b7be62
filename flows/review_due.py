"""The `review_due` flow: reopen every published article whose last medical review has expired.

An article is due when its `last_reviewed` date (stamped by publishing) is at least the policy's
`review_interval_months` (12 by default) before today, or when it has none. Each due article is
opened for re-review as a draft on `drafts/<slug>` (the published text, committed by the pipeline)
with a fresh ledger where every flag is pending again. An article that already has an open draft is
reported and left alone.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict

from flows.tasks import check_articles, settings_for, utc_now
from reviewers.ledger import open_ledger


class DueArticle(BaseModel):
    """A published article and where its review stands."""

    model_config = ConfigDict(frozen=True)

    slug: str
    version: int
    last_reviewed: date | None
    due_on: date | None
    action: str


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months (the day clamped to the target month's length)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def review_due_on(last_reviewed: date | None, interval_months: int) -> date | None:
    """The day a review expires (None when the article was never reviewed: due at once)."""
    return add_months(last_reviewed, interval_months) if last_reviewed is not None else None


@task(name="reopen-due-articles", cache_policy=NO_CACHE)
def reopen_due_articles(repo_path: Path | None, now: datetime) -> list[DueArticle]:
    """Find the published articles whose review expired and open each for re-review."""
    from flows.context import load_policy_from, open_repo
    from validators.parser import parse_article

    settings = settings_for(repo_path)
    today = now.date()
    results: list[DueArticle] = []
    with open_repo(settings) as repo:
        policy = load_policy_from(repo)
        open_drafts = {d.slug for d in repo.list_drafts()}
        due: list[tuple[int, date | None, date | None]] = []
        articles = []
        for published in repo.list_published():
            article = parse_article(published.text, f"articles/{published.slug}.md")
            last = article.front_matter.last_reviewed if article.front_matter is not None else None
            due_on = review_due_on(last, policy.review_interval_months)
            if due_on is not None and due_on > today:
                continue
            if published.slug in open_drafts:
                results.append(
                    DueArticle(
                        slug=published.slug,
                        version=published.version,
                        last_reviewed=last,
                        due_on=due_on,
                        action="already open for review",
                    )
                )
                continue
            articles.append(article)
            due.append((published.version, last, due_on))
        for checked, (version, last, due_on) in zip(check_articles(articles, settings), due, strict=True):
            article = checked.article
            ledger = open_ledger(article, checked.flags, checked.findings, None, now, policy=policy)
            pending = sum(1 for f in ledger.flags if f.blocks_publishing)
            message = (
                f"Reopen {article.slug} for medical re-review: last reviewed {last or 'never'}, "
                f"interval {policy.review_interval_months} months"
            )
            repo.save_draft(article, repo.pipeline, ledger_text=ledger.to_yaml(), message=message)
            results.append(
                DueArticle(
                    slug=article.slug,
                    version=version,
                    last_reviewed=last,
                    due_on=due_on,
                    action=f"reopened on drafts/{article.slug} ({pending} flag(s) pending)",
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
