"""`editorial queue | show | status | review`: what waits for a clinician, and their decisions on claims.

A claim is a sentence of the article with the terms a clinician must check in it; clinicians approve or
reject claims. `queue`, `show` and `status` read the content repository directly (no Prefect: they
answer at once). `review` applies the desk's rules and records the decisions by a direct call
(`flows.review_actions.record_decisions`): no flow run, no embedded Prefect API to start.

Terms are highlighted in their sentence: bold and reversed on a terminal, `[[term]]` otherwise.
Claim keys may be given by any unique prefix (the listings show the first 8 characters).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from flows.cli.app import Exit, app
from flows.cli.common import REPO_HELP, fail, repo_of, reported_errors

if TYPE_CHECKING:
    from flows.context import DraftUnderReview
    from reviewers.ledger import Claim, DecisionInput, ReviewLedger
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

    def terms_in(self, sentence: str, terms: Sequence[str]) -> str:
        """The sentence as markup with each term highlighted (case-insensitive, longest first)."""
        from rich.markup import escape

        folded = sentence.casefold()
        spans: list[tuple[int, int]] = []
        for term in sorted(set(terms), key=len, reverse=True):
            start = folded.find(term.casefold())
            while start >= 0:
                end = start + len(term)
                if not any(s < end and start < e for s, e in spans):
                    spans.append((start, end))
                start = folded.find(term.casefold(), end)
        parts, cursor = [], 0
        for start, end in sorted(spans):
            found = sentence[start:end]
            parts.append(escape(sentence[cursor:start]))
            parts.append(f"[bold reverse]{escape(found)}[/]" if self.styled else escape(f"[[{found}]]"))
            cursor = end
        parts.append(escape(sentence[cursor:]))
        return "".join(parts)


def when(moment: datetime) -> str:
    """A time as `YYYY-MM-DD HH:MM UTC`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


# --- what waits for whom ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """A draft and the claims in it waiting for the reviewer."""

    draft: DraftUnderReview
    ledger: ReviewLedger
    claims: list[Claim]


def claim_summary(ledger: ReviewLedger) -> str:
    """`N approved, N pending, N rejected claim(s); N informational flag(s)`."""
    from reviewers.ledger import ClaimStatus

    return (
        f"{ledger.count(ClaimStatus.APPROVED)} approved, {ledger.count(ClaimStatus.PENDING)} pending, "
        f"{ledger.count(ClaimStatus.REJECTED)} rejected claim(s); {len(ledger.shown)} flag(s) shown only"
    )


def print_claim(out: Printer, claim: Claim, policy: Policy, *, decisions_on: str | None = None) -> None:
    """A claim's line, what it needs, its sentence with the terms highlighted, and (with
    `decisions_on`, the version's content hash) its decisions, those from earlier versions marked."""
    from rich.markup import escape

    from reviewers.desk import needs

    urgent = "  [bold]EMERGENCY[/]" if claim.emergency else ""
    out(f"  [bold]{claim.key[:SHORT_KEY]}[/]  {claim.status.value:<8}  line {claim.line}{urgent}")
    for need in needs(claim, policy):
        terms = ", ".join(
            dict.fromkeys(f.term for f in claim.flags if f.category is need.category and f.needs_approval)
        )
        who = f": {', '.join(need.approved_by)}" if need.approved_by else ""
        out(
            f"      {need.category.value} ({escape(terms)}): {len(need.approved_by)}/{need.approvals} "
            f"approval(s) by {' or '.join(need.roles)}{escape(who)}"
        )
    out(f"      {out.terms_in(claim.sentence, [f.term for f in claim.flags])}")
    if decisions_on is None:
        return
    for d in claim.decisions:
        note = f": {escape(d.note)}" if d.note else ""
        carried = " (carried over)" if d.made_on != decisions_on else ""
        out(
            f"      {d.verdict.value} by {escape(d.reviewer_name)} ({d.reviewer_id}, {d.role.value}; "
            f"{'+'.join(d.categories)}) {when(d.at)}{carried}{note}"
        )


# --- commands ---------------------------------------------------------------------------------------


