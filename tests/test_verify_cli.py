"""`editorial verify` from a clone: exit 0 when every published version traces back to valid signatures,
1 naming the article and the commit when a review record on main was forged or rewritten.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from signing_fixtures import (
    EDITOR,
    FIXTURE_ARTICLE,
    SLUG,
    Keys,
    approve,
    git,
    make_keys,
    make_signed_site,
    publish,
    submit,
)
from typer.testing import CliRunner

import flows.cli.cmd_verify  # noqa: F401  (registers the command)
from content_repo import ContentRepo, PublicationRecord
from flows.cli.app import app

pytestmark = pytest.mark.slow


def run(*args: str) -> tuple[int, str, str]:
    """The command's exit code, standard output and standard error."""
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    """Real ed25519 keys for everyone (made once for the module)."""
    return make_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> Path:
    """A signed site whose article was submitted, approved and published with valid signatures."""
    site = make_signed_site(tmp_path_factory.mktemp("site"), keys)
    submit(site, FIXTURE_ARTICLE.read_text(encoding="utf-8"), keys)
    approve(site, keys)
    outcomes, _ = publish(site)
    assert [o[1] for o in outcomes] == ["published"]
    return site


def clone_of(published: Path, tmp_path: Path) -> Path:
    """An auditor's plain clone (publication tags included)."""
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(published), str(clone))
    return clone


def test_verify_all_on_a_correctly_signed_clone_exits_0(published: Path, tmp_path: Path) -> None:
    clone = clone_of(published, tmp_path)
    allowed = tmp_path / "allowed_signers"
    code, out, err = run("verify", "--all", "--repo", str(clone), "--allowed-signers", str(allowed))
    assert (code, err) == (0, ""), out
    lines = out.splitlines()
    assert lines[1].startswith(f"ok {SLUG} v1 (")
    assert lines[1].endswith("approved by phil-physician")
    assert " by wendy-writer" in lines[2] and " by phil-physician" in lines[2]
    # Plain git agrees, with the allowed-signers file the command wrote.
    draft_head = git(clone, "rev-parse", "main^2").strip()
    shown = git(
        clone, "-c", f"gpg.ssh.allowedSignersFile={allowed}", "log", "-1", "--show-signature", draft_head
    )
    assert 'Good "git" signature for phil-physician' in shown


def test_verify_one_article_and_an_unknown_one(published: Path, tmp_path: Path) -> None:
    clone = clone_of(published, tmp_path)
    assert run("verify", SLUG, "--repo", str(clone))[0] == 0
    code, out, _ = run("verify", "gout", "--repo", str(clone))
    assert code == 1
    assert "FAIL gout: no published version" in out
    code, _, err = run("verify", "--repo", str(clone))
    assert code == 2 and "name one article, or pass --all" in err


def test_a_ledger_edited_on_main_by_hand_fails_naming_the_article_and_commit(
    published: Path, tmp_path: Path
) -> None:
    clone = clone_of(published, tmp_path)
    ledger = clone / "reviews" / f"{SLUG}.yaml"
    ledger.write_text(ledger.read_text().replace("phil-physician", "pat-pharmacist"))
    git(clone, "commit", "-q", "-am", "Tidy the review record")
    forged = git(clone, "rev-parse", "HEAD").strip()
    code, out, _ = run("verify", "--all", "--repo", str(clone))
    assert code == 1
    assert (
        f"FAIL {SLUG}: commit {forged[:12]} changed reviews/{SLUG}.yaml on main after its publication" in out
    )


def test_a_publication_of_a_forged_draft_fails_naming_the_article_and_commit(
    published: Path, tmp_path: Path, keys: Keys
) -> None:
    clone = clone_of(published, tmp_path)
    text = FIXTURE_ARTICLE.read_text(encoding="utf-8").replace("prior to surgery", "after surgery", 1)
    submit(clone, text, None)  # unsigned resubmission, then published by hand around the gate
    with ContentRepo.open(clone) as repo:
        _, _, head = repo.read_draft(SLUG)
        from validators.frontmatter import text_content_hash

        record = PublicationRecord(
            reviewers=[EDITOR],
            content_hash=text_content_hash(text),
            approved_flags=7,
            reviewed_on="2026-11-30",
        )
        publication = repo.publish(SLUG, head, record)
    code, out, _ = run("verify", "--all", "--repo", str(clone))
    assert code == 1
    assert f"ok {SLUG} v1 (" in out
    assert f"FAIL {SLUG} v2 ({publication.commit[:12]}): unsigned: commit " in out


def test_an_unsigned_repository_cannot_be_verified(tmp_path: Path) -> None:
    content = tmp_path / "content"
    with ContentRepo.init(content) as repo:
        repo.write_path("roster.yaml", "people: []\n", EDITOR, message="Roster")
    code, out, _ = run("verify", "--all", "--repo", str(content))
    assert code == 1
    assert "FAIL the roster on main was never signed by an editor" in out
