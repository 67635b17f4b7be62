"""Verification at the edges: read the signed facts from the content repository, let the pure rules judge.

Used by the publish flow (each draft's signed history replayed before the gate) and by
`editorial verify` (each published version traced back: approvals -> signed decision commits -> keys ->
roster entries). No rule lives here: `reviewers.verification` decides, `reviewers.desk` counts.

A repository whose roster was never signed by an editor (made before signing existed) is *unsigned*:
signatures cannot be checked there, and the reports say so rather than claim a verification.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from content_repo.layout import article_path, review_path, tag_ref
from reviewers.desk import Hold, counted
from reviewers.ledger import ClaimStatus, ReviewLedger, claim_status
from reviewers.verification import GovernanceHistory, Replay, replay_draft, verify_governance
from validators.errors import EditorialError
from validators.frontmatter import text_content_hash

if TYPE_CHECKING:
    from content_repo import ContentRepo

UNSIGNED_REPOSITORY = (
    "the roster on main was never signed by an editor, so signatures are not checked "
    "(sign the roster: editorial verify --help)"
)


def governance_of(repo: ContentRepo) -> GovernanceHistory:
    """The verified roster/policy history of the repository's main."""
    return verify_governance(repo.governance_history())


def replay_of(repo: ContentRepo, slug: str, governance: GovernanceHistory, head: str | None = None) -> Replay:
    """A draft's signed history replayed (its current tip, or the approved head `head`)."""
    from content_repo.errors import ContentRepoError

    try:
        facts = repo.draft_history(slug, head)
    except ContentRepoError as exc:
        return Replay(
            slug=slug,
            ledger=None,
            writer=None,
            holds=[Hold(rule="broken-draft", message=str(exc))],
            signers=[],
        )
    return replay_draft(facts, governance)


def provenance_holds(repo: ContentRepo, slug: str, governance: GovernanceHistory) -> list[Hold]:
    """Why a draft's signed history does not verify (empty when it does, or the repository is unsigned).

    A refused roster commit on main does not hold drafts back by itself (the last accepted roster is
    the one in force); `editorial verify` reports it.
    """
    if governance.current is None:
        return []
    return replay_of(repo, slug, governance).holds


class VersionAudit(BaseModel):
    """One published version traced back to its signatures: what holds and what does not."""

    model_config = ConfigDict(frozen=True)

    slug: str
    version: int
    commit: str
    approvals: list[str]
    signers: list[tuple[str, str]]
    failures: list[str]

    @property
    def ok(self) -> bool:
        """True when every check holds."""
        return not self.failures


class AuditReport(BaseModel):
    """`editorial verify`: the roster's history and every published version audited."""

    model_config = ConfigDict(frozen=True)

    signed: bool
    roster_refusals: list[str]
    versions: list[VersionAudit]
    main_failures: list[str]

    @property
    def ok(self) -> bool:
        """True when the repository is signed and everything verifies."""
        return (
            self.signed
            and not self.roster_refusals
            and not self.main_failures
            and all(v.ok for v in self.versions)
        )


def audit(repo: ContentRepo, slug: str | None = None) -> AuditReport:
    """Audit every published version (of `slug`, or all) and the articles on main now."""
    governance = governance_of(repo)
    refusals = [str(r) for r in governance.refused]
    publications = [p for p in repo.publications() if slug is None or p.slug == slug]
    versions = [audit_version(repo, governance, p.slug, p.version, p.commit) for p in publications]
    slugs = sorted({p.slug for p in publications} | ({slug} if slug else set()))
    main_failures: list[str] = []
    latest = {p.slug: p for p in publications}
    for name in slugs:
        newest = latest.get(name)
        main_failures += audit_main(repo, name, newest.commit if newest is not None else None)
    return AuditReport(
        signed=governance.current is not None,
        roster_refusals=refusals,
        versions=versions,
        main_failures=main_failures,
    )


