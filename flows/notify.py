"""Notifications: who is told what about the desk's transitions, by e-mail (SMTP) and a generic webhook.

Building a message is pure (`*_message(s)` functions: ledgers, roster and policy in, `Message`s out);
delivery is separate (`deliver`: one SMTP session for all e-mails, one JSON POST per message to the
webhook). Who gets what:
- clinicians: a draft waits for their roles (on submission and when a review is due), and a digest of
  every claim waiting for them (`editorial notify digest`, for a schedule);
- the writer: their draft needs changes, a claim of it was rejected, it was published or discarded;
- the operator: a push failed; a draft has been held back longer than `EDITORIAL_HELD_BACK_HOURS`.

Recipients come from the roster (`email`) and the settings (`EDITORIAL_OPERATOR_EMAIL`,
`EDITORIAL_WEBHOOK_URL`). A notification that cannot be delivered is reported (logged, and a
non-zero exit for `editorial notify --send`), never undoes or fails the action it announces.
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from flows.events import Transition
from reviewers.ledger import Claim, ClaimStatus, ReviewLedger, Verdict
from reviewers.policy import Policy, PolicyError
from reviewers.roster import Person, Role, Roster
from validators.errors import EditorialError

logger = logging.getLogger("editorial.notify")

SIGNATURE = "\n-- \nEditorial review desk\n"
WRITER_ROLES = {Role.WRITER, Role.EDITOR}


class NotifySettings(BaseSettings):
    """Where notifications go and how (EDITORIAL_SMTP_*, EDITORIAL_WEBHOOK_URL, EDITORIAL_OPERATOR_EMAIL)."""

    model_config = SettingsConfigDict(env_prefix="EDITORIAL_", extra="ignore")

    smtp_host: str | None = Field(default=None, description="SMTP server; unset: no e-mail is sent.")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_from: str = Field(default="editorial@localhost", description="The sender address.")
    smtp_starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS.")
    smtp_ssl: bool = Field(default=False, description="Implicit TLS from the start (port 465).")
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout: float = Field(default=30.0, gt=0)
    webhook_url: str | None = Field(default=None, description="Every notification as a JSON POST here.")
    webhook_timeout: float = Field(default=10.0, gt=0)
    operator_email: str | None = Field(default=None, description="Who is told of failures and stuck drafts.")
    held_back_hours: float = Field(default=24.0, ge=0, description="Tell the operator after this long.")
    desk_url: str | None = Field(default=None, description="The web desk's address, for links.")

    @field_validator("webhook_url", "desk_url")
    @classmethod
    def is_a_web_address(cls, value: str | None) -> str | None:
        """Only http(s) addresses: a webhook must never read or write a local file."""
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, not {value!r}")
        return value

    @property
    def enabled(self) -> bool:
        """True when there is somewhere to send to."""
        return bool(self.smtp_host or self.webhook_url)


def get_notify_settings() -> NotifySettings:
    """The notification settings, read from the environment now."""
    return NotifySettings()


class Message(BaseModel):
    """One notification: the event it is about, its e-mail recipients (may be none), subject and text."""

    model_config = ConfigDict(frozen=True)

    event: str
    slug: str | None = None
    to: list[str]
    subject: str
    body: str

    def webhook_json(self) -> dict[str, Any]:
        """The webhook's JSON body (`text` makes it readable by Slack- and Mattermost-style hooks too)."""
        return {
            "event": self.event,
            "slug": self.slug,
            "to": self.to,
            "subject": self.subject,
            "text": f"{self.subject}\n\n{self.body}",
        }


class Delivery(BaseModel):
    """What happened to one message on one channel."""

    model_config = ConfigDict(frozen=True)

    channel: Literal["email", "webhook"]
    target: str
    subject: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the message was accepted."""
        return self.error is None

    def __str__(self) -> str:
        outcome = "sent" if self.ok else f"FAILED ({self.error})"
        return f"{self.channel} to {self.target}: {outcome}: {self.subject}"


# --- building messages (pure) -------------------------------------------------------------------------


def review_link(slug: str, desk_url: str | None) -> str:
    """Where to review a draft: the web desk's page when there is one, else the command."""
    if desk_url:
        return f"{desk_url.rstrip('/')}/drafts/{slug}"
    return f"editorial review {slug}"


def claim_line(claim: Claim) -> str:
    """One claim as a line of a message: its line, the sentence and the terms to check."""
    urgent = " (emergency directive)" if claim.emergency else ""
    return f"  line {claim.line}{urgent}: {claim.sentence} [{', '.join(claim.terms)}]"


