"""ContentRepo on real repositories in temp dirs: drafts, reviews, publish, rollback, history, safety."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from content_repo import (
    CommitInfo,
    ConflictError,
    ContentRepo,
    ContentRepoError,
    Identity,
    NotFoundError,
    PublicationRecord,
    RefRaceError,
    RepositoryError,
    SizeLimitError,
    SlugError,
    text_content_hash,
)
from validators.models import Article
from validators.parser import parse_article

WRITER = Identity(name="Wendy Writer", email="wendy@example.org")
CLINICIAN = Identity(name="Dr Carla Clinician", email="carla@example.org")
SECOND = Identity(name="Dr Sam Second", email="sam@example.org")
PIPELINE = Identity(name="Editorial pipeline", email="pipeline@example.org")
REVIEWED_ON = date(2026, 11, 24)


def article(slug: str, sentence: str = "Rest and fluids help most people recover.") -> Article:
    """A small article with `slug`."""
    text = (
        f"---\ntitle: About {slug}\nslug: {slug}\ntype: condition\nauthor: wendy-writer\n---\n\n"
        f"## What is it?\n\n{sentence}\n"
    )
    return parse_article(text, f"{slug}.md")


def git(repo: Path, *args: str) -> str:
    """Run git on a repository and return its stdout."""
    done = subprocess.run(["git", f"--git-dir={repo}", *args], capture_output=True, text=True, check=True)
    return done.stdout


def assert_fsck_clean(repo: Path) -> None:
    """`git fsck --strict` reports nothing."""
    done = subprocess.run(["git", f"--git-dir={repo}", "fsck", "--strict"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr and "warning" not in done.stderr, done.stderr


def record(text_article: Article, *reviewers: Identity, flags: int = 1) -> PublicationRecord:
    """The approval record of an article."""
    return PublicationRecord(
        reviewers=list(reviewers or (CLINICIAN,)),
        content_hash=text_article.content_hash,
        approved_flags=flags,
        reviewed_on=REVIEWED_ON,
    )


@pytest.fixture
def repo_path(tmp_path: Path) -> Path:
    """Where the test's bare content repository lives."""
    return tmp_path / "content.git"


@pytest.fixture
def repo(repo_path: Path) -> Iterator[ContentRepo]:
    """A fresh bare content repository."""
    with ContentRepo.init(repo_path, bare=True, pipeline=PIPELINE) as content:
        yield content
    assert_fsck_clean(repo_path)


def test_init_creates_main_with_a_first_commit_and_open_finds_it(repo_path: Path, repo: ContentRepo) -> None:
    main = git(repo_path, "rev-parse", "refs/heads/main").strip()
    assert git(repo_path, "log", "--format=%s|%an|%cn", "main").strip() == (
        "Initialize content repository|Editorial pipeline|Editorial pipeline"
    )
    reopened = ContentRepo.open(repo_path, pipeline=PIPELINE)
    assert git(repo_path, "rev-parse", "refs/heads/main").strip() == main
    reopened.close()


def test_init_with_a_work_tree_never_touches_the_work_tree(tmp_path: Path) -> None:
    content = ContentRepo.init(tmp_path / "wt", pipeline=PIPELINE)
    content.save_draft(article("gout"), WRITER)
    assert sorted(p.name for p in (tmp_path / "wt").iterdir()) == [".git"]
    content.close()
    assert_fsck_clean(tmp_path / "wt" / ".git")


def test_open_refuses_a_directory_that_is_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(RepositoryError, match="not a git repository"):
        ContentRepo.open(tmp_path)
    with pytest.raises(RepositoryError, match="no such directory"):
        ContentRepo.open(tmp_path / "missing")


def test_save_draft_commits_on_a_draft_branch_authored_by_the_writer(
    repo_path: Path, repo: ContentRepo
) -> None:
    main = git(repo_path, "rev-parse", "main").strip()
    draft = article("gout")
    info = repo.save_draft(draft, WRITER, ledger_text="flags: []\n")
    assert isinstance(info, CommitInfo)
    assert info.author == WRITER and info.committer == PIPELINE
    assert info.message == (
        f"Submit gout\n\nDraft-Base: {main}\nDraft-Author: Wendy Writer <wendy@example.org>\n"
    )
    assert info.trailers == {"Draft-Base": [main], "Draft-Author": ["Wendy Writer <wendy@example.org>"]}
    assert info.parents == [main]
    assert git(repo_path, "rev-parse", "refs/heads/main").strip() == main  # main untouched
    text, ledger, head = repo.read_draft("gout")
    assert (text, ledger, head) == (draft.text, "flags: []\n", info.sha)
    assert git(repo_path, "ls-tree", "-r", "--name-only", "drafts/gout").split() == [
        "articles/gout.md",
        "reviews/gout.yaml",
    ]


