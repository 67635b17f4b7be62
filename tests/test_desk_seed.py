"""The desk-core bars on the real seed page: its claims, roles per claim, and carry-over on an edit.

The seed page imported (the golden draft in tests/fixtures/import), flagged with the shipped lexicon.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from review_fixtures import roster

from reviewers.desk import Submission, decide, make_submission, open_ledger, publish_gate, submit
from reviewers.flagger import Flagger, load_flagger
from reviewers.ledger import ClaimStatus, DecisionInput, ReviewLedger, Verdict
from reviewers.policy import load_policy
from validators.parser import parse_article

pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "import" / "malignant-mast-cell-tumor.md"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
POLICY = load_policy(None)

# A piece of each claim's sentence, in article order: the 7 sentences a clinician must approve.
SEED_CLAIMS = [
    "release histamine",
    "needle aspiration biopsy",
    "a surgical biopsy has to be done",
    "X-rays, ultrasound, or lymph nodes",
    "surgical removal of it with wide margins",
    "chemotherapy, such as vinblastine, and radiation",
    "Antihistamines must be given prior to surgery",
]
CHEMO = "chemotherapy, such as vinblastine, and radiation"


@pytest.fixture(scope="module")
def flagger(tmp_path_factory: pytest.TempPathFactory) -> Flagger:
    return load_flagger(None, tmp_path_factory.mktemp("flagger-cache"))


def checked(flagger: Flagger, text: str) -> Submission:
    article = parse_article(text, "articles/malignant-mast-cell-tumor.md")
    return make_submission(article, [], next(iter(flagger.flag_many([article]))))


def seed_text() -> str:
    return GOLDEN.read_text(encoding="utf-8")


def approve(ledger: ReviewLedger, reviewer: str, keys: list[str]) -> ReviewLedger:
    decisions = [DecisionInput(key=k, verdict=Verdict.APPROVE) for k in keys]
    return decide(ledger, decisions, reviewer, roster(), POLICY, NOW, text_hash=ledger.content_hash).after


def test_the_seed_has_seven_claims_not_fourteen_flags(flagger: Flagger) -> None:
    submission = checked(flagger, seed_text())
    assert len([f for f in submission.flags if f.needs_approval]) > len(SEED_CLAIMS)
    assert len(submission.claims) == len(SEED_CLAIMS)
    for claim, piece in zip(submission.claims, SEED_CLAIMS, strict=True):
        assert piece in claim.sentence


def test_a_pharmacist_leaves_the_chemotherapy_claim_to_a_physician_who_completes_it(flagger: Flagger) -> None:
    submission = checked(flagger, seed_text())
    ledger = open_ledger(submission, None, NOW, POLICY, "wendy-writer")
    chemo = next(c for c in ledger.claims if CHEMO in c.sentence)
    by_pharmacist = approve(ledger, "pat-pharmacist", [chemo.key])
    assert by_pharmacist.claim(chemo.key).status is ClaimStatus.PENDING  # type: ignore[union-attr]
    by_physician = approve(by_pharmacist, "doc-physician", [chemo.key])
    assert by_physician.claim(chemo.key).status is ClaimStatus.APPROVED  # type: ignore[union-attr]


def test_approving_every_claim_opens_the_gate_and_an_edit_reopens_exactly_that_claim(
    flagger: Flagger,
) -> None:
    submission = checked(flagger, seed_text())
    ledger = open_ledger(submission, None, NOW, POLICY, "wendy-writer")
    ledger = approve(ledger, "pat-pharmacist", [c.key for c in ledger.claims if CHEMO in c.sentence])
    ledger = approve(ledger, "doc-physician", [c.key for c in ledger.claims])
    assert publish_gate(ledger, submission, roster(), POLICY, NOW) == []

    edited = seed_text().replace("with wide margins", "with wide surgical margins")
    again = submit(
        checked(flagger, edited),
        draft_ledger=ledger,
        published_ledger=None,
        roster=roster(),
        policy=POLICY,
        now=NOW,
    )
    assert len(again.reopened) == 1
    [reopened] = [c for c in again.ledger.claims if c.key in again.reopened]
    assert "wide surgical margins" in reopened.sentence and reopened.status is ClaimStatus.PENDING
    assert len(again.carried) == len(SEED_CLAIMS) - 1
