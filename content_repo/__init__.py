"""The content repository: git as the record of drafts, reviews and publications.

The only package that imports GitPython (used to create and open repositories; the write path is
git plumbing, see `content_repo.plumbing`). Results are plain value objects; every git failure
surfaces as a `content_repo.errors` exception.

Decisions worth knowing:
- Refs move only by compare-and-swap in one `git update-ref --stdin` transaction. Publishing moves
  main, creates the tag and deletes the draft in one transaction: all or none.
- A lost race is retried on the new tip (bounded, with jitter) when the write does not depend on
  what the caller saw: `save_draft`, `record_review(expected_head=None)`, publishing other slugs.
  With `record_review(expected_head=...)` or a draft that moved before `publish`, RefRaceError is
  raised so the caller re-validates.
- The draft's base is a `Draft-Base: <main sha>` trailer on every draft commit, not a merge-base:
  it costs one object read, survives main being reconciled with a remote (a merge-base would
  move), and is visible to anyone reading `git log`.
- The publish commit has two parents (main, the approved draft head), so each submission and
  each clinician's decision stays in main's history after the draft branch is deleted; its author
  is the writer of the approved text, its committer the pipeline.
- Tags `published/<slug>/vN` are annotated: they record the pipeline as tagger and the time,
  `git describe` and git hosts treat them as releases, and they can be signed. Versions are
  1 + the highest existing tag and are created in the same transaction as main's move.
- Commits are signed through `git commit-tree -S` with an SSH key: per write (`signer=SigningKey(...)`:
  the writer's, clinician's or editor's key), else the repository's default (`commit.gpgsign`).
  Who signed is read back with `signatures()` (status and key fingerprint per commit, one `git log`
  for many commits); `governance_history()` lists main's roster/policy commits and `draft_history()`
  a draft's own commits with the files before and after (`content_repo.history`). Whether a key
  belonged to the right person then is the roster's question (`reviewers.verification`).
- Drafts are read only from this repository's `refs/heads/drafts/*`: a plain clone keeps a remote's
  drafts under `refs/remotes/` and never reads them; a bare or mirror clone's drafts are the remote's,
  which is why every draft commit comes with its signature facts.
- Paths, refs and tags are spelled in one place, `content_repo.layout`; `content_repo.core.RepoCore`
  is the small object API the facade, publishing and remote share (no reach-ins, no import cycle).
- `push` sends main and the publication tags in one atomic push, then the drafts (see
  `content_repo.remote`). Run `maintain()` now and then to pack loose objects.
"""

from content_repo.errors import (
    ConflictError,
    ContentRepoError,
    GitError,
    IdentityError,
    NotFoundError,
    RefRaceError,
    RemoteError,
    RepositoryError,
    SigningError,
    SizeLimitError,
    SlugError,
)
from content_repo.models import (
    CommitInfo,
    DraftCommit,
    DraftHistory,
    DraftInfo,
    GovernanceVersion,
    Identity,
    Publication,
    PublicationRecord,
    PublishedInfo,
)
from content_repo.remote import PushReport
from content_repo.repo import DEFAULT_PIPELINE, ContentRepo, text_content_hash
from content_repo.signing import SignatureFacts, SigningKey, signer_for

__all__ = [
    "DEFAULT_PIPELINE",
    "CommitInfo",
    "ConflictError",
    "ContentRepo",
    "ContentRepoError",
    "DraftCommit",
    "DraftHistory",
    "DraftInfo",
    "GitError",
    "GovernanceVersion",
    "Identity",
    "IdentityError",
    "NotFoundError",
    "Publication",
    "PublicationRecord",
    "PublishedInfo",
    "PushReport",
    "RefRaceError",
    "RemoteError",
    "RepositoryError",
    "SignatureFacts",
    "SigningError",
    "SigningKey",
    "SizeLimitError",
    "SlugError",
    "signer_for",
    "text_content_hash",
]
