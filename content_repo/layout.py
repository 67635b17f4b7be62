"""Where everything lives in a content repository: file paths, branches, tags and trailer names.

The one place that spells them (see ../shared/DESIGN.md, "The content repository"):

```
articles/<slug>.md            the article (on main: the published version)
reviews/<slug>.yaml           its review ledger
roster.yaml, policy.yaml      the desk's people and approval policy (main only, editor-signed)
refs/heads/main               what is published
refs/heads/drafts/<slug>      a draft under review
refs/tags/published/<slug>/vN a published version (annotated tag)
refs/archive/drafts/<slug>/<head>  a retired draft, kept for the record
```
"""

from __future__ import annotations

MAIN_BRANCH = "main"
MAIN = "refs/heads/main"
BRANCH_PREFIX = "refs/heads/"
DRAFT_PREFIX = "refs/heads/drafts/"
TAG_PREFIX = "refs/tags/published/"
ARCHIVE_PREFIX = "refs/archive/drafts/"

ARTICLES_DIRECTORY = "articles"
REVIEWS_DIRECTORY = "reviews"
# Paths on main that only the draft/publish path may change.
REVIEWED_DIRECTORIES = (ARTICLES_DIRECTORY + "/", REVIEWS_DIRECTORY + "/")
ROSTER_PATH = "roster.yaml"
POLICY_PATH = "policy.yaml"
# Files on main that only an editor's signed commit may change.
GOVERNANCE_PATHS = (ROSTER_PATH, POLICY_PATH)

DRAFT_BASE_TRAILER = "Draft-Base"
DRAFT_AUTHOR_TRAILER = "Draft-Author"
ON_BEHALF_OF_TRAILER = "On-Behalf-Of"


def article_path(slug: str) -> str:
    """Where an article lives: `articles/<slug>.md`."""
    return f"{ARTICLES_DIRECTORY}/{slug}.md"


def review_path(slug: str) -> str:
    """Where an article's review ledger lives: `reviews/<slug>.yaml`."""
    return f"{REVIEWS_DIRECTORY}/{slug}.yaml"


def draft_branch(slug: str) -> str:
    """The short branch name of a draft: `drafts/<slug>`."""
    return draft_ref(slug)[len(BRANCH_PREFIX) :]


def draft_ref(slug: str) -> str:
    """The full ref of a draft: `refs/heads/drafts/<slug>`."""
    return DRAFT_PREFIX + slug


def tag_name(slug: str, version: int) -> str:
    """The short tag name of a published version: `published/<slug>/vN`."""
    return f"published/{slug}/v{version}"


def tag_ref(slug: str, version: int) -> str:
    """The full ref of a published version: `refs/tags/published/<slug>/vN`."""
    return "refs/tags/" + tag_name(slug, version)


def archive_ref(slug: str, head: str) -> str:
    """Where a retired draft's head is kept: `refs/archive/drafts/<slug>/<head>`."""
    return f"{ARCHIVE_PREFIX}{slug}/{head}"


def remote_tracking_prefix(remote: str) -> str:
    """Where a fetch keeps a remote's branches: `refs/remotes/<remote>/`."""
    return f"refs/remotes/{remote}/"


def parse_tag_ref(ref: str) -> tuple[str, int] | None:
    """(slug, version) of `refs/tags/published/<slug>/vN`, or None for any other ref."""
    if not ref.startswith(TAG_PREFIX):
        return None
    slug, _, version = ref[len(TAG_PREFIX) :].rpartition("/")
    if not slug or not version.startswith("v") or not version[1:].isdigit():
        return None
    return slug, int(version[1:])
