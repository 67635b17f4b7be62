"""The drafts as a publish run reads them: each with its text, ledger, head, and every hold of the gate.

Read once per run (`read_candidates`), by `publish_approved` and by the operator's held-back report
(`flows.notify`): the same facts and the same desk function (`reviewers.desk.publish_gate`) decide.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict

from flows.tasks import check_articles, settings_for
from reviewers.desk import Hold
from reviewers.ledger import ReviewLedger, ledger_path
from validators.errors import EditorialError

if TYPE_CHECKING:
    from content_repo import ContentRepo
    from reviewers.policy import Policy
    from reviewers.roster import Roster
    from reviewers.verification import GovernanceHistory


class Candidate(BaseModel):
    """A draft as read for publishing: the head it was read at, its text, and why it must wait (if so)."""

    model_config = ConfigDict(frozen=True)

    slug: str
    head: str
    text: str
    ledger: ReviewLedger | None
    reasons: list[str]


def revalidate(
    candidate: Candidate,
    settings_repo: Path | None,
    now: datetime,
    roster: Roster,
    policy: Policy,
    provenance: Sequence[Hold] = (),
) -> list[str]:
    """Why the draft text, checked and flagged again now, may not be published (empty = it may).

    `provenance`: why the draft's signed history does not verify (`flows.verify.provenance_holds`).
    """
    from content_repo.layout import article_path
    from reviewers.desk import publish_gate
    from validators.parser import parse_article

    if candidate.ledger is None:
        return [str(hold) for hold in provenance] + [
            "no-ledger: the draft has no review ledger; submit it again"
        ]
    article = parse_article(candidate.text, article_path(candidate.slug))
    checked = check_articles([article], settings_for(settings_repo))[0]
    holds = publish_gate(candidate.ledger, checked, roster, policy, now, provenance=provenance)
    return [str(hold) for hold in holds]


def verified_rules(repo: ContentRepo) -> tuple[GovernanceHistory, Roster, Policy]:
    """The verified roster history, and the roster and policy in force now.

    In a signed repository these are the last ones an editor signed (an unsigned or forged roster
    commit on main is ignored); in an unsigned one, the files on main.
    """
    from flows.context import load_policy_from, load_roster_from
    from flows.verify import governance_of

    governance = governance_of(repo)
    if governance.current is not None:
        return governance, governance.current.roster, governance.current.policy
    return governance, load_roster_from(repo), load_policy_from(repo)


@task(name="read-drafts", cache_policy=NO_CACHE)
def read_candidates(repo_path: Path | None, now: datetime) -> list[Candidate]:
    """Read every draft once (text, ledger, head) and re-validate it at this moment."""
    from content_repo.errors import ContentRepoError
    from flows.context import open_repo
    from flows.verify import provenance_holds

    candidates: list[Candidate] = []
    with open_repo(settings_for(repo_path)) as repo:
        governance, roster, policy = verified_rules(repo)
        for draft in repo.list_drafts():
            try:
                text, ledger_text, head = repo.read_draft(draft.slug)
            except ContentRepoError as exc:
                unreadable = Candidate(slug=draft.slug, head=draft.head, text="", ledger=None, reasons=[])
                candidates.append(unreadable.model_copy(update={"reasons": [str(exc)]}))
                continue
            try:
                ledger = ReviewLedger.from_yaml(ledger_text, ledger_path(draft.slug)) if ledger_text else None
                candidate = Candidate(slug=draft.slug, head=head, text=text, ledger=ledger, reasons=[])
                provenance = provenance_holds(repo, draft.slug, governance)
                reasons = revalidate(candidate, repo_path, now, roster, policy, provenance)
            except EditorialError as exc:
                ledger, reasons = None, [f"cannot be read: {exc}"]
            candidates.append(
                Candidate(slug=draft.slug, head=head, text=text, ledger=ledger, reasons=reasons)
            )
    return candidates