def plural(count: int, word: str) -> str:
    """`1 claim`, `2 claims`."""
    return f"{count} {word}" + ("" if count == 1 else "s")


def waits(count: int) -> str:
    """`waits` for one, `wait` for several."""
    return "waits" if count == 1 else "wait"


def claims_for(ledger: ReviewLedger, person: Person, policy: Policy, now: datetime) -> list[Claim]:
    """The claims of `ledger` waiting for `person` (none when they may not decide at all)."""
    from reviewers.desk import waiting_for

    if not person.active or set(person.roles) <= WRITER_ROLES:
        return []
    try:
        return waiting_for(ledger, person, policy, now)
    except PolicyError:  # inactive or credential expired: nothing to ask of them
        return []


def clinician_roles(person: Person) -> str:
    """The person's reviewing roles, for a greeting line."""
    return ", ".join(r.value for r in person.roles if r not in WRITER_ROLES)


def waiting_messages(
    ledger: ReviewLedger,
    roster: Roster,
    policy: Policy,
    now: datetime,
    *,
    event: str = Transition.SUBMITTED,
    desk_url: str | None = None,
) -> list[Message]:
    """A message to every clinician a newly submitted (or reopened) draft waits for."""
    why = "is due for medical re-review" if event == Transition.REVIEW_DUE else "was submitted"
    messages = []
    for person in roster.people:
        claims = claims_for(ledger, person, policy, now)
        if not claims:
            continue
        lines = [
            f"Hello {person.name},",
            "",
            f"{ledger.slug} {why} and {plural(len(claims), 'claim')} {waits(len(claims))} for your review "
            f"({clinician_roles(person)}):",
            "",
            *(claim_line(c) for c in claims),
            "",
            f"Review: {review_link(ledger.slug, desk_url)}",
        ]
        messages.append(
            Message(
                event=event,
                slug=ledger.slug,
                to=[person.email],
                subject=f"Editorial: {ledger.slug} waits for your review ({plural(len(claims), 'claim')})",
                body="\n".join(lines) + "\n" + SIGNATURE,
            )
        )
    return messages


def digest_messages(
    ledgers: Sequence[ReviewLedger],
    roster: Roster,
    policy: Policy,
    now: datetime,
    *,
    desk_url: str | None = None,
) -> list[Message]:
    """Each clinician's digest: every claim waiting for their roles, draft by draft (none: no message)."""
    messages = []
    for person in roster.people:
        waiting = [(ledger, claims_for(ledger, person, policy, now)) for ledger in ledgers]
        waiting = [(ledger, claims) for ledger, claims in waiting if claims]
        if not waiting:
            continue
        total = sum(len(claims) for _, claims in waiting)
        count = f"{plural(total, 'claim')} in {plural(len(waiting), 'draft')}"
        lines = [
            f"Hello {person.name},",
            "",
            f"{count} {waits(total)} for your review ({clinician_roles(person)}):",
        ]
        for ledger, claims in sorted(waiting, key=lambda item: item[0].slug):
            lines += [
                "",
                f"{ledger.slug} ({plural(len(claims), 'claim')}, submitted {ledger.opened_at:%Y-%m-%d})",
            ]
            lines += [claim_line(c) for c in claims]
            lines.append(f"  review: {review_link(ledger.slug, desk_url)}")
        messages.append(
            Message(
                event="editorial.digest",
                to=[person.email],
                subject=f"Editorial: {count} {waits(total)} for your review",
                body="\n".join(lines) + "\n" + SIGNATURE,
            )
        )
    return messages


def writer_of(ledger: ReviewLedger, roster: Roster) -> tuple[str, list[str]]:
    """The writer's name and e-mail recipients (none when the writer left the roster)."""
    person = roster.get(ledger.author)
    if person is None:
        return ledger.author, []
    return person.name, [person.email]


def rejection_lines(claims: Iterable[Claim]) -> list[str]:
    """Each rejected claim with who rejected it and their note."""
    lines = []
    for claim in claims:
        lines.append(claim_line(claim))
        for decision in claim.standing().values():
            if decision.verdict is Verdict.REJECT:
                lines.append(f"    rejected by {decision.reviewer_name}: {decision.note or '(no note)'}")
    return lines


