"""The review ledger: one per draft version, each flag with its status and the decisions on it.

Stored as `reviews/<slug>.yaml` beside the article on the draft branch (and on main once published).
Decisions carry over to a resubmitted version for flags whose key (category, normalized term,
normalized sentence) is unchanged; changed and new flags are pending again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import Field

from reviewers.datafile import StrictModel, dump_yaml, load_model
from reviewers.flags import Flag, FlagCategory
from reviewers.policy import Policy, PolicyError, check_may_decide, load_policy
from reviewers.roster import Person, Role, Roster
from validators.findings import Finding, Severity
from validators.models import Article

LEDGER_FORMAT = 1


def ledger_path(slug: str) -> str:
    """Where a draft's ledger lives in the content repository."""
    return f"reviews/{slug}.yaml"


class FlagStatus(StrEnum):
    """Where one flag stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Verdict(StrEnum):
    """What a clinician decided on a flag."""

    APPROVE = "approve"
    REJECT = "reject"


class DraftStatus(StrEnum):
    """Where a draft stands (derived from its ledger, never stored)."""

    NEEDS_CHANGES = "needs_changes"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"


class DecisionInput(StrictModel):
    """A decision as a reviewer gives it: a flag key (or a unique prefix of one), a verdict, a note."""

    key: str = Field(min_length=1, pattern=r"^[0-9a-f]+$")
    verdict: Verdict
    note: str | None = None


class Decision(StrictModel):
    """A recorded decision: who, under which role, what, why and when, on which version's text."""

    reviewer_id: str
    reviewer_name: str
    role: Role
    verdict: Verdict
    note: str | None = None
    at: datetime
    made_on: str = Field(description="Content hash of the version the decision was made on.")


class LedgerFlag(StrictModel):
    """One flag of the draft with its decisions."""

    key: str
    category: FlagCategory
    term: str
    normalized: str
    sentence: str
    line: int = Field(ge=1)
    needs_approval: bool
    approvals_needed: int = Field(default=1, ge=1)
    status: FlagStatus = FlagStatus.PENDING
    decisions: list[Decision] = Field(default_factory=list)

    @property
    def approvers(self) -> list[str]:
        """Distinct ids of the people who approved this flag, in decision order."""
        return list(dict.fromkeys(d.reviewer_id for d in self.decisions if d.verdict is Verdict.APPROVE))

    @property
    def blocks_publishing(self) -> bool:
        """True when this flag stands between the draft and publication."""
        if self.status is FlagStatus.REJECTED:
            return True
        return self.needs_approval and self.status is FlagStatus.PENDING

    def decided_by(self, reviewer_id: str) -> bool:
        """True when `reviewer_id` has a decision on this flag."""
        return any(d.reviewer_id == reviewer_id for d in self.decisions)


class FindingsSummary(StrictModel):
    """The validator's verdict on the version: errors block publishing."""

    errors: int = Field(default=0, ge=0)
    warnings: int = Field(default=0, ge=0)
    error_codes: list[str] = Field(default_factory=list)


class ReviewLedger(StrictModel):
    """The review record of one draft version."""

    format: int = LEDGER_FORMAT
    slug: str
    content_hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    author: str
    opened_at: datetime
    previous_hash: str | None = Field(default=None, description="Hash of the version it carried over from.")
    findings: FindingsSummary = FindingsSummary()
    flags: list[LedgerFlag] = Field(default_factory=list)
    carried_over: list[str] = Field(default_factory=list, description="Keys whose decisions carried over.")

    def to_yaml(self) -> str:
        """The ledger file's text."""
        header = f"# Review ledger of {self.slug} (written by Editorial; every change is a commit)\n"
        return header + dump_yaml(self.model_dump(mode="json"))

    @classmethod
    def from_yaml(cls, text: str, path: str = "reviews/<slug>.yaml") -> ReviewLedger:
        """Read a ledger file strictly; raises `ConfigError` naming the file and line."""
        return load_model(cls, text, path)

    def flag(self, key: str) -> LedgerFlag | None:
        """The flag with exactly this key, or None."""
        return next((f for f in self.flags if f.key == key), None)

    def resolve_key(self, prefix: str) -> LedgerFlag:
        """The one flag whose key starts with `prefix`; raises `PolicyError` PO09 otherwise."""
        prefix = prefix.strip().lower()
        matches = [f for f in self.flags if f.key.startswith(prefix)]
        if not matches:
            raise PolicyError("PO09", detail=f"no flag of {self.slug!r} has a key starting with {prefix!r}")
        if len(matches) > 1:
            keys = ", ".join(f.key for f in matches)
            raise PolicyError("PO09", detail=f"key prefix {prefix!r} is ambiguous ({keys}); give more of it")
        return matches[0]

    @property
    def approvers(self) -> list[str]:
        """Distinct ids of everyone who approved a flag of this version, in order of first approval."""
        decisions = sorted((d for f in self.flags for d in f.decisions), key=lambda d: d.at)
        return list(dict.fromkeys(d.reviewer_id for d in decisions if d.verdict is Verdict.APPROVE))

    @property
    def approved_flags(self) -> int:
        """How many flags are approved."""
        return sum(1 for f in self.flags if f.status is FlagStatus.APPROVED)


