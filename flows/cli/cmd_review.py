"""`editorial queue | show | status | review`: what waits for a clinician, and their decisions.

`queue`, `show` and `status` read the content repository directly (no Prefect: they answer at once).
`review` checks the decisions at once, then records them through the `record_review` flow (Prefect's
embedded API unless PREFECT_API_URL names a server).

Terms are highlighted in their sentence: bold and reversed on a terminal, `[[term]]` otherwise.
Flag keys may be given by any unique prefix (the listings show the first 8 characters).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from flows.cli.app import Exit, app
from flows.cli.cmd_flows import REPO_HELP, repo_of

if TYPE_CHECKING:
    from flows.context import DraftUnderReview
    from flows.record_review import ReviewOutcome
    from reviewers.ledger import DecisionInput, LedgerFlag, ReviewLedger
    from reviewers.policy import Policy
    from reviewers.roster import Person, Roster
    from validators.models import Article

SHORT_KEY = 8
REVIEWER_HELP = "Your roster id (default: EDITORIAL_REVIEWER)."


# --- output -----------------------------------------------------------------------------------------


class Printer:
    """Prints rich markup: styled on a terminal, plain text (markup removed) otherwise."""

    def __init__(self, styled: bool | None = None) -> None:
        self.styled = sys.stdout.isatty() if styled is None else styled

    def __call__(self, markup: str = "") -> None:
        """Print one line of markup."""
        from rich.console import Console
        from rich.text import Text

        if self.styled:
            Console(highlight=False, soft_wrap=True).print(markup)
        else:
            typer.echo(Text.from_markup(markup).plain)

    def term_in(self, sentence: str, term: str) -> str:
        """The sentence as markup with the term highlighted (first case-insensitive occurrence)."""
        from rich.markup import escape

        start = sentence.casefold().find(term.casefold())
        if start < 0:
            return escape(sentence)
        before, found, after = (
            sentence[:start],
            sentence[start : start + len(term)],
            sentence[start + len(term) :],
        )
        marked = f"[bold reverse]{escape(found)}[/]" if self.styled else escape(f"[[{found}]]")
        return f"{escape(before)}{marked}{escape(after)}"


def fail(message: str, code: Exit) -> NoReturn:
    """One line on standard error, then exit with `code`."""
    typer.echo(f"editorial: error: {message}", err=True)
    raise typer.Exit(int(code))


@contextmanager
def reported_errors(*, recording: bool = False) -> Iterator[None]:
    """Turn the project's errors into one line on standard error and the right exit code."""
    from content_repo.errors import ContentRepoError, NotFoundError, RepositoryError, SlugError
    from reviewers.policy import PolicyError
    from validators.errors import EditorialError

    try:
        yield
    except PolicyError as exc:
        fail(f"refused: {exc}" + (" (nothing recorded)" if recording else ""), Exit.FINDINGS)
    except (NotFoundError, RepositoryError, SlugError) as exc:
        fail(str(exc), Exit.USAGE)
    except ContentRepoError as exc:
        fail(str(exc), Exit.FINDINGS)
    except EditorialError as exc:  # configuration, input, unknown reviewer
        fail(str(exc), Exit.USAGE)


