"""Recording decisions: the direct call (`flows.review_actions`), the `record_review` flow wrapping it,
and `editorial review`, on claims; races re-read and re-apply the rules (nothing recorded meanwhile is
lost)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from review_fixtures import FLAG_SPECS, make_article, make_content_repo, submit
from typer.testing import CliRunner

import flows.cli.cmd_review  # noqa: F401  (registers the commands)
from flows.cli.app import app
from reviewers.ledger import ClaimStatus, DecisionInput, DraftStatus, ReviewLedger, Verdict

pytestmark = [pytest.mark.slow, pytest.mark.prefect]

APPROVE = Verdict.APPROVE
SLUG = "ibuprofen-for-pain"
DIRECTIVE = "Stop taking ibuprofen and call your doctor if you have stomach pain."


@pytest.fixture
def repo(tmp_path: Path, prefect_harness: None) -> Path:
    """A content repository with the roster on main and the test article submitted."""
    return make_content_repo(tmp_path / "content")


def draft_ledger(repo: Path) -> tuple[ReviewLedger, str]:
    from content_repo import ContentRepo

    with ContentRepo.open(repo) as content:
        _, ledger_text, head = content.read_draft(SLUG)
    assert ledger_text is not None
    return ReviewLedger.from_yaml(ledger_text), head


def key(repo: Path, term: str) -> str:
    """The key of the claim holding `term`."""
    return next(c.key for c in draft_ledger(repo)[0].claims if term in c.terms)


def head_commit(repo: Path) -> tuple[str, str]:
    """(author, subject) of the draft's head commit."""
    from content_repo import ContentRepo

    with ContentRepo.open(repo) as content:
        info = content.commit_info(content.read_draft(SLUG)[2])
    return info.author.format(), info.message.splitlines()[0]


def test_flow_records_a_pharmacist_approval_as_a_commit_by_the_pharmacist(repo: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.record_review import record_review

    dosage = key(repo, "200 mg")
    outcome = record_review(
        SLUG, "pat-pharmacist", [DecisionInput(key=dosage[:6], verdict=Verdict.APPROVE)], str(repo)
    )
    ledger, head = draft_ledger(repo)
    assert (outcome.commit, outcome.status, outcome.previous_status) == (
        head,
        DraftStatus.IN_REVIEW,
        DraftStatus.IN_REVIEW,
    )
    assert [(d.claim, d.decision.verdict) for d in outcome.decided] == [(dosage, Verdict.APPROVE)]
    claim = ledger.claim(dosage)
    assert claim is not None and claim.status is ClaimStatus.APPROVED
    assert (claim.decisions[0].reviewer_id, claim.decisions[0].role.value) == ("pat-pharmacist", "pharmacist")
    assert head_commit(repo) == ("Pat Pharmacist <pat@example.org>", f"Review {SLUG}: 1 approved, 0 rejected")
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[f"review-{SLUG}"]))
        )
    assert artifacts and "| dosage | 200 mg | approve |" in str(artifacts[0].data)


def test_flow_refusal_raises_the_rule_and_records_nothing(repo: Path) -> None:
    from flows.record_review import record_review
    from reviewers.policy import PolicyError

    before = draft_ledger(repo)
    with pytest.raises(PolicyError) as caught:
        record_review(
            SLUG, "nina-nurse", [DecisionInput(key=key(repo, "200 mg"), verdict=Verdict.APPROVE)], str(repo)
        )
    assert caught.value.code == "PO05"
    assert draft_ledger(repo) == before


