"""No decision is lost under any interleaving of clinicians and writers (issue: races).

- Eight `editorial review` processes started together all land (a decision needs no Prefect API).
- A clinician's rejection recorded while the writer's resubmission sits between reading the ledger
  and its compare-and-swap is kept: the resubmission reads again and carries it over.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from review_fixtures import FLAG_SPECS, make_article, make_content_repo, open_for

from reviewers.ledger import ClaimStatus, DecisionInput, ReviewLedger, Verdict, claim_key

SLUG = "ibuprofen-for-pain"
WHAT = "Ibuprofen is a pain reliever."
DOSE = "Adults may take 200 mg every 4 to 6 hours."
STOP = "Stop taking ibuprofen and call your doctor if you have stomach pain."


def ledger_of(repo: Path) -> ReviewLedger:
    from content_repo import ContentRepo

    with ContentRepo.open(repo) as content:
        _, text, _ = content.read_draft(SLUG)
    assert text is not None
    return ReviewLedger.from_yaml(text)


@pytest.mark.slow
def test_eight_concurrent_review_commands_all_land(tmp_path: Path) -> None:
    repo = make_content_repo(tmp_path / "content")
    decisions = [
        ("doc-physician", WHAT),
        ("doc-physician", DOSE),
        ("doc-physician", STOP),
        ("dana-physician", WHAT),
        ("dana-physician", DOSE),
        ("dana-physician", STOP),
        ("pat-pharmacist", WHAT),
        ("pat-pharmacist", DOSE),
    ]
    editorial = Path(sys.executable).with_name("editorial")
    env = {**os.environ, "EDITORIAL_REPO": str(repo)}
    env.pop("PREFECT_API_URL", None)
    processes = [
        subprocess.Popen(
            [str(editorial), "review", SLUG, "--reviewer", who, "--approve", claim_key(sentence)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who, sentence in decisions
    ]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in processes]  # type: ignore[union-attr]
    assert [(code, err) for code, _, err in results] == [(0, "")] * len(decisions)
    ledger = ledger_of(repo)
    recorded = sorted((d.reviewer_id, c.sentence) for c in ledger.claims for d in c.decisions)
    assert recorded == sorted(decisions)
    assert all(c.status is ClaimStatus.APPROVED for c in ledger.claims)


def test_a_rejection_recorded_during_a_resubmission_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Injected pause in submit's window: after it read the draft's ledger and before its commit, a
    clinician rejects an unchanged sentence. The submission's commit loses its compare-and-swap, reads
    again, and carries the rejection over (the rejected sentence is not approved later by accident)."""
    from review_fixtures import make_flags

    from content_repo import ContentRepo
    from flows.review_actions import record_decisions
    from flows.submit import save_submission
    from reviewers.desk import make_submission

    repo = make_content_repo(tmp_path / "content")
    changed = make_article(replace=("200 mg", "400 mg"))
    specs = [(s.replace("200 mg", "400 mg"), t.replace("200 mg", "400 mg"), c) for s, t, c in FLAG_SPECS]
    submission = make_submission(changed, [], make_flags(changed, specs))

    real = ContentRepo.save_draft
    paused: list[str] = []

    def save_after_a_rejection(self: ContentRepo, *args: object, **kwargs: object) -> object:
        if not paused:
            paused.append("window")
            rejection = [DecisionInput(key=claim_key(STOP), verdict=Verdict.REJECT, note="Name the signs.")]
            record_decisions(repo, SLUG, "nina-nurse", rejection)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ContentRepo, "save_draft", save_after_a_rejection)
    from datetime import UTC, datetime

    _, submitted = save_submission.fn(submission, repo, datetime(2026, 11, 30, tzinfo=UTC))
    assert paused == ["window"]
    claim = submitted.ledger.claim(claim_key(STOP))
    assert claim is not None and claim.status is ClaimStatus.REJECTED
    assert [(d.reviewer_id, d.note) for d in claim.decisions] == [("nina-nurse", "Name the signs.")]
    assert ledger_of(repo) == submitted.ledger
    assert open_for(changed, previous=submitted.ledger, specs=specs).claim(claim_key(STOP)).status is (  # type: ignore[union-attr]
        ClaimStatus.REJECTED
    )
