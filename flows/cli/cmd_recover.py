"""`editorial rollback | unpublish | discard`: the recovery commands, each with a required reason.

- `rollback SLUG VERSION` publishes again what version VERSION published, as a new version on main;
- `unpublish SLUG` removes the article and its review from main (its tags and history stay);
- `discard SLUG` retires a draft that can no longer publish (conflicted, abandoned): its branch is
  archived under `refs/archive/drafts/<slug>/<head>`, with a last commit on it stating the reason.

Whoever acts (`--by`, else EDITORIAL_REVIEWER) must be active on the roster: their name is the commit's
author. Each prints one line saying what was done, emits the transition's event and tells the writer
of a discarded draft. A missing version, draft or publication is one line on standard error, exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from flows.cli.app import Exit, app
from flows.cli.common import REPO_HELP, fail, repo_of, reported_errors, say

if TYPE_CHECKING:
    from content_repo import ContentRepo, Identity

REASON_HELP = "Why (required; shown in the output, the event and the writer's notification)."
BY_HELP = "Your roster id (default: EDITORIAL_REVIEWER)."


def reason_of(text: str) -> str:
    """The reason, stripped; an empty one is refused."""
    reason = " ".join(text.split())
    if not reason:
        fail("--reason is empty: say why (it is recorded with the action)")
    return reason


def actor_of(repo: ContentRepo, by: str | None) -> tuple[str, Identity]:
    """The acting person's roster id and git identity; they must be active on the roster on main."""
    from flows.context import acting_reviewer, identity_of, load_roster_from

    person_id = acting_reviewer(by)
    person = load_roster_from(repo).get(person_id)
    if person is None:
        fail(f"{person_id!r} is not on the roster (roster.yaml on main): pass --by YOUR-ROSTER-ID")
    if not person.active:
        fail(f"{person_id!r} is inactive on the roster and cannot change what is published", Exit.FINDINGS)
    return person_id, identity_of(person)


@app.command("rollback")
def rollback_command(
    slug: str = typer.Argument(..., help="The article."),
    version: int = typer.Argument(
        ..., min=1, help="The published version to put back (N of published/<slug>/vN)."
    ),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """Publish again what an earlier version published, as a new version on main."""
    from content_repo import ContentRepo
    from flows.events import Transition, emit

    why = reason_of(reason)
    with reported_errors(), ContentRepo.open(repo_of(repo)) as content:
        actor_id, actor = actor_of(content, by)
        publication = content.rollback(slug, version, actor)
    say(
        f"{slug}: rolled back to v{version}, published as v{publication.version} "
        f"(commit {publication.commit[:12]}, tag {publication.tag}); reason: {why}"
    )
    payload = {"to_version": version, "version": publication.version, "tag": publication.tag, "reason": why}
    emit(Transition.ROLLED_BACK, slug, actor=actor_id, payload=payload)


@app.command("unpublish")
def unpublish_command(
    slug: str = typer.Argument(..., help="The article to take off main."),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """Remove a published article and its review from main (its version tags and history stay)."""
    from content_repo import ContentRepo
    from flows.events import Transition, emit

    why = reason_of(reason)
    with reported_errors(), ContentRepo.open(repo_of(repo)) as content:
        actor_id, actor = actor_of(content, by)
        commit = content.unpublish(slug, actor)
    say(f"{slug}: unpublished (commit {commit.sha[:12]}; its version tags stay); reason: {why}")
    emit(Transition.UNPUBLISHED, slug, actor=actor_id, payload={"commit": commit.sha, "reason": why})


@app.command("discard")
def discard_command(
    slug: str = typer.Argument(..., help="The draft to retire."),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """Archive a draft that can no longer publish; its submissions and decisions stay in the archive."""
    from content_repo import ContentRepo
    from flows.events import Transition, emit
    from flows.notify import notify_transition

    why = reason_of(reason)
    repo_path = repo_of(repo)
    with reported_errors(), ContentRepo.open(repo_path) as content:
        _, ledger_text, head = content.read_draft(slug)
        actor_id, actor = actor_of(content, by)
        if ledger_text is not None:  # the reason as the draft's last commit, kept in the archive
            message = f"Discard {slug}\n\n{why}\n"
            head = content.record_review(slug, ledger_text, actor, message=message, expected_head=head).sha
        archive = content.discard_draft(slug, expected_head=head)
    say(f"{slug}: draft discarded, kept as {archive}; reason: {why}")
    payload = {"archive": archive, "reason": why}
    emit(Transition.DISCARDED, slug, actor=actor_id, payload=payload)
    if ledger_text is not None:
        for delivery in notify_transition(
            Transition.DISCARDED, slug, repo_path=repo_path, payload={**payload, "ledger": ledger_text}
        ):
            say(f"note: {delivery}", err=not delivery.ok)
