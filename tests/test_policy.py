"""The approval policy: data loading and every coded rule, passing and refusing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from review_fixtures import NOW, make_article, open_for, roster

from reviewers import desk
from reviewers.flags import FlagCategory
from reviewers.ledger import ClaimStatus as FlagStatus
from reviewers.ledger import DecisionInput, ReviewLedger, Verdict
from reviewers.policy import RULES, Policy, PolicyError, load_policy
from reviewers.roster import Role
from validators.errors import ConfigError

APPROVE = Verdict.APPROVE
REJECT = Verdict.REJECT


def ledger_for(author: str = "wendy-writer", policy: Policy | None = None) -> ReviewLedger:
    return open_for(make_article(author), policy=policy)


def key_of(ledger: ReviewLedger, term: str) -> str:
    """The key of the claim whose sentence holds `term`."""
    return next(c.key for c in ledger.claims if term in c.terms)


def apply_decisions(
    ledger: ReviewLedger,
    decisions: list[DecisionInput],
    reviewer: str,
    people: object,
    policy: Policy,
    now: object,
    *,
    text_hash: str | None = None,
) -> ReviewLedger:
    """`reviewers.desk.decide` on the ledger's own text unless `text_hash` says otherwise."""
    return desk.decide(
        ledger,
        decisions,
        reviewer,
        roster(),
        policy,
        now,  # type: ignore[arg-type]
        text_hash=text_hash or ledger.content_hash,
    ).after


def decide(
    ledger: ReviewLedger,
    reviewer: str,
    term: str,
    verdict: Verdict = APPROVE,
    note: str | None = None,
    policy: Policy | None = None,
) -> ReviewLedger:
    decision = DecisionInput(key=key_of(ledger, term), verdict=verdict, note=note)
    return apply_decisions(ledger, [decision], reviewer, roster(), policy or load_policy(None), NOW)


def refusal(
    ledger: ReviewLedger, reviewer: str, term: str, verdict: Verdict = APPROVE, note: str | None = None
) -> str:
    with pytest.raises(PolicyError) as caught:
        decide(ledger, reviewer, term, verdict, note)
    return caught.value.code


# --- policy as data -------------------------------------------------------------------------------


def test_shipped_policy_roles_and_defaults() -> None:
    policy = load_policy(None)
    assert policy.review_interval_months == 12
    assert policy.rule_for(FlagCategory.DOSAGE).roles == [Role.PHYSICIAN, Role.PHARMACIST]
    assert policy.rule_for(FlagCategory.DRUG).roles == [Role.PHYSICIAN, Role.PHARMACIST]
    assert policy.rule_for(FlagCategory.PROCEDURE).roles == [Role.PHYSICIAN]
    assert policy.rule_for(FlagCategory.DIRECTIVE).roles == [Role.PHYSICIAN, Role.PHARMACIST, Role.NURSE]
    assert {policy.approvals_needed(c) for c in FlagCategory} == {1}


def test_override_replaces_listed_categories_and_keeps_the_rest() -> None:
    policy = load_policy(
        "review_interval_months: 6\ncategories:\n  dosage: {roles: [pharmacist], approvals: 2}\n"
    )
    assert policy.review_interval_months == 6
    assert policy.rule_for(FlagCategory.DOSAGE).roles == [Role.PHARMACIST]
    assert policy.approvals_needed(FlagCategory.DOSAGE) == 2
    assert policy.rule_for(FlagCategory.DRUG).roles == [Role.PHYSICIAN, Role.PHARMACIST]


def test_override_with_unknown_key_or_category_is_refused_with_line() -> None:
    with pytest.raises(ConfigError) as caught:
        load_policy("review_interval_months: 6\ncategories:\n  dosage: {roles: [pharmacist], quorum: 2}\n")
    assert str(caught.value) == (
        "policy.yaml:3: error E013 configuration error: categories.dosage: unknown key 'quorum' "
        "(allowed: roles, approvals)"
    )
    with pytest.raises(ConfigError, match=r"policy.yaml:3: .*categories.dosages"):
        load_policy("review_interval_months: 6\ncategories:\n  dosages: {roles: [pharmacist]}\n")
    with pytest.raises(ConfigError, match="approvals: Input should be greater than or equal to 1"):
        load_policy("categories:\n  dosage: {roles: [pharmacist], approvals: 0}\n")


