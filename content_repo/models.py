"""Plain value objects returned by the content repository (never GitPython objects)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from content_repo.signing import SignatureFacts

_HEADER_FORBIDDEN = ("<", ">", "\n", "\r", "\0")


class Identity(BaseModel):
    """A person or the pipeline, as git records them: `Name <email>`."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254)

    @field_validator("name", "email")
    @classmethod
    def fits_in_a_commit_header(cls, value: str) -> str:
        """Refuse characters that would corrupt a git author/committer line."""
        if any(ch in value for ch in _HEADER_FORBIDDEN):
            raise ValueError("must not contain '<', '>', line breaks or NUL")
        return value

    @field_validator("email")
    @classmethod
    def looks_like_an_address(cls, value: str) -> str:
        """An e-mail has one '@' and no white space."""
        if value.count("@") != 1 or any(ch.isspace() for ch in value):
            raise ValueError("must be an e-mail address like name@example.org")
        return value

    def format(self) -> str:
        """`Name <email>`, as in git headers and `Reviewed-by:` trailers."""
        return f"{self.name} <{self.email}>"


class CommitInfo(BaseModel):
    """One commit: who wrote it, who committed it, when, and its trailers."""

    model_config = ConfigDict(frozen=True)

    sha: str
    message: str
    author: Identity
    committer: Identity
    authored_at: datetime
    committed_at: datetime
    trailers: dict[str, list[str]] = Field(default_factory=dict)
    parents: list[str] = Field(default_factory=list)


class DraftInfo(BaseModel):
    """A draft under review on `drafts/<slug>`."""

    model_config = ConfigDict(frozen=True)

    slug: str
    branch: str
    head: str
    updated_at: datetime
    base: str = Field(description="The commit on main the draft was started from.")


class Publication(BaseModel):
    """A version put on main: its commit and its tag."""

    model_config = ConfigDict(frozen=True)

    slug: str
    version: int = Field(ge=1)
    commit: str
    tag: str


class PublicationRecord(BaseModel):
    """What the review approved: who, the hash of the approved text, how many flags, when."""

    model_config = ConfigDict(frozen=True)

    reviewers: list[Identity]
    content_hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    approved_flags: int = Field(ge=0)
    reviewed_on: date


class PublishedInfo(BaseModel):
    """An article currently on main, with its latest published version."""

    model_config = ConfigDict(frozen=True)

    slug: str
    version: int
    commit: str
    text: str


class GovernanceVersion(BaseModel):
    """A commit on main that changed the roster or the policy: the texts after it, and who signed it."""

    model_config = ConfigDict(frozen=True)

    commit: CommitInfo
    signature: SignatureFacts
    roster_text: str | None
    policy_text: str | None


class DraftCommit(BaseModel):
    """One commit of a draft with the facts a verifier needs: signature, and the files before and after."""

    model_config = ConfigDict(frozen=True)

    commit: CommitInfo
    signature: SignatureFacts
    article_before: str | None
    article_after: str | None
    ledger_before: str | None
    ledger_after: str | None
    changed_paths: list[str] = Field(default_factory=list)
    other_paths: list[str] = Field(
        default_factory=list, description="Changed paths other than the draft's article and ledger."
    )

    @property
    def changes_article(self) -> bool:
        """True when this commit changed the article text."""
        return self.article_before != self.article_after


class DraftHistory(BaseModel):
    """A draft's own commits, oldest first, from the commit after its base to its head."""

    model_config = ConfigDict(frozen=True)

    slug: str
    ref: str
    head: str
    base: str
    base_on_main: bool
    commits: list[DraftCommit]
    problems: list[str] = Field(default_factory=list, description="Why the chain itself cannot be trusted.")