def flag_status(decisions: Sequence[Decision], approvals_needed: int) -> FlagStatus:
    """Rejected if anyone rejected; approved once enough distinct people approved; else pending."""
    if any(d.verdict is Verdict.REJECT for d in decisions):
        return FlagStatus.REJECTED
    approvers = {d.reviewer_id for d in decisions if d.verdict is Verdict.APPROVE}
    return FlagStatus.APPROVED if len(approvers) >= approvals_needed else FlagStatus.PENDING


def summarize_findings(findings: Iterable[Finding]) -> FindingsSummary:
    """Counts of errors and warnings, and the distinct error codes in order."""
    findings = list(findings)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    return FindingsSummary(
        errors=len(errors),
        warnings=sum(1 for f in findings if f.severity is Severity.WARNING),
        error_codes=list(dict.fromkeys(f.code for f in errors)),
    )


def open_ledger(
    article: Article,
    flags: Sequence[Flag],
    findings: Iterable[Finding],
    previous: ReviewLedger | None,
    now: datetime,
    *,
    policy: Policy | None = None,
) -> ReviewLedger:
    """The ledger of a newly submitted version, carrying decisions over from `previous` by flag key.

    One entry per key (a term repeated in the same sentence is one decision). `policy` (the shipped
    default when None) sets how many approvals each flag needs.
    """
    policy = policy or load_policy(None)
    earlier = {f.key: f for f in previous.flags} if previous is not None else {}
    entries: dict[str, LedgerFlag] = {}
    carried: list[str] = []
    for flag in sorted(flags, key=lambda f: f.start):
        key = flag.key
        if key in entries:
            continue
        needed = policy.approvals_needed(flag.category)
        before = earlier.get(key)
        decisions = list(before.decisions) if before is not None else []
        if decisions:
            carried.append(key)
        entries[key] = LedgerFlag(
            key=key,
            category=flag.category,
            term=flag.term,
            normalized=flag.normalized,
            sentence=flag.sentence,
            line=flag.line,
            needs_approval=flag.needs_approval,
            approvals_needed=needed,
            status=flag_status(decisions, needed),
            decisions=decisions,
        )
    front = article.front_matter
    author = front.author if front is not None else str(article.raw_front_matter.get("author") or "")
    return ReviewLedger(
        slug=article.slug,
        content_hash=article.content_hash,
        author=author,
        opened_at=now,
        previous_hash=previous.content_hash if previous is not None else None,
        findings=summarize_findings(findings),
        flags=list(entries.values()),
        carried_over=carried,
    )


def apply_decisions(
    ledger: ReviewLedger,
    decisions: Sequence[DecisionInput],
    reviewer: str,
    roster: Roster,
    policy: Policy,
    now: datetime,
    *,
    text_hash: str | None = None,
) -> ReviewLedger:
    """The ledger with `reviewer`'s decisions recorded: all of them, or none (raises `PolicyError`).

    `text_hash` is the content hash of the draft text the reviewer read; a ledger for other text is
    refused (PO08).
    """
    if text_hash is not None and text_hash != ledger.content_hash:
        raise PolicyError("PO08", slug=ledger.slug, ledger_hash=ledger.content_hash, text_hash=text_hash)
    if not decisions:
        raise PolicyError("PO09", detail="no decision given: approve or reject at least one flag")
    person = roster.get(reviewer)
    by_key = {f.key: f for f in ledger.flags}
    recorded: dict[str, list[Decision]] = {}
    for given in decisions:
        flag = by_key.get(given.key) or ledger.resolve_key(given.key)
        role = check_may_decide(
            reviewer,
            person,
            flag.category,
            author=ledger.author,
            slug=ledger.slug,
            policy=policy,
            today=now.date(),
        )
        assert person is not None  # check_may_decide refused otherwise
        if flag.status is FlagStatus.REJECTED:
            raise PolicyError("PO10", key=flag.key)
        if flag.decided_by(reviewer) or flag.key in recorded:
            raise PolicyError("PO07", reviewer=reviewer, key=flag.key)
        note = given.note.strip() if given.note and given.note.strip() else None
        if given.verdict is Verdict.REJECT and note is None:
            raise PolicyError("PO06", key=flag.key)
        recorded[flag.key] = [
            Decision(
                reviewer_id=reviewer,
                reviewer_name=person.name,
                role=role,
                verdict=given.verdict,
                note=note,
                at=now,
                made_on=ledger.content_hash,
            )
        ]
    flags = []
    for flag in ledger.flags:
        if flag.key in recorded:
            decisions_now = [*flag.decisions, *recorded[flag.key]]
            needed = policy.approvals_needed(flag.category)
            flag = flag.model_copy(
                update={
                    "decisions": decisions_now,
                    "approvals_needed": needed,
                    "status": flag_status(decisions_now, needed),
                }
            )
        flags.append(flag)
    return ledger.model_copy(update={"flags": flags})