def needs_changes_message(ledger: ReviewLedger, roster: Roster) -> Message:
    """The writer told what to change: error findings and rejected claims with the clinicians' notes."""
    name, to = writer_of(ledger, roster)
    lines = [f"Hello {name},", "", f"Your draft {ledger.slug} needs changes before it can be published."]
    if ledger.findings.errors:
        codes = ", ".join(ledger.findings.error_codes)
        lines += ["", f"{plural(ledger.findings.errors, 'error finding')} ({codes}): run `editorial check`."]
    rejected = [c for c in ledger.claims if c.status is ClaimStatus.REJECTED]
    if rejected:
        lines += ["", f"{plural(len(rejected), 'claim')} rejected:", *rejection_lines(rejected)]
    lines += ["", f"Fix the draft and submit it again: editorial submit articles/{ledger.slug}.md"]
    return Message(
        event=Transition.NEEDS_CHANGES,
        slug=ledger.slug,
        to=to,
        subject=f"Editorial: {ledger.slug} needs changes",
        body="\n".join(lines) + "\n" + SIGNATURE,
    )


def rejected_message(ledger: ReviewLedger, roster: Roster, keys: Sequence[str]) -> Message | None:
    """The writer told that claims of their draft were rejected (None when none of `keys` is rejected)."""
    claims = [c for c in ledger.claims if c.key in keys and c.status is ClaimStatus.REJECTED]
    if not claims:
        return None
    name, to = writer_of(ledger, roster)
    lines = [
        f"Hello {name},",
        "",
        f"A clinician rejected {plural(len(claims), 'claim')} of your draft {ledger.slug}:",
        *rejection_lines(claims),
        "",
        f"Fix the draft and submit it again: editorial submit articles/{ledger.slug}.md",
    ]
    return Message(
        event=Transition.CLAIM_DECIDED,
        slug=ledger.slug,
        to=to,
        subject=f"Editorial: {plural(len(claims), 'claim')} of {ledger.slug} rejected",
        body="\n".join(lines) + "\n" + SIGNATURE,
    )


def published_message(ledger: ReviewLedger, roster: Roster, version: int, tag: str) -> Message:
    """The writer told that their article is published."""
    name, to = writer_of(ledger, roster)
    approvers = ", ".join(p.name for p in (roster.get(r) for r in ledger.approvers) if p is not None)
    lines = [
        f"Hello {name},",
        "",
        f"{ledger.slug} is published as version {version} (tag {tag}).",
    ]
    if approvers:
        lines.append(f"Reviewed by {approvers}.")
    return Message(
        event=Transition.PUBLISHED,
        slug=ledger.slug,
        to=to,
        subject=f"Editorial: {ledger.slug} is published (v{version})",
        body="\n".join(lines) + "\n" + SIGNATURE,
    )


def discarded_message(ledger: ReviewLedger, roster: Roster, reason: str, archive: str) -> Message:
    """The writer told that their draft was discarded (kept in the archive) and why."""
    name, to = writer_of(ledger, roster)
    lines = [
        f"Hello {name},",
        "",
        f"Your draft {ledger.slug} was discarded: {reason}",
        f"Its history is kept under {archive}. Start again from the published version and submit it anew.",
    ]
    return Message(
        event=Transition.DISCARDED,
        slug=ledger.slug,
        to=to,
        subject=f"Editorial: {ledger.slug} was discarded",
        body="\n".join(lines) + "\n" + SIGNATURE,
    )


def push_failed_message(remote: str, error: str, published: Sequence[str], operator: str | None) -> Message:
    """The operator told that a push failed (what stays local until the next run pushes it)."""
    local = ", ".join(published) if published else "nothing new"
    lines = [
        f"The push to {remote!r} failed: {error}",
        "",
        f"Published on the local main only: {local}.",
        "The next publish run pushes again; check the remote's address, credentials and reachability.",
    ]
    return Message(
        event=Transition.PUSH_FAILED,
        to=[operator] if operator else [],
        subject=f"Editorial: push to {remote} failed",
        body="\n".join(lines) + "\n" + SIGNATURE,
    )


class HeldDraft(BaseModel):
    """A draft the publish gate holds back, since when, and why."""

    model_config = ConfigDict(frozen=True)

    slug: str
    since: datetime
    reasons: list[str]


