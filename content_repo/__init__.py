"""The content repository: git as the record of drafts, reviews and publications.

The only package that imports GitPython. Results are plain value objects; git failures surface as
`content_repo.errors` exceptions.
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
    SizeLimitError,
    SlugError,
)
from content_repo.models import CommitInfo, DraftInfo, Identity, Publication, PublicationRecord, PublishedInfo
from content_repo.remote import PushReport
from content_repo.repo import DEFAULT_PIPELINE, ContentRepo, text_content_hash

__all__ = [
    "DEFAULT_PIPELINE",
    "CommitInfo",
    "ConflictError",
    "ContentRepo",
    "ContentRepoError",
    "DraftInfo",
    "GitError",
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
    "SizeLimitError",
    "SlugError",
    "text_content_hash",
]
