"""What the desk's `/metrics` endpoint shows, in the Prometheus text format (version 0.0.4).

`read_snapshot(repo_path, now)` reads the content repository once (every draft's ledger, the policy,
the publication tags); `render(snapshot)` is pure and turns it into the exposition text. The web desk
mounts it as `GET /metrics` with `CONTENT_TYPE`:

- `editorial_claims_waiting{role}`: pending claims with a category that role may still approve;
- `editorial_oldest_waiting_claim_age_seconds`: how long the oldest pending claim has waited;
- `editorial_drafts{status}` and `editorial_drafts_held_back`: drafts by status, and those that
  cannot publish as they stand (needs changes, in review, or no ledger for their current text);
- `editorial_last_publish_timestamp_seconds`: when the newest publication reached main.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from reviewers.ledger import ClaimStatus, DraftStatus, ReviewLedger
from reviewers.policy import Policy
from reviewers.roster import Role
from validators.errors import EditorialError

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Snapshot(BaseModel):
    """The numbers the metrics show, as read at one moment."""

    model_config = ConfigDict(frozen=True)

    now: datetime
    waiting_by_role: dict[str, int] = Field(description="Pending claims each role may approve.")
    oldest_waiting_since: datetime | None
    drafts_by_status: dict[str, int]
    drafts_without_ledger: int = Field(ge=0, description="Drafts whose ledger is missing or for other text.")
    last_publish: datetime | None


def policy_roles(policy: Policy) -> list[str]:
    """Every role the policy lets approve something, in the roster's order of roles."""
    named = {role for rule in [policy.default, *policy.categories.values()] for role in rule.roles}
    return [role.value for role in Role if role in named]


def summarize(
    ledgers: Sequence[ReviewLedger],
    drafts_without_ledger: int,
    policy: Policy,
    last_publish: datetime | None,
    now: datetime,
) -> Snapshot:
    """The snapshot of current ledgers: queue depth per role, the oldest wait, drafts by status."""
    from reviewers.desk import draft_status, needs

    waiting = dict.fromkeys(policy_roles(policy), 0)
    statuses = {s.value: 0 for s in DraftStatus if s is not DraftStatus.PUBLISHED}
    oldest: datetime | None = None
    for ledger in ledgers:
        statuses[draft_status(ledger, published=False).value] += 1
        pending = [c for c in ledger.claims if c.status is ClaimStatus.PENDING]
        if pending and (oldest is None or ledger.opened_at < oldest):
            oldest = ledger.opened_at
        for claim in pending:
            roles = {role.value for need in needs(claim, policy) if not need.met for role in need.roles}
            for role in roles:
                waiting[role] = waiting.get(role, 0) + 1
    return Snapshot(
        now=now,
        waiting_by_role=waiting,
        oldest_waiting_since=oldest,
        drafts_by_status=statuses,
        drafts_without_ledger=drafts_without_ledger,
        last_publish=last_publish,
    )


def number(value: float) -> str:
    """A sample value as Prometheus writes it (integers without a fraction)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def gauge(name: str, help_text: str, samples: Sequence[tuple[str, float]]) -> list[str]:
    """One gauge family: HELP, TYPE and its samples (`labels` is the `{...}` part or empty)."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    lines += [f"{name}{labels} {number(value)}" for labels, value in samples]
    return lines


def render(snapshot: Snapshot) -> str:
    """The Prometheus exposition text of a snapshot (families without a value are left out)."""
    lines = gauge(
        "editorial_claims_waiting",
        "Pending claims with a category this role may still approve.",
        [(f'{{role="{role}"}}', count) for role, count in snapshot.waiting_by_role.items()],
    )
    age = (
        (snapshot.now - snapshot.oldest_waiting_since).total_seconds()
        if snapshot.oldest_waiting_since is not None
        else 0.0
    )
    lines += gauge(
        "editorial_oldest_waiting_claim_age_seconds",
        "Seconds the oldest pending claim has waited since its draft was submitted (0: none waits).",
        [("", max(age, 0.0))],
    )
    lines += gauge(
        "editorial_drafts",
        "Drafts under review by status.",
        [(f'{{status="{status}"}}', count) for status, count in snapshot.drafts_by_status.items()],
    )
    held = snapshot.drafts_without_ledger + sum(
        count for status, count in snapshot.drafts_by_status.items() if status != DraftStatus.APPROVED.value
    )
    lines += gauge(
        "editorial_drafts_held_back",
        "Drafts that cannot publish as they stand (needs changes, in review, or no current ledger).",
        [("", held)],
    )
    if snapshot.last_publish is not None:
        lines += gauge(
            "editorial_last_publish_timestamp_seconds",
            "Unix time of the newest publication on main.",
            [("", snapshot.last_publish.timestamp())],
        )
    return "\n".join(lines) + "\n"


def read_snapshot(repo_path: str | Path | None, now: datetime) -> Snapshot:
    """Read every draft's ledger, the policy and the newest publication time from the repository."""
    from flows.context import load_policy_from, open_repo, read_draft_under_review

    ledgers: list[ReviewLedger] = []
    without = 0
    with open_repo(path=repo_path) as repo:
        policy = load_policy_from(repo)
        for info in repo.list_drafts():
            try:
                draft = read_draft_under_review(repo, info.slug)
            except EditorialError:  # unreadable: it cannot publish either
                without += 1
                continue
            if draft.ledger is not None and draft.ledger_is_current:
                ledgers.append(draft.ledger)
            else:
                without += 1
        times = [repo.commit_info(p.commit).authored_at for p in repo.list_published() if p.version > 0]
    return summarize(ledgers, without, policy, max(times, default=None), now)


def metrics_text(repo_path: str | Path | None, now: datetime) -> str:
    """The `/metrics` body for the content repository at `repo_path` (else EDITORIAL_REPO)."""
    return render(read_snapshot(repo_path, now))
