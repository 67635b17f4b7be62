"""Verified facts only: the roster's signed history, and a draft's ledger replayed from its signed commits.

Pure (no git): `content_repo` supplies the facts (each commit's signature status and key fingerprint,
its time, trailers and the files before and after); this module decides what they are worth.

- **Governance.** A roster or policy change on main counts only when its commit is signed by a key
  that the roster in force *before* the change assigned to an active editor, valid that day (the first
  roster is signed by an editor key it lists itself). Anything else is refused with its reason, and
  the roster in force stays the last accepted one.
- **Replay.** A draft's ledger is a cache of its signed history: each submission must be signed by a
  writer whose id becomes the ledger's author, and may only carry over decisions the previous verified
  ledger held on the same claim; each decision commit must be signed by the deciding clinician (or
  the desk service, `On-Behalf-Of: <id>`) with a key valid for them that day, and its ledger must be
  exactly what `reviewers.desk.decide` makes of the previous verified ledger under the roster and
  policy in force at that time. A hand-edited ledger, a copied or replayed decision, a rewritten
  commit or one changing any other file counts for nothing: the draft is held with the rule named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from reviewers.desk import Hold, decide
from reviewers.ledger import DecisionInput, ReviewLedger, ledger_path
from reviewers.policy import POLICY_PATH, Policy, PolicyError, load_policy
from reviewers.roster import ROSTER_PATH, Person, Role, Roster, Service, load_roster
from validators.errors import EditorialError
from validators.frontmatter import text_content_hash

ON_BEHALF_OF = "On-Behalf-Of"
DECISION_CLOCK_SKEW = timedelta(hours=1)


# --- the facts this module reads (content_repo's value objects have these shapes) ---------------------


class SignatureLike(Protocol):
    """Who signed a commit, as git verified it."""

    @property
    def good(self) -> bool: ...

    @property
    def status(self) -> str: ...

    @property
    def fingerprint(self) -> str | None: ...

    @property
    def committed_at(self) -> datetime: ...


class CommitLike(Protocol):
    """A commit's id and trailers."""

    @property
    def sha(self) -> str: ...

    @property
    def trailers(self) -> Mapping[str, list[str]]: ...


class GovernanceFacts(Protocol):
    """A commit on main that changed the roster or the policy."""

    @property
    def commit(self) -> CommitLike: ...

    @property
    def signature(self) -> SignatureLike: ...

    @property
    def roster_text(self) -> str | None: ...

    @property
    def policy_text(self) -> str | None: ...


class DraftCommitFacts(Protocol):
    """One commit of a draft with its signature and the files before and after."""

    @property
    def commit(self) -> CommitLike: ...

    @property
    def signature(self) -> SignatureLike: ...

    @property
    def article_before(self) -> str | None: ...

    @property
    def article_after(self) -> str | None: ...

    @property
    def ledger_before(self) -> str | None: ...

    @property
    def ledger_after(self) -> str | None: ...

    @property
    def other_paths(self) -> list[str]: ...


class DraftFacts(Protocol):
    """A draft's own commits, oldest first, and the problems of the chain itself."""

    @property
    def slug(self) -> str: ...

    @property
    def commits(self) -> Sequence[DraftCommitFacts]: ...

    @property
    def problems(self) -> list[str]: ...


# --- governance ---------------------------------------------------------------------------------------


