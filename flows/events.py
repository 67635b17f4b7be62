"""Prefect events for the desk's transitions, with the draft as the resource.

Every transition the desk announces is a constant of `Transition` (one place: the flows, the
notifications and the Prefect automations in docs/notifications.md all use these names). Emitted only
where a Prefect API is at hand: inside a flow run, or when `PREFECT_API_URL` names a server (a team's
server, or the web desk's). A one-off command on a machine without either records its decision
without starting an embedded API just to announce it (that would cost 7-14 s).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Transition(StrEnum):
    """The events of the desk: what happened to a draft (or to the repository's push)."""

    SUBMITTED = "editorial.draft.submitted"  # a writer's draft saved with its ledger
    NEEDS_CHANGES = "editorial.draft.needs-changes"  # an error finding or a rejected claim
    CLAIM_DECIDED = "editorial.claim.decided"  # payload: claim, verdict, categories, commit
    CLAIM_COMMENTED = "editorial.claim.commented"
    APPROVED = "editorial.draft.approved"  # every claim approved: publishes on the next run
    PUBLISHED = "editorial.draft.published"  # payload: version, tag, commit
    HELD_BACK = "editorial.draft.held-back"  # payload: reason (the publish gate's holds)
    PUSH_FAILED = "editorial.push.failed"  # resource: the repository; payload: remote, error
    REVIEW_DUE = "editorial.review.due"  # a published article's medical review expired
    ROLLED_BACK = "editorial.draft.rolled-back"  # payload: to_version, version, reason
    UNPUBLISHED = "editorial.draft.unpublished"  # payload: reason
    DISCARDED = "editorial.draft.discarded"  # payload: archive ref, reason


def draft_resource(slug: str) -> dict[str, str]:
    """The Prefect resource of a draft (and of the article it becomes)."""
    return {"prefect.resource.id": f"editorial.draft.{slug}", "prefect.resource.name": slug}


def repository_resource(name: str) -> dict[str, str]:
    """The Prefect resource of a content repository (for events about it as a whole, like a push)."""
    return {"prefect.resource.id": f"editorial.repository.{name}", "prefect.resource.name": name}


def api_available() -> bool:
    """True inside a flow run or when a Prefect API URL is configured."""
    from prefect.context import FlowRunContext
    from prefect.settings import get_current_settings

    return FlowRunContext.get() is not None or bool(get_current_settings().api.url)


def emit_about(
    event: str,
    resource: dict[str, str],
    *,
    actor: str | None = None,
    payload: dict[str, Any] | None = None,
) -> bool:
    """Emit `event` about `resource` (and the acting person); False when no API is at hand."""
    if not api_available():
        return False
    from prefect.events import emit_event

    related = []
    if actor:
        related.append({"prefect.resource.id": f"editorial.person.{actor}", "prefect.resource.role": "actor"})
    emit_event(event=str(event), resource=resource, related=related, payload=payload or {})
    return True


def emit(event: str, slug: str, *, actor: str | None = None, payload: dict[str, Any] | None = None) -> bool:
    """Emit `event` about `drafts/<slug>` (and the acting person); False when no API is at hand."""
    return emit_about(event, draft_resource(slug), actor=actor, payload=payload)
