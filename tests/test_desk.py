"""The desk's rules (reviewers.desk) on claims: building, carry-over, decide, the publish gate, expiry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from review_fixtures import FLAG_SPECS, NOW, make_article, open_for, roster, submission_of

from reviewers.desk import (
    comment,
    decide,
    draft_status,
    needs,
    publish_gate,
    reopen,
    review_expiry,
    submit,
    waiting_for,
)
from reviewers.flags import FlagCategory
from reviewers.ledger import ClaimStatus, DecisionInput, DraftStatus, ReviewLedger, Shown, Verdict, claim_key
from reviewers.policy import PolicyError, load_policy
from validators.errors import ConfigError
from validators.findings import Finding, Severity
from validators.parser import parse_article

POLICY = load_policy(None)
ERROR = Finding(
    code="ST01", rule="missing-section", severity=Severity.ERROR, message="m", path="p", line=1, column=1
)
STOP = "Stop taking ibuprofen and call your doctor if you have stomach pain."
DOSE = "Adults may take 200 mg every 4 to 6 hours."
WHAT = "Ibuprofen is a pain reliever."


def specs_with(old: str, new: str) -> list[tuple[str, str, FlagCategory]]:
    """FLAG_SPECS after the writer replaced `old` by `new` (the flagger finds the same terms)."""
    return [(s.replace(old, new), t.replace(old, new), c) for s, t, c in FLAG_SPECS]


def approve(ledger: ReviewLedger, reviewer: str, *sentences: str, **kwargs: object) -> ReviewLedger:
    decisions = [DecisionInput(key=claim_key(s), verdict=Verdict.APPROVE) for s in sentences]
    return decide(ledger, decisions, reviewer, roster(), POLICY, NOW, text_hash=ledger.content_hash).after


def test_one_claim_per_sentence_with_the_union_of_its_categories() -> None:
    ledger = open_for(make_article())
    assert [(c.sentence, c.line, c.requirement, c.status) for c in ledger.claims] == [
        (WHAT, 10, [FlagCategory.DRUG], ClaimStatus.PENDING),
        (DOSE, 10, [FlagCategory.DOSAGE], ClaimStatus.PENDING),
        (
            STOP,
            14,
            [FlagCategory.DIRECTIVE, FlagCategory.DRUG, FlagCategory.SYMPTOM],
            ClaimStatus.PENDING,
        ),
    ]
    assert ledger.claims[2].terms == ["Stop taking", "ibuprofen", "stomach pain"]
    assert ledger.claims[2].section == "Treatment"
    assert ledger.shown == [] and ledger.carried_over == []
    assert draft_status(ledger, published=False) is DraftStatus.IN_REVIEW


HEADED = """\
---
title: Angiography
slug: angiography
type: condition
author: wendy-writer
aliases: [Heparin flush]
---

## Heparin and you