def test_resubmission_keeps_the_draft_base_and_adds_a_commit(repo_path: Path, repo: ContentRepo) -> None:
    first = repo.save_draft(article("gout"), WRITER)
    repo.write_path("roster.yaml", "people: []\n", PIPELINE, message="Add roster")  # main moves
    second = repo.save_draft(article("gout", "Ice helps a swollen joint."), WRITER, message="Fix wording")
    assert second.parents == [first.sha]
    assert second.trailers["Draft-Base"] == first.trailers["Draft-Base"]
    [draft] = repo.list_drafts()
    assert (draft.slug, draft.branch, draft.head, draft.base) == (
        "gout",
        "drafts/gout",
        second.sha,
        first.trailers["Draft-Base"][0],
    )


def test_record_review_is_authored_by_the_clinician_and_keeps_caller_trailers(repo: ContentRepo) -> None:
    repo.save_draft(article("gout"), WRITER)
    info = repo.record_review(
        "gout", "flags: [approved]\n", CLINICIAN, message="Approve 1 flag\n\nDecision: approved"
    )
    assert info.author == CLINICIAN and info.committer == PIPELINE
    assert info.trailers["Decision"] == ["approved"]
    assert list(info.trailers) == ["Decision", "Draft-Base", "Draft-Author"]
    assert info.trailers["Draft-Author"] == ["Wendy Writer <wendy@example.org>"]  # the text's writer
    assert repo.read_draft("gout")[1] == "flags: [approved]\n"


def test_record_review_with_a_stale_expected_head_raises_ref_race(repo: ContentRepo) -> None:
    first = repo.save_draft(article("gout"), WRITER)
    repo.record_review("gout", "a: 1\n", CLINICIAN, message="first", expected_head=first.sha)
    with pytest.raises(RefRaceError) as caught:
        repo.record_review("gout", "a: 2\n", SECOND, message="second", expected_head=first.sha)
    assert caught.value.ref == "refs/heads/drafts/gout" and caught.value.expected == first.sha
    assert repo.read_draft("gout")[1] == "a: 1\n"


def test_record_review_without_a_draft_is_not_found(repo: ContentRepo) -> None:
    with pytest.raises(NotFoundError, match="draft 'gout'"):
        repo.record_review("gout", "a: 1\n", CLINICIAN, message="x")
    with pytest.raises(ContentRepoError, match="draft 'gout'"):
        repo.read_draft("gout")


def test_write_path_commits_on_main_and_refuses_articles_and_reviews(repo: ContentRepo) -> None:
    info = repo.write_path("roster.yaml", "people: []\n", WRITER, message="Add roster")
    assert repo.read_path("roster.yaml") == "people: []\n"
    assert repo.read_path("policy.yaml") is None
    assert info.author == WRITER and info.message == "Add roster\n"
    with pytest.raises(ConflictError, match="only by publishing"):
        repo.write_path("articles/gout.md", "x", WRITER, message="sneak")
    with pytest.raises(ConflictError, match="changed on main"):
        repo.write_path("roster.yaml", "people: [b]\n", WRITER, message="x", expected_text="people: [a]\n")
    repo.write_path("roster.yaml", "people: [b]\n", WRITER, message="x", expected_text="people: []\n")
    assert repo.read_path("roster.yaml") == "people: [b]\n"