def when(moment: datetime) -> str:
    """A time as `YYYY-MM-DD HH:MM UTC`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


# --- what waits for whom ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """A draft and the flags in it waiting for the reviewer."""

    draft: DraftUnderReview
    ledger: ReviewLedger
    flags: list[LedgerFlag]


def flag_summary(ledger: ReviewLedger) -> str:
    """`N approved, N pending, N rejected, N informational`: pending counts only flags needing approval."""
    from reviewers.ledger import FlagStatus

    def count(needs_approval: bool | None, status: FlagStatus) -> int:
        return sum(
            1
            for f in ledger.flags
            if f.status is status and (needs_approval is None or f.needs_approval is needs_approval)
        )

    return (
        f"{count(None, FlagStatus.APPROVED)} approved, {count(True, FlagStatus.PENDING)} pending, "
        f"{count(None, FlagStatus.REJECTED)} rejected, {count(False, FlagStatus.PENDING)} informational"
    )


def print_flag(out: Printer, flag: LedgerFlag, policy: Policy, *, decisions_on: str | None = None) -> None:
    """A flag's line, its sentence with the term highlighted, and (with `decisions_on`) its decisions.

    `decisions_on` is the version's content hash: decisions made on another version are marked carried over.
    """
    from rich.markup import escape

    from reviewers.ledger import FlagStatus

    roles = " or ".join(policy.rule_for(flag.category).roles)
    if not flag.needs_approval and flag.status is FlagStatus.PENDING:
        state = "info"  # informational: nobody needs to decide on it
        approvals = "informational"
    else:
        state = flag.status.value
        approvals = f"{len(flag.approvers)}/{flag.approvals_needed} approvals  ({escape(roles)})"
    key = flag.key[:SHORT_KEY]
    out(f"  [bold]{key}[/]  {state:<8}  {flag.category.value}  line {flag.line}  {approvals}")
    out(f"      {out.term_in(flag.sentence, flag.term)}")
    if decisions_on is None:
        return
    for d in flag.decisions:
        note = f": {escape(d.note)}" if d.note else ""
        carried = " (carried over)" if d.made_on != decisions_on else ""
        out(
            f"      {d.verdict.value} by {escape(d.reviewer_name)} ({d.reviewer_id}, {d.role.value})"
            f" {when(d.at)}{carried}{note}"
        )


# --- commands ---------------------------------------------------------------------------------------


@app.command("queue")
def queue_command(
    reviewer: str | None = typer.Option(
        None, "--reviewer", help=REVIEWER_HELP + " Without one: all pending."
    ),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """List the flags waiting for a reviewer's roles, oldest submission first, each in its sentence."""
    from flows.context import load_policy_from, load_roster_from, open_repo, read_draft_under_review
    from flows.settings import get_settings
    from reviewers.ledger import draft_status, waiting_for
    from reviewers.policy import PolicyError

    out = Printer()
    with reported_errors(), open_repo(path=repo_of(repo)) as content:
        roster = load_roster_from(content)
        policy = load_policy_from(content)
        reviewer_id = reviewer or get_settings().reviewer
        person = roster.get(reviewer_id) if reviewer_id else None
        if reviewer_id and person is None:
            raise PolicyError("PO01", reviewer=reviewer_id)
        now = datetime.now(UTC)
        queue: list[Waiting] = []
        for info in content.list_drafts():
            draft = read_draft_under_review(content, info.slug)
            ledger = draft.ledger
            if ledger is None or not draft.ledger_is_current:
                continue  # not submitted, or the ledger is stale: nothing to decide yet
            flags = waiting_for(ledger, person, policy, now)
            if flags:
                queue.append(Waiting(draft, ledger, flags))
    queue.sort(key=lambda w: (w.ledger.opened_at, w.ledger.slug))
    who = f"{person.id} ({', '.join(person.roles)})" if person is not None else "all reviewers"
    if not queue:
        out(f"Nothing waits for {who}.")
        return
    count = sum(len(w.flags) for w in queue)
    out(f"Queue for {who}: {count} flag(s) in {len(queue)} draft(s), oldest first")
    for item in queue:
        out()
        out(
            f"[bold]{item.ledger.slug}[/]  by {item.ledger.author}  submitted {when(item.ledger.opened_at)}"
            f"  {draft_status(item.ledger, published=False).value}  {len(item.flags)} waiting"
        )
        for flag in item.flags:
            print_flag(out, flag, policy)


