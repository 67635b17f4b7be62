"""The one content hash of an article text: what a review approves and what publishing checks.

`sha256:` + the hex digest of the UTF-8 text with the front matter keys publishing writes removed
(`validators.frontmatter.PUBLISHING_KEYS`), so stamping a published article with its reviewers does
not change the hash of what they approved. Used by `Article.content_hash`, `content_repo` (the
publish check) and the flows (a draft's hash without parsing it).
"""

from __future__ import annotations

import hashlib

from validators.frontmatter import strip_publishing_keys

CONTENT_HASH_PATTERN = r"^sha256:[0-9a-f]{64}$"


def content_hash(text: str) -> str:
    """The content hash of an article's text (`sha256:<64 hex digits>`)."""
    return "sha256:" + hashlib.sha256(strip_publishing_keys(text).encode("utf-8")).hexdigest()