Angiography (an-jee-OG-rah-fee) shows the vessels. Heparin is given during it.
"""


def test_headings_aliases_and_pronunciation_guides_never_make_a_claim() -> None:
    article = parse_article(HEADED, "articles/angiography.md")
    specs = [
        ("Heparin flush", "Heparin", FlagCategory.DRUG),  # the alias line
        ("Heparin and you", "Heparin", FlagCategory.DRUG),  # the heading
        ("Angiography (an-jee-OG-rah-fee) shows the vessels.", "an-jee-OG-rah-fee", FlagCategory.CHEMICAL),
        ("Heparin is given during it.", "Heparin", FlagCategory.DRUG),
    ]
    flags = []
    for sentence, term, category in specs:
        start = HEADED.index(sentence) + sentence.index(term)
        line, column = article.position(start)
        from reviewers.flags import Flag

        flags.append(
            Flag(
                term=term,
                normalized=term.casefold(),
                category=category,
                sentence=sentence,
                start=start,
                end=start + len(term),
                line=line,
                column=column,
                source="t",
                needs_approval=True,
            )
        )
    from reviewers.desk import make_submission

    submission = make_submission(article, [], flags)
    assert [c.sentence for c in submission.claims] == ["Heparin is given during it."]
    assert [(s.sentence, s.shown) for s in submission.shown] == [
        ("Heparin flush", Shown.ALIAS),
        ("Heparin and you", Shown.HEADING),
        ("Angiography (an-jee-OG-rah-fee) shows the vessels.", Shown.PRONUNCIATION),
    ]


def test_pharmacist_covers_only_the_medicine_part_and_the_claim_waits_for_a_nurse_or_physician() -> None:
    ledger = open_for(make_article())
    after = approve(ledger, "pat-pharmacist", STOP)
    claim = after.claim(claim_key(STOP))
    assert claim is not None and claim.status is ClaimStatus.PENDING
    assert claim.decisions[0].categories == [FlagCategory.DIRECTIVE, FlagCategory.DRUG]
    assert [(n.category, n.met) for n in needs(claim, POLICY)] == [
        (FlagCategory.DIRECTIVE, True),
        (FlagCategory.DRUG, True),
        (FlagCategory.SYMPTOM, False),
    ]
    # it waits for the nurse (symptom) and no longer for another pharmacist
    nurse = roster().get("nina-nurse")
    assert [c.sentence for c in waiting_for(after, nurse, POLICY, NOW)] == [STOP]
    done = approve(after, "nina-nurse", STOP)
    assert done.claim(claim_key(STOP)).status is ClaimStatus.APPROVED  # type: ignore[union-attr]


def test_one_physician_approval_covers_every_category_of_a_claim() -> None:
    ledger = approve(open_for(make_article()), "doc-physician", WHAT, DOSE, STOP)
    assert [c.status for c in ledger.claims] == [ClaimStatus.APPROVED] * 3
    assert draft_status(ledger, published=False) is DraftStatus.APPROVED


def test_n_of_m_counts_distinct_people_per_category() -> None:
    policy = load_policy("categories:\n  dosage: {roles: [physician, pharmacist], approvals: 2}\n")
    ledger = open_for(make_article(), policy=policy)
    once = decide(
        ledger,
        [DecisionInput(key=claim_key(DOSE), verdict=Verdict.APPROVE)],
        "doc-physician",
        roster(),
        policy,
        NOW,
        text_hash=ledger.content_hash,
    ).after
    assert once.claim(claim_key(DOSE)).status is ClaimStatus.PENDING  # type: ignore[union-attr]
    twice = decide(
        once,
        [DecisionInput(key=claim_key(DOSE), verdict=Verdict.APPROVE)],
        "pat-pharmacist",
        roster(),
        policy,
        NOW,
        text_hash=ledger.content_hash,
    ).after
    claim = twice.claim(claim_key(DOSE))
    assert claim is not None and claim.status is ClaimStatus.APPROVED
    assert claim.approvers == ["doc-physician", "pat-pharmacist"]


def test_carry_over_is_per_sentence_a_changed_sentence_is_pending_again() -> None:
    first = approve(open_for(make_article()), "doc-physician", WHAT, DOSE, STOP)
    changed = make_article(replace=("200 mg", "400 mg"))
    submitted = submit(
        submission_of(changed, specs_with("200 mg", "400 mg")),
        draft_ledger=first,
        published_ledger=None,
        roster=roster(),
        policy=POLICY,
        now=NOW,
    )
    ledger = submitted.ledger
    new_dose = claim_key(DOSE.replace("200", "400"))
    assert submitted.reopened == [new_dose]
    assert submitted.carried == [claim_key(WHAT), claim_key(STOP)]
    assert [c.status for c in ledger.claims] == [
        ClaimStatus.APPROVED,
        ClaimStatus.PENDING,
        ClaimStatus.APPROVED,
    ]
    assert ledger.previous_hash == first.content_hash
    carried = ledger.claim(claim_key(WHAT))
    assert carried is not None and carried.carried_decisions(ledger.content_hash) == carried.decisions
    assert submitted.writer.id == "wendy-writer"


def test_a_new_category_in_an_unchanged_sentence_waits_for_its_role() -> None:
    specs = [s for s in FLAG_SPECS if s[1] != "stomach pain"]
    first = approve(open_for(make_article(), specs=specs), "pat-pharmacist", STOP)
    assert first.claim(claim_key(STOP)).status is ClaimStatus.APPROVED  # type: ignore[union-attr]
    again = open_for(make_article(), previous=first)  # the flagger now also flags "stomach pain"
    claim = again.claim(claim_key(STOP))
    assert claim is not None and claim.status is ClaimStatus.PENDING
    assert [n.category for n in needs(claim, POLICY) if not n.met] == [FlagCategory.SYMPTOM]


def test_reject_needs_a_note_blocks_others_and_can_be_withdrawn() -> None:
    ledger = open_for(make_article())
    with pytest.raises(PolicyError) as refused:
        decide(
            ledger,
            [DecisionInput(key=claim_key(DOSE)[:6], verdict=Verdict.REJECT)],
            "doc-physician",
            roster(),
            POLICY,
            NOW,
            text_hash=ledger.content_hash,
        )
    assert refused.value.code == "PO06"
    rejected = decide(
        ledger,
        [DecisionInput(key=claim_key(DOSE), verdict=Verdict.REJECT, note="Say 200 to 400 mg.")],
        "doc-physician",
        roster(),
        POLICY,
        NOW,
        text_hash=ledger.content_hash,
    ).after
    assert rejected.claim(claim_key(DOSE)).status is ClaimStatus.REJECTED  # type: ignore[union-attr]
    assert draft_status(rejected, published=False) is DraftStatus.NEEDS_CHANGES
    with pytest.raises(PolicyError) as other:
        approve(rejected, "pat-pharmacist", DOSE)
    assert other.value.code == "PO10"
    undone = decide(
        rejected,
        [DecisionInput(key=claim_key(DOSE), verdict=Verdict.WITHDRAW)],
        "doc-physician",
        roster(),
        POLICY,
        NOW,
        text_hash=ledger.content_hash,
    ).after
    claim = undone.claim(claim_key(DOSE))
    assert claim is not None and claim.status is ClaimStatus.PENDING and len(claim.decisions) == 2
    with pytest.raises(PolicyError) as nothing:
        decide(
            undone,
            [DecisionInput(key=claim_key(DOSE), verdict=Verdict.WITHDRAW)],
            "doc-physician",
            roster(),
            POLICY,
            NOW,
            text_hash=ledger.content_hash,
        )
    assert nothing.value.code == "PO11"


@pytest.mark.parametrize(
    ("reviewer", "code"),
    [
        ("nobody", "PO01"),
        ("gone-doc", "PO02"),
        ("old-doc", "PO03"),
        ("wendy-writer", "PO04"),
        ("nina-nurse", "PO05"),  # dosage is for physicians and pharmacists
    ],
)
def test_who_may_not_decide_and_nothing_is_recorded(reviewer: str, code: str) -> None:
    ledger = open_for(make_article())
    with pytest.raises(PolicyError) as refused:
        approve(ledger, reviewer, WHAT, DOSE)
    assert refused.value.code == code
    assert all(not c.decisions for c in ledger.claims)


def test_repeat_stale_text_and_unknown_keys_are_refused() -> None:
    ledger = approve(open_for(make_article()), "doc-physician", WHAT)
    with pytest.raises(PolicyError, match="PO07"):
        approve(ledger, "doc-physician", WHAT)
    with pytest.raises(PolicyError, match="PO08"):
        decide(
            ledger,
            [DecisionInput(key=claim_key(DOSE), verdict=Verdict.APPROVE)],
            "doc-physician",
            roster(),
            POLICY,
            NOW,
            text_hash="sha256:" + "0" * 64,
        )
    with pytest.raises(PolicyError, match="PO09"):
        decide(
            ledger,
            [DecisionInput(key="ffff", verdict=Verdict.APPROVE)],
            "doc-physician",
            roster(),
            POLICY,
            NOW,
            text_hash=ledger.content_hash,
        )
    with pytest.raises(PolicyError, match="PO09"):
        decide(ledger, [], "doc-physician", roster(), POLICY, NOW, text_hash=ledger.content_hash)


def test_publish_gate_names_every_hold() -> None:
    article = make_article()
    ledger = open_for(article, findings=[ERROR])
    holds = publish_gate(ledger, submission_of(article), roster(), POLICY, NOW)
    assert [h.rule for h in holds] == ["errors", "pending"]
    assert str(holds[1]).startswith("pending: 3 claim(s) awaiting approval: ")

    approved = approve(open_for(article), "doc-physician", WHAT, DOSE, STOP)
    assert publish_gate(approved, submission_of(article), roster(), POLICY, NOW) == []

    changed = make_article(replace=("200 mg", "2000 mg"))
    now_checked = submission_of(changed, specs_with("200 mg", "2000 mg"))
    rules = [h.rule for h in publish_gate(approved, now_checked, roster(), POLICY, NOW)]
    assert rules == ["text-changed", "unreviewed-claims"]

    later = make_article(replace=("author: wendy-writer", "author: wendy-writer\npublish_after: 2099-01-01"))
    ledger_later = approve(open_for(later), "doc-physician", WHAT, DOSE, STOP)
    assert [h.rule for h in publish_gate(ledger_later, submission_of(later), roster(), POLICY, NOW)] == [
        "not-yet"
    ]


def test_publish_gate_counts_only_approvals_the_roster_still_accepts() -> None:
    article = make_article()
    approved = approve(open_for(article), "doc-physician", WHAT, DOSE, STOP)
    gone = roster().model_copy(
        update={
            "people": [
                p.model_copy(update={"active": False}) if p.id == "doc-physician" else p
                for p in roster().people
            ]
        }
    )
    holds = publish_gate(approved, submission_of(article), gone, POLICY, NOW)
    assert [h.rule for h in holds] == ["pending"]
    # the writer rewritten as the approver's id in the ledger: self-approval counts for nothing
    self_approved = approved.model_copy(update={"author": "doc-physician"})
    assert [h.rule for h in publish_gate(self_approved, submission_of(article), roster(), POLICY, NOW)] == [
        "pending"
    ]


def test_comments_on_any_sentence_and_they_carry_over() -> None:
    article = make_article()
    ledger = open_for(article)
    sentence = "Ibuprofen is a pain reliever."
    noted = comment(
        ledger,
        sentence,
        "Say which pain.",
        "nina-nurse",
        roster(),
        NOW,
        text_hash=ledger.content_hash,
        article_text=article.text,
    )
    assert [(c.sentence_key, c.author_name, c.text) for c in noted.comments] == [
        (claim_key(sentence), "Nina Nurse", "Say which pain.")
    ]
    with pytest.raises(PolicyError, match="not in the draft"):
        comment(
            ledger,
            "Aspirin cures all.",
            "?",
            "nina-nurse",
            roster(),
            NOW,
            text_hash=ledger.content_hash,
            article_text=article.text,
        )
    assert open_for(article, previous=noted).comments == noted.comments


def test_ledger_round_trips_through_yaml_and_broken_yaml_names_the_line() -> None:
    ledger = approve(open_for(make_article()), "pat-pharmacist", DOSE)
    assert ReviewLedger.from_yaml(ledger.to_yaml()) == ledger
    with pytest.raises(ConfigError, match=r"yaml:2: .*unknown key 'claimz'"):
        ReviewLedger.from_yaml(ledger.to_yaml().replace("claims:", "claimz:"))


FORMAT_1 = """\
format: 1
slug: ibuprofen-for-pain
content_hash: sha256:{hash}
author: wendy-writer
opened_at: 2026-11-24T12:00:00Z
flags:
  - key: aaaa
    category: directive
    term: Stop taking
    normalized: stop taking
    sentence: "{stop}"
    line: 14
    needs_approval: true
    approvals_needed: 1
    status: approved
    decisions:
      - {{reviewer_id: pat-pharmacist, reviewer_name: Pat Pharmacist, role: pharmacist, verdict: approve,
         at: 2026-11-24T12:00:00Z, made_on: "sha256:{hash}"}}
  - key: bbbb
    category: symptom
    term: stomach pain
    normalized: stomach pain
    sentence: "{stop}"
    line: 14
    needs_approval: true
    status: pending
  - key: cccc
    category: condition
    term: pain
    normalized: pain
    sentence: "{what}"
    line: 10
    needs_approval: false
