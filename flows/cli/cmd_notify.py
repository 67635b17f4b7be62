"""`editorial notify digest | held-back | event`: build notifications, print them, or send them with --send.

Without `--send` the messages are printed (what would be sent, to whom); with it they go by e-mail
(EDITORIAL_SMTP_HOST ...) and to the webhook (EDITORIAL_WEBHOOK_URL). A message that could not be
delivered is named on standard error and the command exits 1; nothing configured to send with exits 2.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from flows.cli.app import Exit, app
from flows.cli.common import REPO_HELP, fail, repo_of, reported_errors, say

if TYPE_CHECKING:
    from flows.notify import Message, NotifySettings

notify_app = typer.Typer(
    help="Notifications: clinicians' digests, stuck drafts, and the messages of one event.",
    no_args_is_help=True,
)
app.add_typer(notify_app, name="notify")

SEND_HELP = "Send the messages (e-mail and webhook as configured); without it, print them."


def print_messages(messages: Sequence[Message]) -> None:
    """Each message as it would be sent: recipients, subject, body."""
    for message in messages:
        say(f"To: {', '.join(message.to) or '(webhook only)'}")
        say(f"Subject: {message.subject}")
        say("")
        typer.echo(message.body.rstrip("\n"))
        say("")


def send_or_print(messages: Sequence[Message], send: bool, settings: NotifySettings, nothing: str) -> None:
    """Print the messages, or deliver them and report each delivery (exit 1 when one failed)."""
    from flows.notify import deliver

    if not messages:
        say(nothing)
        return
    if not send:
        print_messages(messages)
        say(f"{len(messages)} message(s) not sent (add --send to send them)")
        return
    if not settings.enabled:
        fail(
            "nothing to send with: set EDITORIAL_SMTP_HOST (and EDITORIAL_SMTP_FROM) or EDITORIAL_WEBHOOK_URL"
        )
    deliveries = deliver(messages, settings)
    for delivery in deliveries:
        say(str(delivery), err=not delivery.ok)
    failed = [d for d in deliveries if not d.ok]
    say(f"{len(deliveries) - len(failed)} sent, {len(failed)} failed")
    if failed:
        raise typer.Exit(int(Exit.FINDINGS))


@notify_app.command("digest")
def digest_command(
    send: bool = typer.Option(False, "--send", help=SEND_HELP),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """Each clinician's digest of the claims waiting for their roles, over every draft."""
    from flows.notify import digest, get_notify_settings

    repo_path = repo_of(repo)
    settings = get_notify_settings()
    with reported_errors():
        messages = digest(repo_path, datetime.now(UTC), settings)
    send_or_print(messages, send, settings, "no claim waits for a clinician: no digest to send")


@notify_app.command("held-back")
def held_back_command(
    send: bool = typer.Option(False, "--send", help=SEND_HELP),
    hours: float | None = typer.Option(
        None,
        "--older-than",
        min=0,
        help="Hours held back before the operator is told (EDITORIAL_HELD_BACK_HOURS).",
    ),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """Tell the operator of drafts the publish gate has held back longer than the set time."""
    from flows.notify import get_notify_settings, held_back

    repo_path = repo_of(repo)
    settings = get_notify_settings()
    if hours is not None:
        settings = settings.model_copy(update={"held_back_hours": hours})
    with reported_errors():
        messages = held_back(repo_path, datetime.now(UTC), settings)
    nothing = f"no draft held back for more than {settings.held_back_hours:g} hours"
    send_or_print(messages, send, settings, nothing)


@notify_app.command("event")
def event_command(
    event: str = typer.Argument(..., help="The event's name, e.g. editorial.draft.needs-changes."),
    slug: str = typer.Argument(..., help="The draft the event is about."),
    payload: str = typer.Option("{}", "--payload", help="The event's payload as a JSON object."),
    send: bool = typer.Option(False, "--send", help=SEND_HELP),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """The messages one event calls for (what a scheduler or a Prefect automation runs)."""
    from flows.events import Transition
    from flows.notify import get_notify_settings, transition_messages

    known = {t.value for t in Transition}
    if event not in known:
        fail(f"unknown event {event!r} (one of: {', '.join(sorted(known))})")
    try:
        data = json.loads(payload)
    except json.JSONDecodeError as exc:
        fail(f"--payload is not JSON: {exc.msg} at column {exc.colno}")
    if not isinstance(data, dict):
        fail("--payload must be a JSON object, e.g. '{\"version\": 2}'")
    repo_path = repo_of(repo)
    settings = get_notify_settings()
    with reported_errors():
        messages = transition_messages(event, slug, repo_path, data, datetime.now(UTC), settings)
    send_or_print(messages, send, settings, f"{event} {slug}: nobody to tell")
