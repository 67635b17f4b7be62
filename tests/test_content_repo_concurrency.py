"""Several processes writing one repository at once, and publishes killed half-way (SIGKILL)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from content_repo import ContentRepo, Identity, PublicationRecord
from validators.models import Article
from validators.parser import parse_article

REPO_ROOT = Path(__file__).resolve().parent.parent
WRITER = Identity(name="Wendy Writer", email="wendy@example.org")
CLINICIAN = Identity(name="Dr Carla Clinician", email="carla@example.org")
PIPELINE = Identity(name="Editorial pipeline", email="pipeline@example.org")
CRASH_ENV = "EDITORIAL_CONTENT_REPO_CRASH_AT"

# A child process: records `count` decisions on one draft, starting when the go-file appears.
RECORDER = """
import sys, time
from pathlib import Path
from content_repo import ContentRepo, Identity
repo_path, slug, go = sys.argv[1], sys.argv[2], Path(sys.argv[5])
worker, count = int(sys.argv[3]), int(sys.argv[4])
repo = ContentRepo.open(repo_path)
while not go.exists():
    time.sleep(0.001)
who = Identity(name=f"Dr Worker {worker}", email=f"worker{worker}@example.org")
for n in range(count):
    repo.record_review(slug, f"decision: {worker}-{n}\\n", who, message=f"Decision {worker}-{n}")
repo.close()
"""

# A child process: publishes the given slugs in order (the approval record is rebuilt from the draft).
PUBLISHER = """
import sys, time
from datetime import date
from pathlib import Path
from content_repo import ContentRepo, Identity, PublicationRecord, text_content_hash
repo_path, go, slugs = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
repo = ContentRepo.open(repo_path)
while not go.exists():
    time.sleep(0.001)
clinician = Identity(name="Dr Carla Clinician", email="carla@example.org")
for slug in slugs:
    text, _, head = repo.read_draft(slug)
    record = PublicationRecord(reviewers=[clinician], content_hash=text_content_hash(text), approved_flags=1,
                               reviewed_on=date(2026, 11, 24))
    repo.publish(slug, head, record)
    print(slug, flush=True)
repo.close()
"""


def article(slug: str, sentence: str = "Rest helps.") -> Article:
    """A small article with `slug`."""
    return parse_article(
        f"---\ntitle: About {slug}\nslug: {slug}\nauthor: wendy-writer\n---\n\n"
        f"## What is it?\n\n{sentence}\n",
        f"{slug}.md",
    )


def git(repo: Path, *args: str) -> str:
    """Run git on a repository and return its stdout."""
    return subprocess.run(
        ["git", f"--git-dir={repo}", *args], capture_output=True, text=True, check=True
    ).stdout


def ref(repo: Path, name: str) -> str | None:
    """The value of a ref, or None."""
    done = subprocess.run(
        ["git", f"--git-dir={repo}", "rev-parse", "-q", "--verify", name], capture_output=True, text=True
    )
    return done.stdout.strip() if done.returncode == 0 else None


def assert_fsck_clean(repo: Path) -> None:
    """`git fsck --strict` reports nothing, and no ref lock is left behind."""
    done = subprocess.run(["git", f"--git-dir={repo}", "fsck", "--strict"], capture_output=True, text=True)
    assert done.returncode == 0 and "error" not in done.stderr, done.stderr
    assert sorted(str(p) for p in repo.rglob("*.lock")) == []


def child_env(**extra: str) -> dict[str, str]:
    """The test's hermetic environment for a child Python, with the project importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT)
    env.pop(CRASH_ENV, None)
    env.update(extra)
    return env


def make_repo(tmp_path: Path, slugs: list[str]) -> Path:
    """A bare repository with an approved-ready draft for each slug."""
    path = tmp_path / "content.git"
    with ContentRepo.init(path, bare=True, pipeline=PIPELINE) as repo:
        for slug in slugs:
            repo.save_draft(article(slug), WRITER)
            repo.record_review(slug, "flags: [approved]\n", CLINICIAN, message="Approve")
    return path


def approved_record(text: str) -> PublicationRecord:
    """The record approving `text`."""
    from content_repo import text_content_hash

    return PublicationRecord(
        reviewers=[CLINICIAN],
        content_hash=text_content_hash(text),
        approved_flags=1,
        reviewed_on=date(2026, 11, 24),
    )


