"""The content repository's exceptions: one small hierarchy, each error carrying its fields.

Git failures are translated into these at the package edge (`raise ... from exc`); callers never see
GitPython or subprocess errors.
"""

from __future__ import annotations

from validators.errors import EditorialError


class ContentRepoError(EditorialError):
    """Base of every error the content repository raises."""


class RepositoryError(ContentRepoError):
    """The repository cannot be created, opened or read (path, and what git said)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class SlugError(ContentRepoError):
    """A slug or repository path that may not be used (traversal, ref-name tricks, reserved names)."""

    def __init__(self, value: str, reason: str) -> None:
        self.value = value
        self.reason = reason
        super().__init__(f"invalid slug or path {value!r}: {reason}")


class SizeLimitError(ContentRepoError):
    """A text larger than the repository accepts."""

    def __init__(self, what: str, size: int, limit: int) -> None:
        self.what = what
        self.size = size
        self.limit = limit
        super().__init__(f"{what} is {size} bytes, over the {limit}-byte limit")


class IdentityError(ContentRepoError):
    """A name or e-mail that cannot appear in a commit header."""


class NotFoundError(ContentRepoError):
    """A draft, publication, ref or file that does not exist."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(f"not found: {what}")


class ConflictError(ContentRepoError):
    """A write refused because its content contradicts the repository (never overwritten)."""

    def __init__(self, slug: str, reason: str) -> None:
        self.slug = slug
        self.reason = reason
        super().__init__(f"{slug}: {reason}")


class RefRaceError(ContentRepoError):
    """A ref moved away from the value the caller expected; re-read and re-validate, then retry."""

    def __init__(self, ref: str, expected: str | None, actual: str | None) -> None:
        self.ref = ref
        self.expected = expected
        self.actual = actual
        super().__init__(f"{ref} moved: expected {expected or '(absent)'}, found {actual or '(absent)'}")


class RemoteError(ContentRepoError):
    """A push or fetch that failed after its retries; names the remote and the reason."""

    def __init__(self, remote: str, reason: str) -> None:
        self.remote = remote
        self.reason = reason
        super().__init__(f"remote {remote!r}: {reason}")


class GitError(ContentRepoError):
    """An unexpected git failure (the command and git's own message)."""

    def __init__(self, command: str, detail: str) -> None:
        self.command = command
        self.detail = detail
        super().__init__(f"git {command} failed: {detail}")


class SigningError(ContentRepoError):
    """A key that cannot sign (missing or unreadable file, no signing configuration)."""

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        self.reason = reason
        super().__init__(f"cannot sign with {key}: {reason}")
