"""The desk's rules in one place: check -> submit -> decide -> publish gate -> review expiry.

Pure functions around the `Submission` (no git, no Prefect; `now` is always passed in). The flows, the
CLI and the web desk read what these functions need, call one of them, write what it returns and
report. What must never happen (DESIGN.md) is decided here:
- a claim counts as approved only when every category it holds has its N approvals from people the
  policy accepts (on the roster, active, credential valid when they decided, role allowed, not the
  writer);
- a draft publishes only when `publish_gate` returns no hold: no error finding, no rejected or
  pending claim, no claim the review lacks, the text exactly the reviewed text, its time come.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict, Field

from reviewers.flags import Flag, FlagCategory
from reviewers.ledger import (
    Claim,
    ClaimStatus,
    Comment,
    Decision,
    DecisionInput,
    DraftStatus,
    ProseSentence,
    ReviewLedger,
    ShownFlag,
    Verdict,
    build_claims,
    category_approvers,
    changed_claim,
    claim_key,
    claim_status,
    is_changed_claim,
    prose_sentences,
    section_of,
    summarize_findings,
    with_status,
)
from reviewers.policy import Policy, PolicyError, check_may_decide
from reviewers.roster import Person, Role, Roster
from validators.errors import EditorialError
from validators.findings import Finding, Severity
from validators.models import Article

# --- check -> Submission --------------------------------------------------------------------------


class Submission(BaseModel):
    """An article as checked: its findings, flags and claims, and its content hash, computed once."""

    model_config = ConfigDict(frozen=True)

    article: Article
    findings: list[Finding] = Field(description="Rule findings plus one TM01 info finding per flag.")
    flags: list[Flag]
    claims: list[Claim]
    shown: list[ShownFlag]
    sentences: list[ProseSentence]
    content_hash: str

    @property
    def errors(self) -> list[Finding]:
        """The findings that block publishing."""
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def slug(self) -> str:
        """The article's slug."""
        return self.article.slug


def make_submission(article: Article, findings: Sequence[Finding], flags: Sequence[Flag]) -> Submission:
    """The `Submission` of a checked article: claims built from its flags, the hash computed once."""
    claims, shown = build_claims(article, flags)
    return Submission(
        article=article,
        findings=list(findings),
        flags=list(flags),
        claims=claims,
        shown=shown,
        sentences=prose_sentences(article),
        content_hash=article.content_hash,
    )


# --- submit -----------------------------------------------------------------------------------------


class SubmissionRefused(EditorialError):
    """A submission that cannot be saved (the writer is unknown, the slug is unusable): nothing saved."""

    def __init__(self, path: str, reason: str, hint: str) -> None:
        self.path = path
        self.reason = reason
        self.hint = hint
        super().__init__(f"{path}: error {reason} (hint: {hint})")


class Submitted(BaseModel):
    """What a submission opens: the version's ledger, its writer, and what carried over or reopened."""

    model_config = ConfigDict(frozen=True)

    ledger: ReviewLedger
    writer: Person
    carried: list[str] = Field(description="Claims whose decisions carried over (sentence unchanged).")
    reopened: list[str] = Field(description="Claims pending again: new or changed sentences.")
    findings: list[Finding] = Field(default_factory=list, description="Findings of the desk (LG01).")

    @property
    def status(self) -> DraftStatus:
        """Where the draft stands after this submission."""
        return draft_status(self.ledger, published=False)


def writer_of(article: Article, roster: Roster) -> Person:
    """The article's writer, who must be on the roster; raises `SubmissionRefused`."""
    raw = article.front_matter.author if article.front_matter else article.raw_front_matter.get("author")
    if not isinstance(raw, str) or not raw.strip():
        raise SubmissionRefused(
            article.path, "the front matter has no 'author'", "add 'author: <your roster id>'"
        )
    person = roster.get(raw.strip())
    if person is None:
        raise SubmissionRefused(
            article.path,
            f"author {raw.strip()!r} is not on the roster (roster.yaml on main)",
            "use your roster id, or ask an editor to add you to roster.yaml",
        )
    return person


