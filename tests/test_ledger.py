"""The review ledger: opening, carry-over on resubmission, YAML round-trip, status, publishability."""

from __future__ import annotations

from datetime import timedelta

import pytest
from review_fixtures import FLAG_SPECS, NOW, flag_in, make_article, make_flags, roster

from reviewers.flags import FlagCategory
from reviewers.ledger import (
    DecisionInput,
    DraftStatus,
    FlagStatus,
    ReviewLedger,
    Verdict,
    apply_decisions,
    draft_status,
    open_ledger,
    publishability,
)
from reviewers.policy import load_policy
from validators.errors import ConfigError
from validators.findings import Finding, Severity

ERROR = Finding(
    code="ST01", rule="missing-section", severity=Severity.ERROR, message="m", path="p", line=1, column=1
)
WARNING = Finding(
    code="TY01", rule="typography", severity=Severity.WARNING, message="m", path="p", line=1, column=1
)


def approve_all(ledger: ReviewLedger, reviewer: str = "doc-physician") -> ReviewLedger:
    decisions = [DecisionInput(key=f.key, verdict=Verdict.APPROVE) for f in ledger.flags if f.needs_approval]
    return apply_decisions(ledger, decisions, reviewer, roster(), load_policy(None), NOW)


def test_open_ledger_lists_each_flag_pending_with_hash_author_and_findings() -> None:
    article = make_article()
    ledger = open_ledger(article, make_flags(article), [ERROR, WARNING, ERROR], None, NOW)
    assert ledger.slug == "ibuprofen-for-pain"
    assert ledger.author == "wendy-writer"
    assert ledger.content_hash == article.content_hash
    assert ledger.previous_hash is None
    assert (ledger.findings.errors, ledger.findings.warnings, ledger.findings.error_codes) == (2, 1, ["ST01"])
    assert [(f.term, f.category, f.line, f.status) for f in ledger.flags] == [
        ("Ibuprofen", FlagCategory.DRUG, 10, FlagStatus.PENDING),
        ("200 mg", FlagCategory.DOSAGE, 10, FlagStatus.PENDING),
        ("Stop taking", FlagCategory.DIRECTIVE, 14, FlagStatus.PENDING),
        ("ibuprofen", FlagCategory.DRUG, 14, FlagStatus.PENDING),
        ("stomach pain", FlagCategory.SYMPTOM, 14, FlagStatus.PENDING),
    ]
    assert ledger.carried_over == []


def test_same_term_twice_in_one_sentence_is_one_entry() -> None:
    article = make_article()
    flags = make_flags(article)
    assert len(open_ledger(article, [*flags, flags[0]], [], None, NOW).flags) == 5


def test_resubmission_with_one_sentence_changed_reopens_only_its_flags() -> None:
    first = make_article()
    reviewed = approve_all(open_ledger(first, make_flags(first), [], None, NOW))
    assert all(f.status is FlagStatus.APPROVED for f in reviewed.flags)

    old = "Stop taking ibuprofen and call your doctor if you have stomach pain."
    new = "Stop taking ibuprofen and call your doctor if you have stomach pain or black stools."
    second = make_article(replace=(old, new))
    specs = [(new if s == old else s, term, category) for s, term, category in FLAG_SPECS]
    later = NOW + timedelta(days=1)
    resubmitted = open_ledger(second, make_flags(second, specs), [], reviewed, later)

    assert resubmitted.previous_hash == first.content_hash
    assert resubmitted.content_hash == second.content_hash
    assert [(f.term, f.status) for f in resubmitted.flags] == [
        ("Ibuprofen", FlagStatus.APPROVED),
        ("200 mg", FlagStatus.APPROVED),
        ("Stop taking", FlagStatus.PENDING),
        ("ibuprofen", FlagStatus.PENDING),
        ("stomach pain", FlagStatus.PENDING),
    ]
    assert resubmitted.carried_over == [reviewed.flags[0].key, reviewed.flags[1].key]
    carried = resubmitted.flags[1].decisions[0]
    assert (carried.reviewer_id, carried.made_on) == ("doc-physician", first.content_hash)
    assert draft_status(resubmitted, published=False) is DraftStatus.IN_REVIEW


def test_white_space_only_change_keeps_every_decision() -> None:
    first = make_article()
    reviewed = approve_all(open_ledger(first, make_flags(first), [], None, NOW))
    second = make_article(replace=("Adults may take 200 mg every", "Adults may take 200 mg\nevery"))
    specs = [(s.replace("200 mg every", "200 mg\nevery"), term, category) for s, term, category in FLAG_SPECS]
    resubmitted = open_ledger(second, make_flags(second, specs), [], reviewed, NOW)
    assert all(f.status is FlagStatus.APPROVED for f in resubmitted.flags)
    assert len(resubmitted.carried_over) == 5