def test_a_decision_recorded_meanwhile_is_kept_when_the_commit_loses_its_race(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Injected pause: after the pharmacist's decision is computed and before its commit, the physician
    records one; the pharmacist's commit loses the compare-and-swap, is recomputed on the new head, and
    both decisions stand."""
    from content_repo import ContentRepo
    from flows.review_actions import record_decisions

    real = ContentRepo.record_review
    injected: list[str] = []

    def record_with_a_rival_first(self: ContentRepo, *args: object, **kwargs: object) -> object:
        if not injected:
            injected.append("rival")
            rival = [DecisionInput(key=key(repo, "Ibuprofen"), verdict=APPROVE)]
            record_decisions(repo, SLUG, "doc-physician", rival)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ContentRepo, "record_review", record_with_a_rival_first)
    outcome = record_decisions(
        repo, SLUG, "pat-pharmacist", [DecisionInput(key=key(repo, "200 mg"), verdict=APPROVE)]
    )
    assert outcome.attempts == 2
    ledger, _ = draft_ledger(repo)
    assert [(c.terms, [d.reviewer_id for d in c.decisions]) for c in ledger.claims if c.decisions] == [
        (["Ibuprofen"], ["doc-physician"]),
        (["200 mg"], ["pat-pharmacist"]),
    ]


def test_a_decision_on_text_that_changed_meanwhile_is_refused(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Injected pause: the writer resubmits changed text between the read and the commit: the retry
    reads the new version and refuses the stale decision (PO09: its claim is gone) instead of
    recording it on text nobody reviewed."""
    from content_repo import ContentRepo
    from flows.review_actions import record_decisions
    from reviewers.policy import PolicyError, load_policy

    real = ContentRepo.record_review

    def resubmit_first(self: ContentRepo, *args: object, **kwargs: object) -> object:
        monkeypatch.setattr(ContentRepo, "record_review", real)
        changed = [
            (s.replace("200 mg", "2000 mg"), t.replace("200 mg", "2000 mg"), c) for s, t, c in FLAG_SPECS
        ]
        with ContentRepo.open(repo) as content:
            submit(
                content,
                make_article(replace=("200 mg", "2000 mg")),
                previous=None,
                policy=load_policy(None),
                specs=changed,
            )
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ContentRepo, "record_review", resubmit_first)
    with pytest.raises(PolicyError) as caught:
        record_decisions(
            repo, SLUG, "pat-pharmacist", [DecisionInput(key=key(repo, "200 mg"), verdict=APPROVE)]
        )
    assert caught.value.code == "PO09"
    ledger, _ = draft_ledger(repo)
    assert all(not c.decisions for c in ledger.claims)


def test_events_only_on_a_change_to_approved_or_needs_changes() -> None:
    from flows.review_actions import ReviewOutcome, draft_event

    def outcome(before: DraftStatus, after: DraftStatus) -> ReviewOutcome:
        return ReviewOutcome(
            slug=SLUG,
            reviewer_id="x",
            commit="0" * 40,
            status=after,
            previous_status=before,
            decided=[],
            attempts=1,
        )

    assert draft_event(outcome(DraftStatus.IN_REVIEW, DraftStatus.APPROVED)) == "editorial.draft.approved"
    assert (
        draft_event(outcome(DraftStatus.IN_REVIEW, DraftStatus.NEEDS_CHANGES))
        == "editorial.draft.needs-changes"
    )
    assert draft_event(outcome(DraftStatus.IN_REVIEW, DraftStatus.IN_REVIEW)) is None
    assert draft_event(outcome(DraftStatus.NEEDS_CHANGES, DraftStatus.NEEDS_CHANGES)) is None


def test_concurrent_reviews_lose_nothing(repo: Path) -> None:
    from flows.record_review import record_review

    choices = [("pat-pharmacist", "200 mg"), ("nina-nurse", "stomach pain"), ("doc-physician", "Ibuprofen")]
    keys = {term: key(repo, term) for _, term in choices}
    errors: list[BaseException] = []

    def review(reviewer: str, term: str) -> None:
        try:
            record_review(SLUG, reviewer, [DecisionInput(key=keys[term], verdict=Verdict.APPROVE)], str(repo))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=review, args=choice) for choice in choices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ledger, _ = draft_ledger(repo)
    assert {t: ledger.claim(k).status for t, k in keys.items()} == {  # type: ignore[union-attr]
        "200 mg": ClaimStatus.APPROVED,
        "stomach pain": ClaimStatus.PENDING,  # its drug waits for a physician or pharmacist
        "Ibuprofen": ClaimStatus.APPROVED,
    }


