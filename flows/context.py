"""What every flow and command needs first: the repository, the roster, the policy, who is acting.

GitPython (through `content_repo`) is imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from flows.settings import Settings, get_settings
from reviewers.ledger import ReviewLedger, ledger_path
from reviewers.policy import POLICY_PATH, Policy, load_policy
from reviewers.roster import ROSTER_PATH, Person, Roster, load_roster
from validators.errors import EditorialError
from validators.frontmatter import text_content_hash
from validators.models import Article
from validators.parser import parse_article

if TYPE_CHECKING:
    from content_repo import ContentRepo, Identity


class ReviewerUnknownError(EditorialError):
    """No acting reviewer was given (like git's "please tell me who you are")."""

    def __init__(self) -> None:
        super().__init__(
            "please tell me who you are: pass --reviewer ID or set EDITORIAL_REVIEWER=ID "
            "(your id in roster.yaml)"
        )


class NotOnRosterError(EditorialError):
    """A roster file is missing from the content repository's main."""

    def __init__(self, repo: str) -> None:
        super().__init__(
            f"{repo}: no {ROSTER_PATH} on main; commit one listing the desk's people "
            "(id, name, email, roles, verified_until)"
        )


@dataclass(frozen=True)
class DraftUnderReview:
    """A draft as read from its branch: text, ledger (None before submission), head; parsed on demand."""

    slug: str
    text: str
    ledger: ReviewLedger | None
    head: str

    @cached_property
    def article(self) -> Article:
        """The parsed draft (parsed on first use: listing many drafts needs only hashes)."""
        return parse_article(self.text, f"articles/{self.slug}.md")

    @property
    def content_hash(self) -> str:
        """The content hash of the draft's text (equal to `article.content_hash`, without parsing)."""
        return text_content_hash(self.text)

    @property
    def ledger_is_current(self) -> bool:
        """True when the ledger was opened for exactly this text."""
        return self.ledger is not None and self.ledger.content_hash == self.content_hash


def open_repo(settings: Settings | None = None, path: str | Path | None = None) -> ContentRepo:
    """The content repository at `path`, else at the settings' `repo` (EDITORIAL_REPO)."""
    from content_repo import ContentRepo

    return ContentRepo.open(Path(path) if path is not None else (settings or get_settings()).repo)


def load_roster_from(repo: ContentRepo) -> Roster:
    """The roster on the repository's main; raises if there is none or it is invalid."""
    text = repo.read_path(ROSTER_PATH)
    if text is None:
        raise NotOnRosterError(str(getattr(repo, "git_dir", "the content repository")))
    return load_roster(text, ROSTER_PATH)


def load_policy_from(repo: ContentRepo) -> Policy:
    """The shipped policy overridden by `policy.yaml` on the repository's main (when present)."""
    return load_policy(repo.read_path(POLICY_PATH), POLICY_PATH)


def acting_reviewer(option: str | None) -> str:
    """The acting reviewer's roster id: `--reviewer`, else EDITORIAL_REVIEWER, else an error."""
    reviewer = option or get_settings().reviewer
    if not reviewer or not reviewer.strip():
        raise ReviewerUnknownError()
    return reviewer.strip()


def identity_of(person: Person) -> Identity:
    """The git identity a person's commits carry."""
    from content_repo import Identity

    name, email = person.identity()
    return Identity(name=name, email=email)


def read_draft_under_review(repo: ContentRepo, slug: str) -> DraftUnderReview:
    """A draft's text, ledger and head, read from `drafts/<slug>` at one commit."""
    text, ledger_text, head = repo.read_draft(slug)
    ledger = ReviewLedger.from_yaml(ledger_text, ledger_path(slug)) if ledger_text is not None else None
    return DraftUnderReview(slug=slug, text=text, ledger=ledger, head=head)