def test_publish_puts_the_stamped_article_and_ledger_on_main_with_trailers_and_tag(
    repo_path: Path, repo: ContentRepo
) -> None:
    draft = article("gout")
    repo.save_draft(draft, WRITER)
    head = repo.record_review("gout", "flags: [approved]\n", CLINICIAN, message="Approve").sha
    old_main = git(repo_path, "rev-parse", "main").strip()
    publication = repo.publish("gout", head, record(draft, CLINICIAN, SECOND, flags=3))
    assert (publication.slug, publication.version, publication.tag) == ("gout", 1, "published/gout/v1")
    assert git(repo_path, "rev-parse", "main").strip() == publication.commit
    assert git(repo_path, "rev-parse", "published/gout/v1^{commit}").strip() == publication.commit
    assert git(repo_path, "cat-file", "-t", "published/gout/v1").strip() == "tag"
    assert git(repo_path, "for-each-ref", "refs/heads/drafts/") == ""
    assert git(repo_path, "log", "-1", "--format=%B", "main") == (
        "Publish gout v1\n\n"
        "Reviewed-by: Dr Carla Clinician <carla@example.org>\n"
        "Reviewed-by: Dr Sam Second <sam@example.org>\n"
        f"Content-Hash: {draft.content_hash}\n"
        "Approved-Flags: 3\n\n"
    )
    assert git(repo_path, "log", "-1", "--format=%P|%an|%cn", "main").strip() == (
        f"{old_main} {head}|Wendy Writer|Editorial pipeline"
    )
    published = repo.read("gout")
    assert published is not None
    assert (
        "reviewed_by: [Dr Carla Clinician <carla@example.org>, Dr Sam Second <sam@example.org>]\n"
        in published
    )
    assert "last_reviewed: 2026-11-24\n" in published
    assert text_content_hash(published) == draft.content_hash
    assert repo.read_path("reviews/gout.yaml") == "flags: [approved]\n"
    # The clinician's decision commit stays readable with plain git log on main.
    assert "Approve|Dr Carla Clinician" in git(repo_path, "log", "--format=%s|%an", "main")


def test_publish_refuses_a_hash_that_is_not_the_drafts(repo_path: Path, repo: ContentRepo) -> None:
    head = repo.save_draft(article("gout"), WRITER).sha
    other = article("gout", "Something else entirely.")
    with pytest.raises(ConflictError, match="is not the approved"):
        repo.publish("gout", head, record(other))
    assert repo.read("gout") is None
    assert repo.read_draft("gout")[2] == head


def test_publish_refuses_a_draft_that_moved_since_approval(repo: ContentRepo) -> None:
    draft = article("gout")
    approved = repo.save_draft(draft, WRITER).sha
    repo.save_draft(draft, WRITER, message="Resubmit")
    with pytest.raises(RefRaceError):
        repo.publish("gout", approved, record(draft))
    with pytest.raises(NotFoundError):
        repo.publish("other", approved, record(draft))


def test_publish_refuses_when_main_changed_the_article_after_the_draft_was_taken(repo: ContentRepo) -> None:
    first = article("gout")
    repo.publish("gout", repo.save_draft(first, WRITER).sha, record(first))
    second = article("gout", "Version two.")
    repo.publish("gout", repo.save_draft(second, WRITER).sha, record(second))
    stale = article("gout", "An edit made from version 2.")
    stale_head = repo.save_draft(stale, WRITER).sha  # based on main with v2
    assert repo.rollback("gout", 1, WRITER).version == 3  # main changes the article after the draft's base
    with pytest.raises(ConflictError, match=r"main changed articles/gout\.md after the draft was taken"):
        repo.publish("gout", stale_head, record(stale))
    assert repo.read_draft("gout")[2] == stale_head  # nothing overwritten, the draft is kept
    assert "Version two." not in (repo.read("gout") or "")


def test_publish_refuses_when_the_article_was_unpublished_after_the_draft_was_taken(
    repo: ContentRepo,
) -> None:
    first = article("gout")
    repo.publish("gout", repo.save_draft(first, WRITER).sha, record(first))
    stale = article("gout", "An edit.")
    stale_head = repo.save_draft(stale, WRITER).sha
    repo.unpublish("gout", WRITER)
    with pytest.raises(ConflictError, match="main changed"):
        repo.publish("gout", stale_head, record(stale))


def test_a_second_publication_is_version_two_and_other_slugs_do_not_conflict(repo: ContentRepo) -> None:
    gout = article("gout")
    repo.publish("gout", repo.save_draft(gout, WRITER).sha, record(gout))
    asthma = article("asthma")
    asthma_head = repo.save_draft(asthma, WRITER).sha
    gout2 = article("gout", "A second version.")
    gout2_head = repo.save_draft(gout2, WRITER).sha
    assert repo.publish("asthma", asthma_head, record(asthma)).version == 1
    assert repo.publish("gout", gout2_head, record(gout2)).version == 2
    listed = {p.slug: (p.version, "A second version." in p.text) for p in repo.list_published()}
    assert listed == {"asthma": (1, False), "gout": (2, True)}


