"""Prefect events for the desk's transitions, with the draft as the resource.

Emitted only where a Prefect API is at hand: inside a flow run, or when `PREFECT_API_URL` names a
server (a team's server, or the web desk's). A one-off command on a machine without either records
its decision without starting an embedded API just to announce it (that would cost 7-14 s).
"""

from __future__ import annotations

from typing import Any


def api_available() -> bool:
    """True inside a flow run or when a Prefect API URL is configured."""
    from prefect.context import FlowRunContext
    from prefect.settings import get_current_settings

    return FlowRunContext.get() is not None or bool(get_current_settings().api.url)


def emit(event: str, slug: str, *, actor: str | None = None, payload: dict[str, Any] | None = None) -> bool:
    """Emit `event` about `drafts/<slug>` (and the acting person); False when no API is at hand."""
    if not api_available():
        return False
    from prefect.events import emit_event

    related = []
    if actor:
        related.append({"prefect.resource.id": f"editorial.person.{actor}", "prefect.resource.role": "actor"})
    emit_event(
        event=event,
        resource={"prefect.resource.id": f"editorial.draft.{slug}", "prefect.resource.name": slug},
        related=related,
        payload=payload or {},
    )
    return True