def test_every_rule_has_a_code_and_a_name() -> None:
    assert sorted(RULES) == [f"PO{n:02d}" for n in range(1, 12)]
    error = PolicyError("PO06", key="abcd")
    assert (
        str(error)
        == "PO06 rejection-needs-note: rejecting claim abcd needs a note saying what to change (--note)"
    )


# --- the rules, each refusing and passing ----------------------------------------------------------


def test_po01_not_in_roster() -> None:
    ledger = ledger_for()
    assert refusal(ledger, "mallory", "200 mg") == "PO01"
    assert decide(ledger, "doc-physician", "200 mg").claims[1].status is FlagStatus.APPROVED


def test_po04_writer_cannot_approve_own_draft() -> None:
    assert refusal(ledger_for("phil-writer"), "phil-writer", "200 mg") == "PO04"
    assert refusal(ledger_for("wendy-writer"), "wendy-writer", "200 mg") == "PO04"
    # the same physician-writer may approve someone else's draft
    assert decide(ledger_for("wendy-writer"), "phil-writer", "200 mg").claims[1].status is FlagStatus.APPROVED


def test_po02_inactive_cannot_approve() -> None:
    assert refusal(ledger_for(), "gone-doc", "200 mg") == "PO02"


def test_po03_expired_or_missing_credential_cannot_approve() -> None:
    ledger = ledger_for()
    assert refusal(ledger, "old-doc", "200 mg") == "PO03"
    with pytest.raises(PolicyError, match=r"through 2026-11-24 \(verified until 2026-01-31\)"):
        decide(ledger, "old-doc", "200 mg")
    # valid through the last verified day
    last_day = NOW.replace(year=2099, month=6, day=30)
    decision = DecisionInput(key=key_of(ledger, "200 mg"), verdict=APPROVE)
    approved = apply_decisions(ledger, [decision], "pat-pharmacist", roster(), load_policy(None), last_day)
    assert approved.claims[1].status is FlagStatus.APPROVED
    with pytest.raises(PolicyError) as caught:
        apply_decisions(
            ledger, [decision], "pat-pharmacist", roster(), load_policy(None), last_day + timedelta(days=1)
        )
    assert caught.value.code == "PO03"


def test_po05_role_not_allowed_and_pharmacist_can_approve_dosage() -> None:
    ledger = ledger_for()
    assert refusal(ledger, "nina-nurse", "200 mg") == "PO05"
    with pytest.raises(
        PolicyError,
        match=r"'nina-nurse' \(nurse\) may not decide on dosage; "
        r"the policy allows physician or pharmacist",
    ):
        decide(ledger, "nina-nurse", "200 mg")
    # the pharmacist covers the drug and the directive of that sentence, not its symptom
    assert decide(ledger, "pat-pharmacist", "stomach pain").claims[2].status is FlagStatus.PENDING
    approved = decide(ledger, "pat-pharmacist", "200 mg")
    dosage = approved.claims[1]
    assert dosage.status is FlagStatus.APPROVED
    assert (dosage.decisions[0].reviewer_id, dosage.decisions[0].role) == ("pat-pharmacist", Role.PHARMACIST)
    assert decide(ledger, "nina-nurse", "Stop taking").claims[2].status is FlagStatus.PENDING  # its drug


def test_po06_rejection_needs_a_note() -> None:
    ledger = ledger_for()
    assert refusal(ledger, "doc-physician", "200 mg", REJECT) == "PO06"
    assert refusal(ledger, "doc-physician", "200 mg", REJECT, "   ") == "PO06"
    rejected = decide(ledger, "doc-physician", "200 mg", REJECT, " Say 200 to 400 mg. ")
    assert rejected.claims[1].status is FlagStatus.REJECTED
    assert rejected.claims[1].decisions[0].note == "Say 200 to 400 mg."