def test_rollback_and_unpublish_are_new_commits(repo_path: Path, repo: ContentRepo) -> None:
    v1 = article("gout")
    repo.publish("gout", repo.save_draft(v1, WRITER).sha, record(v1))
    v1_text = repo.read("gout")
    v2 = article("gout", "Version two.")
    repo.publish("gout", repo.save_draft(v2, WRITER).sha, record(v2, SECOND))
    rolled = repo.rollback("gout", 1, SECOND)
    assert (rolled.version, rolled.tag) == (3, "published/gout/v3")
    assert repo.read("gout") == v1_text
    message = git(repo_path, "log", "-1", "--format=%B", "main")
    assert message.startswith("Roll back gout to v1 (published as v3)\n\nRollback-To: v1\n")
    assert "Reviewed-by: Dr Carla Clinician <carla@example.org>\n" in message
    gone = repo.unpublish("gout", SECOND)
    assert gone.author == SECOND and gone.trailers == {"Unpublished-Version": ["v3"]}
    assert repo.read("gout") is None and repo.read_path("reviews/gout.yaml") is None
    assert repo.list_published() == []
    assert repo.read("gout", "published/gout/v2") is not None  # history is never rewritten
    subjects = [c.message.splitlines()[0] for c in repo.history("gout")]
    assert subjects == [
        "Unpublish gout",
        "Roll back gout to v1 (published as v3)",
        "Publish gout v2",
        "Submit gout",
        "Publish gout v1",
        "Submit gout",
    ]
    with pytest.raises(NotFoundError):
        repo.unpublish("gout", SECOND)
    with pytest.raises(NotFoundError, match="v9"):
        repo.rollback("gout", 9, SECOND)


def repo_main(repo: ContentRepo) -> str:
    """main's commit."""
    return git(repo.git_dir, "rev-parse", "refs/heads/main").strip()


def test_discard_draft_deletes_only_from_the_expected_head(repo: ContentRepo) -> None:
    head = repo.save_draft(article("gout"), WRITER).sha
    with pytest.raises(RefRaceError):
        repo.discard_draft("gout", "0" * 40)
    archive = repo.discard_draft("gout", head)
    assert archive == f"refs/archive/drafts/gout/{head}"
    assert repo.list_drafts() == []
    assert repo.read("gout", archive) is not None  # the record is kept
    assert repo.save_draft(article("gout"), WRITER).parents == [repo_main(repo)]  # a fresh draft from main


@pytest.mark.parametrize(
    "slug",
    [
        "../etc",
        "a/../../b",
        "main",
        "HEAD",
        "head",
        "drafts",
        "a.lock",
        "a@{1}",
        "-rf",
        "Gout",
        "gout\n",
        "gout ",
        "",
        "a" * 101,
        "a..b",
        "gout~1",
        "gout^",
        "refs/heads/main",
    ],
)
def test_slug_attacks_are_refused(repo: ContentRepo, slug: str) -> None:
    with pytest.raises(SlugError):
        repo.read(slug)
    with pytest.raises(SlugError):
        repo.record_review(slug, "a: 1\n", CLINICIAN, message="x")
    with pytest.raises(SlugError):
        repo.read_draft(slug)


@pytest.mark.parametrize(
    "path", ["../x", "/etc/passwd", ".git/config", "a//b", "a/./b", "roster.yaml\n", "a\\b", ".gitattributes"]
)
def test_path_attacks_are_refused(repo: ContentRepo, path: str) -> None:
    with pytest.raises(SlugError):
        repo.read_path(path)
    with pytest.raises(SlugError):
        repo.write_path(path, "x", WRITER, message="x")


@pytest.mark.parametrize("ref", ["main~1", "main^{tree}", "main:roster.yaml", "@{-1}", "a b", "-x"])
def test_read_refuses_revision_syntax(repo: ContentRepo, ref: str) -> None:
    with pytest.raises(SlugError):
        repo.read_path("roster.yaml", ref)


