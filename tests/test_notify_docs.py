"""The Prefect automation documented in docs/notifications.md is valid and names only the desk's events."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from notify_servers import smtp_server
from review_fixtures import make_content_repo

from flows.events import Transition

DOC = Path(__file__).resolve().parent.parent / "docs" / "notifications.md"


def documented_deployment() -> dict[str, object]:
    """The `notify-event` deployment of the doc's YAML block."""
    [block] = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    block = block.replace("*editorial_pool", "{name: editorial}")  # the alias lives in prefect.yaml
    [deployment] = yaml.safe_load(block)
    assert isinstance(deployment, dict)
    return deployment


def test_documented_triggers_validate_and_expect_known_events() -> None:
    from prefect.events.schemas.deployment_triggers import DeploymentEventTrigger

    deployment = documented_deployment()
    assert deployment["entrypoint"] == "flows/notify_event.py:notify_event"
    triggers = [DeploymentEventTrigger.model_validate(t) for t in deployment["triggers"]]  # type: ignore[attr-defined]
    expected = {event for trigger in triggers for event in trigger.expect}
    assert expected == {
        Transition.SUBMITTED,
        Transition.NEEDS_CHANGES,
        Transition.PUBLISHED,
        Transition.REVIEW_DUE,
        Transition.CLAIM_DECIDED,
        Transition.PUSH_FAILED,
    }
    assert Transition.HELD_BACK not in expected  # every publish run holds drafts again: no mail per run
    for trigger in triggers:
        assert set(trigger.parameters or {}) == {"event", "slug", "payload"}


def test_the_flow_takes_the_payload_as_rendered_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.notify_event import deliver_event

    repo = make_content_repo(tmp_path / "content")
    with smtp_server() as mailbox:
        for name, value in [
            ("REPO", str(repo)),
            ("SMTP_HOST", "127.0.0.1"),
            ("SMTP_PORT", str(mailbox.port)),
            ("SMTP_STARTTLS", "false"),
            ("OPERATOR_EMAIL", "ops@example.org"),
        ]:
            monkeypatch.setenv(f"EDITORIAL_{name}", value)
        payload = '{"remote": "origin", "error": "timed out", "published": []}'
        deliveries = deliver_event("editorial.push.failed", "content", payload)
    assert [str(d) for d in deliveries] == [
        "email to ops@example.org: sent: Editorial: push to origin failed"
    ]
    [mail] = mailbox.received
    assert mail.body.startswith(
        "The push to 'origin' failed: timed out\n\nPublished on the local main only: nothing new."
    )