def test_cli_review_approves_to_approved_then_status_says_so(repo: Path) -> None:
    runner = CliRunner()
    pat = [key(repo, t)[:8] for t in ("Ibuprofen", "200 mg", "ibuprofen")]
    result = runner.invoke(
        app, ["review", SLUG, "--reviewer", "pat-pharmacist", "--approve", ",".join(pat), "--repo", str(repo)]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Recorded 3 approval(s) and 0 rejection(s) on {SLUG} as pat-pharmacist")
    assert result.stdout.endswith(": in_review -> in_review\n")
    args = ["review", SLUG, "--reviewer", "nina-nurse", "--repo", str(repo)]
    result = runner.invoke(app, [*args, "--approve", key(repo, "stomach pain")[:8], "--note", "ok"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith(": in_review -> approved\n")
    status = runner.invoke(app, ["status", SLUG, "--repo", str(repo)])
    assert status.stdout.splitlines()[0] == (
        f"{SLUG}: approved (3 approved, 0 pending, 0 rejected claim(s); 0 flag(s) shown only)"
    )
    dry = runner.invoke(app, [*args, "--withdraw", key(repo, "stomach pain")[:8], "--dry-run"])
    assert dry.stdout.splitlines()[-1] == f"Dry run: nothing recorded; {SLUG} would be in_review."


def test_interactive_review_through_stdin(repo: Path) -> None:
    answers = "what\nn\nName the warning signs.\nr\n"
    result = CliRunner().invoke(
        app, ["review", SLUG, "--reviewer", "nina-nurse", "--repo", str(repo)], input=answers
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "approve, reject, skip, note, quit? [a/r/s/n/q] what\nAnswer a (approve), r (reject)" in out
    assert "note: Name the warning signs.\n" in out
    assert out.splitlines()[-1].startswith(
        f"Recorded 0 approval(s) and 1 rejection(s) on {SLUG} as nina-nurse"
    )
    assert out.splitlines()[-1].endswith(": in_review -> needs_changes")
    ledger, _ = draft_ledger(repo)
    claim = ledger.claim(key(repo, "stomach pain"))
    assert claim is not None and claim.status is ClaimStatus.REJECTED
    assert [(d.verdict, d.note) for d in claim.decisions] == [(Verdict.REJECT, "Name the warning signs.")]
    assert head_commit(repo) == ("Nina Nurse <nina@example.org>", f"Review {SLUG}: 0 approved, 1 rejected")


def test_resubmission_reopens_only_the_changed_sentence_in_the_queue(repo: Path) -> None:
    from content_repo import ContentRepo
    from flows.review_actions import record_decisions
    from reviewers.policy import load_policy

    ledger, _ = draft_ledger(repo)
    record_decisions(
        repo,
        SLUG,
        "doc-physician",
        [DecisionInput(key=c.key, verdict=Verdict.APPROVE) for c in ledger.claims],
    )
    reviewed, _ = draft_ledger(repo)
    changed = DIRECTIVE.replace("stomach pain", "stomach pain or black stools")
    specs = [(changed if s == DIRECTIVE else s, t, c) for s, t, c in FLAG_SPECS]
    with ContentRepo.open(repo) as content:
        resubmitted = submit(
            content,
            make_article(replace=(DIRECTIVE, changed)),
            previous=reviewed,
            policy=load_policy(None),
            specs=specs,
        )
    assert len(resubmitted.carried_over) == 2
    queue = CliRunner().invoke(app, ["queue", "--reviewer", "dana-physician", "--repo", str(repo)])
    assert (
        queue.stdout.splitlines()[0]
        == "Queue for dana-physician (physician): 1 claim(s) in 1 draft(s), oldest first"
    )
    assert "[[200 mg]]" not in queue.stdout and "[[Ibuprofen]] is" not in queue.stdout
    assert "[[stomach pain]] or black stools." in queue.stdout
    show = CliRunner().invoke(app, ["show", SLUG, "--repo", str(repo)])
    assert "carried over: 2 claim(s) unchanged since " in show.stdout
    assert show.stdout.count("(carried over)") == 2
    assert "1 pending" in show.stdout