def test_po07_one_decision_per_person_per_flag() -> None:
    ledger = decide(ledger_for(), "doc-physician", "200 mg")
    assert refusal(ledger, "doc-physician", "200 mg") == "PO07"
    key = key_of(ledger, "Ibuprofen")
    twice = [DecisionInput(key=key, verdict=APPROVE), DecisionInput(key=key[:6], verdict=APPROVE)]
    with pytest.raises(PolicyError) as caught:
        apply_decisions(ledger, twice, "pat-pharmacist", roster(), load_policy(None), NOW)
    assert caught.value.code == "PO07"


def test_po08_ledger_for_other_text_is_refused() -> None:
    ledger = ledger_for()
    decision = [DecisionInput(key=key_of(ledger, "200 mg"), verdict=APPROVE)]
    changed = make_article(replace=("200 mg", "400 mg"))
    with pytest.raises(PolicyError) as caught:
        apply_decisions(
            ledger,
            decision,
            "doc-physician",
            roster(),
            load_policy(None),
            NOW,
            text_hash=changed.content_hash,
        )
    assert caught.value.code == "PO08"
    same = apply_decisions(
        ledger,
        decision,
        "doc-physician",
        roster(),
        load_policy(None),
        NOW,
        text_hash=make_article().content_hash,
    )
    assert same.claims[1].status is FlagStatus.APPROVED


def test_po09_unknown_ambiguous_or_missing_key() -> None:
    ledger = ledger_for()
    policy = load_policy(None)
    with pytest.raises(PolicyError) as caught:
        apply_decisions(
            ledger,
            [DecisionInput(key="ffffffffffffffff0", verdict=APPROVE)],
            "doc-physician",
            roster(),
            policy,
            NOW,
        )
    assert caught.value.code == "PO09"
    assert "no claim of 'ibuprofen-for-pain' has a key starting with 'ffffffffffffffff0'" in str(caught.value)
    with pytest.raises(PolicyError, match=r"key prefix '' is ambiguous \("):
        desk.resolve_claim(ledger, "")  # every key starts with the empty prefix
    assert desk.resolve_claim(ledger, key_of(ledger, "200 mg")[:10].upper()).terms == ["200 mg"]
    with pytest.raises(PolicyError, match="no decision given"):
        apply_decisions(ledger, [], "doc-physician", roster(), policy, NOW)


def test_po10_rejected_flag_cannot_be_decided_again_in_this_version() -> None:
    ledger = decide(ledger_for(), "doc-physician", "200 mg", REJECT, "wrong dose")
    assert refusal(ledger, "pat-pharmacist", "200 mg") == "PO10"


def test_refusal_records_nothing_all_or_nothing() -> None:
    ledger = ledger_for()
    mixed = [
        DecisionInput(key=key_of(ledger, "stomach pain"), verdict=APPROVE),
        DecisionInput(key=key_of(ledger, "200 mg"), verdict=APPROVE),  # a nurse may not
    ]
    with pytest.raises(PolicyError) as caught:
        apply_decisions(ledger, mixed, "nina-nurse", roster(), load_policy(None), NOW)
    assert caught.value.code == "PO05"
    assert all(not f.decisions for f in ledger.claims)


def test_n_of_m_needs_distinct_approvers() -> None:
    policy = load_policy("categories:\n  dosage: {roles: [physician, pharmacist], approvals: 2}\n")
    ledger = ledger_for(policy=policy)
    assert desk.needs(ledger.claims[1], policy)[0].approvals == 2
    once = decide(ledger, "doc-physician", "200 mg", policy=policy)
    assert once.claims[1].status is FlagStatus.PENDING
    assert refusal(once, "doc-physician", "200 mg") == "PO07"
    twice = decide(once, "pat-pharmacist", "200 mg", policy=policy)
    assert twice.claims[1].status is FlagStatus.APPROVED
    assert twice.claims[1].approvers == ["doc-physician", "pat-pharmacist"]