def open_ledger(
    submission: Submission, previous: ReviewLedger | None, now: datetime, policy: Policy, author: str
) -> ReviewLedger:
    """The ledger of a new version: each claim whose sentence is unchanged keeps its decisions.

    Decisions keep the categories they were made on, so a claim that gained a category (a new flag in
    an unchanged sentence) waits for that category. Once a clinician has decided anything on the
    draft, every sentence changed since is a claim too, with or without flags (`changed_text`), so
    nothing changes after review unseen. Comments on unchanged sentences carry over too.
    """
    earlier = {c.key: c for c in previous.claims} if previous is not None else {}
    claims: list[Claim] = []
    carried: list[str] = []
    for claim in [*submission.claims, *changed_claims(submission, previous)]:
        before = earlier.get(claim.key)
        if before is not None and before.decisions:
            claim = claim.model_copy(update={"decisions": list(before.decisions)})
            carried.append(claim.key)
        claims.append(with_status(claim, policy))
    sentences = {c.key for c in submission.claims} | {claim_key(s.sentence) for s in submission.shown}
    text = submission.article.text
    comments = [
        c
        for c in (previous.comments if previous is not None else [])
        if c.sentence_key in sentences or c.sentence in text
    ]
    return ReviewLedger(
        slug=submission.slug,
        content_hash=submission.content_hash,
        author=author,
        opened_at=now,
        previous_hash=previous.content_hash if previous is not None else None,
        findings=summarize_findings(submission.findings),
        claims=sorted(claims, key=lambda c: min(f.start for f in c.flags)),
        shown=submission.shown,
        comments=comments,
        carried_over=carried,
        sentences=list(dict.fromkeys(s.key for s in submission.sentences)),
    )


def changed_claims(submission: Submission, previous: ReviewLedger | None) -> list[Claim]:
    """Claims on the sentences changed since a reviewed version (none before any decision was made).

    A sentence is changed when the previous version did not have it; a changed-text claim of the
    previous version stays a claim while its sentence stays (its decisions carry over by key).
    Sentences that overlap a flagged claim are covered by that claim.
    """
    if previous is None or not any(c.decisions for c in previous.claims):
        return []
    before = set(previous.sentences)
    still_open = {c.key for c in previous.claims if is_changed_claim(c)}
    spans = [(f.start, f.end) for c in submission.claims for f in c.flags]
    taken = {c.key for c in submission.claims}
    found: dict[str, Claim] = {}
    for sentence in submission.sentences:
        if sentence.key in taken or sentence.key in found:
            continue
        if sentence.key in before and sentence.key not in still_open:
            continue
        if any(start < sentence.end and sentence.start < end for start, end in spans):
            continue
        found[sentence.key] = changed_claim(sentence, section_of(submission.article, sentence.line))
    return list(found.values())


def carry_source(draft: ReviewLedger | None, published: ReviewLedger | None) -> ReviewLedger | None:
    """The ledger decisions carry over from: the open draft's, else the published version's."""
    return draft if draft is not None else published


LEDGER_TOO_LARGE = "LG01"


def submit(
    submission: Submission,
    *,
    draft_ledger: ReviewLedger | None,
    published_ledger: ReviewLedger | None,
    roster: Roster,
    policy: Policy,
    now: datetime,
    max_ledger_bytes: int | None = None,
) -> Submitted:
    """A writer's submission: the writer checked against the roster, the ledger opened with carry-over.

    A ledger over `max_ledger_bytes` is not opened for review: the draft is still saved, with a ledger
    holding no claims and the error LG01 (so it stands as "needs changes" and nothing is lost).
    """
    writer = writer_of(submission.article, roster)
    previous = carry_source(draft_ledger, published_ledger)
    ledger = open_ledger(submission, previous, now, policy, writer.id)
    if max_ledger_bytes is not None:
        size = len(ledger.to_yaml().encode("utf-8"))
        if size > max_ledger_bytes:
            return too_large(submission, ledger, writer, size, max_ledger_bytes)
    carried = set(ledger.carried_over)
    reopened = [c.key for c in ledger.claims if c.key not in carried]
    return Submitted(ledger=ledger, writer=writer, carried=ledger.carried_over, reopened=reopened)


