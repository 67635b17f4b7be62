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

from flows.events import Transition, emit
from flows.notify import notify_transition
from flows.tasks import check_and_flag, markdown_table, settings_for, utc_now
from reviewers.desk import Submission, SubmissionRefused, Submitted
from reviewers.ledger import DraftStatus, ReviewLedger, ledger_path
from validators.findings import Finding, Severity
from validators.models import Article

if TYPE_CHECKING:
    from content_repo import ContentRepo, SigningKey

MAX_ATTEMPTS = 5

__all__ = ["SubmissionRefused", "SubmissionResult", "submit_draft"]


class SubmissionResult(BaseModel):
    """What a submission saved and what the writer and the clinicians have to do next."""

    model_config = ConfigDict(frozen=True)

    slug: str
    path: str
    commit: str
    status: DraftStatus
    findings: list[Finding]
    ledger: ReviewLedger
    reopened: list[str]
    push_warning: str | None = None

    @property
    def errors(self) -> list[Finding]:
        """The findings the writer must fix before the draft can be published."""
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def pending_keys(self) -> list[str]:
        """Keys of the claims a clinician still has to decide."""
        return [c.key for c in self.ledger.claims if c.status.value == "pending"]


@task(name="read-draft", cache_policy=NO_CACHE)
def read_draft_file(path: Path) -> Article:
    """Read and parse the writer's file; unusable input raises `InputError` (nothing is saved)."""
    from validators.parser import load_article

    return load_article(path)


def read_ledgers(repo: ContentRepo, slug: str) -> tuple[ReviewLedger | None, ReviewLedger | None, str | None]:
    """(the open draft's ledger, the published version's ledger, the draft head) for carry-over."""
    from content_repo.errors import NotFoundError

    draft_text: str | None
    head: str | None
    try:
        _, draft_text, head = repo.read_draft(slug)
    except NotFoundError:
        draft_text, head = None, None
    published_text = repo.read_path(ledger_path(slug))
    draft = ReviewLedger.from_yaml(draft_text, ledger_path(slug)) if draft_text else None
    published = ReviewLedger.from_yaml(published_text, ledger_path(slug)) if published_text else None
    return draft, published, head


@task(name="save-draft", cache_policy=NO_CACHE)
def save_submission(
    submission: Submission, repo_path: Path | None, now: datetime, signer: SigningKey | None = None
) -> tuple[str, Submitted]:
    """Open the version's ledger (carrying decisions over) and commit draft and ledger on its branch.

    The previous ledger is read at the draft's head and the commit made only from that head: a decision
    recorded meanwhile makes the submission read and carry over again, so it is never lost.
    """
    from content_repo.errors import RefRaceError, SlugError
    from content_repo.safety import MAX_LEDGER_BYTES
    from flows.context import identity_of, load_policy_from, load_roster_from, open_repo
    from reviewers.desk import submit

    article = submission.article
    with open_repo(settings_for(repo_path)) as repo:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                draft_ledger, published_ledger, head = read_ledgers(repo, article.slug)
            except SlugError as exc:
                raise SubmissionRefused(
                    article.path, f"the slug cannot be used: {exc.reason}", "set 'slug:' to lower-case-words"
                ) from exc
            submitted = submit(
                submission,
                draft_ledger=draft_ledger,
                published_ledger=published_ledger,
                roster=load_roster_from(repo),
                policy=load_policy_from(repo),
                now=now,
                max_ledger_bytes=MAX_LEDGER_BYTES,
            )
            ledger = submitted.ledger
            errors = len(submission.errors) + len(submitted.findings)
            message = (
                f"Submit {article.slug}: {errors} error(s), {len(ledger.claims)} claim(s), "
                f"{len(submitted.reopened)} to review, {len(submitted.carried)} carried over"
            )
            try:
                commit = repo.save_draft(
                    article,
                    identity_of(submitted.writer),
                    ledger_text=ledger.to_yaml(),
                    message=message,
                    expected_head=head,
                    check_head=True,
                    signer=signer,
                )
            except RefRaceError:
                if attempt == MAX_ATTEMPTS:
                    raise
                continue
            return commit.sha, submitted
    raise AssertionError("unreachable")  # pragma: no cover


def writer_signer(repo_path: Path | None, key: Path | None) -> SigningKey | None:
    """The writer's signing key: `key`, else the git signing configuration, else None."""
    from content_repo import signer_for

    return signer_for(settings_for(repo_path).repo, key)


def submission_markdown(result: SubmissionResult) -> str:
    """The submission report a writer and a clinician read in the Prefect UI."""
    ledger = result.ledger
    lines = [
        f"# Submission of `{result.slug}`: {result.status.value.replace('_', ' ')}",
        "",
        f"Commit `{result.commit[:12]}` on `drafts/{result.slug}`; content hash `{ledger.content_hash}`.",
        f"{len(result.errors)} error(s); {len(ledger.claims)} claim(s), {len(result.pending_keys)} "
        f"awaiting a clinician; {len(ledger.carried_over)} claim(s) with decisions carried over from the "
        "previous version.",
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
    lines += ["", "## Claims for clinical review", ""]
    if ledger.claims:
        lines.append(
            markdown_table(
                ["claim", "line", "categories", "terms", "status", "sentence"],
                [
                    [c.key, c.line, ", ".join(c.requirement), ", ".join(c.terms), c.status.value, c.sentence]
                    for c in ledger.claims
                ],
            )
        )
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"


@flow(name="submit-draft")
def submit_draft(
    path: Path, repo_path: Path | None = None, now: datetime | None = None, key: Path | None = None
) -> SubmissionResult:
    """Check a writer's draft, save it on `drafts/<slug>` with its review ledger, and report.

    The commit is signed with the writer's key: `key` (a private key file), else their git signing
    configuration (`user.signingkey`); unsigned when neither is set (a signed desk will not publish it).
    """
    logger = get_run_logger()
    moment = utc_now(now)
    article = read_draft_file(Path(path))
    submission = check_and_flag([article], repo_path)[0]
    commit, submitted = save_submission(submission, repo_path, moment, writer_signer(repo_path, key))
    result = SubmissionResult(
        slug=article.slug,
        path=str(path),
        commit=commit,
        status=submitted.status,
        findings=[*submitted.findings, *submission.findings],
        ledger=submitted.ledger,
        reopened=submitted.reopened,
    )
    create_markdown_artifact(
        key=f"submission-{article.slug}",
        markdown=submission_markdown(result),
        description=f"Submission of {article.slug}",
    )
    logger.info(
        "%s saved as %s (%s): %d error(s), %d claim(s) pending",
        article.slug,
        commit[:12],
        result.status.value,
        len(result.errors),
        len(result.pending_keys),
    )
    emit(Transition.SUBMITTED, article.slug, actor=submitted.writer.id, payload={"commit": commit})
    notify_transition(Transition.SUBMITTED, article.slug, repo_path=repo_path)  # the clinicians it waits for
    warning = push_task(repo_path)
    return result.model_copy(update={"push_warning": warning}) if warning else result


@task(name="push-draft", cache_policy=NO_CACHE)
def push_task(repo_path: Path | None) -> str | None:
    """Push the new draft commit to the remote at once (a warning when the remote cannot be reached)."""
    from flows.sync import push_now

    return push_now(repo_path)
