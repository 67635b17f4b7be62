"""The `/metrics` text computed from real content repositories."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from review_fixtures import NOW, make_content_repo

from flows.metrics import metrics_text

SLUG = "ibuprofen-for-pain"

IN_REVIEW = """\
# HELP editorial_claims_waiting Pending claims with a category this role may still approve.
# TYPE editorial_claims_waiting gauge
editorial_claims_waiting{role="physician"} 3
editorial_claims_waiting{role="pharmacist"} 3
editorial_claims_waiting{role="nurse"} 1
# HELP editorial_oldest_waiting_claim_age_seconds Seconds the oldest pending claim has waited since its \
draft was submitted (0: none waits).
# TYPE editorial_oldest_waiting_claim_age_seconds gauge
editorial_oldest_waiting_claim_age_seconds 7200
# HELP editorial_drafts Drafts under review by status.
# TYPE editorial_drafts gauge
editorial_drafts{status="needs_changes"} 0
editorial_drafts{status="in_review"} 1
editorial_drafts{status="approved"} 0
# HELP editorial_drafts_held_back Drafts that cannot publish as they stand (needs changes, in review, or \
no current ledger).
# TYPE editorial_drafts_held_back gauge
editorial_drafts_held_back 1
"""


def samples(text: str) -> dict[str, float]:
    """Every sample of the text, parsed by the Prometheus client's own parser: `name{labels}` -> value."""
    from prometheus_client.parser import text_string_to_metric_families

    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            out[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return out


def test_a_draft_in_review(tmp_path: Path) -> None:
    repo = make_content_repo(tmp_path / "content")
    assert metrics_text(repo, NOW + timedelta(hours=2)) == IN_REVIEW


def test_claims_decided_and_published(tmp_path: Path) -> None:
    from content_repo import ContentRepo, Identity, PublicationRecord, text_content_hash
    from flows.review_actions import record_decisions
    from reviewers.ledger import DecisionInput, ReviewLedger, Verdict

    repo = make_content_repo(tmp_path / "content")
    with ContentRepo.open(repo) as content:
        _, ledger_text, _ = content.read_draft(SLUG)
    assert ledger_text is not None
    claims = ReviewLedger.from_yaml(ledger_text).claims
    directive = next(c.key for c in claims if "Stop taking" in c.terms)
    dosage = next(c.key for c in claims if "200 mg" in c.terms)
    record_decisions(
        repo, SLUG, "nina-nurse", [DecisionInput(key=directive, verdict=Verdict.APPROVE)], now=NOW
    )
    rejection = DecisionInput(key=dosage, verdict=Verdict.REJECT, note="Say for adults.")
    record_decisions(repo, SLUG, "pat-pharmacist", [rejection], now=NOW)
    got = samples(metrics_text(repo, NOW + timedelta(minutes=1)))
    assert got == {
        # the directive still needs a drug approval (physician or pharmacist), not the nurse's role
        "editorial_claims_waiting{role=physician}": 2.0,
        "editorial_claims_waiting{role=pharmacist}": 2.0,
        "editorial_claims_waiting{role=nurse}": 0.0,
        "editorial_oldest_waiting_claim_age_seconds": 60.0,
        "editorial_drafts{status=needs_changes}": 1.0,
        "editorial_drafts{status=in_review}": 0.0,
        "editorial_drafts{status=approved}": 0.0,
        "editorial_drafts_held_back": 1.0,
    }
    with ContentRepo.open(repo) as content:
        text, _, head = content.read_draft(SLUG)
        record = PublicationRecord(
            reviewers=[Identity(name="Pat Pharmacist", email="pat@example.org")],
            content_hash=text_content_hash(text),
            approved_flags=0,
            reviewed_on=NOW.date(),
        )
        publication = content.publish(SLUG, expected_draft_commit=head, record=record)
        published_at = content.commit_info(publication.commit).authored_at
    got = samples(metrics_text(repo, NOW))
    assert got["editorial_last_publish_timestamp_seconds"] == float(int(published_at.timestamp()))
    assert got["editorial_drafts_held_back"] == 0.0
    assert got["editorial_oldest_waiting_claim_age_seconds"] == 0.0
    assert got["editorial_claims_waiting{role=physician}"] == 0.0