def ledger_too_large_finding(submission: Submission, size: int, limit: int, claims: int) -> Finding:
    """The error a draft gets when its review ledger would be over the repository's limit."""
    return Finding(
        code=LEDGER_TOO_LARGE,
        rule="review-ledger-too-large",
        severity=Severity.ERROR,
        message=f"the review ledger would be {size} bytes ({claims} claims), over the {limit}-byte limit; "
        "the draft is saved but cannot be reviewed",
        path=submission.article.path,
        line=1,
        column=1,
        hint="split the article into shorter articles (fewer sentences for clinicians to check)",
    )


def too_large(
    submission: Submission, ledger: ReviewLedger, writer: Person, size: int, limit: int
) -> Submitted:
    """The submission of a draft whose ledger is too large: saved as "needs changes", no claims."""
    finding = ledger_too_large_finding(submission, size, limit, len(ledger.claims))
    summary = summarize_findings([*submission.findings, finding])
    empty = ledger.model_copy(update={"claims": [], "carried_over": [], "comments": [], "findings": summary})
    return Submitted(ledger=empty, writer=writer, carried=[], reopened=[], findings=[finding])


def reopen(submission: Submission, now: datetime, policy: Policy) -> ReviewLedger:
    """A published article reopened for medical re-review: every claim pending again, nothing carried."""
    author = submission.article.front_matter.author if submission.article.front_matter else ""
    return open_ledger(submission, None, now, policy, author)


# --- decide -----------------------------------------------------------------------------------------


class RecordedDecision(BaseModel):
    """One decision as recorded on a claim."""

    model_config = ConfigDict(frozen=True)

    claim: str
    sentence: str
    terms: list[str]
    decision: Decision


class Decided(BaseModel):
    """A decision (or several, all or none) applied: the ledger before and after, and what was recorded."""

    model_config = ConfigDict(frozen=True)

    before: ReviewLedger
    after: ReviewLedger
    recorded: list[RecordedDecision]

    @property
    def status_before(self) -> DraftStatus:
        """Where the draft stood before."""
        return draft_status(self.before, published=False)

    @property
    def status_after(self) -> DraftStatus:
        """Where the draft stands now."""
        return draft_status(self.after, published=False)


def resolve_claim(ledger: ReviewLedger, prefix: str) -> Claim:
    """The one claim whose key starts with `prefix`; raises `PolicyError` PO09 otherwise."""
    prefix = prefix.strip().lower()
    matches = [c for c in ledger.claims if c.key.startswith(prefix)]
    if not matches:
        raise PolicyError("PO09", detail=f"no claim of {ledger.slug!r} has a key starting with {prefix!r}")
    if len(matches) > 1:
        keys = ", ".join(c.key for c in matches)
        raise PolicyError("PO09", detail=f"key prefix {prefix!r} is ambiguous ({keys}); give more of it")
    return matches[0]


def covered_categories(
    person_id: str, person: Person | None, claim: Claim, author: str, slug: str, policy: Policy, today: date
) -> tuple[Role, list[FlagCategory]]:
    """The role `person` decides `claim` under and the claim's categories that role covers.

    Raises `PolicyError`: PO01-PO04 for the person, PO05 when no category of the claim is theirs.
    """
    covered: dict[FlagCategory, Role] = {}
    refusal: PolicyError | None = None
    for category in claim.requirement:
        try:
            covered[category] = check_may_decide(
                person_id, person, category, author=author, slug=slug, policy=policy, today=today
            )
        except PolicyError as exc:
            if exc.code != "PO05":
                raise
            refusal = refusal or exc
    if not covered:
        assert refusal is not None  # a claim has at least one category
        categories = ", ".join(claim.requirement)
        raise PolicyError(
            "PO05",
            reviewer=person_id,
            roles=", ".join(person.roles) if person else "",
            category=categories,
            allowed=" / ".join(" or ".join(policy.rule_for(c).roles) for c in claim.requirement),
        )
    roles = list(dict.fromkeys(covered.values()))
    return roles[0], list(covered)


