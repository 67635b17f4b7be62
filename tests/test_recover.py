"""`editorial rollback | unpublish | discard` on real content repositories."""

from __future__ import annotations

from pathlib import Path

import pytest
from review_fixtures import NOW, make_article, make_content_repo, submit
from typer.testing import CliRunner

import flows.cli.cmd_recover  # noqa: F401  (registers the commands)
from flows.cli.app import app

SLUG = "ibuprofen-for-pain"
V2_CHANGE = ("Ibuprofen is a pain reliever.", "Ibuprofen is an anti-inflammatory pain reliever.")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def publish_draft(repo: Path) -> int:
    """Publish the draft as it stands (the repository's own publish; the gate is the flow's business)."""
    from content_repo import ContentRepo, Identity, PublicationRecord, text_content_hash

    with ContentRepo.open(repo) as content:
        text, _, head = content.read_draft(SLUG)
        record = PublicationRecord(
            reviewers=[Identity(name="Pat Pharmacist", email="pat@example.org")],
            content_hash=text_content_hash(text),
            approved_flags=0,
            reviewed_on=NOW.date(),
        )
        return content.publish(SLUG, expected_draft_commit=head, record=record).version


@pytest.fixture
def published(tmp_path: Path) -> Path:
    """v1 and v2 of the test article published; v2 says 'anti-inflammatory'."""
    from content_repo import ContentRepo
    from reviewers.policy import load_policy

    repo = make_content_repo(tmp_path / "content")
    assert publish_draft(repo) == 1
    with ContentRepo.open(repo) as content:
        submit(content, make_article(replace=V2_CHANGE), previous=None, policy=load_policy(None))
    assert publish_draft(repo) == 2
    return repo


def main_text(repo: Path) -> str | None:
    from content_repo import ContentRepo

    with ContentRepo.open(repo) as content:
        return content.read(SLUG)


def test_rollback_publishes_the_old_version_again_as_a_new_one(published: Path) -> None:
    from content_repo import ContentRepo

    assert "anti-inflammatory" in (main_text(published) or "")
    code, out, err = run(
        "rollback", SLUG, "1", "--reason", "v2 wording not approved by legal", "--by", "doc-physician",
        "--repo", str(published),
    )  # fmt: skip
    assert (code, err) == (0, "")
    with ContentRepo.open(published) as content:
        [last] = content.history(SLUG)[:1]
    assert out == (
        f"{SLUG}: rolled back to v1, published as v3 (commit {last.sha[:12]}, tag published/{SLUG}/v3); "
        "reason: v2 wording not approved by legal\n"
    )
    with ContentRepo.open(published) as content:
        v1 = content.read(SLUG, ref=f"published/{SLUG}/v1")
    assert v1 is not None and "anti-inflammatory" not in v1
    assert main_text(published) == v1
    assert last.author.format() == "Doc Physician <doc@example.org>"
    assert last.trailers["Rollback-To"] == ["v1"]


def test_rollback_to_a_version_that_does_not_exist(published: Path) -> None:
    code, out, err = run(
        "rollback", SLUG, "9", "--reason", "x", "--by", "doc-physician", "--repo", str(published)
    )
    assert (code, out) == (2, "")
    assert err == (
        f"editorial: error: not found: published version {SLUG} v9 (no tag refs/tags/published/{SLUG}/v9)\n"
    )


def test_unpublish_then_again(published: Path) -> None:
    args = ["unpublish", SLUG, "--reason", "recalled drug", "--by", "doc-physician", "--repo", str(published)]
    code, out, err = run(*args)
    assert (code, err) == (0, "")
    assert out.startswith(f"{SLUG}: unpublished (commit ")
    assert out.endswith("; its version tags stay); reason: recalled drug\n")
    assert main_text(published) is None
    code, out, err = run(*args)
    assert (code, out) == (2, "")
    assert err == f"editorial: error: not found: articles/{SLUG}.md on main (not published)\n"


def test_discard_archives_the_draft_with_its_reason(tmp_path: Path) -> None:
    from content_repo import ContentRepo

    repo = make_content_repo(tmp_path / "content")
    args = ["discard", SLUG, "--reason", "conflicts with the published version", "--repo", str(repo)]
    code, out, err = run(*args, "--by", "wendy-writer")
    assert (code, err) == (0, "")
    with ContentRepo.open(repo) as content:
        assert content.list_drafts() == []
        archived = content.objects.resolve(out.split("kept as ")[1].split(";")[0])
        assert archived is not None
        last = content.commit_info(archived)
    archive = f"refs/archive/drafts/{SLUG}/{archived}"
    assert (
        out == f"{SLUG}: draft discarded, kept as {archive}; reason: conflicts with the published version\n"
    )
    assert last.message.startswith(f"Discard {SLUG}\n\nconflicts with the published version\n")
    assert last.author.format() == "Wendy Writer <wendy@example.org>"
    code, out, err = run(*args, "--by", "wendy-writer")
    assert (code, out) == (2, "")
    assert err == f"editorial: error: not found: draft '{SLUG}'\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--reason", "  ", "--by", "doc-physician"], "editorial: error: --reason is empty: say why"),
        (["--reason", "x", "--by", "nobody"], "editorial: error: 'nobody' is not on the roster"),
        (["--reason", "x"], "editorial: error: please tell me who you are"),
    ],
)
def test_refused_before_anything_changes(tmp_path: Path, args: list[str], message: str) -> None:
    repo = make_content_repo(tmp_path / "content")
    code, out, err = run("discard", SLUG, *args, "--repo", str(repo))
    assert (code, out) == (2, "")
    assert err.startswith(message)
    from content_repo import ContentRepo

    with ContentRepo.open(repo) as content:
        assert [d.slug for d in content.list_drafts()] == [SLUG]


def test_reason_is_required(tmp_path: Path) -> None:
    code, _, err = run("unpublish", SLUG, "--repo", str(tmp_path))
    assert code == 2
    assert "Missing option '--reason'" in err


def test_inactive_person_is_refused(tmp_path: Path) -> None:
    repo = make_content_repo(tmp_path / "content")
    code, out, err = run("discard", SLUG, "--reason", "x", "--by", "gone-doc", "--repo", str(repo))
    assert (code, out) == (1, "")
    assert (
        err == "editorial: error: 'gone-doc' is inactive on the roster and cannot change what is published\n"
    )