@app.command("queue")
def queue_command(
    reviewer: str | None = typer.Option(
        None, "--reviewer", help=REVIEWER_HELP + " Without one: all pending."
    ),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """List the claims waiting for a reviewer's roles, oldest submission first, terms highlighted."""
    from flows.context import load_policy_from, load_roster_from, open_repo, read_draft_under_review
    from flows.settings import get_settings
    from reviewers.desk import draft_status, waiting_for
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
            claims = waiting_for(ledger, person, policy, now)
            if claims:
                queue.append(Waiting(draft, ledger, claims))
    queue.sort(key=lambda w: (w.ledger.opened_at, w.ledger.slug))
    who = f"{person.id} ({', '.join(person.roles)})" if person is not None else "all reviewers"
    if not queue:
        out(f"Nothing waits for {who}.")
        return
    count = sum(len(w.claims) for w in queue)
    out(f"Queue for {who}: {count} claim(s) in {len(queue)} draft(s), oldest first")
    for item in queue:
        out()
        out(
            f"[bold]{item.ledger.slug}[/]  by {item.ledger.author}  submitted {when(item.ledger.opened_at)}"
            f"  {draft_status(item.ledger, published=False).value}  {len(item.claims)} waiting"
        )
        for claim in item.claims:
            print_claim(out, claim, policy)


@app.command("show")
def show_command(
    slug: str = typer.Argument(..., help="The article's slug."),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """Show a draft (or the published article) with its claims, what each needs and the decisions."""
    from rich.markup import escape

    from reviewers.desk import draft_status

    out = Printer()
    with reported_errors():
        view = read_view(repo_of(repo), slug)
    front = view.article.front_matter
    out(f"[bold]{slug}[/]: {escape(front.title) if front is not None else '(front matter invalid)'}")
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
        out(f"carried over: {len(ledger.carried_over)} claim(s) unchanged since {ledger.previous_hash}")
    out(f"{len(ledger.claims)} claim(s): {claim_summary(ledger)}")
    for claim in ledger.claims:
        print_claim(out, claim, view.policy, decisions_on=ledger.content_hash)
    if ledger.shown:
        terms = ", ".join(
            f"{escape(f.term)} ({f.category.value}{', ' + f.shown.value if f.shown else ''})"
            for f in ledger.shown
        )
        out(f"shown, no decision needed: {terms}")
    for note in ledger.comments:
        out(
            f"comment by {escape(note.author_name)} ({note.author_id}) {when(note.at)} "
            f"on: {escape(note.sentence)}"
        )
        out(f"      {escape(note.text)}")


@app.command("status")
def status_command(
    slug: str = typer.Argument(..., help="The article's slug."),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """Where a draft stands (needs_changes, in_review, approved, published) and what stops publishing."""
    from flows.settings import get_settings
    from flows.tasks import check_articles
    from reviewers.desk import draft_status, publish_gate

    out = Printer()
    with reported_errors():
        path = repo_of(repo)
        view = read_view(path, slug)
        ledger = view.ledger
        if ledger is None:
            out(f"{slug}: not submitted")
            return
        status = draft_status(ledger, view.published)
        out(f"{slug}: {status.value} ({claim_summary(ledger)})")
        if not view.published:
            settings = get_settings().model_copy(update={"repo": path})
            checked = check_articles([view.article], settings)[0]
            from flows.context import open_repo
            from flows.verify import governance_of, provenance_holds

            with open_repo(path=path) as content:  # the signed history, as the publish run replays it
                provenance = provenance_holds(content, slug, governance_of(content))
            holds = publish_gate(
                ledger, checked, view.roster, view.policy, datetime.now(UTC), provenance=provenance
            )
            for hold in holds:
                out(f"  - {hold}")


@app.command("review")
def review_command(
    slug: str = typer.Argument(..., help="The draft's slug."),
    reviewer: str | None = typer.Option(None, "--reviewer", help=REVIEWER_HELP),
    approve: list[str] = typer.Option(
        [], "--approve", help="Claim key (or unique prefix) to approve; repeatable."
    ),
    reject: list[str] = typer.Option(
        [], "--reject", help="Claim key (or unique prefix) to reject; repeatable."
    ),
    withdraw: list[str] = typer.Option(
        [], "--withdraw", help="Claim key (or unique prefix) whose decision of yours to take back."
    ),
    note: str | None = typer.Option(
        None, "--note", help="Why (required to reject); applies to every decision."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check the decisions against the rules; record nothing."
    ),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
    key: Path | None = typer.Option(
        None, "--key", help="Your SSH private key to sign with (default: git's user.signingkey)."
    ),
) -> None:
    """Approve or reject claims; with no --approve/--reject, walk through the waiting ones interactively."""
    from flows.context import acting_reviewer
    from flows.review_actions import record_decisions
    from reviewers.desk import decide, resolve_claim
    from reviewers.ledger import DecisionInput, Verdict

    out = Printer()
    path = repo_of(repo)
    with reported_errors(recording=True):
        reviewer_id = acting_reviewer(reviewer)
        view = read_view(path, slug, draft_only=True)
        ledger = view.ledger
        if ledger is None:
            fail(f"{slug}: the draft has no review ledger yet; run `editorial submit` first", Exit.FINDINGS)
        given = ((approve, Verdict.APPROVE), (reject, Verdict.REJECT), (withdraw, Verdict.WITHDRAW))
        if approve or reject or withdraw:
            decisions = [
                DecisionInput(key=key, verdict=verdict, note=note)
                for keys, verdict in given
                for key in split_keys(keys)
            ]
        else:
            decisions = walk(out, view.roster.get(reviewer_id), reviewer_id, ledger, view.policy)
            if not decisions:
                out("Nothing recorded.")
                return
        decided = decide(
            ledger,
            decisions,
            reviewer_id,
            view.roster,
            view.policy,
            datetime.now(UTC),
            text_hash=view.article.content_hash,
        )
        if dry_run:
            for r in decided.recorded:
                out(
                    f"would {r.decision.verdict.value} claim {r.claim[:SHORT_KEY]} "
                    f"({'+'.join(r.decision.categories)})"
                )
            out(f"Dry run: nothing recorded; {slug} would be {decided.status_after.value}.")
            return
        exact = [d.model_copy(update={"key": resolve_claim(ledger, d.key).key}) for d in decisions]
        from content_repo import signer_for

        outcome = record_decisions(path, slug, reviewer_id, exact, signer=signer_for(path, key))
    counts = {v: sum(1 for r in outcome.decided if r.decision.verdict is v) for v in Verdict}
    withdrawn = f", {counts[Verdict.WITHDRAW]} withdrawal(s)" if counts[Verdict.WITHDRAW] else ""
    out(
        f"Recorded {counts[Verdict.APPROVE]} approval(s) and {counts[Verdict.REJECT]} rejection(s)"
        f"{withdrawn} on {slug} as {reviewer_id} (commit {outcome.commit[:12]}): "
        f"{outcome.previous_status.value} -> {outcome.status.value}"
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
            fail(f"{key!r} is not a claim key (the hexadecimal key `editorial show` lists)", Exit.USAGE)
    return keys


def walk(
    out: Printer, person: Person | None, reviewer_id: str, ledger: ReviewLedger, policy: Policy
) -> list[DecisionInput]:
    """Ask about each claim waiting for the reviewer on standard input (works piped, not only on a tty)."""
    from reviewers.desk import waiting_for
    from reviewers.ledger import DecisionInput, Verdict
    from reviewers.policy import PolicyError

    if person is None:
        raise PolicyError("PO01", reviewer=reviewer_id)
    claims = waiting_for(ledger, person, policy, datetime.now(UTC))
    if not claims:
        out(f"Nothing waits for {reviewer_id} on {ledger.slug}.")
        return []
    decisions: list[DecisionInput] = []
    out(
        f"{len(claims)} claim(s) of {ledger.slug} wait for {reviewer_id}. For each: "
        "a approve, r reject (a note is required), s skip, n add a note, q stop and record."
    )
    for index, claim in enumerate(claims, start=1):
        out()
        out(f"[{index}/{len(claims)}]")
        print_claim(out, claim, policy)
        note: str | None = None
        while True:
            answer = ask("approve, reject, skip, note, quit? [a/r/s/n/q] ")
            if answer is None or answer in ("q", "quit"):
                return decisions
            if answer in ("a", "approve"):
                decisions.append(DecisionInput(key=claim.key, verdict=Verdict.APPROVE, note=note))
                break
            if answer in ("r", "reject"):
                while not note:
                    note = ask("note (why, and what to change): ", keep_case=True)
                    if note is None:
                        return decisions
                decisions.append(DecisionInput(key=claim.key, verdict=Verdict.REJECT, note=note))
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
