"""`editorial verify`: an auditor's check of every published version, from any clone.

Each published version is traced back: its approvals -> the signed decision commits on the approved
draft -> the keys that signed them -> the roster entries (the roster an editor signed, as of each
decision). Exit 0 when everything holds, 1 when anything fails (naming the article and the commit),
2 for a usage mistake. `--allowed-signers FILE` writes git's allowed-signers file from the roster, so
plain `git log --show-signature` shows the same signers.
"""

from __future__ import annotations

from pathlib import Path

import typer

from flows.cli.app import Exit, app
from flows.cli.common import REPO_HELP, fail, repo_of, reported_errors, say


@app.command("verify")
def verify_command(
    slug: str | None = typer.Argument(None, help="The article to audit (or --all)."),
    all_articles: bool = typer.Option(False, "--all", help="Audit every published article."),
    allowed_signers: Path | None = typer.Option(
        None,
        "--allowed-signers",
        help="Write git's allowed-signers file here (then: git -c gpg.ssh.allowedSignersFile=FILE log "
        "--show-signature).",
    ),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """Audit published versions: approvals, signed decision commits, keys, roster entries."""
    if (slug is None) == (not all_articles):
        fail("name one article, or pass --all")
    path = repo_of(repo)
    from flows.context import open_repo
    from flows.verify import UNSIGNED_REPOSITORY, audit, governance_of

    with reported_errors(), open_repo(path=path) as content:
        report = audit(content, None if all_articles else slug)
        if allowed_signers is not None:
            current = governance_of(content).current
            if current is None:
                fail(f"cannot write {allowed_signers}: {UNSIGNED_REPOSITORY}", Exit.FINDINGS)
            try:
                allowed_signers.write_text(current.roster.allowed_signers(), encoding="utf-8")
            except OSError as exc:
                fail(f"{allowed_signers}: cannot write: {exc.strerror}")
            say(
                f"wrote {allowed_signers}: "
                f"git -c gpg.ssh.allowedSignersFile={allowed_signers} log --show-signature"
            )
    if not report.signed:
        say(f"[red]FAIL[/] {UNSIGNED_REPOSITORY}")
    for refusal in report.roster_refusals:
        say(f"[red]FAIL[/] roster.yaml/policy.yaml: {refusal}")
    if slug is not None and not report.versions:
        say(f"[red]FAIL[/] {slug}: no published version")
    for version in report.versions:
        if version.ok:
            signed = ", ".join(f"{sha[:12]} by {who}" for sha, who in version.signers)
            approvals = ", ".join(version.approvals) or "none needed"
            say(
                f"[green]ok[/] {version.slug} v{version.version} ({version.commit[:12]}): "
                f"approved by {approvals}"
            )
            say(f"   signed commits: {signed}")
        for failure in version.failures:
            say(f"[red]FAIL[/] {failure}")
    for failure in report.main_failures:
        say(f"[red]FAIL[/] {failure}")
    ok = report.ok and (slug is None or bool(report.versions))
    raise typer.Exit(int(Exit.OK if ok else Exit.FINDINGS))