def test_a_slug_in_an_article_is_checked_before_anything_is_written(
    repo_path: Path, repo: ContentRepo
) -> None:
    bad = parse_article("---\ntitle: x\nslug: ../../x\nauthor: w\n---\n\nText.\n", "x.md")
    before = git(repo_path, "for-each-ref")
    with pytest.raises(SlugError):
        repo.save_draft(bad, WRITER)
    assert git(repo_path, "for-each-ref") == before


def test_size_limits(repo: ContentRepo) -> None:
    huge = article("gout", "word " * 300_000)
    with pytest.raises(SizeLimitError, match="article is 1500"):
        repo.save_draft(huge, WRITER)
    repo.save_draft(article("gout"), WRITER)
    with pytest.raises(SizeLimitError, match="review ledger"):
        repo.record_review("gout", "x" * (5 * 1024 * 1024), CLINICIAN, message="x")


@pytest.mark.parametrize(
    ("name", "email"),
    [("Eve <evil>", "e@x.org"), ("Eve\nInjected: 1", "e@x.org"), ("Eve", "no-at"), ("", "e@x.org")],
)
def test_identities_that_would_corrupt_a_commit_header_are_refused(name: str, email: str) -> None:
    with pytest.raises(ValueError):
        Identity(name=name, email=email)


def test_commits_are_signed_when_the_repository_configures_ssh_signing(
    tmp_path: Path, repo_path: Path
) -> None:
    key = tmp_path / "signing_key"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "pipeline", "-f", str(key)], check=True
    )
    ContentRepo.init(repo_path, bare=True, pipeline=PIPELINE).close()
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"pipeline@example.org {(tmp_path / 'signing_key.pub').read_text()}")
    for key_name, value in [
        ("gpg.format", "ssh"),
        ("user.signingkey", str(key)),
        ("commit.gpgsign", "true"),
        ("gpg.ssh.allowedSignersFile", str(allowed)),
    ]:
        git(repo_path, "config", key_name, value)
    with ContentRepo.open(repo_path, pipeline=PIPELINE) as signed:
        assert signed.sign_commits is True
        info = signed.save_draft(article("gout"), WRITER)
    assert info.author == WRITER and info.committer == PIPELINE
    assert "gpgsig -----BEGIN SSH SIGNATURE-----" in git(repo_path, "cat-file", "-p", info.sha)
    verified = subprocess.run(
        ["git", f"--git-dir={repo_path}", "verify-commit", info.sha], capture_output=True, text=True
    )
    assert verified.returncode == 0, verified.stderr
    assert 'Good "git" signature for pipeline@example.org' in verified.stderr
    assert_fsck_clean(repo_path)


def test_unsigned_by_default(repo_path: Path, repo: ContentRepo) -> None:
    info = repo.save_draft(article("gout"), WRITER)
    assert repo.sign_commits is False
    assert "gpgsig" not in git(repo_path, "cat-file", "-p", info.sha)


def test_init_on_a_file_and_on_a_sha256_repository_is_a_repository_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(RepositoryError, match="cannot create a git repository"):
        ContentRepo.init(tmp_path / "a-file")
    subprocess.run(
        ["git", "init", "-q", "--bare", "--object-format=sha256", str(tmp_path / "sha256.git")], check=True
    )
    with pytest.raises(RepositoryError, match="object format sha256 is not supported"):
        ContentRepo.open(tmp_path / "sha256.git")


def test_init_over_a_repository_whose_head_is_unborn_points_head_at_main(tmp_path: Path) -> None:
    path = tmp_path / "old.git"
    subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=master", str(path)], check=True)
    ContentRepo.init(path, bare=True).close()
    assert git(path, "symbolic-ref", "HEAD").strip() == "refs/heads/main"


def test_a_repository_pickles_as_its_settings_and_works_after(repo_path: Path, repo: ContentRepo) -> None:
    import pickle

    repo.write_path("roster.yaml", "people: []\n", WRITER, message="Add roster")
    copy = pickle.loads(pickle.dumps(repo))
    assert (copy.git_dir, copy.pipeline) == (repo.git_dir, PIPELINE)
    assert copy.read_path("roster.yaml") == "people: []\n"
    copy.close()


def test_fsck_and_maintain(repo: ContentRepo) -> None:
    repo.save_draft(article("gout"), WRITER)
    repo.maintain()
    assert repo.fsck() == []


