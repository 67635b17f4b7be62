"""The `submit_draft` flow: parse, validate, flag, open the review ledger and save the draft.

A draft with error findings is still saved on its draft branch (nothing a writer sends is lost); its
ledger records the errors, so it stands as "needs changes" until the writer resubmits. Input that
cannot be read at all (`InputError`), an author missing from the roster or an unusable slug is
refused with one clear error, and nothing is saved.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict

from flows.tasks import CheckedArticle, check_and_flag, markdown_table, settings_for, utc_now
from reviewers.flags import Flag
from reviewers.ledger import DraftStatus, ReviewLedger, draft_status, ledger_path, open_ledger
from validators.errors import EditorialError
from validators.findings import Finding, Severity
from validators.models import Article

if TYPE_CHECKING:
    from content_repo import ContentRepo, Identity
    from reviewers.roster import Roster


class SubmissionRefused(EditorialError):
    """A submission that cannot be saved (the writer is unknown, the slug is unusable): nothing saved."""

    def __init__(self, path: str, reason: str, hint: str) -> None:
        self.path = path
        self.reason = reason
        self.hint = hint
        super().__init__(f"{path}: error {reason} (hint: {hint})")


class SubmissionResult(BaseModel):
    """What a submission saved and what the writer and the clinicians have to do next."""

    model_config = ConfigDict(frozen=True)

    slug: str
    path: str
    commit: str
    status: DraftStatus
    findings: list[Finding]
    flags: list[Flag]
    ledger: ReviewLedger

    @property
    def errors(self) -> list[Finding]:
        """The findings the writer must fix before the draft can be published."""
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def pending_keys(self) -> list[str]:
        """Keys of the flags a clinician still has to decide on."""
        return [f.key for f in self.ledger.flags if f.blocks_publishing]


@task(name="read-draft", cache_policy=NO_CACHE)
def read_draft_file(path: Path) -> Article:
    """Read and parse the writer's file; unusable input raises `InputError` (nothing is saved)."""
    from validators.parser import load_article

    return load_article(path)


def writer_identity(article: Article, roster: Roster) -> Identity:
    """The git identity of the article's author, who must be on the roster."""
    from flows.context import identity_of

    raw = article.front_matter.author if article.front_matter else article.raw_front_matter.get("author")
    if not isinstance(raw, str) or not raw.strip():
        raise SubmissionRefused(
            article.path, "the front matter has no 'author'", "add 'author: <your roster id>'"
        )
    person = roster.get(raw.strip())
    if person is None:
        raise SubmissionRefused(
            article.path,
            f"author {raw.strip()!r} is not on the roster (roster.yaml on main)",
            "use your roster id, or ask an editor to add you to roster.yaml",
        )
    return identity_of(person)


def previous_ledger(repo: ContentRepo, slug: str) -> ReviewLedger | None:
    """The ledger decisions carry over from: the open draft's, else the published version's."""
    from content_repo.errors import ContentRepoError

    text: str | None
    try:
        _, text, _ = repo.read_draft(slug)
    except ContentRepoError:
        text = None
    if text is None:
        text = repo.read_path(ledger_path(slug))
    return ReviewLedger.from_yaml(text, ledger_path(slug)) if text else None


@task(name="save-draft", cache_policy=NO_CACHE)
def save_submission(
    checked: CheckedArticle, repo_path: Path | None, now: datetime
) -> tuple[str, ReviewLedger]:
    """Open the version's ledger (carrying decisions over) and commit draft and ledger on its branch."""
    from content_repo.errors import SlugError
    from flows.context import load_policy_from, load_roster_from, open_repo

    article = checked.article
    with open_repo(settings_for(repo_path)) as repo:
        author = writer_identity(article, load_roster_from(repo))
        try:
            previous = previous_ledger(repo, article.slug)
        except SlugError as exc:
            raise SubmissionRefused(
                article.path, f"the slug cannot be used: {exc.reason}", "set 'slug:' to lower-case-words"
            ) from exc
        ledger = open_ledger(
            article, checked.flags, checked.findings, previous, now, policy=load_policy_from(repo)
        )
        errors = len(checked.errors)
        pending = sum(1 for f in ledger.flags if f.blocks_publishing)
        message = f"Submit {article.slug}: {errors} error(s), {len(ledger.flags)} flag(s), {pending} pending"
        commit = repo.save_draft(article, author, ledger_text=ledger.to_yaml(), message=message)
    return commit.sha, ledger


def submission_markdown(result: SubmissionResult) -> str:
    """The submission report a writer and a clinician read in the Prefect UI."""
    ledger = result.ledger
    lines = [
        f"# Submission of `{result.slug}`: {result.status.value.replace('_', ' ')}",
        "",
        f"Commit `{result.commit[:12]}` on `drafts/{result.slug}`; content hash `{ledger.content_hash}`.",
        f"{len(result.errors)} error(s); {len(ledger.flags)} flag(s), {len(result.pending_keys)} awaiting a "
        f"clinician; {len(ledger.carried_over)} decision(s) carried over from the previous version.",
        "",
        "## Findings",
        "",
    ]
    rule_findings = [f for f in result.findings if f.code != "TM01"]
    if rule_findings:
        lines.append(
            markdown_table(
                ["line", "code", "severity", "message", "fix"],
                [[f.line, f.code, f.severity.value, f.message, f.hint or ""] for f in rule_findings],
            )
        )
    else:
        lines.append("None.")
    lines += ["", "## Flags for clinical review", ""]
    if ledger.flags:
        lines.append(
            markdown_table(
                ["key", "line", "category", "term", "status", "sentence"],
                [[f.key, f.line, f.category.value, f.term, f.status.value, f.sentence] for f in ledger.flags],
            )
        )
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"


@flow(name="submit-draft")
def submit_draft(path: Path, repo_path: Path | None = None, now: datetime | None = None) -> SubmissionResult:
    """Check a writer's draft, save it on `drafts/<slug>` with its review ledger, and report."""
    logger = get_run_logger()
    moment = utc_now(now)
    article = read_draft_file(Path(path))
    checked = check_and_flag([article], repo_path)[0]
    commit, ledger = save_submission(checked, repo_path, moment)
    result = SubmissionResult(
        slug=article.slug,
        path=str(path),
        commit=commit,
        status=draft_status(ledger, published=False),
        findings=checked.findings,
        flags=checked.flags,
        ledger=ledger,
    )
    create_markdown_artifact(
        key=f"submission-{article.slug}",
        markdown=submission_markdown(result),
        description=f"Submission of {article.slug}",
    )
    logger.info(
        "%s saved as %s (%s): %d error(s), %d flag(s) pending",
        article.slug,
        commit[:12],
        result.status.value,
        len(result.errors),
        len(result.pending_keys),
    )
    return result