class GovernanceEntry(BaseModel):
    """One accepted roster/policy version: its commit, when, and the editor who signed it."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    commit: str
    at: datetime
    signer: str
    roster: Roster
    policy: Policy


class Refusal(BaseModel):
    """A commit that counts for nothing, and why (the rule and a message)."""

    model_config = ConfigDict(frozen=True)

    commit: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: commit {self.commit[:12]}: {self.message}"


class GovernanceHistory(BaseModel):
    """The verified roster/policy history of main: accepted versions (oldest first) and refused commits."""

    model_config = ConfigDict(frozen=True)

    accepted: list[GovernanceEntry]
    refused: list[Refusal]

    @property
    def current(self) -> GovernanceEntry | None:
        """The roster and policy in force now (the last accepted version)."""
        return self.accepted[-1] if self.accepted else None

    def as_of(self, moment: datetime) -> GovernanceEntry | None:
        """The version in force at `moment`: the last accepted one made at or before it."""
        found = None
        for entry in self.accepted:
            if entry.at <= moment:
                found = entry
        return found


def signer_refusal(
    signature: SignatureLike, roster: Roster, *, sha: str
) -> tuple[Person | Service | None, Refusal | None]:
    """Whose key signed the commit, by the roster, and whether it could sign that day.

    Returns (holder, None) when the signature is good and the key valid for its holder on the day, else
    (holder or None, the refusal naming the rule).
    """
    if signature.status == "unsigned":
        return None, Refusal(commit=sha, rule="unsigned", message="the commit is not signed")
    if not signature.good or signature.fingerprint is None:
        return None, Refusal(
            commit=sha, rule="bad-signature", message=f"the signature does not verify ({signature.status})"
        )
    found = roster.key_holder(signature.fingerprint)
    if found is None:
        return None, Refusal(
            commit=sha,
            rule="unknown-key",
            message=f"signed by key {signature.fingerprint}, which the roster assigns to no one",
        )
    refusal = found.key.refusal_on(signature.committed_at.date())
    if refusal is not None:
        return found.holder, Refusal(
            commit=sha, rule="key-not-valid", message=f"signed by {found.holder.id}'s key, but {refusal}"
        )
    if not found.holder.active:
        return found.holder, Refusal(
            commit=sha, rule="inactive", message=f"{found.holder.id} is inactive on the roster"
        )
    return found.holder, None


def verify_governance(
    versions: Sequence[GovernanceFacts], *, trusted_roots: frozenset[str] | None = None
) -> GovernanceHistory:
    """The accepted roster/policy versions of main and the refused commits, in history order.

    `trusted_roots`, when given, are the fingerprints the first roster must be signed with (pinned by
    the organization); without it the first roster is trusted when an editor key it lists signed it.
    """
    accepted: list[GovernanceEntry] = []
    refused: list[Refusal] = []
    for version in versions:
        sha = version.commit.sha
        try:
            roster = load_roster(version.roster_text or "people: []\n", ROSTER_PATH)
            policy = load_policy(version.policy_text, POLICY_PATH)
        except EditorialError as exc:
            refused.append(Refusal(commit=sha, rule="unreadable-roster", message=str(exc)))
            continue
        trusted = accepted[-1].roster if accepted else roster
        if not accepted and trusted_roots is not None and version.signature.fingerprint not in trusted_roots:
            refused.append(
                Refusal(
                    commit=sha,
                    rule="untrusted-root",
                    message="the first roster is not signed by a pinned key",
                )
            )
            continue
        holder, refusal = signer_refusal(version.signature, trusted, sha=sha)
        if refusal is None and not (isinstance(holder, Person) and Role.EDITOR in holder.roles):
            who = holder.id if holder is not None else "unknown"
            refusal = Refusal(
                commit=sha,
                rule="not-an-editor",
                message=f"roster and policy change only by an editor's signed commit; {who} is not an editor",
            )
        if refusal is not None:
            refused.append(
                refusal.model_copy(update={"message": f"roster/policy change refused: {refusal.message}"})
            )
            continue
        assert holder is not None
        accepted.append(
            GovernanceEntry(
                commit=sha, at=version.signature.committed_at, signer=holder.id, roster=roster, policy=policy
            )
        )
    return GovernanceHistory(accepted=accepted, refused=refused)


# --- replay -------------------------------------------------------------------------------------------


class Replay(BaseModel):
    """The outcome of replaying a draft: the verified ledger (None when nothing verifies) and the holds."""

    model_config = ConfigDict(frozen=True)

    slug: str
    ledger: ReviewLedger | None
    writer: str | None
    holds: list[Hold]
    signers: list[tuple[str, str]]  # (commit, who signed: roster id, or service id for person)

    @property
    def verified(self) -> bool:
        """True when every commit of the draft verified and its ledger is the replay."""
        return not self.holds and self.ledger is not None


def _hold(refusal: Refusal) -> Hold:
    return Hold(rule=refusal.rule, message=f"commit {refusal.commit[:12]}: {refusal.message}")


def _parse_ledger(text: str | None, slug: str) -> ReviewLedger | None:
    return ReviewLedger.from_yaml(text, ledger_path(slug)) if text else None


def _carried_ok(after: ReviewLedger, source: ReviewLedger | None) -> str | None:
    """Why a submission's ledger is not an honest carry-over from `source` (None when it is)."""
    earlier = {c.key: c for c in source.claims} if source is not None else {}
    for claim in after.claims:
        before = earlier.get(claim.key)
        allowed = list(before.decisions) if before is not None else []
        if list(claim.decisions) != allowed:
            return f"claim {claim.key[:8]} holds decisions the previous verified ledger did not have"
    return None