@app.command("show")
def show_command(
    slug: str = typer.Argument(..., help="The article's slug."),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """Show a draft (or the published article) with its flags, their state and the decisions."""
    from reviewers.ledger import draft_status

    out = Printer()
    with reported_errors():
        view = read_view(repo_of(repo), slug)
    front = view.article.front_matter
    out(f"[bold]{slug}[/]: {front.title if front is not None else '(front matter invalid)'}")
    ledger = view.ledger
    where = "published on main" if view.published else f"draft head {view.head[:12]}"
    if ledger is None:
        out(f"status: not submitted ({where})")
        return
    out(f"author: {ledger.author}  status: {draft_status(ledger, view.published).value}  ({where})")
    out(f"text: {view.article.content_hash}")
    if ledger.content_hash != view.article.content_hash:
        out(f"warning: the ledger is for other text ({ledger.content_hash}); resubmit the draft")
    codes = f" ({', '.join(ledger.findings.error_codes)})" if ledger.findings.error_codes else ""
    out(f"findings: {ledger.findings.errors} error(s){codes}, {ledger.findings.warnings} warning(s)")
    if ledger.previous_hash is not None:
        out(f"carried over: {len(ledger.carried_over)} flag(s) decided on {ledger.previous_hash}")
    out(f"{len(ledger.flags)} flag(s): {flag_summary(ledger)}")
    policy = view.policy
    for flag in ledger.flags:
        print_flag(out, flag, policy, decisions_on=ledger.content_hash)


@app.command("status")
def status_command(
    slug: str = typer.Argument(..., help="The article's slug."),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """Where a draft stands (needs_changes, in_review, approved, published) and what stops publishing."""
    from reviewers.ledger import draft_status, publishability

    out = Printer()
    with reported_errors():
        view = read_view(repo_of(repo), slug)
    ledger = view.ledger
    if ledger is None:
        out(f"{slug}: not submitted")
        return
    status = draft_status(ledger, view.published)
    out(f"{slug}: {status.value} ({flag_summary(ledger)})")
    if not view.published:
        for reason in publishability(ledger, view.article, datetime.now(UTC), roster=view.roster):
            out(f"  - {reason}")


@app.command("review")
def review_command(
    slug: str = typer.Argument(..., help="The draft's slug."),
    reviewer: str | None = typer.Option(None, "--reviewer", help=REVIEWER_HELP),
    approve: list[str] = typer.Option(
        [], "--approve", help="Flag key (or unique prefix) to approve; repeatable."
    ),
    reject: list[str] = typer.Option(
        [], "--reject", help="Flag key (or unique prefix) to reject; repeatable."
    ),
    note: str | None = typer.Option(
        None, "--note", help="Why (required to reject); applies to every decision."
    ),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """Approve or reject flags; with no --approve/--reject, walk through the pending ones interactively."""
    from flows.context import acting_reviewer
    from reviewers.ledger import DecisionInput, Verdict, apply_decisions

    out = Printer()
    path = repo_of(repo)
    with reported_errors(recording=True):
        reviewer_id = acting_reviewer(reviewer)
        view = read_view(path, slug, draft_only=True)
        ledger = view.ledger
        if ledger is None:
            fail(f"{slug}: the draft has no review ledger yet; run `editorial submit` first", Exit.FINDINGS)
        if approve or reject:
            decisions = [
                DecisionInput(key=key, verdict=verdict, note=note)
                for keys, verdict in ((approve, Verdict.APPROVE), (reject, Verdict.REJECT))
                for key in split_keys(keys)
            ]
        else:
            decisions = walk(out, view.roster.get(reviewer_id), reviewer_id, ledger, view.policy)
            if not decisions:
                out("Nothing recorded.")
                return
        # Checked here first (all or nothing), so a refusal answers at once and no flow starts.
        apply_decisions(
            ledger,
            decisions,
            reviewer_id,
            view.roster,
            view.policy,
            datetime.now(UTC),
            text_hash=view.article.content_hash,
        )
        exact = [d.model_copy(update={"key": ledger.resolve_key(d.key).key}) for d in decisions]
        outcome = run_record_review(slug, reviewer_id, exact, path)
    approved = sum(1 for d in outcome.decided if d.verdict is Verdict.APPROVE)
    out(
        f"Recorded {approved} approval(s) and {len(outcome.decided) - approved} rejection(s) on {slug} "
        f"as {reviewer_id} (commit {outcome.commit[:12]}): {outcome.previous_status.value} -> "
        f"{outcome.status.value}"
    )


# --- helpers ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """A draft (or the published article) read with everything needed to show it."""

    article: Article
    ledger: ReviewLedger | None
    head: str
    published: bool
    roster: Roster
    policy: Policy


def read_view(path: Path, slug: str, *, draft_only: bool = False) -> View:
    """The draft `slug` (else, unless `draft_only`, the published article) with roster and policy."""
    from content_repo.errors import NotFoundError
    from flows.context import load_policy_from, load_roster_from, open_repo, read_draft_under_review
    from reviewers.ledger import ReviewLedger, ledger_path
    from validators.parser import parse_article

    with open_repo(path=path) as content:
        roster = load_roster_from(content)
        policy = load_policy_from(content)
        try:
            draft = read_draft_under_review(content, slug)
            return View(draft.article, draft.ledger, draft.head, False, roster, policy)
        except NotFoundError:
            if draft_only:
                raise
        text = content.read(slug)
        if text is None:
            raise NotFoundError(f"no draft or published article {slug!r}")
        ledger_text = content.read_path(ledger_path(slug))
    ledger = ReviewLedger.from_yaml(ledger_text, ledger_path(slug)) if ledger_text is not None else None
    return View(parse_article(text, f"articles/{slug}.md"), ledger, "main", True, roster, policy)


def split_keys(values: Sequence[str]) -> list[str]:
    """Keys from repeated options, each possibly comma-separated; refuses what cannot be a key."""
    keys = [k.strip().lower() for value in values for k in value.split(",") if k.strip()]
    for key in keys:
        if not re.fullmatch(r"[0-9a-f]+", key):
            fail(f"{key!r} is not a flag key (the hexadecimal key `editorial show` lists)", Exit.USAGE)
    return keys


def walk(
    out: Printer, person: Person | None, reviewer_id: str, ledger: ReviewLedger, policy: Policy
) -> list[DecisionInput]:
    """Ask about each flag waiting for the reviewer on standard input (works piped, not only on a tty)."""
    from reviewers.ledger import DecisionInput, Verdict, waiting_for
    from reviewers.policy import PolicyError

    if person is None:
        raise PolicyError("PO01", reviewer=reviewer_id)
    flags = waiting_for(ledger, person, policy, datetime.now(UTC))
    if not flags:
        out(f"Nothing waits for {reviewer_id} on {ledger.slug}.")
        return []
    decisions: list[DecisionInput] = []
    out(
        f"{len(flags)} flag(s) of {ledger.slug} wait for {reviewer_id}. For each: "
        "a approve, r reject (a note is required), s skip, n add a note, q stop and record."
    )
    for index, flag in enumerate(flags, start=1):
        out()
        out(f"[{index}/{len(flags)}]")
        print_flag(out, flag, policy)
        note: str | None = None
        while True:
            answer = ask("approve, reject, skip, note, quit? [a/r/s/n/q] ")
            if answer is None or answer in ("q", "quit"):
                return decisions
            if answer in ("a", "approve"):
                decisions.append(DecisionInput(key=flag.key, verdict=Verdict.APPROVE, note=note))
                break
            if answer in ("r", "reject"):
                while not note:
                    note = ask("note (why, and what to change): ", keep_case=True)
                    if note is None:
                        return decisions
                decisions.append(DecisionInput(key=flag.key, verdict=Verdict.REJECT, note=note))
                break
            if answer in ("s", "skip"):
                break
            if answer in ("n", "note"):
                note = ask("note: ", keep_case=True) or None
                continue
            out("Answer a (approve), r (reject), s (skip), n (note) or q (quit).")
    return decisions


def ask(prompt: str, *, keep_case: bool = False) -> str | None:
    """One answer from standard input (None at end of input), the prompt on standard output.

    Piped answers are echoed after the prompt, so the transcript reads like the terminal session.
    """
    typer.echo(prompt, nl=False)
    line = sys.stdin.readline()
    if not sys.stdin.isatty():
        typer.echo(line.rstrip("\r\n"))  # piped answers: show them, so the transcript reads as a dialogue
    if not line:
        return None
    return line.strip() if keep_case else line.strip().lower()


def run_record_review(
    slug: str, reviewer_id: str, decisions: list[DecisionInput], path: Path
) -> ReviewOutcome:
    """Record the decisions through the `record_review` flow (quiet unless something goes wrong)."""
    from flows.cli.prefect_env import embedded_api_settings, prepare_prefect

    prepare_prefect()
    from flows.record_review import record_review

    with embedded_api_settings():
        return record_review(slug=slug, reviewer_id=reviewer_id, decisions=decisions, repo_path=str(path))