def test_several_processes_recording_decisions_on_one_draft_all_land(tmp_path: Path) -> None:
    path = tmp_path / "content.git"
    with ContentRepo.init(path, bare=True, pipeline=PIPELINE) as repo:
        first = repo.save_draft(article("gout"), WRITER)
    go = tmp_path / "go"
    workers, each = 4, 8
    children = [
        subprocess.Popen(
            [sys.executable, "-c", RECORDER, str(path), "gout", str(worker), str(each), str(go)],
            env=child_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in range(workers)
    ]
    time.sleep(1.0)  # let every child import and open the repository
    go.touch()
    for child in children:
        _, stderr = child.communicate(timeout=120)
        assert child.returncode == 0, stderr
    assert int(git(path, "rev-list", "--count", "drafts/gout", f"^{first.sha}")) == workers * each
    subjects = git(path, "log", "--format=%s", "drafts/gout", f"^{first.sha}").split("\n")
    assert sorted(s for s in subjects if s) == sorted(
        f"Decision {w}-{n}" for w in range(workers) for n in range(each)
    )
    # Each decision commit is linear on the previous one: no decision was lost to a lost race.
    assert git(path, "rev-list", "--merges", "drafts/gout") == ""
    assert_fsck_clean(path)


def test_several_processes_publishing_different_articles_all_land(tmp_path: Path) -> None:
    slugs = [f"condition-{i}" for i in range(12)]
    path = make_repo(tmp_path, slugs)
    go = tmp_path / "go"
    groups = [slugs[0::3], slugs[1::3], slugs[2::3]]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", PUBLISHER, str(path), str(go), *group],
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for group in groups
    ]
    time.sleep(1.0)
    go.touch()
    for child in children:
        _, stderr = child.communicate(timeout=120)
        assert child.returncode == 0, stderr
    assert git(path, "for-each-ref", "refs/heads/drafts/") == ""
    tags = git(path, "for-each-ref", "--format=%(refname:short)", "refs/tags/published/").split()
    assert sorted(tags) == sorted(f"published/{slug}/v1" for slug in slugs)
    first_parent = git(path, "log", "--first-parent", "--format=%s", "main").splitlines()
    assert sorted(first_parent[:-1]) == sorted(f"Publish {slug} v1" for slug in slugs)
    tree = git(path, "ls-tree", "-r", "--name-only", "main").split()
    assert sorted(tree) == sorted([f"articles/{s}.md" for s in slugs] + [f"reviews/{s}.yaml" for s in slugs])
    assert_fsck_clean(path)


# A child process: publishes all the given slugs with one publish_many call.
BATCH_PUBLISHER = """
import sys, time
from datetime import date
from pathlib import Path
from content_repo import ContentRepo, Identity, Publication, PublicationRecord, text_content_hash
repo_path, go, slugs = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
repo = ContentRepo.open(repo_path)
clinician = Identity(name="Dr Carla Clinician", email="carla@example.org")
requests = []
for slug in slugs:
    text, _, head = repo.read_draft(slug)
    record = PublicationRecord(reviewers=[clinician], content_hash=text_content_hash(text),
                               approved_flags=1, reviewed_on=date(2026, 11, 24))
    requests.append((slug, head, record))
while not go.exists():
    time.sleep(0.001)
results = repo.publish_many(requests)
assert all(isinstance(r, Publication) for r in results), results
repo.close()
"""


def test_several_processes_publishing_batches_at_once_all_land(tmp_path: Path) -> None:
    slugs = [f"condition-{i}" for i in range(60)]
    path = make_repo(tmp_path, slugs)
    go = tmp_path / "go"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", BATCH_PUBLISHER, str(path), str(go), *slugs[start::3]],
            env=child_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        for start in range(3)
    ]
    time.sleep(1.5)
    go.touch()
    for child in children:
        _, stderr = child.communicate(timeout=120)
        assert child.returncode == 0, stderr
    assert all(consistent_publication_state(path, slugs).values())
    first_parent = git(path, "log", "--first-parent", "--format=%s", "main").splitlines()
    assert sorted(first_parent[:-1]) == sorted(f"Publish {slug} v1" for slug in slugs)
    assert_fsck_clean(path)