def _new_decisions(before: ReviewLedger, after: ReviewLedger) -> list[DecisionInput] | str:
    """The decisions a commit appended (as inputs to replay), or why the change is not a decision."""
    if [c.key for c in before.claims] != [c.key for c in after.claims]:
        return "the claims themselves changed in a decision commit"
    inputs: list[DecisionInput] = []
    for old, new in zip(before.claims, after.claims, strict=True):
        if list(new.decisions[: len(old.decisions)]) != list(old.decisions):
            return f"earlier decisions on claim {old.key[:8]} were changed"
        for decision in new.decisions[len(old.decisions) :]:
            inputs.append(DecisionInput(key=old.key, verdict=decision.verdict, note=decision.note))
    return inputs


def replay_draft(
    facts: DraftFacts,
    governance: GovernanceHistory,
    *,
    published_ledger: ReviewLedger | None = None,
) -> Replay:
    """Replay the draft's signed commits; the ledger it ends with, and every reason it does not verify.

    `published_ledger` is the ledger the first submission may carry decisions over from (default: the
    ledger at the draft's base on main, verified when it was published).
    """
    slug = facts.slug
    holds = [Hold(rule="broken-draft", message=problem) for problem in facts.problems]
    replayed: ReviewLedger | None = None
    writer: str | None = None
    signers: list[tuple[str, str]] = []
    if not facts.commits:
        holds.append(Hold(rule="empty-draft", message="the draft has no commits of its own"))
    for item in facts.commits:
        sha = item.commit.sha
        foreign = sorted(item.other_paths)
        if foreign:
            holds.append(
                Hold(
                    rule="foreign-change",
                    message=f"commit {sha[:12]} changes {', '.join(foreign)} on a draft",
                )
            )
            return Replay(slug=slug, ledger=None, writer=writer, holds=holds, signers=signers)
        entry = governance.as_of(item.signature.committed_at)
        if entry is None:
            holds.append(
                Hold(rule="no-roster", message=f"commit {sha[:12]}: no verified roster was in force")
            )
            break
        holder, refusal = signer_refusal(item.signature, entry.roster, sha=sha)
        refusal = _compromised_now(item.signature, governance, sha) or refusal
        if refusal is not None:
            holds.append(_hold(refusal))
            break
        assert holder is not None
        try:
            after = _parse_ledger(item.ledger_after, slug)
        except EditorialError as exc:
            holds.append(Hold(rule="unreadable-ledger", message=f"commit {sha[:12]}: {exc}"))
            break
        if after is None:
            holds.append(
                Hold(rule="no-ledger", message=f"commit {sha[:12]} leaves the draft without a ledger")
            )
            break
        text = item.article_after or ""
        if item.article_before != item.article_after or replayed is None:
            source = replayed
            if source is None:
                try:
                    source = published_ledger or _parse_ledger(item.ledger_before, slug)
                except EditorialError as exc:
                    holds.append(Hold(rule="unreadable-ledger", message=f"the published ledger: {exc}"))
                    break
            reopening = replayed is None and item.article_before == item.article_after
            problem = _check_submission(after, holder, text, source, reopening=reopening)
            if problem is not None:
                holds.append(Hold(rule="forged-submission", message=f"commit {sha[:12]}: {problem}"))
                break
            replayed, writer = after, after.author
            signers.append((sha, holder.id))
            continue
        outcome = _replay_decision(item, holder, replayed, after, entry, text_content_hash(text))
        if isinstance(outcome, Hold):
            holds.append(outcome)
            break
        replayed, who = outcome
        signers.append((sha, who))
    if holds:
        return Replay(slug=slug, ledger=None, writer=writer, holds=holds, signers=signers)
    return Replay(slug=slug, ledger=replayed, writer=writer, holds=[], signers=signers)