def decide(
    ledger: ReviewLedger,
    decisions: Sequence[DecisionInput],
    reviewer_id: str,
    roster: Roster,
    policy: Policy,
    now: datetime,
    *,
    text_hash: str,
    via: str | None = None,
) -> Decided:
    """`reviewer_id`'s decisions on claims, all recorded or none (raises `PolicyError` naming the rule).

    `text_hash` is the content hash of the draft text the reviewer read: a ledger for other text is
    refused (PO08). A rejection needs a note (PO06); a decision equal to the reviewer's standing one
    is refused (PO07); only those who rejected may decide again on a rejected claim (PO10); a
    withdrawal takes back the reviewer's standing decision (PO11 when there is none).
    """
    if text_hash != ledger.content_hash:
        raise PolicyError("PO08", slug=ledger.slug, ledger_hash=ledger.content_hash, text_hash=text_hash)
    if not decisions:
        raise PolicyError("PO09", detail="no decision given: approve or reject at least one claim")
    person = roster.get(reviewer_id)
    recorded: dict[str, RecordedDecision] = {}
    for given in decisions:
        claim = ledger.claim(given.key) or resolve_claim(ledger, given.key)
        if claim.key in recorded:
            raise PolicyError("PO07", reviewer=reviewer_id, key=claim.key)
        role, categories = covered_categories(
            reviewer_id, person, claim, ledger.author, ledger.slug, policy, now.date()
        )
        assert person is not None  # covered_categories refused otherwise
        standing = claim.standing()
        mine = standing.get(reviewer_id)
        if given.verdict is Verdict.WITHDRAW:
            if mine is None:
                raise PolicyError("PO11", reviewer=reviewer_id, key=claim.key)
        elif mine is not None and mine.verdict is given.verdict:
            raise PolicyError("PO07", reviewer=reviewer_id, key=claim.key)
        elif claim_status(claim, policy) is ClaimStatus.REJECTED and (
            mine is None or mine.verdict is not Verdict.REJECT
        ):
            raise PolicyError("PO10", key=claim.key)
        note = given.note.strip() if given.note and given.note.strip() else None
        if given.verdict is Verdict.REJECT and note is None:
            raise PolicyError("PO06", key=claim.key)
        recorded[claim.key] = RecordedDecision(
            claim=claim.key,
            sentence=claim.sentence,
            terms=claim.terms,
            decision=Decision(
                reviewer_id=reviewer_id,
                reviewer_name=person.name,
                role=role,
                categories=categories,
                verdict=given.verdict,
                note=note,
                at=now,
                made_on=ledger.content_hash,
                via=via,
            ),
        )
    claims = [
        with_status(c.model_copy(update={"decisions": [*c.decisions, recorded[c.key].decision]}), policy)
        if c.key in recorded
        else c
        for c in ledger.claims
    ]
    after = ledger.model_copy(update={"claims": claims})
    return Decided(before=ledger, after=after, recorded=list(recorded.values()))


def comment(
    ledger: ReviewLedger,
    sentence: str,
    text: str,
    author_id: str,
    roster: Roster,
    now: datetime,
    *,
    text_hash: str,
    article_text: str,
    via: str | None = None,
) -> ReviewLedger:
    """The ledger with a comment on one sentence of the draft (anyone active on the roster may comment)."""
    if text_hash != ledger.content_hash:
        raise PolicyError("PO08", slug=ledger.slug, ledger_hash=ledger.content_hash, text_hash=text_hash)
    person = roster.get(author_id)
    if person is None:
        raise PolicyError("PO01", reviewer=author_id)
    if not person.active:
        raise PolicyError("PO02", reviewer=author_id)
    body = text.strip()
    if not body:
        raise PolicyError("PO09", detail="an empty comment says nothing; write what the writer should know")
    if not sentence.strip() or sentence.strip() not in article_text:
        raise PolicyError("PO09", detail="the sentence commented on is not in the draft's text")
    note = Comment(
        sentence_key=claim_key(sentence),
        sentence=sentence.strip(),
        author_id=author_id,
        author_name=person.name,
        text=body,
        at=now,
        made_on=ledger.content_hash,
        via=via,
    )
    return ledger.model_copy(update={"comments": [*ledger.comments, note]})