def waiting_for(
    ledger: ReviewLedger, person: Person | None, policy: Policy, now: datetime
) -> list[LedgerFlag]:
    """Pending flags `person` may decide on and has not (every pending flag when `person` is None).

    Flags the policy gives to other roles, and the author's own text, are someone else's queue.
    Raises `PolicyError` when `person` may not decide on anything (inactive, credential expired).
    """
    pending = [f for f in ledger.flags if f.needs_approval and f.status is FlagStatus.PENDING]
    if person is None:
        return pending
    waiting = []
    for flag in pending:
        if flag.decided_by(person.id):
            continue
        try:
            check_may_decide(
                person.id,
                person,
                flag.category,
                author=ledger.author,
                slug=ledger.slug,
                policy=policy,
                today=now.date(),
            )
        except PolicyError as exc:
            if exc.code in ("PO04", "PO05"):  # not theirs to decide: someone else's queue
                continue
            raise
        waiting.append(flag)
    return waiting


def draft_status(ledger: ReviewLedger, published: bool) -> DraftStatus:
    """Needs changes (errors or a rejected flag), in review (flags pending), approved, or published."""
    if published:
        return DraftStatus.PUBLISHED
    if ledger.findings.errors or any(f.status is FlagStatus.REJECTED for f in ledger.flags):
        return DraftStatus.NEEDS_CHANGES
    if any(f.blocks_publishing for f in ledger.flags):
        return DraftStatus.IN_REVIEW
    return DraftStatus.APPROVED


def is_publishable(
    ledger: ReviewLedger,
    article_hash: str,
    now: datetime,
    *,
    publish_after: datetime | None = None,
    roster: Roster | None = None,
) -> list[str]:
    """Why the ledger does not allow publishing text with `article_hash` now (empty = publishable).

    With `roster`, approvals count only from people still active on it and not the author.
    """
    reasons: list[str] = []
    if ledger.findings.errors:
        codes = ", ".join(ledger.findings.error_codes)
        reasons.append(f"{ledger.findings.errors} error finding(s) ({codes})")
    rejected = [f for f in ledger.flags if f.status is FlagStatus.REJECTED]
    if rejected:
        reasons.append(f"{len(rejected)} flag(s) rejected: {', '.join(f.key for f in rejected)}")
    pending = [f for f in ledger.flags if f.needs_approval and f.status is FlagStatus.PENDING]
    if pending:
        reasons.append(f"{len(pending)} flag(s) awaiting approval: {', '.join(f.key for f in pending)}")
    if roster is not None:
        for flag in ledger.flags:
            if flag.status is not FlagStatus.APPROVED:
                continue
            active = {p.id for p in roster.people if p.active}
            valid = [a for a in flag.approvers if a != ledger.author and a in active]
            if len(valid) < flag.approvals_needed:
                reasons.append(f"flag {flag.key} lacks approvals from active rostered clinicians")
    if article_hash != ledger.content_hash:
        reviewed = ledger.content_hash
        reasons.append(f"the text to publish ({article_hash}) is not the reviewed text ({reviewed})")
    if publish_after is not None and publish_after.tzinfo is None:
        publish_after = publish_after.replace(tzinfo=UTC)  # a time without zone is UTC
    if publish_after is not None and now < publish_after:
        reasons.append(f"publish_after {publish_after.isoformat()} has not come")
    return reasons


def publishability(
    ledger: ReviewLedger, article: Article, now: datetime, *, roster: Roster | None = None
) -> list[str]:
    """Why `article` cannot be published now under `ledger` (empty list = publishable)."""
    publish_after = article.front_matter.publish_after if article.front_matter is not None else None
    reasons = is_publishable(ledger, article.content_hash, now, publish_after=publish_after, roster=roster)
    if article.slug != ledger.slug:
        reasons.insert(0, f"the ledger is for {ledger.slug!r}, not {article.slug!r}")
    return reasons
