"""`await_review`: the paused run's form, answered the way the Prefect UI answers it (`resume_flow_run`).

Invalid answers (an unknown key, a rejection without a note, a decision the policy refuses) are
answered and asked again, never recorded; the valid answer is recorded through `record_review`.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from test_flows_pipeline import FIXTURE_ARTICLE, SLUG, make_site, write_draft

from content_repo import ContentRepo

pytestmark = [pytest.mark.slow, pytest.mark.prefect]


def wait_for_pause(pause_key: str, timeout: float = 60.0) -> UUID:
    """The id of the await-review run once it is paused at `pause_key`."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
    from prefect.client.schemas.objects import StateType

    deadline = time.monotonic() + timeout
    paused = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])))
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            for run in client.read_flow_runs(flow_run_filter=paused):
                if run.state is not None and run.state.state_details.pause_key == pause_key:
                    return run.id
            time.sleep(0.2)
    raise AssertionError(f"the run never paused at {pause_key}")


def answer(run_id: UUID, decisions: list[dict[str, str]]) -> None:
    """Send the form's answer, as the UI does."""
    from prefect.flow_runs import resume_flow_run

    resume_flow_run(run_id, run_input={"decisions": decisions})


def test_invalid_answers_are_asked_again_and_the_valid_one_is_recorded(
    tmp_path: Path, prefect_harness: None
) -> None:
    from flows.await_review import AwaitReviewResult, await_review
    from flows.submit import submit_draft
    from reviewers.ledger import ClaimStatus, ReviewLedger

    content, _ = make_site(tmp_path / "site")
    submitted = submit_draft(write_draft(tmp_path / "work", FIXTURE_ARTICLE.read_text()), repo_path=content)
    # a claim only a pharmacist's drug role covers, and one that needs a physician for its procedure only
    drug = next(c.key for c in submitted.ledger.claims if [str(r) for r in c.requirement] == ["drug"])
    procedure = next(
        c.key for c in submitted.ledger.claims if [str(r) for r in c.requirement] == ["procedure"]
    )

    results: list[AwaitReviewResult] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            result = await_review(
                SLUG, "pat-pharmacist", repo_path=content, timeout_seconds=120, poll_interval_seconds=1
            )
            results.append(result)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    waiting = threading.Thread(target=run)
    waiting.start()
    try:
        answers: list[list[dict[str, Any]]] = [
            [{"key": "0123456789abcdef", "verdict": "approve"}],  # not a key of this draft
            [{"key": drug, "verdict": "reject", "note": "  "}],  # a rejection needs a note
            [{"key": procedure, "verdict": "approve"}],  # the policy: procedures are for physicians
            [{"key": drug, "verdict": "approve"}, {"key": procedure, "verdict": "undecided"}],
        ]
        for number, decisions in enumerate(answers, start=1):
            answer(wait_for_pause(f"review-{SLUG}-{number}"), decisions)
    finally:
        waiting.join(timeout=120)
    assert failures == []
    [result] = results
    assert result.asked == 4
    assert result.outcome is not None
    assert [(d.claim, d.decision.verdict.value) for d in result.outcome.decided] == [(drug, "approve")]

    with ContentRepo.open(content) as repo:
        _, ledger_text, head = repo.read_draft(SLUG)
        history = repo.history(SLUG)
    assert ledger_text is not None
    ledger = ReviewLedger.from_yaml(ledger_text)
    decided = {c.key: c.status for c in ledger.claims if c.decisions}
    assert decided == {drug: ClaimStatus.APPROVED}  # nothing from the refused answers was recorded
    assert [c.sha for c in history][:1] == [head]
    assert sum(1 for c in history if c.message.startswith("Review ")) == 1


def test_decisions_from_the_form() -> None:
    from flows.await_review import (
        AnswerRefused,
        ClaimChoice,
        FormVerdict,
        PendingClaim,
        ReviewForm,
        decisions_from,
    )

    pending = [PendingClaim(key="aaaa", categories=["drug"], terms=["x"], line=3, sentence="x.")]
    form = ReviewForm(decisions=[ClaimChoice(key="AAAA", verdict=FormVerdict.REJECT, note=" too strong ")])
    [decision] = decisions_from(form, pending)
    assert (decision.key, decision.verdict.value, decision.note) == ("aaaa", "reject", "too strong")
    with pytest.raises(AnswerRefused, match="no decision given"):
        decisions_from(ReviewForm(decisions=[ClaimChoice(key="aaaa")]), pending)
    with pytest.raises(AnswerRefused, match="'bbbb' is not the key"):
        decisions_from(ReviewForm(decisions=[ClaimChoice(key="bbbb", verdict=FormVerdict.APPROVE)]), pending)
