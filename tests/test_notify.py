"""Notifications sent to a real SMTP server and a webhook receiver on loopback, from a real repository."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from notify_servers import free_port, smtp_server, webhook_receiver
from review_fixtures import NOW, make_content_repo
from typer.testing import CliRunner

import flows.cli.cmd_notify  # noqa: F401  (registers the commands)
from flows.cli.app import app
from flows.events import Transition
from flows.notify import HeldDraft, Message, NotifySettings, held_back_message, notify_transition
from reviewers.ledger import DecisionInput, ReviewLedger, Verdict

SLUG = "ibuprofen-for-pain"
SIG = "\n-- \nEditorial review desk\n"
DIRECTIVE = "Stop taking ibuprofen and call your doctor if you have stomach pain."
NURSE_BODY = (
    "Hello Nina Nurse,\n\n"
    "ibuprofen-for-pain was submitted and 1 claim waits for your review (nurse):\n\n"
    f"  line 14: {DIRECTIVE} [Stop taking, ibuprofen, stomach pain]\n\n"
    "Review: https://desk.example.org/drafts/ibuprofen-for-pain\n" + SIG
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A content repository with the roster on main and the test article submitted."""
    return make_content_repo(tmp_path / "content")


def mail_settings(port: int, **extra: object) -> NotifySettings:
    """Settings for the loopback SMTP server (it speaks no TLS)."""
    values: dict[str, object] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_from": "desk@example.org",
        "smtp_starttls": False,
        "operator_email": "ops@example.org",
        **extra,
    }
    return NotifySettings.model_validate(values)


def ledger_of(repo: Path) -> ReviewLedger:
    from content_repo import ContentRepo

    with ContentRepo.open(repo) as content:
        _, text, _ = content.read_draft(SLUG)
    assert text is not None
    return ReviewLedger.from_yaml(text)


def key_of(repo: Path, term: str) -> str:
    return next(c.key for c in ledger_of(repo).claims if term in c.terms)


def test_submission_emails_each_clinician_the_draft_waits_for(repo: Path) -> None:
    with smtp_server() as mailbox:
        settings = mail_settings(mailbox.port, desk_url="https://desk.example.org/")
        deliveries = notify_transition(Transition.SUBMITTED, SLUG, repo_path=repo, now=NOW, settings=settings)
    # Active clinicians with a valid credential; not old-doc (expired), gone-doc (inactive) or the writer.
    expected = [
        "pat@example.org",
        "doc@example.org",
        "dana@example.org",
        "nina@example.org",
        "phil@example.org",
    ]
    assert [d.target for d in deliveries] == expected
    assert all(d.ok for d in deliveries)
    assert [r.rcpt_tos for r in mailbox.received] == [[e] for e in expected]
    nurse = mailbox.received[3]
    assert nurse.mail_from == "desk@example.org"
    assert nurse.message["From"] == "desk@example.org"
    assert nurse.message["To"] == "nina@example.org"
    assert nurse.message["Subject"] == "Editorial: ibuprofen-for-pain waits for your review (1 claim)"
    assert nurse.message["X-Editorial-Event"] == "editorial.draft.submitted"
    assert nurse.body == NURSE_BODY
    assert mailbox.received[0].message["Subject"] == (
        "Editorial: ibuprofen-for-pain waits for your review (3 claims)"
    )


def test_needs_changes_tells_the_writer_the_rejection_and_its_note(repo: Path) -> None:
    from flows.review_actions import record_decisions

    key = key_of(repo, "Ibuprofen")
    note = "Say it is an NSAID, not just a pain reliever."
    outcome = record_decisions(
        repo, SLUG, "pat-pharmacist", [DecisionInput(key=key, verdict=Verdict.REJECT, note=note)], now=NOW
    )
    assert outcome.status.value == "needs_changes"
    with smtp_server() as mailbox:
        deliveries = notify_transition(
            Transition.NEEDS_CHANGES, SLUG, repo_path=repo, now=NOW, settings=mail_settings(mailbox.port)
        )
    assert [(d.channel, d.target, d.ok) for d in deliveries] == [("email", "wendy@example.org", True)]
    [mail] = mailbox.received
    assert mail.message["Subject"] == "Editorial: ibuprofen-for-pain needs changes"
    assert mail.body == (
        "Hello Wendy Writer,\n\n"
        "Your draft ibuprofen-for-pain needs changes before it can be published.\n\n"
        "1 claim rejected:\n"
        "  line 10: Ibuprofen is a pain reliever. [Ibuprofen]\n"
        f"    rejected by Pat Pharmacist: {note}\n\n"
        "Fix the draft and submit it again: editorial submit articles/ibuprofen-for-pain.md\n" + SIG
    )
    with smtp_server() as mailbox:
        payload = {"verdict": "reject", "claim": key}
        notify_transition(
            Transition.CLAIM_DECIDED,
            SLUG,
            repo_path=repo,
            payload=payload,
            settings=mail_settings(mailbox.port),
        )
        approval = {"verdict": "approve", "claim": key_of(repo, "200 mg")}
        assert (
            notify_transition(
                Transition.CLAIM_DECIDED,
                SLUG,
                repo_path=repo,
                payload=approval,
                settings=mail_settings(mailbox.port),
            )
            == []
        )
    [mail] = mailbox.received
    assert mail.message["Subject"] == "Editorial: 1 claim of ibuprofen-for-pain rejected"