"""


def test_format_1_ledgers_migrate_on_read_without_losing_a_decision() -> None:
    text = FORMAT_1.format(hash="a" * 64, stop=STOP, what=WHAT)
    ledger = ReviewLedger.from_yaml(text)
    assert ledger.format == 2
    assert [(c.sentence, c.requirement, c.status) for c in ledger.claims] == [
        (STOP, [FlagCategory.DIRECTIVE, FlagCategory.SYMPTOM], ClaimStatus.PENDING)
    ]
    decision = ledger.claims[0].decisions[0]
    assert (decision.reviewer_id, decision.categories) == ("pat-pharmacist", [FlagCategory.DIRECTIVE])
    assert [(s.term, s.needs_approval) for s in ledger.shown] == [("pain", False)]


def test_reopen_for_review_keeps_nothing_and_expiry_distrusts_the_future() -> None:
    article = make_article()
    ledger = reopen(submission_of(article), NOW, POLICY)
    assert ledger.author == "wendy-writer" and all(c.status is ClaimStatus.PENDING for c in ledger.claims)
    today = date(2026, 11, 30)
    assert review_expiry(None, 12, today).due
    assert review_expiry(today + timedelta(days=3), 12, today).reason.endswith("is in the future")
    assert review_expiry(date(2025, 11, 30), 12, today).due
    assert not review_expiry(date(2025, 12, 1), 12, today).due
    assert review_expiry(date(2025, 12, 1), 12, today).due_on == date(2026, 12, 1)


def test_after_review_every_changed_sentence_is_a_claim_with_or_without_flags() -> None:
    article = make_article()
    added = make_article(replace=(DOSE, DOSE + " Drink 80 glasses of water."))
    # before any decision: the writer may change freely, nothing extra to review
    fresh = open_for(article)
    assert [c.sentence for c in open_for(added, previous=fresh).claims] == [WHAT, DOSE, STOP]
    # after a clinician's decision: the new, unflagged sentence is a claim of its own
    approved = approve(fresh, "doc-physician", WHAT, DOSE, STOP)
    again = open_for(added, previous=approved)
    changed = again.claim(claim_key("Drink 80 glasses of water."))
    assert changed is not None and changed.status is ClaimStatus.PENDING
    assert changed.requirement == [FlagCategory.CHANGED_TEXT]
    holds = publish_gate(again, submission_of(added), roster(), POLICY, NOW)
    assert [h.rule for h in holds] == ["pending"]
    # it stays a claim on the next resubmission, keeping the decision made on it
    decided = approve(again, "doc-physician", "Drink 80 glasses of water.")
    third = open_for(added, previous=decided)
    kept = third.claim(changed.key)
    assert kept is not None and kept.status is ClaimStatus.APPROVED
    assert publish_gate(third, submission_of(added), roster(), POLICY, NOW) == []
