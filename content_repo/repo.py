"""`ContentRepo`: drafts, review decisions and publications in a plain git repository.

Branch model (see ../shared/DESIGN.md): `main` holds what is published; `drafts/<slug>` holds a
draft under review (one commit per submission and per decision); publishing makes one commit on
main and the annotated tag `published/<slug>/vN`. Every write builds objects from the parent's tree
(`content_repo.plumbing`) and moves refs in one compare-and-swap transaction.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from content_repo.errors import (
    ConflictError,
    ContentRepoError,
    GitError,
    NotFoundError,
    RefRaceError,
    RepositoryError,
)
from content_repo.models import CommitInfo, DraftInfo, Identity, Publication, PublicationRecord, PublishedInfo
from content_repo.plumbing import (
    GitFailure,
    ObjectStore,
    RefUpdater,
    RefUpdateRejected,
    run_git,
)
from content_repo.safety import (
    MAX_ARTICLE_BYTES,
    MAX_FILE_BYTES,
    MAX_LEDGER_BYTES,
    MAX_MESSAGE_BYTES,
    REVIEWED_DIRECTORIES,
    check_ref_expression,
    check_repo_path,
    check_size,
    check_slug,
)
from content_repo.trailers import parse_trailers, with_trailers
from validators.frontmatter import strip_publishing_keys
from validators.models import Article

if TYPE_CHECKING:
    from content_repo.remote import PushReport

MAIN = "refs/heads/main"
DRAFT_PREFIX = "refs/heads/drafts/"
TAG_PREFIX = "refs/tags/published/"
ARCHIVE_PREFIX = "refs/archive/drafts/"
DRAFT_BASE_TRAILER = "Draft-Base"
DRAFT_AUTHOR_TRAILER = "Draft-Author"
DEFAULT_PIPELINE = Identity(name="Editorial pipeline", email="pipeline@editorial.invalid")

T = TypeVar("T")


def article_path(slug: str) -> str:
    """Where an article lives in the repository."""
    return f"articles/{slug}.md"


def review_path(slug: str) -> str:
    """Where an article's review ledger lives in the repository."""
    return f"reviews/{slug}.yaml"


def draft_ref(slug: str) -> str:
    """The branch of a draft under review."""
    return DRAFT_PREFIX + slug


def tag_ref(slug: str, version: int) -> str:
    """The tag of a published version."""
    return f"{TAG_PREFIX}{slug}/v{version}"


def text_content_hash(text: str) -> str:
    """The content hash of an article text, as `validators.models.Article.content_hash` computes it."""
    return "sha256:" + hashlib.sha256(strip_publishing_keys(text).encode("utf-8")).hexdigest()


def _git_signature(identity: Identity, when: datetime) -> str:
    offset = when.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return (
        f"{identity.format()} {int(when.timestamp())} {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    )


def _parse_signature(value: str) -> tuple[Identity, datetime]:
    name, _, rest = value.partition(" <")
    email, _, stamp = rest.partition("> ")
    seconds, _, zone = stamp.partition(" ")
    try:
        sign = -1 if zone.startswith("-") else 1
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])) * sign
        when = datetime.fromtimestamp(int(seconds), timezone(offset))
    except ValueError:
        when = datetime.fromtimestamp(0, UTC)
    try:
        identity = Identity(name=name.strip() or "unknown", email=email.strip())
    except ValueError:
        identity = Identity(name=name.strip() or "unknown", email="unknown@invalid")
    return identity, when