def test_publication_tells_the_writer(repo: Path) -> None:
    from content_repo import ContentRepo, Identity, PublicationRecord, text_content_hash

    with ContentRepo.open(repo) as content:
        text, _, head = content.read_draft(SLUG)
        record = PublicationRecord(
            reviewers=[Identity(name="Pat Pharmacist", email="pat@example.org")],
            content_hash=text_content_hash(text),
            approved_flags=0,
            reviewed_on=NOW.date(),
        )
        publication = content.publish(SLUG, expected_draft_commit=head, record=record)
    payload = {"version": publication.version, "tag": publication.tag}
    with smtp_server() as mailbox:
        notify_transition(
            Transition.PUBLISHED, SLUG, repo_path=repo, payload=payload, settings=mail_settings(mailbox.port)
        )
    [mail] = mailbox.received
    assert mail.rcpt_tos == ["wendy@example.org"]
    assert mail.message["Subject"] == "Editorial: ibuprofen-for-pain is published (v1)"
    assert mail.body == (
        "Hello Wendy Writer,\n\nibuprofen-for-pain is published as version 1 "
        "(tag published/ibuprofen-for-pain/v1).\n" + SIG
    )


def test_push_failure_reaches_the_operator_by_mail_and_webhook(repo: Path) -> None:
    payload = {"remote": "origin", "error": "could not resolve host git.example.org", "published": [SLUG]}
    with smtp_server() as mailbox, webhook_receiver() as hook:
        settings = mail_settings(mailbox.port, webhook_url=hook.url)
        deliveries = notify_transition(
            Transition.PUSH_FAILED, SLUG, repo_path=repo, payload=payload, settings=settings
        )
    body = (
        "The push to 'origin' failed: could not resolve host git.example.org\n\n"
        "Published on the local main only: ibuprofen-for-pain.\n"
        "The next publish run pushes again; check the remote's address, credentials and reachability.\n" + SIG
    )
    assert [(d.channel, d.ok) for d in deliveries] == [("email", True), ("webhook", True)]
    [mail] = mailbox.received
    assert (mail.rcpt_tos, mail.message["Subject"], mail.body) == (
        ["ops@example.org"],
        "Editorial: push to origin failed",
        body,
    )
    assert hook.posts == [
        (
            "/hooks/editorial",
            "application/json",
            {
                "event": "editorial.push.failed",
                "slug": None,
                "to": ["ops@example.org"],
                "subject": "Editorial: push to origin failed",
                "text": "Editorial: push to origin failed\n\n" + body,
            },
        )
    ]


def test_held_back_longer_than_the_set_time_only() -> None:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    held = [
        HeldDraft(
            slug="asthma", since=now - timedelta(hours=50), reasons=["pending: 2 claim(s) awaiting approval"]
        ),
        HeldDraft(
            slug="gout", since=now - timedelta(hours=3), reasons=["not-yet: publish_after has not come"]
        ),
    ]
    message = held_back_message(held, now, 24, "ops@example.org")
    assert message == Message(
        event="editorial.draft.held-back",
        slug="asthma",
        to=["ops@example.org"],
        subject="Editorial: 1 draft held back for more than 24 hours",
        body="1 draft held back for more than 24 hours:\n\n"
        "asthma: held since 2026-11-28 10:00 UTC (2 d 2 h)\n"
        "  pending: 2 claim(s) awaiting approval\n" + SIG,
    )
    assert held_back_message(held, now, 72, "ops@example.org") is None


def test_delivery_failures_are_reported_not_raised(repo: Path) -> None:
    closed = free_port()
    with webhook_receiver(status=500) as hook:
        settings = mail_settings(closed, webhook_url=hook.url)
        deliveries = notify_transition(Transition.NEEDS_CHANGES, SLUG, repo_path=repo, settings=settings)
    assert [(d.channel, d.ok) for d in deliveries] == [("email", False), ("webhook", False)]
    assert deliveries[0].error is not None
    assert deliveries[0].error.startswith(f"cannot reach SMTP server 127.0.0.1:{closed}: ")
    assert deliveries[1].error == "HTTP 500 Internal Server Error"


