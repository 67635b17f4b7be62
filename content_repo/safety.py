"""Checks on everything that becomes a ref name or a path in the content repository."""

from __future__ import annotations

import re

from content_repo.errors import SizeLimitError, SlugError
from validators.models import SLUG_MAX_LENGTH, SLUG_RE

MAX_ARTICLE_BYTES = 1024 * 1024  # the parser's own cap (validators.parser.MAX_FILE_BYTES)
MAX_LEDGER_BYTES = 4 * 1024 * 1024
MAX_FILE_BYTES = 1024 * 1024  # roster.yaml, policy.yaml and other files on main
MAX_MESSAGE_BYTES = 64 * 1024

# Names that would shadow or confuse refs and tools if used as a slug (compared case-folded).
RESERVED_SLUGS = frozenset(
    {"main", "master", "head", "fetch-head", "orig-head", "merge-head", "drafts", "published", "refs", "tags"}
)
_PATH_COMPONENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")
_REF_UNSAFE = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//|/\.|\.lock(/|$)|^/|/$|^-|\.$")


def check_slug(slug: str) -> str:
    """Return `slug` when it can name a file and a branch; raise SlugError otherwise."""
    if not isinstance(slug, str) or not slug:
        raise SlugError(str(slug), "empty")
    if len(slug) > SLUG_MAX_LENGTH:
        raise SlugError(slug[:40] + "...", f"longer than {SLUG_MAX_LENGTH} characters")
    if ".." in slug or "/" in slug or "\\" in slug:
        raise SlugError(slug, "path separators and '..' are not allowed")
    if "@{" in slug or slug.endswith(".lock"):
        raise SlugError(slug, "ref-name syntax is not allowed")
    if not SLUG_RE.fullmatch(slug):
        raise SlugError(slug, "use lower-case letters, digits and single hyphens, like 'heart-failure'")
    if slug.casefold() in RESERVED_SLUGS:
        raise SlugError(slug, "reserved name")
    return slug


def check_repo_path(path: str) -> str:
    """Return `path` when it is a safe relative file path in the repository; raise SlugError otherwise."""
    if not isinstance(path, str) or not path:
        raise SlugError(str(path), "empty path")
    if len(path) > 300:
        raise SlugError(path[:40] + "...", "path longer than 300 characters")
    parts = path.split("/")
    for part in parts:
        if part in ("", ".", "..") or not _PATH_COMPONENT.fullmatch(part):
            raise SlugError(path, "use a relative path of plain names, without '..', '.' or empty parts")
        if part.casefold() == ".git" or part.casefold().startswith(".git"):
            raise SlugError(path, "git's own files are not content")
    return path


def check_ref_expression(ref: str) -> str:
    """Return `ref` when it is a plain branch, tag or commit name (no revision syntax)."""
    if not isinstance(ref, str) or not ref or len(ref) > 300 or _REF_UNSAFE.search(ref):
        raise SlugError(str(ref), "not a plain branch, tag or commit name")
    return ref


def check_size(what: str, text: str, limit: int) -> bytes:
    """Encode `text` as UTF-8, refusing it when larger than `limit` bytes."""
    data = text.encode("utf-8")
    if len(data) > limit:
        raise SizeLimitError(what, len(data), limit)
    return data