def audit_main(repo: ContentRepo, slug: str, published_commit: str | None) -> list[str]:
    """Whether what main holds for `slug` now is exactly its latest published version (or nothing)."""
    changes = repo.main_changes(slug)
    if not changes:
        return []
    last = changes[0]
    if published_commit is None:
        return [f"{slug}: commit {last.sha[:12]} put it on main without a publication tag"]
    for path in (article_path(slug), review_path(slug)):
        now, published = repo.read_path(path, "main"), repo.read_path(path, published_commit)
        if now is not None and now != published:
            return [f"{slug}: commit {last.sha[:12]} changed {path} on main after its publication"]
    return []


def audit_version(
    repo: ContentRepo, governance: GovernanceHistory, slug: str, version: int, commit: str
) -> VersionAudit:
    """One published version: its approved draft replayed, its approvals counted under the roster then."""
    info = repo.commit_info(commit)
    failures: list[str] = []
    name = f"{slug} v{version} ({commit[:12]})"
    if "Rollback-To" in info.trailers:
        return VersionAudit(
            slug=slug,
            version=version,
            commit=commit,
            approvals=[],
            signers=[],
            failures=[]
            if _rollback_matches(repo, slug, info.trailers["Rollback-To"][-1], commit)
            else [f"{name}: the rollback does not restore the version it names"],
        )
    if governance.current is None:
        failures.append(f"{name}: {UNSIGNED_REPOSITORY}")
        return VersionAudit(
            slug=slug, version=version, commit=commit, approvals=[], signers=[], failures=failures
        )
    if len(info.parents) != 2:
        failures.append(f"{name}: not a publication of a reviewed draft (no draft merged)")
        return VersionAudit(
            slug=slug, version=version, commit=commit, approvals=[], signers=[], failures=failures
        )
    replay = replay_of(repo, slug, governance, head=info.parents[1])
    failures += [f"{name}: {hold}" for hold in replay.holds]
    approvals: list[str] = []
    ledger = replay.ledger
    if ledger is not None:
        failures += _published_matches(repo, name, slug, commit, ledger)
        entry = governance.as_of(info.committed_at)
        if entry is None:
            failures.append(f"{name}: no verified roster was in force when it was published")
        else:
            for claim in ledger.claims:
                kept = counted(claim, entry.roster, entry.policy, ledger.author, slug)
                if claim_status(kept, entry.policy) is not ClaimStatus.APPROVED:
                    failures.append(f"{name}: claim {claim.key[:8]} (line {claim.line}) was not approved")
            approvals = ledger.approvers
            if ledger.findings.errors:
                failures.append(f"{name}: published with {ledger.findings.errors} error finding(s)")
    return VersionAudit(
        slug=slug,
        version=version,
        commit=commit,
        approvals=approvals,
        signers=replay.signers,
        failures=failures,
    )


def _published_matches(
    repo: ContentRepo, name: str, slug: str, commit: str, ledger: ReviewLedger
) -> list[str]:
    """The published text is the approved text and the published ledger is the replayed one."""
    failures: list[str] = []
    text = repo.read_path(article_path(slug), commit)
    if text is None or text_content_hash(text) != ledger.content_hash:
        failures.append(f"{name}: the published text is not the approved text")
    published = repo.read_path(review_path(slug), commit)
    try:
        same = published is not None and ReviewLedger.from_yaml(published, review_path(slug)) == ledger
    except EditorialError:
        same = False
    if not same:
        failures.append(f"{name}: the published ledger is not the replay of its signed decisions")
    return failures


def _rollback_matches(repo: ContentRepo, slug: str, target: str, commit: str) -> bool:
    """A rollback publishes again exactly the article and ledger of the version it names."""
    version = target.removeprefix("v")
    if not version.isdigit():
        return False
    old = tag_ref(slug, int(version))
    return all(
        repo.read_path(path, commit) == repo.read_path(path, old)
        for path in (article_path(slug), review_path(slug))
    )