def held_back_message(
    held: Sequence[HeldDraft], now: datetime, hours: float, operator: str | None
) -> Message | None:
    """The operator told of every draft held back longer than `hours` (None when there is none)."""
    limit = timedelta(hours=hours)
    stuck = sorted((d for d in held if now - d.since >= limit), key=lambda d: (d.since, d.slug))
    if not stuck:
        return None
    lines = [f"{plural(len(stuck), 'draft')} held back for more than {hours:g} hours:"]
    for draft in stuck:
        age = now - draft.since
        days, rest = divmod(int(age.total_seconds()) // 3600, 24)
        lines += ["", f"{draft.slug}: held since {draft.since:%Y-%m-%d %H:%M} UTC ({days} d {rest} h)"]
        lines += [f"  {reason}" for reason in draft.reasons]
    return Message(
        event=Transition.HELD_BACK,
        slug=stuck[0].slug if len(stuck) == 1 else None,
        to=[operator] if operator else [],
        subject=f"Editorial: {plural(len(stuck), 'draft')} held back for more than {hours:g} hours",
        body="\n".join(lines) + "\n" + SIGNATURE,
    )


# --- delivering ---------------------------------------------------------------------------------------


def email_of(message: Message, sender: str, now: datetime | None = None) -> EmailMessage:
    """The e-mail of a message: plain text, with the event in an `X-Editorial-Event` header."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = ", ".join(message.to)
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(now.timestamp() if now else None, localtime=False, usegmt=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail["X-Editorial-Event"] = message.event
    mail.set_content(message.body)
    return mail


def open_smtp(settings: NotifySettings) -> smtplib.SMTP:
    """A logged-in SMTP session as the settings say (implicit TLS, or STARTTLS when offered/asked)."""
    assert settings.smtp_host is not None
    context = ssl.create_default_context()
    session: smtplib.SMTP
    if settings.smtp_ssl:
        session = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout, context=context
        )
    else:
        session = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
        if settings.smtp_starttls:
            session.starttls(context=context)
    if settings.smtp_user:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
        session.login(settings.smtp_user, password)
    return session


def send_emails(messages: Sequence[Message], settings: NotifySettings) -> list[Delivery]:
    """Send every message that has recipients over one SMTP session; failures are reported, not raised."""
    wanted = [m for m in messages if m.to]
    if not wanted or not settings.smtp_host:
        return []
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        session = open_smtp(settings)
    except (smtplib.SMTPException, OSError) as exc:
        error = f"cannot reach SMTP server {server}: {exc}"
        return [
            Delivery(channel="email", target=", ".join(m.to), subject=m.subject, error=error) for m in wanted
        ]
    deliveries = []
    try:
        for message in wanted:
            target = ", ".join(message.to)
            try:
                session.send_message(email_of(message, settings.smtp_from))
                deliveries.append(Delivery(channel="email", target=target, subject=message.subject))
            except (smtplib.SMTPException, OSError) as exc:
                deliveries.append(
                    Delivery(channel="email", target=target, subject=message.subject, error=str(exc))
                )
    finally:
        try:
            session.quit()
        except (smtplib.SMTPException, OSError):
            session.close()
    return deliveries


def post_webhook(message: Message, settings: NotifySettings) -> Delivery:
    """POST the message as JSON to the webhook; a refusal (non-2xx) or an unreachable URL is reported."""
    assert settings.webhook_url is not None
    request = urllib.request.Request(
        settings.webhook_url,
        data=json.dumps(message.webhook_json()).encode("utf-8"),
        headers={"Content-Type": "application/json", "User-Agent": "editorial-notify"},
        method="POST",
    )
    error = None
    try:
        with urllib.request.urlopen(request, timeout=settings.webhook_timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        error = f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError) as exc:
        error = str(getattr(exc, "reason", exc))
    return Delivery(channel="webhook", target=settings.webhook_url, subject=message.subject, error=error)


def deliver(messages: Sequence[Message], settings: NotifySettings) -> list[Delivery]:
    """Send each message by e-mail (when it has recipients and SMTP is set) and to the webhook (when set)."""
    deliveries = send_emails(messages, settings)
    if settings.webhook_url:
        deliveries += [post_webhook(m, settings) for m in messages]
    for delivery in deliveries:
        if not delivery.ok:
            logger.warning("notification not delivered: %s", delivery)
    return deliveries


# --- reading what a message needs ---------------------------------------------------------------------


def open_drafts(repo_path: str | Path | None) -> tuple[list[ReviewLedger], Roster, Policy]:
    """Every draft's current ledger (opened for exactly its text), the roster and the policy."""
    from flows.context import load_policy_from, load_roster_from, open_repo, read_draft_under_review

    ledgers = []
    with open_repo(path=repo_path) as repo:
        roster = load_roster_from(repo)
        policy = load_policy_from(repo)
        for info in repo.list_drafts():
            try:
                draft = read_draft_under_review(repo, info.slug)
            except EditorialError as exc:
                logger.warning("%s: draft not readable: %s", info.slug, exc)
                continue
            if draft.ledger is not None and draft.ledger_is_current:
                ledgers.append(draft.ledger)
    return ledgers, roster, policy


def digest(repo_path: str | Path | None, now: datetime, settings: NotifySettings) -> list[Message]:
    """Each clinician's digest of the claims waiting for them over all drafts."""
    ledgers, roster, policy = open_drafts(repo_path)
    return digest_messages(ledgers, roster, policy, now, desk_url=settings.desk_url)


def held_back(repo_path: str | Path | None, now: datetime, settings: NotifySettings) -> list[Message]:
    """The operator's message about drafts the publish gate has held back longer than the set time."""
    from flows.candidates import read_candidates

    candidates = read_candidates.fn(Path(repo_path) if repo_path is not None else None, now)
    held = [
        HeldDraft(
            slug=c.slug,
            since=c.ledger.opened_at if c.ledger is not None else now,
            reasons=c.reasons,
        )
        for c in candidates
        if c.reasons
    ]
    message = held_back_message(held, now, settings.held_back_hours, settings.operator_email)
    return [message] if message is not None else []


def transition_messages(
    event: str,
    slug: str,
    repo_path: str | Path | None,
    payload: dict[str, Any],
    now: datetime,
    settings: NotifySettings,
) -> list[Message]:
    """The messages an event calls for, with what they need read from the content repository."""
    from flows.context import load_policy_from, load_roster_from, open_repo, read_draft_under_review
    from reviewers.ledger import ledger_path

    if event == Transition.PUSH_FAILED:
        published = [str(s) for s in payload.get("published", [])]
        remote, error = str(payload.get("remote", "origin")), str(payload.get("error", "unknown error"))
        return [push_failed_message(remote, error, published, settings.operator_email)]
    if event == Transition.HELD_BACK:
        since = datetime.fromisoformat(str(payload["since"])) if payload.get("since") else now
        reasons = [str(payload.get("reason", "held back"))]
        held = HeldDraft(slug=slug, since=since, reasons=reasons)
        message = held_back_message([held], now, settings.held_back_hours, settings.operator_email)
        return [message] if message is not None else []
    with open_repo(path=repo_path) as repo:
        roster = load_roster_from(repo)
        if event == Transition.PUBLISHED:
            text = repo.read_path(ledger_path(slug))
            if text is None:
                return []
            ledger = ReviewLedger.from_yaml(text, ledger_path(slug))
            version = int(payload.get("version", 0))
            tag = str(payload.get("tag", f"published/{slug}/v{version}"))
            return [published_message(ledger, roster, version, tag)]
        if event == Transition.DISCARDED:
            text = payload.get("ledger")
            if not isinstance(text, str):
                return []
            ledger = ReviewLedger.from_yaml(text, ledger_path(slug))
            reason, archive = str(payload.get("reason", "")), str(payload.get("archive", ""))
            return [discarded_message(ledger, roster, reason, archive)]
        draft = read_draft_under_review(repo, slug)
        if draft.ledger is None:
            return []
        if event in (Transition.SUBMITTED, Transition.REVIEW_DUE):
            policy = load_policy_from(repo)
            return waiting_messages(
                draft.ledger, roster, policy, now, event=event, desk_url=settings.desk_url
            )
        if event == Transition.NEEDS_CHANGES:
            return [needs_changes_message(draft.ledger, roster)]
        if event == Transition.CLAIM_DECIDED and payload.get("verdict") == Verdict.REJECT.value:
            keys = [str(k) for k in payload.get("claims", [payload.get("claim")]) if k]
            message = rejected_message(draft.ledger, roster, keys)
            return [message] if message is not None else []
    return []


def notify_transition(
    event: str,
    slug: str,
    *,
    repo_path: str | Path | None = None,
    payload: dict[str, Any] | None = None,
    now: datetime | None = None,
    settings: NotifySettings | None = None,
) -> list[Delivery]:
    """Tell whoever `event` concerns; cheap when nothing is configured, and never raises.

    For direct calls from the flows right after the transition is recorded: a notification that cannot
    be built or delivered is logged and returned, the action stands.
    """
    settings = settings or get_notify_settings()
    if not settings.enabled:
        return []
    try:
        messages = transition_messages(
            event, slug, repo_path, payload or {}, now or datetime.now(UTC), settings
        )
    except (EditorialError, ValueError, KeyError) as exc:
        logger.warning("%s %s: no notification built: %s", event, slug, exc)
        return []
    return deliver(messages, settings)