def test_rejection_carries_over_until_the_sentence_changes() -> None:
    article = make_article()
    ledger = open_ledger(article, make_flags(article), [], None, NOW)
    dosage_key = ledger.flags[1].key
    reject = [DecisionInput(key=dosage_key, verdict=Verdict.REJECT, note="max 1200 mg a day")]
    rejected = apply_decisions(ledger, reject, "pat-pharmacist", roster(), load_policy(None), NOW)
    again = open_ledger(article, make_flags(article), [], rejected, NOW)
    assert again.flags[1].status is FlagStatus.REJECTED
    assert draft_status(again, published=False) is DraftStatus.NEEDS_CHANGES


def test_yaml_round_trip_is_exact() -> None:
    article = make_article()
    ledger = open_ledger(article, make_flags(article), [ERROR], None, NOW)
    reject = DecisionInput(key=ledger.flags[1].key, verdict=Verdict.REJECT, note="Say: «200–400 mg»")
    ledger = apply_decisions(ledger, [reject], "pat-pharmacist", roster(), load_policy(None), NOW)
    text = ledger.to_yaml()
    assert text.startswith("# Review ledger of ibuprofen-for-pain")
    assert "«200–400 mg»" in text
    restored = ReviewLedger.from_yaml(text)
    assert restored == ledger
    assert restored.to_yaml() == text


def test_from_yaml_is_strict() -> None:
    article = make_article()
    text = open_ledger(article, make_flags(article), [], None, NOW).to_yaml()
    with pytest.raises(ConfigError, match=r"reviews/x.yaml:\d+: .*flags\[0\]: unknown key 'colour'"):
        ReviewLedger.from_yaml(
            text.replace("  needs_approval: true", "  colour: red\n  needs_approval: true", 1),
            "reviews/x.yaml",
        )
    with pytest.raises(
        ConfigError, match=r"flags\[0\].status: Input should be 'pending', 'approved' or 'rejected'"
    ):
        ReviewLedger.from_yaml(text.replace("status: pending", "status: done", 1))


def test_draft_status_is_derived() -> None:
    article = make_article()
    flags = make_flags(article)
    ledger = open_ledger(article, flags, [], None, NOW)
    assert draft_status(ledger, published=False) is DraftStatus.IN_REVIEW
    assert draft_status(approve_all(ledger), published=False) is DraftStatus.APPROVED
    assert draft_status(approve_all(ledger), published=True) is DraftStatus.PUBLISHED
    with_error = open_ledger(article, flags, [ERROR], None, NOW)
    assert draft_status(approve_all(with_error), published=False) is DraftStatus.NEEDS_CHANGES
    informational = [
        flag_in(article, "Ibuprofen is a pain reliever.", "Ibuprofen", FlagCategory.DRUG, info=True)
    ]
    assert (
        draft_status(open_ledger(article, informational, [], None, NOW), published=False)
        is DraftStatus.APPROVED
    )


def test_publishability_lists_every_reason() -> None:
    article = make_article()
    pending = open_ledger(article, make_flags(article), [ERROR], None, NOW)
    rejected = apply_decisions(
        pending,
        [DecisionInput(key=pending.flags[1].key, verdict=Verdict.REJECT, note="no")],
        "doc-physician",
        roster(),
        load_policy(None),
        NOW,
    )
    keys = [f.key for f in pending.flags]
    assert publishability(rejected, article, NOW) == [
        "1 error finding(s) (ST01)",
        f"1 flag(s) rejected: {keys[1]}",
        f"4 flag(s) awaiting approval: {keys[0]}, {keys[2]}, {keys[3]}, {keys[4]}",
    ]
    approved = approve_all(open_ledger(article, make_flags(article), [], None, NOW))
    assert publishability(approved, article, NOW) == []
    edited = make_article(replace=("200 mg", "400 mg"))
    assert publishability(approved, edited, NOW) == [
        f"the text to publish ({edited.content_hash}) is not the reviewed text ({article.content_hash})"
    ]


def test_publish_after_and_roster_recheck() -> None:
    scheduled = make_article(
        replace=("author: wendy-writer\n", "author: wendy-writer\npublish_after: 2026-12-01T09:00:00Z\n")
    )
    approved = approve_all(open_ledger(scheduled, make_flags(scheduled), [], None, NOW))
    assert publishability(approved, scheduled, NOW) == [
        "publish_after 2026-12-01T09:00:00+00:00 has not come"
    ]
    assert publishability(approved, scheduled, NOW + timedelta(days=7)) == []
    deactivated = roster().model_copy(
        update={"people": [p.model_copy(update={"active": p.id != "doc-physician"}) for p in roster().people]}
    )
    reasons = publishability(approved, scheduled, NOW + timedelta(days=7), roster=deactivated)
    assert reasons == [
        f"flag {f.key} lacks approvals from active rostered clinicians" for f in approved.flags
    ]