# --- queues and needs -------------------------------------------------------------------------------


class Need(BaseModel):
    """What one category of a claim needs: the roles allowed, how many approvals, who approved."""

    model_config = ConfigDict(frozen=True)

    category: FlagCategory
    roles: list[Role]
    approvals: int
    approved_by: list[str]

    @property
    def met(self) -> bool:
        """True when enough people approved this category."""
        return len(self.approved_by) >= self.approvals


def needs(claim: Claim, policy: Policy) -> list[Need]:
    """Per category of the claim: roles allowed, approvals needed, approvals standing."""
    return [
        Need(
            category=category,
            roles=list(policy.rule_for(category).roles),
            approvals=policy.approvals_needed(category),
            approved_by=category_approvers(claim, category),
        )
        for category in claim.requirement
    ]


def waiting_for(ledger: ReviewLedger, person: Person | None, policy: Policy, now: datetime) -> list[Claim]:
    """Pending claims `person` may decide and has not (every pending claim when `person` is None).

    A claim waits for a person when a category their role covers still lacks approvals. Claims given
    to other roles, and the author's own text, are someone else's queue. Raises `PolicyError` when
    `person` may not decide on anything (inactive, credential expired). Emergency directives first.
    """
    pending = [c for c in ledger.claims if claim_status(c, policy) is ClaimStatus.PENDING]
    if person is not None:
        mine = []
        for claim in pending:
            if person.id in claim.standing():
                continue
            try:
                _, categories = covered_categories(
                    person.id, person, claim, ledger.author, ledger.slug, policy, now.date()
                )
            except PolicyError as exc:
                if exc.code in ("PO04", "PO05"):  # not theirs to decide: someone else's queue
                    continue
                raise
            unmet = {n.category for n in needs(claim, policy) if not n.met}
            if unmet & set(categories):
                mine.append(claim)
        pending = mine
    return sorted(pending, key=lambda c: (not c.emergency, c.line))


def draft_status(ledger: ReviewLedger, published: bool) -> DraftStatus:
    """Needs changes (errors or a rejected claim), in review (claims pending), approved, or published."""
    if published:
        return DraftStatus.PUBLISHED
    if ledger.findings.errors or any(c.status is ClaimStatus.REJECTED for c in ledger.claims):
        return DraftStatus.NEEDS_CHANGES
    if any(c.status is ClaimStatus.PENDING for c in ledger.claims):
        return DraftStatus.IN_REVIEW
    return DraftStatus.APPROVED


# --- the publish gate -------------------------------------------------------------------------------


class Hold(BaseModel):
    """One reason a draft cannot be published now: a stable rule name and a message."""

    model_config = ConfigDict(frozen=True)

    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


def counted(claim: Claim, roster: Roster, policy: Policy, author: str, slug: str) -> Claim:
    """The claim with only the decisions the policy accepts today from the roster on main.

    An approval counts when its maker is on the roster, active, not the writer, had a valid credential
    on the day of the decision, and still holds a role the policy allows for each category it covers.
    """
    kept: list[Decision] = []
    for decision in claim.decisions:
        person = roster.get(decision.reviewer_id)
        allowed: list[FlagCategory] = []
        for category in decision.categories:
            try:
                check_may_decide(
                    decision.reviewer_id,
                    person,
                    category,
                    author=author,
                    slug=slug,
                    policy=policy,
                    today=decision.at.date(),
                )
            except PolicyError:
                continue
            allowed.append(category)
        if decision.verdict is not Verdict.APPROVE:
            kept.append(decision)  # a rejection or withdrawal always stands
        elif allowed:
            kept.append(decision.model_copy(update={"categories": allowed}))
    return claim.model_copy(update={"decisions": kept})


