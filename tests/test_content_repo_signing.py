"""Signed commits and their facts, with real SSH keys: per-write signers, signature facts, the roster's
editor-signed history, and a draft's commits as a verifier reads them.
"""

from __future__ import annotations

import pickle
import subprocess
from pathlib import Path

import pytest
from signing_fixtures import EDITOR, WRITER, Keys, make_keys, roster_text

from content_repo import ContentRepo, SigningError, SigningKey, signer_for
from reviewers.verification import verify_governance


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    """Real ed25519 keys for everyone (made once for the module)."""
    return make_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def repo(tmp_path: Path) -> ContentRepo:
    """A fresh bare content repository."""
    return ContentRepo.init(tmp_path / "content.git", bare=True)


def fingerprint(keys: Keys, name: str) -> str:
    """The fingerprint ssh-keygen prints for `name`'s public key."""
    listed = subprocess.run(
        ["ssh-keygen", "-l", "-f", f"{keys.private(name)}.pub"], check=True, capture_output=True, text=True
    )
    return listed.stdout.split()[1]


def test_each_write_is_signed_with_its_own_key(repo: ContentRepo, keys: Keys) -> None:
    signed = repo.write_path("notes.txt", "a\n", EDITOR, message="Signed", signer=keys.signer("ed-editor"))
    plain = repo.write_path("notes.txt", "b\n", EDITOR, message="Plain")
    facts = repo.signatures([signed.sha, plain.sha])
    assert facts[signed.sha].status == "good" and facts[signed.sha].good
    assert facts[signed.sha].fingerprint == fingerprint(keys, "ed-editor")
    assert facts[signed.sha].principal is None
    assert facts[plain.sha].status == "unsigned" and facts[plain.sha].fingerprint is None
    named = repo.signatures([signed.sha], allowed_signers=f"ed-editor {keys.public('ed-editor')}\n")
    assert named[signed.sha].principal == "ed-editor"
    repo.close()


def test_a_commit_altered_after_signing_is_bad(repo: ContentRepo, keys: Keys) -> None:
    signed = repo.write_path("notes.txt", "a\n", EDITOR, message="Signed", signer=keys.signer("ed-editor"))
    raw = subprocess.run(
        ["git", f"--git-dir={repo.git_dir}", "cat-file", "commit", signed.sha],
        check=True,
        capture_output=True,
    ).stdout
    forged = (
        subprocess.run(
            ["git", f"--git-dir={repo.git_dir}", "hash-object", "-t", "commit", "-w", "--stdin"],
            input=raw.replace(b"Signed", b"Forged"),
            check=True,
            capture_output=True,
        )
        .stdout.decode()
        .strip()
    )
    facts = repo.signatures([forged])
    assert facts[forged].status == "bad" and not facts[forged].good
    repo.close()


def test_the_signer_survives_pickling(repo: ContentRepo, keys: Keys) -> None:
    signing = ContentRepo(repo.git_dir, signer=keys.signer("ed-editor"))
    copy = pickle.loads(pickle.dumps(signing))
    assert copy.signer == keys.signer("ed-editor") and copy.sign_commits
    commit = copy.write_path("notes.txt", "a\n", EDITOR, message="Signed by default")
    assert copy.signatures([commit.sha])[commit.sha].fingerprint == fingerprint(keys, "ed-editor")
    for opened in (repo, signing, copy):
        opened.close()


def test_signer_for_an_option_the_git_configuration_or_nothing(repo: ContentRepo, keys: Keys) -> None:
    assert signer_for(repo.git_dir, keys.private("ed-editor")) == SigningKey(
        private_key=keys.private("ed-editor")
    )
    with pytest.raises(SigningError, match="no such private key file"):
        signer_for(repo.git_dir, keys.directory / "missing")
    assert signer_for(repo.git_dir, None) is None
    subprocess.run(["git", f"--git-dir={repo.git_dir}", "config", "user.signingkey", "ABCDEF"], check=True)
    with pytest.raises(SigningError, match=r"gpg\.format is not 'ssh'"):
        signer_for(repo.git_dir, None)
    subprocess.run(["git", f"--git-dir={repo.git_dir}", "config", "gpg.format", "ssh"], check=True)
    assert signer_for(repo.git_dir, None) == SigningKey()
    repo.close()


def test_a_missing_key_fails_the_write_with_a_clear_error(repo: ContentRepo, keys: Keys) -> None:
    from content_repo import GitError

    with pytest.raises(GitError, match=f"signing with {keys.directory / 'missing'}"):
        repo.write_path(
            "notes.txt", "a\n", EDITOR, message="x", signer=SigningKey(private_key=keys.directory / "missing")
        )
    repo.close()