class ContentRepo:
    """A content repository: drafts, review decisions, publications, history, and its remote."""

    def __init__(
        self,
        git_dir: Path,
        *,
        pipeline: Identity = DEFAULT_PIPELINE,
        sign_commits: bool = False,
        ref_attempts: int = 100,
    ) -> None:
        self.git_dir = git_dir
        self.pipeline = pipeline
        self.sign_commits = sign_commits
        self.ref_attempts = ref_attempts
        self.objects = ObjectStore(git_dir)
        self.refs = RefUpdater(git_dir)

    # -- creation ------------------------------------------------------------------------------
    @classmethod
    def init(
        cls, path: str | Path, *, bare: bool = False, pipeline: Identity = DEFAULT_PIPELINE
    ) -> ContentRepo:
        """Create a repository at `path` (or adopt the one there) whose `main` has a first commit."""
        import git

        target = Path(path)
        try:
            target.mkdir(parents=True, exist_ok=True)
            repo = git.Repo.init(target, bare=bare, initial_branch="main")
            git_dir = Path(repo.git_dir).resolve()
            repo.close()
        except (git.GitError, OSError) as exc:
            raise RepositoryError(str(target), f"cannot create a git repository: {exc}") from exc
        content = cls._connect(git_dir, pipeline)
        content._ensure_main()
        content._point_unborn_head_at_main()
        return content

    @classmethod
    def open(cls, path: str | Path, *, pipeline: Identity = DEFAULT_PIPELINE) -> ContentRepo:
        """Open the existing repository at `path` (bare, or a work tree whose git directory is used)."""
        import git

        target = Path(path)
        try:
            repo = git.Repo(target, search_parent_directories=False)
            git_dir = Path(repo.git_dir).resolve()
            repo.close()
        except git.NoSuchPathError as exc:
            raise RepositoryError(str(target), "no such directory") from exc
        except git.InvalidGitRepositoryError as exc:
            raise RepositoryError(
                str(target), "not a git repository (create it with ContentRepo.init)"
            ) from exc
        content = cls._connect(git_dir, pipeline)
        content._ensure_main()
        return content

    @classmethod
    def _connect(cls, git_dir: Path, pipeline: Identity) -> ContentRepo:
        try:
            object_format = run_git(git_dir, ["rev-parse", "--show-object-format"]).decode().strip()
            sign = (
                run_git(git_dir, ["config", "--type=bool", "--default=false", "commit.gpgsign"])
                .decode()
                .strip()
            )
        except GitFailure as exc:
            raise RepositoryError(str(git_dir), exc.stderr) from exc
        if object_format != "sha1":
            raise RepositoryError(str(git_dir), f"object format {object_format} is not supported (sha1 only)")
        return cls(git_dir, pipeline=pipeline, sign_commits=sign == "true")

    def __getstate__(self) -> dict[str, object]:
        """Pickle as its settings only (Prefect may hash or ship it); helper processes restart lazily."""
        return {
            "git_dir": self.git_dir,
            "pipeline": self.pipeline,
            "sign_commits": self.sign_commits,
            "ref_attempts": self.ref_attempts,
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        git_dir = state["git_dir"]
        pipeline = state["pipeline"]
        assert isinstance(git_dir, Path) and isinstance(pipeline, Identity)
        self.__init__(  # type: ignore[misc]
            git_dir,
            pipeline=pipeline,
            sign_commits=bool(state["sign_commits"]),
            ref_attempts=int(str(state["ref_attempts"])),
        )

    def close(self) -> None:
        """Stop the helper git processes."""
        self.objects.close()
        self.refs.close()

    def __enter__(self) -> ContentRepo:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _ensure_main(self) -> None:
        if self.objects.resolve(MAIN) is not None:
            return
        tree = self.objects.write_tree({})
        commit = self._make_commit(tree, [], self.pipeline, "Initialize content repository\n")
        try:
            self.refs.apply([f"create {MAIN} {commit}"])
        except RefUpdateRejected:
            if self.objects.resolve(MAIN) is None:
                raise

    def _point_unborn_head_at_main(self) -> None:
        """When HEAD names a branch that does not exist (re-initialised repository), point it at main."""
        try:
            head = run_git(self.git_dir, ["symbolic-ref", "-q", "HEAD"]).decode().strip()
        except GitFailure:
            return  # detached HEAD: leave the user's choice alone
        if head != MAIN and self.objects.resolve(head) is None:
            self._git(["symbolic-ref", "HEAD", MAIN])

    # -- low-level helpers -----------------------------------------------------------------------
    def _git(self, args: Sequence[str], *, input: bytes | None = None) -> bytes:
        try:
            return run_git(self.git_dir, args, input=input)
        except GitFailure as exc:
            raise GitError(exc.command, exc.stderr) from exc

    def _make_commit(
        self,
        tree: str,
        parents: Sequence[str],
        author: Identity,
        message: str,
        *,
        when: datetime | None = None,
    ) -> str:
        """Write a commit object (through `git commit-tree -S` when signing is configured)."""
        check_size("commit message", message, MAX_MESSAGE_BYTES)
        moment = when or datetime.now(UTC)
        if not message.endswith("\n"):
            message += "\n"
        if self.sign_commits:
            stamp = f"@{int(moment.timestamp())} +0000"
            args = ["commit-tree", "-S", tree]
            for parent in parents:
                args += ["-p", parent]
            try:
                out = run_git(
                    self.git_dir,
                    args,
                    input=message.encode("utf-8"),
                    env={
                        "GIT_AUTHOR_NAME": author.name,
                        "GIT_AUTHOR_EMAIL": author.email,
                        "GIT_AUTHOR_DATE": stamp,
                        "GIT_COMMITTER_NAME": self.pipeline.name,
                        "GIT_COMMITTER_EMAIL": self.pipeline.email,
                        "GIT_COMMITTER_DATE": stamp,
                    },
                )
            except GitFailure as exc:
                raise GitError("commit-tree -S", exc.stderr) from exc
            return out.decode().strip()
        lines = [f"tree {tree}", *(f"parent {p}" for p in parents)]
        lines.append(f"author {_git_signature(author, moment)}")
        lines.append(f"committer {_git_signature(self.pipeline, moment)}")
        return self.objects.write("commit", ("\n".join(lines) + "\n\n" + message).encode("utf-8"))

    def _make_tag(self, name: str, commit: str, message: str) -> str:
        """Write an annotated tag object pointing at `commit`, tagged by the pipeline."""
        body = (
            f"object {commit}\ntype commit\ntag {name}\n"
            f"tagger {_git_signature(self.pipeline, datetime.now(UTC))}\n\n{message.rstrip()}\n"
        )
        return self.objects.write("tag", body.encode("utf-8"))

    def _tree_of(self, commit: str) -> str:
        return self.objects.read_commit(commit).tree

    def _blob_text(self, commit: str | None, path: str) -> str | None:
        if commit is None:
            return None
        found = self.objects.read(f"{commit}:{path}")
        if found is None or found[1] != "blob":
            return None
        return found[2].decode("utf-8", "replace")

    def _blob_id(self, commit: str | None, path: str) -> str | None:
        if commit is None:
            return None
        return self.objects.resolve_blob(commit, path)

    def commit_info(self, sha: str) -> CommitInfo:
        """A commit as a value object."""
        raw = self.objects.read_commit(sha)
        author, authored_at = _parse_signature(raw.author)
        committer, _ = _parse_signature(raw.committer)
        return CommitInfo(
            sha=sha,
            message=raw.message,
            author=author,
            committer=committer,
            authored_at=authored_at,
            trailers=parse_trailers(raw.message),
            parents=list(raw.parents),
        )

    def _retrying(self, ref: str, attempt_once: Callable[[int], T | None]) -> T:
        """Call `attempt_once(attempt)` until it returns a value; it returns None after a lost CAS race.

        Between attempts: a random pause of up to 1, 2, 4 ... 50 ms (jitter spreads racing writers).
        """
        for attempt in range(self.ref_attempts):
            result = attempt_once(attempt)
            if result is not None:
                return result
            time.sleep(random.uniform(0, min(0.05, 0.001 * 2 ** min(attempt, 6))))
        current = self.objects.resolve(ref)
        raise RefRaceError(ref, None, current)

    def _store_texts(self, texts: Mapping[str, bytes | None]) -> dict[str, str | None]:
        return {
            path: (None if data is None else self.objects.write("blob", data)) for path, data in texts.items()
        }

    # -- drafts ----------------------------------------------------------------------------------
    def save_draft(
        self,
        article: Article,
        author: Identity,
        *,
        ledger_text: str | None = None,
        message: str | None = None,
        expected_head: str | None = None,
        check_head: bool = False,
    ) -> CommitInfo:
        """Commit the article (and its ledger when given) on `drafts/<slug>`, made from main when new.

        With `check_head`, the draft must still be at `expected_head` (None: no draft yet), else
        RefRaceError: the caller read the previous ledger there and must read it again.
        """
        slug = check_slug(article.slug)
        files: dict[str, bytes | None] = {
            article_path(slug): check_size("article", article.text, MAX_ARTICLE_BYTES)
        }
        if ledger_text is not None:
            files[review_path(slug)] = check_size("review ledger", ledger_text, MAX_LEDGER_BYTES)
        return self._commit_on_draft(
            slug,
            files,
            author,
            message or f"Submit {slug}",
            expected_head=expected_head,
            must_exist=False,
            check_head=check_head,
        )

    def record_review(
        self,
        slug: str,
        ledger_text: str,
        reviewer: Identity,
        *,
        message: str,
        expected_head: str | None = None,
    ) -> CommitInfo:
        """Commit the review ledger on the draft, authored by the clinician.

        With `expected_head`, a draft that moved raises RefRaceError (re-validate, then retry);
        with None the decision is re-applied on whatever the tip is when a race is lost.
        """
        check_slug(slug)
        files: dict[str, bytes | None] = {
            review_path(slug): check_size("review ledger", ledger_text, MAX_LEDGER_BYTES)
        }
        return self._commit_on_draft(
            slug, files, reviewer, message, expected_head=expected_head, must_exist=True
        )

    def _commit_on_draft(
        self,
        slug: str,
        files: Mapping[str, bytes | None],
        author: Identity,
        message: str,
        *,
        expected_head: str | None,
        must_exist: bool,
        check_head: bool = False,
    ) -> CommitInfo:
        ref = draft_ref(slug)
        check_head = check_head or expected_head is not None
        blobs = self._store_texts(files)
        writes_article = article_path(slug) in files

        def attempt(_: int) -> CommitInfo | None:
            head = self.objects.resolve(ref)
            if check_head and head != expected_head:
                raise RefRaceError(ref, expected_head, head)
            writer = author.format() if writes_article else None
            if head is None:
                if must_exist:
                    raise NotFoundError(f"draft {slug!r} (no branch {ref})")
                parent = self.objects.resolve(MAIN)
                if parent is None:
                    raise NotFoundError("branch main")
                base = parent
                command = f"create {ref} {{new}}"
            else:
                parent = head
                trailers = parse_trailers(self.objects.read_commit(head).message)
                base = self._draft_base(head)
                recorded = trailers.get(DRAFT_AUTHOR_TRAILER)
                writer = writer or (recorded[-1] if recorded else None)
                command = f"update {ref} {{new}} {head}"
            tree = self.objects.edit_tree(self._tree_of(parent), blobs)
            # Carried on every draft commit: the main commit the draft started from, and the writer
            # of its current text (so publishing needs one commit read, not a walk of the draft).
            draft_trailers = [(DRAFT_BASE_TRAILER, base)]
            if writer:
                draft_trailers.append((DRAFT_AUTHOR_TRAILER, writer))
            commit = self._make_commit(tree, [parent], author, with_trailers(message, draft_trailers))
            try:
                self.refs.apply([command.format(new=commit)])
            except RefUpdateRejected as exc:
                if check_head:
                    raise RefRaceError(ref, expected_head, self.objects.resolve(ref)) from exc
                return None
            return self.commit_info(commit)

        return self._retrying(ref, attempt)

    def _draft_base(self, head: str) -> str:
        """The main commit a draft started from: its `Draft-Base:` trailer, copied onto each draft commit."""
        values = parse_trailers(self.objects.read_commit(head).message).get(DRAFT_BASE_TRAILER)
        if not values:
            raise ContentRepoError(f"draft commit {head} has no {DRAFT_BASE_TRAILER} trailer")
        return values[-1]

    def read_draft(self, slug: str) -> tuple[str, str | None, str]:
        """(article text, ledger text or None, head sha) of the draft; NotFoundError without a draft."""
        check_slug(slug)
        head = self.objects.resolve(draft_ref(slug))
        if head is None:
            raise NotFoundError(f"draft {slug!r}")
        text = self._blob_text(head, article_path(slug))
        if text is None:
            raise NotFoundError(f"{article_path(slug)} on {draft_ref(slug)}")
        return text, self._blob_text(head, review_path(slug)), head

    def discard_draft(self, slug: str, expected_head: str) -> str:
        """Retire `drafts/<slug>` when still at `expected_head`; returns the archive ref that keeps it.

        The draft's commits (submissions and decisions) stay reachable under
        `refs/archive/drafts/<slug>/<head>`, so nothing of the record is lost. Used when a draft
        conflicts with main and the writer must start again from the current main.
        """
        check_slug(slug)
        check_ref_expression(expected_head)
        ref = draft_ref(slug)
        archive = f"{ARCHIVE_PREFIX}{slug}/{expected_head}"
        try:
            self.refs.apply([f"delete {ref} {expected_head}", f"create {archive} {expected_head}"])
        except RefUpdateRejected as exc:
            raise RefRaceError(ref, expected_head, self.objects.resolve(ref)) from exc
        return archive

    def list_drafts(self) -> list[DraftInfo]:
        """Every draft under review, by slug."""
        drafts = []
        for ref, head in self._refs(DRAFT_PREFIX):
            info = self.commit_info(head)
            raw = self.objects.read_commit(head)
            _, committed_at = _parse_signature(raw.committer)
            base = info.trailers.get(DRAFT_BASE_TRAILER, [""])[-1]
            slug = ref[len(DRAFT_PREFIX) :]
            drafts.append(
                DraftInfo(
                    slug=slug, branch=ref[len("refs/heads/") :], head=head, updated_at=committed_at, base=base
                )
            )
        return sorted(drafts, key=lambda d: d.slug)

    def _refs(self, prefix: str) -> Iterator[tuple[str, str]]:
        out = self._git(["for-each-ref", "--format=%(refname) %(objectname)", prefix]).decode()
        for line in out.splitlines():
            ref, _, oid = line.partition(" ")
            yield ref, oid

    # -- reading ---------------------------------------------------------------------------------
    def read(self, slug: str, ref: str = "main") -> str | None:
        """The article text at `ref`, or None when it is not there."""
        check_slug(slug)
        return self.read_path(article_path(slug), ref)

    def read_path(self, path: str, ref: str = "main") -> str | None:
        """Any file's text at `ref` (e.g. roster.yaml, policy.yaml, reviews/<slug>.yaml), or None."""
        check_repo_path(path)
        check_ref_expression(ref)
        commit = self.objects.resolve(f"{ref}^{{commit}}")
        return self._blob_text(commit, path)

    # -- main --------------------------------------------------------------------------------------
    def write_path(
        self,
        path: str,
        text: str,
        author: Identity,
        *,
        message: str,
        expected_text: str | None = None,
    ) -> CommitInfo:
        """Commit one file on main (roster.yaml, policy.yaml...); articles and reviews go through publish.

        With `expected_text`, the file must still hold that text (ConflictError otherwise). A lost
        race is retried on the new tip only when the file itself did not change meanwhile (otherwise
        ConflictError: the other change is never overwritten).
        """
        check_repo_path(path)
        if path.startswith(REVIEWED_DIRECTORIES):
            raise ConflictError(path, "articles and reviews reach main only by publishing a reviewed draft")
        blob = self.objects.write("blob", check_size(path, text, MAX_FILE_BYTES))
        first_seen: list[str | None] = []

        def attempt(_: int) -> CommitInfo | None:
            main = self._require_main()
            current = self._blob_id(main, path)
            if not first_seen:
                first_seen.append(current)
                if expected_text is not None:
                    actual = self._blob_text(main, path)
                    if actual != expected_text:
                        raise ConflictError(path, "the file changed on main since it was read")
            elif current != first_seen[0]:
                raise ConflictError(path, "another writer changed this file on main at the same time")
            tree = self.objects.edit_tree(self._tree_of(main), {path: blob})
            return self._advance_main(main, tree, author, message)

        return self._retrying(MAIN, attempt)

    def _advance_main(self, main: str, tree: str, author: Identity, message: str) -> CommitInfo | None:
        """A commit of `tree` on `main`, moved onto main from `main` (None: another writer moved it)."""
        commit = self._make_commit(tree, [main], author, message)
        try:
            self.refs.apply([f"update {MAIN} {commit} {main}"])
        except RefUpdateRejected:
            return None
        return self.commit_info(commit)

    def _require_main(self) -> str:
        main = self.objects.resolve(MAIN)
        if main is None:
            raise NotFoundError("branch main")
        return main

    # -- publishing ------------------------------------------------------------------------------
    def _latest_version(self, slug: str) -> int:
        """The highest N with a tag published/<slug>/vN (0 when none).

        Probed through the cat-file session (no process per call). Versions are only ever created
        as 1 + the highest, inside the same transaction that moves main, and never deleted, so
        they are contiguous from v1.
        """
        version = 0
        while self.objects.resolve(tag_ref(slug, version + 1)) is not None:
            version += 1
        return version

    def publish(self, slug: str, expected_draft_commit: str, record: PublicationRecord) -> Publication:
        """Put exactly the approved draft on main in one commit, tag it, delete the draft: one transaction.

        Raises RefRaceError when the draft is no longer at `expected_draft_commit`, ConflictError
        when the draft text does not hash to `record.content_hash` or when main changed the article
        after the draft was taken, NotFoundError when there is no draft.
        """
        from content_repo.publishing import publish_many

        [result] = publish_many(self, [(slug, expected_draft_commit, record)])
        if isinstance(result, ContentRepoError):
            raise result
        return result

    def publish_many(
        self, requests: Sequence[tuple[str, str, PublicationRecord]]
    ) -> list[Publication | ContentRepoError]:
        """Publish many approved drafts, each its own commit, tag and atomic CAS transaction.

        `requests` are (slug, expected draft commit, record); the result at each position is the
        Publication, or the error that refused that one (the others are not affected).
        """
        from content_repo.publishing import publish_many

        return publish_many(self, requests)

    def _article_author(self, head: str, base: str) -> Identity:
        """The author of the draft commit that last changed the article text (the writer)."""
        commit = head
        for _ in range(10_000):
            raw = self.objects.read_commit(commit)
            parent = raw.parents[0] if raw.parents else None
            # Draft commits change only this slug's two files, so the `articles` subtree changes
            # exactly when the article does (one small root tree read instead of a large subtree).
            if parent is None or commit == base or self._articles_tree(commit) != self._articles_tree(parent):
                return _parse_signature(raw.author)[0]
            commit = parent
        return self.pipeline

    def _articles_tree(self, commit: str) -> str | None:
        entry = self.objects.read_tree(self._tree_of(commit)).get("articles")
        return entry.oid if entry is not None else None

    def rollback(self, slug: str, version: int, actor: Identity) -> Publication:
        """Publish again what version `version` published, as a new commit and a new version tag."""
        check_slug(slug)
        old_tag = tag_ref(slug, version)
        old_commit = self.objects.resolve(f"{old_tag}^{{commit}}")
        if old_commit is None:
            raise NotFoundError(f"published version {slug} v{version} (no tag {old_tag})")
        article_blob = self._blob_id(old_commit, article_path(slug))
        if article_blob is None:
            raise NotFoundError(f"{article_path(slug)} in {old_tag}")
        ledger_blob = self._blob_id(old_commit, review_path(slug))
        old_trailers = parse_trailers(self.objects.read_commit(old_commit).message)

        def attempt(_: int) -> Publication | None:
            main = self._require_main()
            new_version = self._latest_version(slug) + 1
            tree = self.objects.edit_tree(
                self._tree_of(main), {article_path(slug): article_blob, review_path(slug): ledger_blob}
            )
            trailers = [("Rollback-To", f"v{version}")]
            for key in ("Reviewed-by", "Content-Hash", "Approved-Flags"):
                trailers += [(key, value) for value in old_trailers.get(key, [])]
            message = with_trailers(f"Roll back {slug} to v{version} (published as v{new_version})", trailers)
            commit = self._make_commit(tree, [main], actor, message)
            tag_name = f"published/{slug}/v{new_version}"
            tag = self._make_tag(tag_name, commit, f"Roll back {slug} to v{version}")
            commands = [f"update {MAIN} {commit} {main}", f"create refs/tags/{tag_name} {tag}"]
            try:
                self.refs.apply(commands)
            except RefUpdateRejected:
                return None
            return Publication(slug=slug, version=new_version, commit=commit, tag=tag_name)

        return self._retrying(MAIN, attempt)

    def unpublish(self, slug: str, actor: Identity) -> CommitInfo:
        """Remove the article and its review from main in a new commit (tags and history stay)."""
        check_slug(slug)

        def attempt(_: int) -> CommitInfo | None:
            main = self._require_main()
            if self._blob_id(main, article_path(slug)) is None:
                raise NotFoundError(f"{article_path(slug)} on main (not published)")
            tree = self.objects.edit_tree(
                self._tree_of(main), {article_path(slug): None, review_path(slug): None}
            )
            message = with_trailers(
                f"Unpublish {slug}", [("Unpublished-Version", f"v{self._latest_version(slug)}")]
            )
            return self._advance_main(main, tree, actor, message)

        return self._retrying(MAIN, attempt)

    # -- history and listings ---------------------------------------------------------------------
    def history(self, slug: str) -> list[CommitInfo]:
        """Every commit that touched the article or its review on main or its draft, newest first."""
        check_slug(slug)
        revisions = [MAIN]
        if self.objects.resolve(draft_ref(slug)) is not None:
            revisions.append(draft_ref(slug))
        paths = [article_path(slug), review_path(slug)]
        out = self._git(["log", "--topo-order", "--full-history", "--format=%H", *revisions, "--", *paths])
        return [self.commit_info(sha) for sha in out.decode().split()]

    def list_published(self) -> list[PublishedInfo]:
        """Every article on main, with its latest version tag (0 when it has none) and its text."""
        main = self._require_main()
        articles_tree = self.objects.read_tree(self._tree_of(main)).get("articles")
        if articles_tree is None or not articles_tree.is_tree:
            return []
        latest: dict[str, tuple[int, str]] = {}
        out = self._git(
            ["for-each-ref", "--format=%(refname) %(objectname) %(*objectname)", TAG_PREFIX]
        ).decode()
        for line in out.splitlines():
            ref, oid, peeled = [*line.split(" "), "", ""][:3]
            slug, _, version_text = ref[len(TAG_PREFIX) :].rpartition("/")
            if not version_text.startswith("v") or not version_text[1:].isdigit():
                continue
            version = int(version_text[1:])
            if version > latest.get(slug, (0, ""))[0]:
                latest[slug] = (version, peeled or oid)
        published = []
        for name, entry in sorted(self.objects.read_tree(articles_tree.oid).items()):
            if entry.is_tree or not name.endswith(".md"):
                continue
            slug = name[: -len(".md")]
            found = self.objects.read(entry.oid)
            text = found[2].decode("utf-8", "replace") if found else ""
            version, commit = latest.get(slug, (0, main))
            published.append(PublishedInfo(slug=slug, version=version, commit=commit, text=text))
        return published

    def maintain(self) -> None:
        """Pack loose objects when git thinks it is time (`git gc --auto`; safe next to writers)."""
        self._git(["gc", "--auto", "--quiet"])

    def fsck(self) -> list[str]:
        """Problems `git fsck --strict` reports (empty when the repository is sound)."""
        try:
            run_git(self.git_dir, ["fsck", "--strict", "--no-progress"])
        except GitFailure as exc:
            return exc.stderr.splitlines() or [f"git fsck exited {exc.returncode}"]
        return []

    # -- remote ------------------------------------------------------------------------------------
    def remotes(self) -> list[str]:
        """The names of the configured remotes, sorted."""
        from content_repo import remote as remote_sync

        return remote_sync.list_remotes(self)

    def add_remote(self, name: str, url: str) -> None:
        """Add the remote `name` at `url` (or re-point it)."""
        from content_repo import remote as remote_sync

        remote_sync.add_remote(self, name, url)

    def fetch(
        self,
        remote: str = "origin",
        *,
        attempts: int = 4,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
        timeout: float = 120.0,
    ) -> None:
        """Fetch the remote's branches and publication tags, retrying with exponential backoff."""
        from content_repo import remote as remote_sync

        remote_sync.fetch(
            self, remote, attempts=attempts, base_delay=base_delay, max_delay=max_delay, timeout=timeout
        )

    def push(
        self,
        remote: str = "origin",
        *,
        attempts: int = 4,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
        timeout: float = 120.0,
        drafts: bool = True,
    ) -> PushReport:
        """Push main and the publication tags atomically (reconciling a moved remote), then the drafts.

        Raises RemoteError naming the remote and the reason when every attempt failed; local
        publications stay in place, so calling push again later sends them.
        """
        from content_repo import remote as remote_sync

        return remote_sync.push(
            self,
            remote,
            attempts=attempts,
            base_delay=base_delay,
            max_delay=max_delay,
            timeout=timeout,
            drafts=drafts,
        )
