"""Publish 1,000 approved articles (one commit + one tag each, then one push) against `git fast-import`.

Run: .venv/bin/python benchmarks/bench_publish.py [--count 1000]
Publishes the drafts once with one `publish()` call each and once with one `publish_many()` batch
(each publication still its own commit, tag and CAS transaction), pushes each result to a bare
remote, and prints the times and their ratio to a `git fast-import` of the same commits and tags
(then pushed the same way) measured in the same run. Goal: 1,000 publications + push <= 20 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")

from content_repo import ContentRepo, Identity, PublicationRecord, text_content_hash
from validators.frontmatter import stamp_review
from validators.parser import parse_article

WRITER = Identity(name="Wendy Writer", email="wendy@example.org")
CLINICIAN = Identity(name="Dr Carla Clinician", email="carla@example.org")
PIPELINE = Identity(name="Editorial pipeline", email="pipeline@example.org")
REVIEWED_ON = date(2026, 11, 24)


def article_text(index: int) -> str:
    """A realistic ~2 KB condition article."""
    slug = f"condition-{index:04d}"
    body = (
        f"Condition {index} is a long-term illness. It can cause tiredness, aches and a mild fever. "
        "A doctor can check for it with a blood test and treat it with rest and fluids. "
    ) * 6
    return (
        f"---\ntitle: Condition {index}\nslug: {slug}\ntype: condition\nauthor: wendy-writer\n"
        f'sources:\n  - "Source {index}"\n---\n\n## What is it?\n\n{body}\n\n## Symptoms\n\n{body}\n\n'
        "## Treatment\n\nAsk your doctor.\n\n## Disclaimer\n\nThis article is not medical advice.\n"
    )


def ledger_text(index: int) -> str:
    """A small review ledger."""
    return (
        f"slug: condition-{index:04d}\nflags:\n  - term: blood test\n    status: approved\n"
        f"    by: {CLINICIAN.email}\n"
    )


def git(git_dir: Path, *args: str, input: bytes | None = None) -> bytes:
    """Run git in `git_dir` and return stdout."""
    done = subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], input=input, capture_output=True, check=True
    )
    return done.stdout


def fast_import_baseline(root: Path, count: int) -> tuple[float, float]:
    """Seconds for `git fast-import` to write the same publications, and for pushing them."""
    repo = root / "fastimport.git"
    remote = root / "fastimport-remote.git"
    git(root, "init", "-q", "--bare", str(repo))
    git(root, "init", "-q", "--bare", str(remote))
    chunks: list[bytes] = []
    who = f"{PIPELINE.format()} 1700000000 +0000"
    for i in range(count):
        slug = f"condition-{i:04d}"
        article = stamp_review(article_text(i), [CLINICIAN.format()], REVIEWED_ON).encode()
        ledger = ledger_text(i).encode()
        message = (
            f"Publish {slug} v1\n\nReviewed-by: {CLINICIAN.format()}\n"
            f"Content-Hash: {text_content_hash(article_text(i))}\nApproved-Flags: 1\n"
        ).encode()
        parent = b"" if i == 0 else b"from :%d\n" % (i,)
        chunks.append(
            b"commit refs/heads/main\nmark :%d\ncommitter %s\ndata %d\n%s%s"
            % (i + 1, who.encode(), len(message), message, parent)
        )
        chunks.append(
            b"M 100644 inline articles/%s.md\ndata %d\n%s\n" % (slug.encode(), len(article), article)
        )
        chunks.append(
            b"M 100644 inline reviews/%s.yaml\ndata %d\n%s\n" % (slug.encode(), len(ledger), ledger)
        )
        tag_message = f"Publish {slug} v1\n".encode()
        chunks.append(
            b"tag published/%s/v1\nfrom :%d\ntagger %s\ndata %d\n%s\n"
            % (slug.encode(), i + 1, who.encode(), len(tag_message), tag_message)
        )
    stream = b"".join(chunks)
    started = time.perf_counter()
    git(repo, "fast-import", "--quiet", input=stream)
    imported = time.perf_counter() - started
    started = time.perf_counter()
    git(
        repo,
        "push",
        "-q",
        str(remote),
        "refs/heads/main:refs/heads/main",
        "refs/tags/published/*:refs/tags/published/*",
    )
    return imported, time.perf_counter() - started


def prepared_repository(root: Path, name: str, count: int) -> tuple[ContentRepo, dict[str, str], float]:
    """A repository with `count` drafts, each submitted then approved; returns it, the heads, the seconds."""
    repo = ContentRepo.init(root / f"{name}.git", bare=True, pipeline=PIPELINE)
    git(root, "init", "-q", "--bare", str(root / f"{name}-remote.git"))
    repo.add_remote("origin", str(root / f"{name}-remote.git"))
    started = time.perf_counter()
    heads = {}
    for i in range(count):
        article = parse_article(article_text(i), f"condition-{i:04d}.md")
        repo.save_draft(article, WRITER)
        heads[article.slug] = repo.record_review(
            article.slug, ledger_text(i), CLINICIAN, message="Approve 1 flag"
        ).sha
    return repo, heads, time.perf_counter() - started


def approval(i: int) -> PublicationRecord:
    """The approval record of article `i`."""
    return PublicationRecord(
        reviewers=[CLINICIAN],
        content_hash=text_content_hash(article_text(i)),
        approved_flags=1,
        reviewed_on=REVIEWED_ON,
    )


def push_and_check(root: Path, name: str, repo: ContentRepo, count: int) -> float:
    """Push to the bare remote; check one commit and one tag per publication arrived; return seconds."""
    started = time.perf_counter()
    repo.push("origin", drafts=False)
    pushing = time.perf_counter() - started
    remote = root / f"{name}-remote.git"
    tags = git(remote, "for-each-ref", "refs/tags/published/").count(b"\n")
    commits = int(git(remote, "rev-list", "--count", "--first-parent", "main").strip()) - 1
    assert (tags, commits) == (count, count), (tags, commits)
    git(root / f"{name}.git", "fsck", "--strict")
    repo.close()
    return pushing


def main() -> None:
    """Set up drafts, time the publications and the push (one call each, then one batch), compare."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    count = parser.parse_args().count
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        repo, heads, setup = prepared_repository(root, "single", count)
        started = time.perf_counter()
        for i in range(count):
            slug = f"condition-{i:04d}"
            repo.publish(slug, heads[slug], approval(i))
        single = time.perf_counter() - started
        single_push = push_and_check(root, "single", repo, count)

        repo, heads, _ = prepared_repository(root, "batch", count)
        started = time.perf_counter()
        requests = [(f"condition-{i:04d}", heads[f"condition-{i:04d}"], approval(i)) for i in range(count)]
        results = repo.publish_many(requests)
        batch = time.perf_counter() - started
        assert all(not isinstance(result, Exception) for result in results)
        batch_push = push_and_check(root, "batch", repo, count)

        fast_import, fast_push = fast_import_baseline(root, count)

    baseline = fast_import + fast_push
    print(f"setup ({count} drafts, each saved then reviewed): {setup:.2f} s")
    print(
        f"git fast-import of the same {count} commits + tags: {fast_import:.2f} s; "
        f"its push: {fast_push:.2f} s"
    )
    for label, publishing, pushing in (
        (f"publish() x{count}", single, single_push),
        (f"publish_many({count})", batch, batch_push),
    ):
        total = publishing + pushing
        verdict = "met" if total <= 20 else "NOT met"
        print(
            f"{label}: {publishing:.2f} s ({count / publishing:.0f}/s) + push {pushing:.2f} s "
            f"= {total:.2f} s; {total / baseline:.1f}x fast-import+push; goal <= 20 s {verdict}"
        )


if __name__ == "__main__":
    main()
