"""The `notify-event` flow: what a Prefect automation runs when the desk emits an event.

`flows.notify` stays free of Prefect (the CLI imports it); this module is the deployment's entrypoint.
docs/notifications.md shows the deployment with its triggers (`editorial.draft.needs-changes`, ...):
Prefect renders the triggering event into this flow's parameters.
"""

from __future__ import annotations

import json
from typing import Any

from prefect import flow, get_run_logger

from flows.notify import Delivery, notify_transition


def deliver_event(event: str, slug: str, payload: dict[str, Any] | str | None) -> list[Delivery]:
    """The notifications of `event`, its payload a mapping or JSON text (`{{ event.payload | tojson }}`)."""
    data = json.loads(payload) if isinstance(payload, str) and payload.strip() else payload
    return notify_transition(event, slug, payload=data if isinstance(data, dict) else {})


@flow(name="notify-event")
def notify_event(event: str, slug: str, payload: dict[str, Any] | str | None = None) -> list[str]:
    """Send the notifications `event` about `slug` calls for; returns one line per delivery.

    `payload` is the event's payload, as a mapping or as JSON text (`{{ event.payload | tojson }}`).
    """
    logger = get_run_logger()
    deliveries = deliver_event(event, slug, payload)
    for delivery in deliveries:
        (logger.info if delivery.ok else logger.warning)("%s", delivery)
    if not deliveries:
        logger.info("%s %s: nothing to send (no recipient, or no SMTP/webhook configured)", event, slug)
    return [str(d) for d in deliveries]
