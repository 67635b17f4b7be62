"""A team from nothing: `editorial init`, the roster by signed commits, a signed submission and review,
`editorial publish`; every draft and decision is on the remote when made, and the clinicians and the
writer are told by e-mail (a real SMTP server on loopback)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from notify_servers import smtp_server
from typer.testing import CliRunner

from flows.cli import app

pytestmark = [pytest.mark.slow, pytest.mark.prefect]

ARTICLE = Path(__file__).parent / "fixtures" / "articles" / "malignant-mast-cell-tumor.md"
SLUG = "malignant-mast-cell-tumor"


def keygen(directory: Path, name: str) -> Path:
    path = directory / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path)], check=True)
    return path


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def on_remote(remote: Path, ref: str) -> str:
    found = subprocess.run(
        ["git", "--git-dir", str(remote), "rev-parse", "--verify", "--quiet", ref],
        capture_output=True,
        text=True,
    )
    return found.stdout.strip()


def test_init_roster_signed_review_and_publish_reach_the_remote(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    eve, wendy, phil = (keygen(keys, n) for n in ("eve-editor", "wendy-writer", "phil-physician"))
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    content = tmp_path / "content"
    run(
        "init",
        str(content),
        "--editor",
        "eve-editor",
        "--name",
        "Eve Editor",
        "--email",
        "eve@example.org",
        "--key",
        str(eve),
        "--remote",
        str(remote),
    )
    editor = ["--as", "eve-editor", "--key", str(eve), "--repo", str(content)]
    run(
        "roster",
        "add",
        "wendy-writer",
        "--name",
        "Wendy Writer",
        "--email",
        "wendy@example.org",
        "--role",
        "writer",
        "--public-key",
        f"{wendy}.pub",
        *editor,
    )
    run(
        "roster",
        "add",
        "phil-physician",
        "--name",
        "Phil Physician",
        "--email",
        "phil@example.org",
        "--role",
        "physician",
        "--verified-until",
        "2099-12-31",
        "--public-key",
        f"{phil}.pub",
        *editor,
    )
    assert on_remote(remote, "refs/heads/main")  # the roster reached the remote

    draft = tmp_path / "work" / f"{SLUG}.md"
    draft.parent.mkdir()
    shutil.copy(ARTICLE, draft)  # written by wendy-writer
    with smtp_server() as mailbox:
        monkeypatch.setenv("EDITORIAL_SMTP_HOST", mailbox.host)
        monkeypatch.setenv("EDITORIAL_SMTP_PORT", str(mailbox.port))
        monkeypatch.setenv("EDITORIAL_SMTP_STARTTLS", "false")
        monkeypatch.setenv("EDITORIAL_SMTP_FROM", "desk@example.org")
        run("submit", str(draft), "--repo", str(content), "--key", str(wendy))
        from content_repo import ContentRepo

        with ContentRepo.open(content) as repo:
            head = repo.read_draft(SLUG)[2]
        assert on_remote(remote, f"refs/heads/drafts/{SLUG}") == head  # the submission, at once
        assert [m.rcpt_tos for m in mailbox.received] == [["phil@example.org"]]  # the clinician is told

        run(
            "review",
            SLUG,
            "--repo",
            str(content),
            "--reviewer",
            "phil-physician",
            "--key",
            str(phil),
            *[arg for key in claim_keys(content) for arg in ("--approve", key)],
        )
        with ContentRepo.open(content) as repo:
            head = repo.read_draft(SLUG)[2]
        assert on_remote(remote, f"refs/heads/drafts/{SLUG}") == head  # the decision, at once

        published = run("publish", "--repo", str(content))
        assert f"{SLUG}: published published/{SLUG}/v1" in published
        assert on_remote(remote, f"refs/tags/published/{SLUG}/v1")
        told = [m.rcpt_tos for m in mailbox.received]
        assert told[-1] == ["wendy@example.org"]  # the writer is told it is published
    run("verify", "--all", "--repo", str(content))


def claim_keys(content: Path) -> list[str]:
    from flows.context import open_repo, read_draft_under_review

    with open_repo(path=content) as repo:
        ledger = read_draft_under_review(repo, SLUG).ledger
    assert ledger is not None
    return [c.key for c in ledger.claims]
