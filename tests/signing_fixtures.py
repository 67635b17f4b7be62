"""A signed desk for tests: real SSH keys (ssh-keygen) in a temp dir, a roster an editor signed, and helpers
that submit, decide and publish through the same functions the CLI and the flows use.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from content_repo import ContentRepo, Identity, SigningKey

FIXTURE_ARTICLE = Path(__file__).parent / "fixtures" / "articles" / "malignant-mast-cell-tumor.md"
SLUG = "malignant-mast-cell-tumor"
PEOPLE = ("ed-editor", "wendy-writer", "phil-physician", "pat-pharmacist", "web-desk", "mallory")
EDITOR = Identity(name="Ed Editor", email="ed@example.org")
WRITER = Identity(name="Wendy Writer", email="wendy@example.org")
PHYSICIAN = Identity(name="Phil Physician", email="phil@example.org")


@dataclass(frozen=True)
class Keys:
    """Each person's private key file and public key line."""

    directory: Path

    def private(self, name: str) -> Path:
        """The private key file of `name`."""
        return self.directory / name

    def public(self, name: str) -> str:
        """The public key line of `name`."""
        return (self.directory / f"{name}.pub").read_text().strip()

    def signer(self, name: str) -> SigningKey:
        """A signer using `name`'s key."""
        return SigningKey(private_key=self.private(name))


def make_keys(directory: Path) -> Keys:
    """An ed25519 key pair per person (ssh-keygen, no passphrase)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in PEOPLE:
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(directory / name)],
            check=True,
        )
    return Keys(directory)


def key_entry(keys: Keys, name: str, extra: str = "") -> str:
    """A roster `keys:` list with `name`'s key (flow style), plus extra fields for it."""
    return f"[{{key: '{keys.public(name)}', valid_from: 2026-01-01{extra}}}]"


def roster_text(keys: Keys, **overrides: str) -> str:
    """The roster: editor, writer, physician, pharmacist and the web desk service, each with their key.

    `overrides` replace a person's line (by id with '-' as '_').
    """
    lines = {
        "ed_editor": "  - {id: ed-editor, name: Ed Editor, email: ed@example.org, roles: [editor], "
        f"keys: {key_entry(keys, 'ed-editor')}}}",
        "wendy_writer": "  - {id: wendy-writer, name: Wendy Writer, email: wendy@example.org, "
        f"roles: [writer], keys: {key_entry(keys, 'wendy-writer')}}}",
        "phil_physician": "  - {id: phil-physician, name: Phil Physician, email: phil@example.org, "
        f"roles: [physician], verified_until: 2099-12-31, keys: {key_entry(keys, 'phil-physician')}}}",
        "pat_pharmacist": "  - {id: pat-pharmacist, name: Pat Pharmacist, email: pat@example.org, "
        f"roles: [pharmacist], verified_until: 2099-12-31, keys: {key_entry(keys, 'pat-pharmacist')}}}",
    }
    lines.update(overrides)
    services = (
        "services:\n  - {id: web-desk, name: Editorial web desk, email: desk@example.org, "
        f"keys: {key_entry(keys, 'web-desk')}}}\n"
    )
    return "people:\n" + "\n".join(lines.values()) + "\n" + services


def make_signed_site(root: Path, keys: Keys) -> Path:
    """A content repository whose roster the editor signed at set-up."""
    content = root / "content"
    with ContentRepo.init(content) as repo:
        repo.write_path(
            "roster.yaml", roster_text(keys), EDITOR, message="Add roster", signer=keys.signer("ed-editor")
        )
    return content


def submit(content: Path, text: str, keys: Keys | None, name: str = "wendy-writer") -> list[str]:
    """Submit `text` as the writer (signed with `name`'s key; unsigned with keys=None); pending claim keys."""
    from flows.submit import save_submission
    from flows.tasks import check_articles, settings_for
    from validators.parser import parse_article

    article = parse_article(text, f"{SLUG}.md")
    submission = check_articles([article], settings_for(content))[0]
    signer = keys.signer(name) if keys is not None else None
    _, submitted = save_submission.fn(submission, content, datetime.now(UTC), signer)
    return [c.key for c in submitted.ledger.claims if c.status.value == "pending"]


def approve(content: Path, keys: Keys, reviewer: str = "phil-physician", signer: str | None = None) -> None:
    """`reviewer` approves every pending claim, signed with `signer`'s key (default: their own)."""
    from flows.context import open_repo, read_draft_under_review
    from flows.review_actions import record_decisions
    from reviewers.ledger import DecisionInput, Verdict

    with open_repo(path=content) as repo:
        ledger = read_draft_under_review(repo, SLUG).ledger
    assert ledger is not None
    decisions = [
        DecisionInput(key=c.key, verdict=Verdict.APPROVE)
        for c in ledger.claims
        if c.status.value == "pending"
    ]
    via = signer if signer == "web-desk" else None
    record_decisions(content, SLUG, reviewer, decisions, signer=keys.signer(signer or reviewer), via=via)


def publish(content: Path) -> tuple[list[tuple[str, str, str]], str]:
    """One publish pass without the Prefect engine: [(slug, outcome, reason)] and main's commit after."""
    from flows.candidates import read_candidates
    from flows.publish import publish_candidates

    now = datetime.now(UTC)
    candidates = read_candidates.fn(content, now)
    outcomes = publish_candidates.fn(content, candidates, now)
    return [(o.slug, o.outcome.value, o.reason) for o in outcomes], main_of(content)


def main_of(content: Path) -> str:
    """main's commit now."""
    return git(content, "rev-parse", "main").strip()


def git(repo: Path, *args: str, input: str | None = None) -> str:
    """A git command in a repository (work tree or bare); its stdout."""
    done = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, input=input
    )
    return done.stdout
