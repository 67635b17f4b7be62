"""`editorial submit | publish | review-due | check-corpus | demo`: the commands that run the flows.

They run on Prefect's embedded API (nothing to start; the first call in a process takes some seconds)
unless PREFECT_API_URL names a server. Prefect's own log lines are kept to warnings; what happened is
printed here. A user mistake prints one line on standard error and exits 2; a draft saved with errors,
a check that found errors, or a failed push exits 1.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from flows.cli.app import Exit, app
from flows.cli.common import REPO_HELP, fail, repo_of, reported_errors, say, working
from flows.cli.prefect_env import embedded_api_settings, prepare_prefect

if TYPE_CHECKING:
    from flows.submit import SubmissionResult


def print_submission(result: SubmissionResult) -> None:
    """A submission as the writer reads it: where it was saved, what to fix, what waits for review."""
    status = result.status.value.replace("_", " ")
    say(f"{result.path}: saved on drafts/{result.slug} (commit {result.commit[:12]}): [bold]{status}[/]")
    for finding in result.findings:
        if finding.code == "TM01":
            continue
        say(
            f"  {result.path}:{finding.line}:{finding.column}: {finding.code} {finding.severity.value} "
            f"{finding.message}"
        )
        if finding.hint:
            say(f"    fix: {finding.hint}")
    ledger = result.ledger
    carried = f", {len(ledger.carried_over)} carried over unchanged" if ledger.carried_over else ""
    say(
        f"  {len(ledger.claims)} claim(s) for clinical review, {len(result.pending_keys)} waiting for a "
        f"clinician{carried} (see: editorial show {result.slug})"
    )
    if result.push_warning:
        say(f"  warning: {result.push_warning}", err=True)


@app.command("submit")
def submit_command(
    paths: list[Path] = typer.Argument(..., help="Draft files to submit (Markdown with front matter)."),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
    key: Path | None = typer.Option(
        None, "--key", help="Your SSH private key to sign with (default: git's user.signingkey)."
    ),
) -> None:
    """Check drafts and save each on its draft branch with its review ledger (flow submit_draft)."""
    prepare_prefect()  # before anything imports Prefect: its logging is configured at import
    from validators.errors import InputError
    from validators.parser import load_article

    repo_path = repo_of(repo)
    for path in paths:  # unusable input is refused before anything is saved or Prefect starts
        try:
            load_article(path)
        except InputError as exc:
            fail(exc.format() + " (nothing submitted)", Exit.USAGE)
    with reported_errors(), embedded_api_settings():
        from flows.submit import submit_draft

        results = []
        for index, path in enumerate(paths, start=1):
            with working(f"[{index}/{len(paths)}] submitting {path}"):
                results.append(submit_draft(path, repo_path=repo_path, key=key))
            print_submission(results[-1])
    if any(r.errors for r in results):
        raise typer.Exit(int(Exit.FINDINGS))


@app.command("publish")
def publish_command(
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
    remote: str | None = typer.Option(None, "--remote", help="The remote to push to (default: settings)."),
    no_push: bool = typer.Option(False, "--no-push", help="Publish on the local main only."),
) -> None:
    """Publish every approved draft whose time has come, push, and say what waits and why."""
    prepare_prefect()  # before anything imports Prefect: its logging is configured at import
    from flows.settings import get_settings

    repo_path = repo_of(repo)
    target = None if no_push else (remote or get_settings().remote)
    with reported_errors(), embedded_api_settings():
        from flows.publish import Outcome, publish_approved

        with working("publishing approved drafts"):
            report = publish_approved(repo_path=repo_path, remote=target)
    if report.skipped:
        fail(f"publish skipped: {report.skipped}; nothing was published (run it again)", Exit.FINDINGS)
    for done in report.completed:
        say(done)
    for item in report.drafts:
        detail = f"{item.tag} (commit {(item.commit or '')[:12]})" if item.tag else item.reason
        say(f"{item.slug}: [bold]{item.outcome.value}[/] {detail}")
    if not report.drafts:
        say("no draft to publish")
    if report.push_note:
        say(f"note: {report.push_note}")
    say(
        f"{len(report.published)} published, {len(report.held)} held back"
        + (f"; pushed to {target}" if report.pushed else "")
    )
    failed = [d for d in report.drafts if d.outcome is Outcome.FAILED or d.reason.startswith("refused:")]
    if failed:
        fail(
            f"{len(failed)} draft(s) could not be published for a reason other than review: "
            + ", ".join(d.slug for d in failed),
            Exit.FINDINGS,
        )


@app.command("review-due")
def review_due_command(repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP)) -> None:
    """Reopen every published article whose medical review has expired, and list them."""
    prepare_prefect()  # before anything imports Prefect: its logging is configured at import
    repo_path = repo_of(repo)
    with reported_errors(), embedded_api_settings():
        from flows.review_due import review_due

        with working("looking for expired reviews"):
            results = review_due(repo_path=repo_path)
    for item in results:
        say(f"{item.slug} v{item.version}: last reviewed {item.last_reviewed or 'never'}; {item.action}")
    say(f"{len(results)} article(s) due for re-review" if results else "no article is due for re-review")


@app.command("check-corpus")
def check_corpus_command(
    directory: Path = typer.Argument(..., help="A directory of drafts (every *.md under it)."),
    batch_size: int = typer.Option(250, "--batch-size", min=1, help="Files per task."),
) -> None:
    """Check and flag every draft of a directory in batched tasks, and summarize (flow check_corpus)."""
    prepare_prefect()  # before anything imports Prefect: its logging is configured at import
    if not directory.is_dir():
        fail(f"{directory}: not a directory (give the folder of drafts to check)")
    from flows.check_corpus import corpus_files

    count = len(corpus_files(directory))
    if count == 0:
        fail(f"{directory}: no *.md file under it")
    with reported_errors(), embedded_api_settings():
        from flows.check_corpus import check_corpus

        batches = -(-count // batch_size)
        with working(f"checking {count} file(s) in {batches} batch(es)"):
            report = check_corpus(directory, batch_size=batch_size)
    typer.echo(report.summary_markdown(worst=10), nl=False)
    if report.with_errors or report.unusable:
        raise typer.Exit(int(Exit.FINDINGS))


@app.command("demo")
def demo_command(
    directory: Path = typer.Argument(Path("demo"), help="Where to build the demo (created; default ./demo)."),
    for_desk: bool = typer.Option(
        False,
        "--for-desk",
        help="Stop when the draft waits for the clinicians and make their web desk accounts "
        "(they then decide on `editorial serve`).",
    ),
) -> None:
    """Show the whole journey: import, submit, review, revise, approve, publish, and the git log."""
    prepare_prefect()
    with reported_errors(), embedded_api_settings():
        from flows.demo import run_demo

        say("[bold]Editorial demo[/]: one article from a scraped page to a reviewed commit on main.")
        if not os.environ.get("PREFECT_API_URL"):
            say("Prefect runs embedded in this process (no server); starting it takes a few seconds.")
        run_demo(directory, say, for_desk=for_desk)