def test_starttls_asked_of_a_server_without_it_is_a_failed_delivery(repo: Path) -> None:
    with smtp_server() as mailbox:
        settings = mail_settings(mailbox.port, smtp_starttls=True)
        [delivery] = notify_transition(Transition.NEEDS_CHANGES, SLUG, repo_path=repo, settings=settings)
    assert not delivery.ok
    assert delivery.error is not None and "STARTTLS extension not supported by server" in delivery.error
    assert mailbox.received == []


def test_nothing_configured_sends_nothing_and_reads_nothing(tmp_path: Path) -> None:
    assert notify_transition(Transition.SUBMITTED, SLUG, repo_path=tmp_path / "none") == []


def test_webhook_must_be_a_web_address() -> None:
    with pytest.raises(ValueError, match="must start with http:// or https://"):
        NotifySettings(webhook_url="file:///etc/passwd")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_digest_command_prints_then_sends(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run("notify", "digest", "--repo", str(repo))
    assert (code, err) == (0, "")
    assert "To: nina@example.org\nSubject: Editorial: 1 claim in 1 draft waits for your review\n" in out
    assert out.endswith("5 message(s) not sent (add --send to send them)\n")
    code, out, err = run("notify", "digest", "--send", "--repo", str(repo))
    assert (code, out) == (2, "")
    assert err == (
        "editorial: error: nothing to send with: set EDITORIAL_SMTP_HOST (and EDITORIAL_SMTP_FROM) "
        "or EDITORIAL_WEBHOOK_URL\n"
    )
    with smtp_server() as mailbox:
        for name, value in [
            ("SMTP_HOST", "127.0.0.1"),
            ("SMTP_PORT", str(mailbox.port)),
            ("SMTP_STARTTLS", "0"),
        ]:
            monkeypatch.setenv(f"EDITORIAL_{name}", value)
        code, out, err = run("notify", "digest", "--send", "--repo", str(repo))
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "5 sent, 0 failed"
    assert sorted(r.rcpt_tos[0] for r in mailbox.received) == [
        "dana@example.org",
        "doc@example.org",
        "nina@example.org",
        "pat@example.org",
        "phil@example.org",
    ]
    nurse = next(r for r in mailbox.received if r.rcpt_tos == ["nina@example.org"])
    assert nurse.message["From"] == "editorial@localhost"
    assert nurse.body.startswith(
        "Hello Nina Nurse,\n\n1 claim in 1 draft waits for your review (nurse):\n\n"
        "ibuprofen-for-pain (1 claim, submitted 2026-11-24)\n"
    )


def test_digest_send_failure_exits_1(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITORIAL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("EDITORIAL_SMTP_PORT", str(free_port()))
    code, out, err = run("notify", "digest", "--send", "--repo", str(repo))
    assert code == 1
    assert out.splitlines()[-1] == "0 sent, 5 failed"
    assert err.count("email to ") == 5 and "FAILED (cannot reach SMTP server" in err


def test_event_command_refuses_unknown_events_and_bad_payloads(repo: Path) -> None:
    code, out, err = run("notify", "event", "editorial.draft.exploded", SLUG, "--repo", str(repo))
    assert (code, out) == (2, "")
    assert err.startswith("editorial: error: unknown event 'editorial.draft.exploded' (one of: ")
    code, _, err = run(
        "notify", "event", "editorial.push.failed", SLUG, "--payload", "[1]", "--repo", str(repo)
    )
    assert (code, err) == (2, "editorial: error: --payload must be a JSON object, e.g. '{\"version\": 2}'\n")
    code, out, err = run(
        "notify", "event", "editorial.draft.needs-changes", "no-such-draft", "--repo", str(repo)
    )
    assert (code, out) == (2, "")
    assert err == "editorial: error: not found: draft 'no-such-draft'\n"


def test_held_back_command_lists_drafts_the_gate_holds(repo: Path) -> None:
    code, out, err = run("notify", "held-back", "--repo", str(repo))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:5] == [
        "To: (webhook only)",  # no EDITORIAL_OPERATOR_EMAIL
        "Subject: Editorial: 1 draft held back for more than 24 hours",
        "",
        "1 draft held back for more than 24 hours:",
        "",
    ]
    assert lines[5].startswith("ibuprofen-for-pain: held since 2026-11-24 12:00 UTC (")
    reasons = [
        line for line in lines[6:] if line.startswith("  ")
    ]  # the publish gate's holds, as it says them
    # The test article lacks required sections; its ledger was built from hand-made flags, so the real
    # flagger finds a claim the review lacks; and no clinician has decided yet.
    assert [r.split(":")[0].strip() for r in reasons] == ["errors", "unreviewed-claims", "pending"]
    assert reasons[2].startswith("  pending: 3 claim(s) awaiting approval: ")
    assert lines[-1] == "1 message(s) not sent (add --send to send them)"
    code, out, err = run("notify", "held-back", "--older-than", "1000000", "--repo", str(repo))
    assert (code, out, err) == (0, "no draft held back for more than 1e+06 hours\n", "")