def test_the_roster_changes_only_by_an_editors_signed_commit(repo: ContentRepo, keys: Keys) -> None:
    first = repo.write_path(
        "roster.yaml", roster_text(keys), EDITOR, message="Set up", signer=keys.signer("ed-editor")
    )
    promoted = roster_text(
        keys,
        wendy_writer="  - {id: wendy-writer, name: Wendy Writer, "
        "email: wendy@example.org, roles: [writer, physician], verified_until: 2099-12-31}",
    )
    by_writer = repo.write_path(
        "roster.yaml", promoted, WRITER, message="Me too", signer=keys.signer("wendy-writer")
    )
    unsigned = repo.write_path("roster.yaml", promoted + "\n", WRITER, message="Me too, unsigned")
    by_mallory = repo.write_path(
        "policy.yaml", "{}\n", WRITER, message="Policy", signer=keys.signer("mallory")
    )
    fixed = repo.write_path(
        "roster.yaml", roster_text(keys), EDITOR, message="Undo", signer=keys.signer("ed-editor")
    )
    history = verify_governance(repo.governance_history())
    assert [(e.commit, e.signer) for e in history.accepted] == [
        (first.sha, "ed-editor"),
        (fixed.sha, "ed-editor"),
    ]
    assert [(r.commit, r.rule) for r in history.refused] == [
        (by_writer.sha, "not-an-editor"),
        (unsigned.sha, "unsigned"),
        (by_mallory.sha, "unknown-key"),
    ]
    assert "wendy-writer is not an editor" in history.refused[0].message
    current = history.current
    assert current is not None and current.commit == fixed.sha
    wendy = current.roster.get("wendy-writer")
    assert wendy is not None and [r.value for r in wendy.roles] == ["writer"]
    assert history.as_of(history.accepted[0].at) is not None
    repo.close()


def test_the_first_roster_must_be_signed_by_an_editor_it_lists(repo: ContentRepo, keys: Keys) -> None:
    repo.write_path(
        "roster.yaml", roster_text(keys), WRITER, message="Set up", signer=keys.signer("wendy-writer")
    )
    history = verify_governance(repo.governance_history())
    assert history.accepted == [] and [r.rule for r in history.refused] == ["not-an-editor"]
    pinned = verify_governance(repo.governance_history(), trusted_roots=frozenset({"SHA256:other"}))
    assert [r.rule for r in pinned.refused] == ["untrusted-root"]
    repo.close()


def test_a_draft_is_read_as_its_own_line_of_commits(repo: ContentRepo, keys: Keys) -> None:
    from validators.parser import parse_article

    front = "---\ntitle: Gout\nslug: gout\ntype: condition\nauthor: wendy-writer\n---\n"
    text = front + "\n## What is it?\n\nRest.\n"
    first = repo.save_draft(
        parse_article(text, "gout.md"), WRITER, ledger_text="a: 1\n", signer=keys.signer("wendy-writer")
    )
    second = repo.record_review("gout", "a: 2\n", EDITOR, message="Decide")
    history = repo.draft_history("gout")
    base = first.trailers["Draft-Base"][-1]
    assert (history.head, history.base, history.base_on_main, history.problems) == (
        second.sha,
        base,
        True,
        [],
    )
    assert [c.commit.sha for c in history.commits] == [first.sha, second.sha]
    assert [c.signature.status for c in history.commits] == ["good", "unsigned"]
    assert history.commits[0].changed_paths == ["articles/gout.md", "reviews/gout.yaml"]
    assert history.commits[0].other_paths == []
    assert history.commits[0].article_before is None and history.commits[0].changes_article
    assert (history.commits[1].ledger_before, history.commits[1].ledger_after) == ("a: 1\n", "a: 2\n")
    # A merge smuggled onto the draft breaks the line: reported, for the verifier to refuse.
    git_dir = str(repo.git_dir)
    tree = subprocess.run(
        ["git", f"--git-dir={git_dir}", "rev-parse", f"{second.sha}^{{tree}}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    merge = subprocess.run(
        [
            "git",
            f"--git-dir={git_dir}",
            "commit-tree",
            tree,
            "-p",
            second.sha,
            "-p",
            base,
            "-m",
            f"Merge\n\nDraft-Base: {base}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run(["git", f"--git-dir={git_dir}", "update-ref", "refs/heads/drafts/gout", merge], check=True)
    assert repo.draft_history("gout").problems == [f"commit {merge[:12]} has 2 parents (a draft is one line)"]
    repo.close()


def test_signature_facts_are_checked_once_per_repository(repo: ContentRepo, keys: Keys) -> None:
    signed = repo.write_path("notes.txt", "a\n", EDITOR, message="Signed", signer=keys.signer("ed-editor"))
    plain = repo.write_path("notes.txt", "b\n", EDITOR, message="Plain")
    first = repo.signatures([signed.sha, plain.sha])
    cache = repo.git_dir / "editorial-signatures"
    lines = cache.read_text().splitlines()
    assert [line.split(" ")[:2] for line in lines] == [[signed.sha, "good"], [plain.sha, "unsigned"]]
    with cache.open("a") as handle:
        handle.write("torn line\n")
    with ContentRepo.open(repo.git_dir) as again:
        assert again.signatures([plain.sha, signed.sha]) == {
            plain.sha: first[plain.sha],
            signed.sha: first[signed.sha],
        }
    assert cache.read_text().splitlines() == [*lines, "torn line"]  # nothing checked (or written) twice
    repo.close()