def test_history_includes_the_draft_and_list_drafts_reports_its_head(repo: ContentRepo) -> None:
    published = article("gout")
    repo.publish("gout", repo.save_draft(published, WRITER).sha, record(published))
    revised = repo.save_draft(article("gout", "Revised."), WRITER, message="Revise")
    decision = repo.record_review("gout", "flags: []\n", CLINICIAN, message="Approve revision")
    history = repo.history("gout")
    assert [(c.message.splitlines()[0], c.author.name) for c in history[:2]] == [
        ("Approve revision", "Dr Carla Clinician"),
        ("Revise", "Wendy Writer"),
    ]
    [draft] = repo.list_drafts()
    assert (draft.head, draft.base) == (decision.sha, revised.trailers["Draft-Base"][0])
    assert draft.updated_at == decision.authored_at


def test_a_damaged_repository_surfaces_as_a_content_repo_error(tmp_path: Path) -> None:
    with ContentRepo.init(tmp_path / "damaged.git", bare=True) as damaged:
        damaged.write_path("roster.yaml", "people: []\n", WRITER, message="Add roster")
        tree = git(tmp_path / "damaged.git", "rev-parse", "main^{tree}").strip()
        (tmp_path / "damaged.git" / "objects" / tree[:2] / tree[2:]).unlink()
    reopened = ContentRepo.open(tmp_path / "damaged.git")
    with pytest.raises(ContentRepoError, match="is not a tree"):
        reopened.write_path("policy.yaml", "x: 1\n", WRITER, message="Add policy")
    reopened.close()


def test_publish_many_publishes_each_as_its_own_commit_and_tag_and_reports_refusals(
    repo_path: Path, repo: ContentRepo
) -> None:
    heads = {}
    for slug in ("asthma", "eczema", "gout", "lupus"):
        heads[slug] = repo.save_draft(article(slug), WRITER).sha
    wrong = article("eczema", "Not the approved text.")
    results = repo.publish_many(
        [
            ("asthma", heads["asthma"], record(article("asthma"))),
            ("eczema", heads["eczema"], record(wrong)),
            ("missing", heads["gout"], record(article("gout"))),
            ("gout", heads["gout"], record(article("gout"))),
            ("gout", heads["gout"], record(article("gout"))),
            ("lupus", "0" * 40, record(article("lupus"))),
        ]
    )
    kinds = [type(result).__name__ for result in results]
    assert kinds == [
        "Publication",
        "ConflictError",
        "NotFoundError",
        "Publication",
        "ConflictError",
        "RefRaceError",
    ]
    assert git(repo_path, "log", "--first-parent", "--format=%s", "main").splitlines() == [
        "Publish gout v1",
        "Publish asthma v1",
        "Initialize content repository",
    ]
    assert git(repo_path, "for-each-ref", "--format=%(refname:short)", "refs/tags/").split() == [
        "published/asthma/v1",
        "published/gout/v1",
    ]
    assert [d.slug for d in repo.list_drafts()] == ["eczema", "lupus"]


def test_publish_many_rebuilds_on_the_new_tip_when_main_moves_under_it(
    repo_path: Path, repo: ContentRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    slugs = ["asthma", "eczema", "gout"]
    heads = {slug: repo.save_draft(article(slug), WRITER).sha for slug in slugs}
    other_writer = ContentRepo.open(repo_path, pipeline=PIPELINE)
    apply_many = repo.refs.apply_many
    calls: list[int] = []

    def main_moves_first(transactions: list[list[str]]) -> tuple[int, Exception | None]:
        if not calls:  # another process commits on main between our build and our transactions
            other_writer.write_path("roster.yaml", "people: []\n", WRITER, message="Concurrent roster")
        calls.append(len(transactions))
        return apply_many(transactions)

    monkeypatch.setattr(repo.refs, "apply_many", main_moves_first)
    results = repo.publish_many([(slug, heads[slug], record(article(slug))) for slug in slugs])
    other_writer.close()
    assert [type(r).__name__ for r in results] == ["Publication"] * 3
    assert calls == [3, 3]  # all three refused at once (stale main), then rebuilt and applied
    assert git(repo_path, "log", "--first-parent", "--format=%s", "main").splitlines() == [
        "Publish gout v1",
        "Publish eczema v1",
        "Publish asthma v1",
        "Concurrent roster",
        "Initialize content repository",
    ]