def publish_in_child(path: Path, slug: str, crash_at: str) -> subprocess.CompletedProcess[str]:
    """Publish `slug` in a child process that SIGKILLs itself at `crash_at`."""
    go = path.parent / "go-now"
    go.touch()
    return subprocess.run(
        [sys.executable, "-c", PUBLISHER, str(path), str(go), slug],
        env=child_env(**{CRASH_ENV: crash_at}),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("crash_at", "published"),
    [
        ("publish:blobs-written", False),
        ("publish:objects-written", False),
        ("publish:prepared", False),  # killed inside the ref transaction, refs locked
        ("publish:committed", True),
    ],
)
def test_a_publish_killed_half_way_leaves_refs_before_or_after(
    tmp_path: Path, crash_at: str, published: bool
) -> None:
    path = make_repo(tmp_path, ["gout"])
    main_before = ref(path, "refs/heads/main")
    draft_before = ref(path, "refs/heads/drafts/gout")
    done = publish_in_child(path, "gout", crash_at)
    assert done.returncode == -signal.SIGKILL, done.stderr
    time.sleep(0.2)  # the orphaned git update-ref reads end-of-file and aborts
    main_after = ref(path, "refs/heads/main")
    tag_after = ref(path, "refs/tags/published/gout/v1^{commit}")
    draft_after = ref(path, "refs/heads/drafts/gout")
    if published:
        assert main_after != main_before and tag_after == main_after and draft_after is None
    else:
        assert (main_after, tag_after, draft_after) == (main_before, None, draft_before)
        # The repository is usable: the same publish now completes.
        with ContentRepo.open(path) as repo:
            text, _, head = repo.read_draft("gout")
            assert repo.publish("gout", head, approved_record(text)).version == 1
    assert_fsck_clean(path)


def consistent_publication_state(path: Path, slugs: list[str]) -> dict[str, bool]:
    """For each slug: True when published. Fails unless draft, tag and main agree (before or after)."""
    main_history = set(git(path, "rev-list", "main").split())
    state = {}
    for slug in slugs:
        draft = ref(path, f"refs/heads/drafts/{slug}")
        tag = ref(path, f"refs/tags/published/{slug}/v1^{{commit}}")
        on_main = ref(path, f"main:articles/{slug}.md") is not None
        if tag is None:
            assert draft is not None and not on_main, f"{slug}: draft gone or article on main without a tag"
        else:
            assert draft is None and on_main and tag in main_history, f"{slug}: tag without its publication"
        state[slug] = tag is not None
    return state


@pytest.mark.slow
def test_publishers_killed_at_random_moments_never_leave_a_half_publication(tmp_path: Path) -> None:
    slugs = [f"condition-{i}" for i in range(60)]
    path = make_repo(tmp_path, slugs)
    go = tmp_path / "go"
    go.touch()
    rng = random.Random(4)
    remaining = list(slugs)
    kills = 0
    while remaining and kills < 8:
        child = subprocess.Popen(
            [sys.executable, "-c", PUBLISHER, str(path), str(go), *remaining],
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert child.stdout is not None
        child.stdout.readline()  # one publication done: the child is now publishing in a loop
        time.sleep(rng.uniform(0.0, 0.03))
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
        kills += child.returncode == -signal.SIGKILL
        time.sleep(0.2)
        state = consistent_publication_state(path, slugs)
        remaining = [slug for slug in slugs if not state[slug]]
    assert kills >= 3 and remaining, "the publishers were not killed in the middle of their work"
    assert_fsck_clean(path)
    with ContentRepo.open(path) as repo:
        for slug in remaining:
            text, _, head = repo.read_draft(slug)
            repo.publish(slug, head, approved_record(text))
    assert all(consistent_publication_state(path, slugs).values())
    assert_fsck_clean(path)


def test_two_processes_publishing_the_same_draft_publish_it_once(tmp_path: Path) -> None:
    path = make_repo(tmp_path, ["gout"])
    go = tmp_path / "go"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", PUBLISHER, str(path), str(go), "gout"],
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(1.0)
    go.touch()
    outcomes = [(*child.communicate(timeout=120), child.returncode) for child in children]
    winners = [out for out, _, code in outcomes if code == 0]
    losers = [err for _, err, code in outcomes if code != 0]
    assert winners == ["gout\n"] and len(losers) == 1
    assert "RefRaceError" in losers[0] or "NotFoundError: not found: draft 'gout'" in losers[0]
    assert git(path, "for-each-ref", "--format=%(refname)", "refs/tags/") == "refs/tags/published/gout/v1\n"
    assert_fsck_clean(path)
