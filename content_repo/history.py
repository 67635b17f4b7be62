"""Facts about the record for verifiers: who signed which commit, the roster's history, a draft's commits.

Pure reading, no judgement: `reviewers.verification` decides what the facts are worth. Drafts are
read only from the repository's own draft refs (`refs/heads/drafts/<slug>`) whatever the clone's
layout: in a plain clone a remote's drafts sit under `refs/remotes/` and are never read; in a bare
or mirror clone the remote's drafts *are* `refs/heads/drafts/*`, so every commit of a draft comes
with its signature facts and the chain's own problems, for the verifier to refuse what does not hold.
"""

from __future__ import annotations

from collections.abc import Sequence

from content_repo.core import RepoCore
from content_repo.errors import NotFoundError
from content_repo.layout import (
    DRAFT_BASE_TRAILER,
    GOVERNANCE_PATHS,
    MAIN,
    POLICY_PATH,
    ROSTER_PATH,
    TAG_PREFIX,
    article_path,
    draft_ref,
    parse_tag_ref,
    review_path,
    tag_name,
)
from content_repo.models import CommitInfo, DraftCommit, DraftHistory, GovernanceVersion, Publication
from content_repo.signing import SignatureFacts, read_signatures

MAX_DRAFT_COMMITS = 10_000


def signatures(
    core: RepoCore, shas: Sequence[str], *, allowed_signers: str | None = None
) -> dict[str, SignatureFacts]:
    """Signature facts of each commit (see `content_repo.signing.read_signatures`)."""
    return read_signatures(core.git_dir, shas, allowed_signers=allowed_signers)


def governance_history(core: RepoCore, ref: str = MAIN) -> list[GovernanceVersion]:
    """Every commit on `ref` that changed roster.yaml or policy.yaml, oldest first, with its signature.

    History is simplified as `git log -- <paths>` does: a merge that took the files unchanged from
    one side is skipped and that side's own commits are listed.
    """
    out = core.git(["log", "--reverse", "--topo-order", "--format=%H", ref, "--", *GOVERNANCE_PATHS])
    shas = out.decode().split()
    facts = signatures(core, shas)
    return [
        GovernanceVersion(
            commit=core.commit_info(sha),
            signature=facts[sha],
            roster_text=core.blob_text(sha, ROSTER_PATH),
            policy_text=core.blob_text(sha, POLICY_PATH),
        )
        for sha in shas
    ]


def _changed_paths(core: RepoCore, shas: Sequence[str]) -> dict[str, list[str]]:
    """The paths each commit changed against its first parent (one `git diff-tree --stdin`)."""
    if not shas:
        return {}
    out = core.git(
        ["diff-tree", "--stdin", "-r", "--name-only", "--no-renames", "-m", "--first-parent"],
        input="".join(sha + "\n" for sha in shas).encode("ascii"),
    ).decode("utf-8", "replace")
    changed: dict[str, list[str]] = {sha: [] for sha in shas}
    current: str | None = None
    for line in out.splitlines():
        if line in changed:
            current = line
        elif line and current is not None:
            changed[current].append(line)
    return changed


def draft_history(core: RepoCore, slug: str, head: str | None = None) -> DraftHistory:
    """The draft's commits from its base (exclusive) to its head, with signature and file facts.

    `head` is the draft's tip now (None: read `refs/heads/drafts/<slug>`), or the approved head a
    publication commit names as its second parent.
    """
    ref = draft_ref(slug)
    head = head or core.objects.resolve(ref)
    if head is None:
        raise NotFoundError(f"draft {slug!r} (no branch {ref})")
    problems: list[str] = []
    bases = core.commit_info(head).trailers.get(DRAFT_BASE_TRAILER, [])
    base = bases[-1] if bases else ""
    chain: list[str] = []
    commit: str | None = head
    if not base:
        problems.append(f"the draft's head {head[:12]} has no {DRAFT_BASE_TRAILER} trailer")
        commit = None  # nothing to walk to: the draft cannot be told apart from main's history
    while commit is not None and commit != base:
        if len(chain) >= MAX_DRAFT_COMMITS:
            problems.append(f"more than {MAX_DRAFT_COMMITS} commits without reaching the draft's base")
            break
        info = core.commit_info(commit)
        chain.append(commit)
        recorded = info.trailers.get(DRAFT_BASE_TRAILER, [])
        if base and (not recorded or recorded[-1] != base):
            problems.append(f"commit {commit[:12]} does not carry the draft's base {base[:12]}")
        if len(info.parents) != 1:
            problems.append(f"commit {commit[:12]} has {len(info.parents)} parents (a draft is one line)")
            break
        commit = info.parents[0]
    if base and commit != base and not problems:
        problems.append(f"the draft does not start from its recorded base {base[:12]}")
    main = core.objects.resolve(MAIN)
    base_on_main = bool(base) and main is not None and core.objects.resolve(base) is not None
    base_on_main = base_on_main and main is not None and core.is_ancestor(base, main)
    if base and not base_on_main:
        problems.append(f"the draft's base {base[:12]} is not a commit of main")
    chain.reverse()
    facts = signatures(core, chain)
    changed = _changed_paths(core, chain)
    article, ledger = article_path(slug), review_path(slug)
    commits: list[DraftCommit] = []
    for sha in chain:
        info = core.commit_info(sha)
        parent = info.parents[0] if info.parents else None
        commits.append(
            DraftCommit(
                commit=info,
                signature=facts[sha],
                article_before=core.blob_text(parent, article),
                article_after=core.blob_text(sha, article),
                ledger_before=core.blob_text(parent, ledger),
                ledger_after=core.blob_text(sha, ledger),
                changed_paths=changed.get(sha, []),
                other_paths=[p for p in changed.get(sha, []) if p not in (article, ledger)],
            )
        )
    return DraftHistory(
        slug=slug,
        ref=ref,
        head=head,
        base=base,
        base_on_main=base_on_main,
        commits=commits,
        problems=problems,
    )


def publications(core: RepoCore) -> list[Publication]:
    """Every published version (tag `published/<slug>/vN`), by slug then version."""
    out = core.git(["for-each-ref", "--format=%(refname) %(objectname) %(*objectname)", TAG_PREFIX]).decode()
    found: list[Publication] = []
    for line in out.splitlines():
        ref, oid, peeled = [*line.split(" "), "", ""][:3]
        parsed = parse_tag_ref(ref)
        if parsed is None:
            continue
        slug, version = parsed
        found.append(
            Publication(slug=slug, version=version, commit=peeled or oid, tag=tag_name(slug, version))
        )
    return sorted(found, key=lambda p: (p.slug, p.version))


def main_changes(core: RepoCore, slug: str) -> list[CommitInfo]:
    """The commits on main's first-parent line that changed the article or its ledger, newest first."""
    out = core.git(
        ["log", "--first-parent", "--format=%H", MAIN, "--", article_path(slug), review_path(slug)]
    )
    return [core.commit_info(sha) for sha in out.decode().split()]