def publish_gate(
    ledger: ReviewLedger,
    now_checked: Submission,
    roster: Roster,
    policy: Policy,
    now: datetime,
    *,
    provenance: Sequence[Hold] = (),
) -> list[Hold]:
    """Every reason `now_checked` (the draft's text checked and flagged again now) cannot publish.

    `provenance` are the reasons the draft's signed history does not verify
    (`reviewers.verification.replay_draft`): each holds it back, whatever the ledger says.
    An empty list means the draft may be published now, exactly as checked.
    """
    holds: list[Hold] = list(provenance)
    article = now_checked.article
    if article.slug != ledger.slug:
        holds.append(
            Hold(rule="wrong-ledger", message=f"the ledger is for {ledger.slug!r}, not {article.slug!r}")
        )
    if now_checked.content_hash != ledger.content_hash:
        holds.append(
            Hold(
                rule="text-changed",
                message=f"the text to publish ({now_checked.content_hash}) is not the reviewed text "
                f"({ledger.content_hash})",
            )
        )
    if ledger.findings.errors:
        codes = ", ".join(ledger.findings.error_codes)
        holds.append(Hold(rule="errors", message=f"{ledger.findings.errors} error finding(s) ({codes})"))
    elif now_checked.errors:
        codes = ", ".join(dict.fromkeys(f.code for f in now_checked.errors))
        holds.append(
            Hold(
                rule="errors", message=f"{len(now_checked.errors)} error finding(s) at publish time ({codes})"
            )
        )
    reviewed = {c.key: set(c.requirement) for c in ledger.claims}
    unreviewed = [c for c in now_checked.claims if not set(c.requirement) <= reviewed.get(c.key, set())]
    if unreviewed:
        lines = ", ".join(f"{c.key[:8]} (line {c.line})" for c in unreviewed)
        holds.append(
            Hold(rule="unreviewed-claims", message=f"{len(unreviewed)} claim(s) the review lacks: {lines}")
        )
    rejected, pending = [], []
    for claim in ledger.claims:
        status = claim_status(counted(claim, roster, policy, ledger.author, ledger.slug), policy)
        if status is ClaimStatus.REJECTED:
            rejected.append(claim)
        elif status is ClaimStatus.PENDING:
            pending.append(claim)
    if rejected:
        keys = ", ".join(c.key[:8] for c in rejected)
        holds.append(Hold(rule="rejected", message=f"{len(rejected)} claim(s) rejected: {keys}"))
    if pending:
        keys = ", ".join(f"{c.key[:8]} (line {c.line})" for c in pending)
        holds.append(Hold(rule="pending", message=f"{len(pending)} claim(s) awaiting approval: {keys}"))
    publish_after = article.front_matter.publish_after if article.front_matter is not None else None
    if publish_after is not None:
        publish_after = (
            publish_after if publish_after.tzinfo is not None else publish_after.replace(tzinfo=UTC)
        )
        if now < publish_after:
            holds.append(
                Hold(rule="not-yet", message=f"publish_after {publish_after.isoformat()} has not come")
            )
    return holds


def reviewers_of(ledger: ReviewLedger, roster: Roster) -> list[Person]:
    """The people whose approvals stand on the version, in order of first approval (rostered only)."""
    return [p for p in (roster.get(r) for r in ledger.approvers) if p is not None]


# --- review expiry ----------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months (the day clamped to the target month's length)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


class Expiry(BaseModel):
    """Whether a published article's medical review is due, and from when."""

    model_config = ConfigDict(frozen=True)

    due: bool
    due_on: date | None
    reason: str


def review_expiry(last_reviewed: date | None, interval_months: int, today: date) -> Expiry:
    """Due when never reviewed, when the review date lies in the future (not to be trusted), or expired."""
    if last_reviewed is None:
        return Expiry(due=True, due_on=None, reason="never reviewed")
    if last_reviewed > today:
        return Expiry(due=True, due_on=None, reason=f"last_reviewed {last_reviewed} is in the future")
    due_on = add_months(last_reviewed, interval_months)
    if due_on <= today:
        return Expiry(due=True, due_on=due_on, reason=f"review expired on {due_on}")
    return Expiry(due=False, due_on=due_on, reason=f"due on {due_on}")