def _compromised_now(signature: SignatureLike, governance: GovernanceHistory, sha: str) -> Refusal | None:
    """A key the roster in force now marks compromised: nothing it ever signed counts (decisions re-open)."""
    current = governance.current
    found = current.roster.key_holder(signature.fingerprint) if current and signature.fingerprint else None
    if found is None or not found.key.compromised:
        return None
    return Refusal(
        commit=sha,
        rule="key-compromised",
        message=f"signed by {found.holder.id}'s key {found.key.fingerprint}, since marked compromised",
    )


def _check_submission(
    after: ReviewLedger,
    holder: Person | Service,
    text: str,
    source: ReviewLedger | None,
    *,
    reopening: bool = False,
) -> str | None:
    """Why a submission commit does not verify (None when it does).

    A writer signs their own submission. The one commit a service may sign instead is a *reopening*
    (review expiry): the published text unchanged, its writer kept, every claim pending again.
    """
    if not isinstance(holder, Person):
        if not reopening:
            return f"a submission is signed by a writer, not by the service {holder.id}"
        if source is None or after.author != source.author:
            return "a reopened review must keep the published version's writer"
        if any(c.decisions for c in after.claims):
            return "a reopened review starts with every claim pending"
        return (
            None
            if after.content_hash == text_content_hash(text)
            else "the ledger is not for the reopened text"
        )
    if after.author != holder.id:
        return f"the ledger names {after.author!r} as writer but the submission is signed by {holder.id!r}"
    if after.content_hash != text_content_hash(text):
        return "the ledger is not for the submitted text"
    return _carried_ok(after, source)


def _replay_decision(
    item: DraftCommitFacts,
    holder: Person | Service,
    before: ReviewLedger,
    after: ReviewLedger,
    entry: GovernanceEntry,
    text_hash: str,
) -> tuple[ReviewLedger, str] | Hold:
    """The verified ledger after a decision commit, or the hold naming why it does not verify."""
    sha = item.commit.sha
    if after.model_dump(exclude={"claims", "comments"}) != before.model_dump(exclude={"claims", "comments"}):
        return Hold(rule="forged-ledger", message=f"commit {sha[:12]} rewrites the ledger's header")
    behalf = item.commit.trailers.get(ON_BEHALF_OF, [])
    via: str | None = None
    if isinstance(holder, Service):
        if not behalf:
            return Hold(
                rule="no-clinician",
                message=f"commit {sha[:12]}: the service {holder.id} names no {ON_BEHALF_OF}",
            )
        reviewer, via = behalf[-1].strip(), holder.id
    else:
        if behalf and behalf[-1].strip() != holder.id:
            return Hold(
                rule="wrong-signer",
                message=f"commit {sha[:12]} is for {behalf[-1].strip()!r} but {holder.id} signed it",
            )
        reviewer = holder.id
    inputs = _new_decisions(before, after)
    if isinstance(inputs, str):
        return Hold(rule="forged-ledger", message=f"commit {sha[:12]}: {inputs}")
    if not inputs:
        if [c.model_dump() for c in after.claims] == [c.model_dump() for c in before.claims]:
            return after, reviewer  # a comment: claims and decisions unchanged
        return Hold(rule="forged-ledger", message=f"commit {sha[:12]} changes claims without a decision")
    counts = {c.key: len(c.decisions) for c in before.claims}
    made = [d for c in after.claims for d in c.decisions[counts[c.key] :]]
    moments = {d.at for d in made}
    if len(moments) != 1:
        return Hold(rule="forged-ledger", message=f"commit {sha[:12]}: its decisions carry different times")
    moment = moments.pop()
    if abs(moment - item.signature.committed_at) > DECISION_CLOCK_SKEW:
        return Hold(
            rule="forged-ledger",
            message=f"commit {sha[:12]}: decision time {moment} is not when it was signed",
        )
    try:
        decided = decide(
            before, inputs, reviewer, entry.roster, entry.policy, moment, text_hash=text_hash, via=via
        )
    except PolicyError as exc:
        return Hold(rule=exc.rule, message=f"commit {sha[:12]}: {exc.message}")
    if [c.model_dump() for c in decided.after.claims] != [c.model_dump() for c in after.claims]:
        return Hold(
            rule="forged-ledger", message=f"commit {sha[:12]}: the ledger is not what the decision records"
        )
    return decided.after.model_copy(update={"comments": after.comments}), reviewer
