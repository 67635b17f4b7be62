"""Publishing approved drafts onto main: one commit, one annotated tag and the draft's deletion each.

Every publication is its own ref transaction (`update main <new> <old>`, `create` the tag,
`delete` the draft at the approved head), so each is atomic and compare-and-swap safe. Publishing
many at once only batches the work around them: the reads are pipelined through the cat-file
session, the commits are chained in memory on top of main, and the transactions are streamed to
the update-ref session in order. If main moved under us, git refuses the first stale transaction
(and so all after it); the rest are rebuilt on the new tip and retried.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from content_repo.core import RepoCore
from content_repo.errors import ConflictError, ContentRepoError, NotFoundError, RefRaceError, SlugError
from content_repo.layout import (
    DRAFT_AUTHOR_TRAILER,
    DRAFT_BASE_TRAILER,
    MAIN,
    article_path,
    draft_ref,
    review_path,
    tag_name,
    tag_ref,
)
from content_repo.models import Identity, Publication, PublicationRecord
from content_repo.plumbing import crash_point, parse_commit
from content_repo.safety import MAX_ARTICLE_BYTES, check_size, check_slug
from content_repo.trailers import parse_trailers, with_trailers
from validators.frontmatter import stamp_review, text_content_hash

PublishRequest = tuple[str, str, PublicationRecord]  # (slug, expected draft commit, approval record)


@dataclass(frozen=True)
class _Prepared:
    """An approved draft checked and stamped, ready to be committed on whatever main is."""

    index: int
    slug: str
    head: str
    record: PublicationRecord
    base: str
    base_article: str | None
    ledger_blob: str | None
    article_blob: str
    author: Identity


@dataclass(frozen=True)
class _Built:
    prepared: _Prepared
    publication: Publication
    commands: list[str]


def publish_many(repo: RepoCore, requests: Sequence[PublishRequest]) -> list[Publication | ContentRepoError]:
    """Publish each request; the result at each position is its Publication or the error refusing it."""
    results: list[Publication | ContentRepoError | None] = [None] * len(requests)
    prepared = _prepare(repo, requests, results)
    crash_point("publish:blobs-written")
    pending = prepared
    for attempt in range(repo.ref_attempts):
        if not pending:
            break
        main = repo.require_main()
        built = _build_on(repo, main, pending, results)
        crash_point("publish:objects-written")
        if not built:
            break
        if len(built) == 1:
            try:
                repo.refs.apply(built[0].commands, crash_prefix="publish:")
                applied, rejection = 1, None
            except ContentRepoError as exc:
                applied, rejection = 0, exc
        else:
            applied, rejection = repo.refs.apply_many([b.commands for b in built])
        for done in built[:applied]:
            results[done.prepared.index] = done.publication
        if rejection is None:
            break
        refused = built[applied].prepared
        now = repo.objects.resolve(draft_ref(refused.slug))
        if now != refused.head:  # the draft moved or was published by someone else
            results[refused.index] = RefRaceError(draft_ref(refused.slug), refused.head, now)
            pending = [b.prepared for b in built[applied + 1 :]]
        else:  # main or a tag moved under us: rebuild the rest on the new tip
            pending = [b.prepared for b in built[applied:]]
        time.sleep(random.uniform(0, min(0.05, 0.001 * 2 ** min(attempt, 6))))
    else:
        for waiting in pending:
            if results[waiting.index] is None:
                results[waiting.index] = RefRaceError(MAIN, None, repo.objects.resolve(MAIN))
    return [r if r is not None else RefRaceError(MAIN, None, None) for r in results]


def _prepare(
    repo: RepoCore,
    requests: Sequence[PublishRequest],
    results: list[Publication | ContentRepoError | None],
) -> list[_Prepared]:
    """Check every request against its draft (pipelined reads) and write the stamped article blobs."""
    seen: set[str] = set()
    candidates: list[int] = []
    for index, (slug, _, _) in enumerate(requests):
        try:
            check_slug(slug)
        except SlugError as exc:
            results[index] = exc
            continue
        if slug in seen:
            results[index] = ConflictError(slug, "requested twice in one batch")
            continue
        seen.add(slug)
        candidates.append(index)
    heads = repo.objects.query_many([("info", draft_ref(requests[i][0])) for i in candidates])
    found: list[tuple[int, str]] = []
    for index, answer in zip(candidates, heads, strict=True):
        slug, expected, _ = requests[index]
        if answer is None:
            results[index] = NotFoundError(f"draft {slug!r}")
        elif answer[0] != expected:
            results[index] = RefRaceError(draft_ref(slug), expected, answer[0])
        else:
            found.append((index, answer[0]))
    reads = repo.objects.query_many(
        [
            request
            for index, head in found
            for request in (
                ("contents", head),
                ("contents", f"{head}:{article_path(requests[index][0])}"),
                ("info", f"{head}:{review_path(requests[index][0])}"),
            )
        ]
    )
    checked: list[tuple[int, str, str, str | None, str, dict[str, list[str]]]] = []
    for position, (index, head) in enumerate(found):
        slug, _, record = requests[index]
        commit, article, ledger = reads[3 * position : 3 * position + 3]
        if commit is None or commit[2] is None or article is None or article[2] is None:
            results[index] = NotFoundError(f"{article_path(slug)} on {draft_ref(slug)}")
            continue
        text = article[2].decode("utf-8", "replace")
        actual = text_content_hash(text)
        if actual != record.content_hash:
            results[index] = ConflictError(
                slug, f"the draft's content hash {actual} is not the approved {record.content_hash}"
            )
            continue
        trailers = parse_trailers(parse_commit(commit[2]).message)
        if not trailers.get(DRAFT_BASE_TRAILER):
            results[index] = ContentRepoError(f"draft commit {head} has no {DRAFT_BASE_TRAILER} trailer")
            continue
        ledger_blob = ledger[0] if ledger is not None and ledger[1] == "blob" else None
        checked.append((index, head, text, ledger_blob, trailers[DRAFT_BASE_TRAILER][-1], trailers))
    bases = repo.objects.query_many(
        [("info", f"{base}:{article_path(requests[index][0])}") for index, _, _, _, base, _ in checked]
    )
    prepared = []
    for (index, head, text, ledger_blob, base, trailers), base_article in zip(checked, bases, strict=True):
        slug, _, record = requests[index]
        stamped = stamp_review(text, [r.format() for r in record.reviewers], record.reviewed_on)
        prepared.append(
            _Prepared(
                index=index,
                slug=slug,
                head=head,
                record=record,
                base=base,
                base_article=base_article[0] if base_article is not None else None,
                ledger_blob=ledger_blob,
                article_blob=repo.objects.write("blob", check_size("article", stamped, MAX_ARTICLE_BYTES)),
                author=_writer(repo, head, base, trailers.get(DRAFT_AUTHOR_TRAILER, [])),
            )
        )
    return prepared


def _writer(repo: RepoCore, head: str, base: str, recorded: list[str]) -> Identity:
    """The writer of the approved text: the `Draft-Author:` trailer, else found by walking the draft."""
    if recorded:
        name, _, rest = recorded[-1].rpartition(" <")
        try:
            return Identity(name=name, email=rest.rstrip(">"))
        except ValueError:
            pass
    return repo.article_author(head, base)


def _latest_versions(repo: RepoCore, slugs: Sequence[str]) -> dict[str, int]:
    """The highest published version of each slug (0 when none), probing tags v1, v2... in batches."""
    versions = dict.fromkeys(slugs, 0)
    probing = list(versions)
    while probing:
        answers = repo.objects.query_many([("info", tag_ref(slug, versions[slug] + 1)) for slug in probing])
        probing = [slug for slug, answer in zip(probing, answers, strict=True) if answer is not None]
        for slug in probing:
            versions[slug] += 1
    return versions


def _build_on(
    repo: RepoCore,
    main: str,
    pending: Sequence[_Prepared],
    results: list[Publication | ContentRepoError | None],
) -> list[_Built]:
    """Chain one publication commit per pending draft on top of `main` (refusing conflicts)."""
    versions = _latest_versions(repo, [p.slug for p in pending])
    tree = repo.tree_of(main)
    parent = main
    built: list[_Built] = []
    for item in pending:
        if repo.objects.blob_at(tree, article_path(item.slug)) != item.base_article:
            results[item.index] = ConflictError(
                item.slug,
                f"main changed {article_path(item.slug)} after the draft was taken from {item.base[:12]}; "
                "resubmit the draft from the current main",
            )
            continue
        version = versions[item.slug] + 1
        tree = repo.objects.edit_tree(
            tree, {article_path(item.slug): item.article_blob, review_path(item.slug): item.ledger_blob}
        )
        record = item.record
        trailers = [("Reviewed-by", reviewer.format()) for reviewer in record.reviewers]
        trailers += [("Content-Hash", record.content_hash), ("Approved-Flags", str(record.approved_flags))]
        message = with_trailers(f"Publish {item.slug} v{version}", trailers)
        # Two parents: main, and the approved draft head, so the draft's submissions and decisions
        # stay in main's history (and on every clone) after the draft branch is deleted.
        commit = repo.make_commit(tree, [parent, item.head], item.author, message)
        name = tag_name(item.slug, version)
        tag = repo.make_tag(name, commit, f"Publish {item.slug} v{version}")
        commands = [
            f"update {MAIN} {commit} {parent}",
            f"create {tag_ref(item.slug, version)} {tag}",
            f"delete {draft_ref(item.slug)} {item.head}",
        ]
        built.append(
            _Built(item, Publication(slug=item.slug, version=version, commit=commit, tag=name), commands)
        )
        parent = commit
    return built
