"""`ContentRepo`: drafts, review decisions and publications in a plain git repository.

Branch model (see ../shared/DESIGN.md): `main` holds what is published; `drafts/<slug>` holds a
draft under review (one commit per submission and per decision); publishing makes one commit on
main and the annotated tag `published/<slug>/vN`. Every write builds objects from the parent's tree
(`content_repo.plumbing`) and moves refs in one compare-and-swap transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

from content_repo import history, publishing
from content_repo import remote as remote_sync
from content_repo.core import RepoCore, parse_signature
from content_repo.errors import (
    ConflictError,
    ContentRepoError,
    NotFoundError,
    RefRaceError,
    RepositoryError,
)
from content_repo.layout import (
    ARTICLES_DIRECTORY,
    DRAFT_AUTHOR_TRAILER,
    DRAFT_BASE_TRAILER,
    DRAFT_PREFIX,
    MAIN,
    REVIEWED_DIRECTORIES,
    TAG_PREFIX,
    archive_ref,
    article_path,
    draft_ref,
    parse_tag_ref,
    review_path,
    tag_name,
    tag_ref,
)
from content_repo.models import (
    CommitInfo,
    DraftHistory,
    DraftInfo,
    GovernanceVersion,
    Identity,
    Publication,
    PublicationRecord,
    PublishedInfo,
)
from content_repo.plumbing import GitFailure, ObjectStore, RefUpdater, RefUpdateRejected, run_git
from content_repo.remote import PushReport
from content_repo.safety import (
    MAX_ARTICLE_BYTES,
    MAX_FILE_BYTES,
    MAX_LEDGER_BYTES,
    check_ref_expression,
    check_repo_path,
    check_size,
    check_slug,
)
from content_repo.signing import SignatureFacts, SigningKey
from content_repo.trailers import parse_trailers, with_trailers
from validators.frontmatter import text_content_hash
from validators.models import Article

DEFAULT_PIPELINE = Identity(name="Editorial pipeline", email="pipeline@editorial.invalid")

__all__ = ["DEFAULT_PIPELINE", "ContentRepo", "text_content_hash"]


class ContentRepo:
    """A content repository: drafts, review decisions, publications, history, and its remote."""

    def __init__(
        self,
        git_dir: Path,
        *,
        pipeline: Identity = DEFAULT_PIPELINE,
        signer: SigningKey | None = None,
        ref_attempts: int = 100,
    ) -> None:
        self.core = RepoCore(git_dir, pipeline=pipeline, signer=signer, ref_attempts=ref_attempts)

    @property
    def git_dir(self) -> Path:
        """The repository's git directory."""
        return self.core.git_dir

    @property
    def pipeline(self) -> Identity:
        """The identity that commits on everyone's behalf (the committer of every commit)."""
        return self.core.pipeline

    @property
    def signer(self) -> SigningKey | None:
        """The key that signs commits made without their own `signer` (None: unsigned)."""
        return self.core.signer

    @property
    def sign_commits(self) -> bool:
        """True when commits made without their own `signer` are signed."""
        return self.core.signer is not None

    @property
    def ref_attempts(self) -> int:
        """How many times a write lost to a concurrent writer is tried again."""
        return self.core.ref_attempts

    @property
    def objects(self) -> ObjectStore:
        """The object store (reads through one cat-file session)."""
        return self.core.objects

    @property
    def refs(self) -> RefUpdater:
        """The ref-transaction session."""
        return self.core.refs

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
    def _connect(cls, git_dir: Path, pipeline: Identity, signer: SigningKey | None = None) -> ContentRepo:
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
        if signer is None and sign == "true":
            signer = SigningKey()  # the repository's own signing configuration
        return cls(git_dir, pipeline=pipeline, signer=signer)

    def __getstate__(self) -> dict[str, object]:
        """Pickle as its settings only (Prefect may hash or ship it); helper processes restart lazily."""
        return {
            "git_dir": self.git_dir,
            "pipeline": self.pipeline,
            "signer": self.signer,
            "ref_attempts": self.ref_attempts,
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        git_dir = state["git_dir"]
        pipeline = state["pipeline"]
        signer = state["signer"]
        assert isinstance(git_dir, Path) and isinstance(pipeline, Identity)
        assert signer is None or isinstance(signer, SigningKey)
        self.__init__(  # type: ignore[misc]
            git_dir,
            pipeline=pipeline,
            signer=signer,
            ref_attempts=int(str(state["ref_attempts"])),
        )

    def close(self) -> None:
        """Stop the helper git processes."""
        self.core.close()

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
        commit = self.core.make_commit(tree, [], self.pipeline, "Initialize content repository\n")
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
            self.core.git(["symbolic-ref", "HEAD", MAIN])

    def commit_info(self, sha: str) -> CommitInfo:
        """A commit as a value object."""
        return self.core.commit_info(sha)

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
        signer: SigningKey | None = None,
    ) -> CommitInfo:
        """Commit the article (and its ledger when given) on `drafts/<slug>`, made from main when new.

        With `check_head`, the draft must still be at `expected_head` (None: no draft yet), else
        RefRaceError: the caller read the previous ledger there and must read it again.
        `signer` signs this commit (the writer's key); without it the repository's default applies.
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
            signer=signer,
        )

    def record_review(
        self,
        slug: str,
        ledger_text: str,
        reviewer: Identity,
        *,
        message: str,
        expected_head: str | None = None,
        signer: SigningKey | None = None,
    ) -> CommitInfo:
        """Commit the review ledger on the draft, authored by the clinician and signed by `signer`.

        With `expected_head`, a draft that moved raises RefRaceError (re-validate, then retry);
        with None the decision is re-applied on whatever the tip is when a race is lost.
        """
        check_slug(slug)
        files: dict[str, bytes | None] = {
            review_path(slug): check_size("review ledger", ledger_text, MAX_LEDGER_BYTES)
        }
        return self._commit_on_draft(
            slug, files, reviewer, message, expected_head=expected_head, must_exist=True, signer=signer
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
        signer: SigningKey | None,
    ) -> CommitInfo:
        ref = draft_ref(slug)
        check_head = check_head or expected_head is not None
        blobs = self.core.store_texts(files)
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
            tree = self.objects.edit_tree(self.core.tree_of(parent), blobs)
            # Carried on every draft commit: the main commit the draft started from, and the writer
            # of its current text (so publishing needs one commit read, not a walk of the draft).
            draft_trailers = [(DRAFT_BASE_TRAILER, base)]
            if writer:
                draft_trailers.append((DRAFT_AUTHOR_TRAILER, writer))
            commit = self.core.make_commit(
                tree, [parent], author, with_trailers(message, draft_trailers), signer=signer
            )
            try:
                self.refs.apply([command.format(new=commit)])
            except RefUpdateRejected as exc:
                if check_head:
                    raise RefRaceError(ref, expected_head, self.objects.resolve(ref)) from exc
                return None
            return self.commit_info(commit)

        return self.core.retrying(ref, attempt)

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
        text = self.core.blob_text(head, article_path(slug))
        if text is None:
            raise NotFoundError(f"{article_path(slug)} on {draft_ref(slug)}")
        return text, self.core.blob_text(head, review_path(slug)), head

    def discard_draft(self, slug: str, expected_head: str) -> str:
        """Retire `drafts/<slug>` when still at `expected_head`; returns the archive ref that keeps it.

        The draft's commits (submissions and decisions) stay reachable under
        `refs/archive/drafts/<slug>/<head>`, so nothing of the record is lost. Used when a draft
        conflicts with main and the writer must start again from the current main.
        """
        check_slug(slug)
        check_ref_expression(expected_head)
        ref = draft_ref(slug)
        archive = archive_ref(slug, expected_head)
        try:
            self.refs.apply([f"delete {ref} {expected_head}", f"create {archive} {expected_head}"])
        except RefUpdateRejected as exc:
            raise RefRaceError(ref, expected_head, self.objects.resolve(ref)) from exc
        return archive

    def list_drafts(self) -> list[DraftInfo]:
        """Every draft under review, by slug."""
        drafts = []
        for ref, head in self.core.list_refs(DRAFT_PREFIX):
            info = self.commit_info(head)
            raw = self.objects.read_commit(head)
            _, committed_at = parse_signature(raw.committer)
            base = info.trailers.get(DRAFT_BASE_TRAILER, [""])[-1]
            slug = ref[len(DRAFT_PREFIX) :]
            drafts.append(
                DraftInfo(
                    slug=slug, branch=ref[len("refs/heads/") :], head=head, updated_at=committed_at, base=base
                )
            )
        return sorted(drafts, key=lambda d: d.slug)

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
        return self.core.blob_text(commit, path)

    # -- main --------------------------------------------------------------------------------------
    def write_path(
        self,
        path: str,
        text: str,
        author: Identity,
        *,
        message: str,
        expected_text: str | None = None,
        signer: SigningKey | None = None,
    ) -> CommitInfo:
        """Commit one file on main (roster.yaml, policy.yaml...); articles and reviews go through publish.

        `signer` signs the commit (an editor's key for the roster and policy).

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
            main = self.core.require_main()
            current = self.core.blob_id(main, path)
            if not first_seen:
                first_seen.append(current)
                if expected_text is not None:
                    actual = self.core.blob_text(main, path)
                    if actual != expected_text:
                        raise ConflictError(path, "the file changed on main since it was read")
            elif current != first_seen[0]:
                raise ConflictError(path, "another writer changed this file on main at the same time")
            tree = self.objects.edit_tree(self.core.tree_of(main), {path: blob})
            return self._advance_main(main, tree, author, message, signer=signer)

        return self.core.retrying(MAIN, attempt)

    def _advance_main(
        self, main: str, tree: str, author: Identity, message: str, *, signer: SigningKey | None = None
    ) -> CommitInfo | None:
        """A commit of `tree` on `main`, moved onto main from `main` (None: another writer moved it)."""
        commit = self.core.make_commit(tree, [main], author, message, signer=signer)
        try:
            self.refs.apply([f"update {MAIN} {commit} {main}"])
        except RefUpdateRejected:
            return None
        return self.commit_info(commit)

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
        [result] = publishing.publish_many(self.core, [(slug, expected_draft_commit, record)])
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
        return publishing.publish_many(self.core, requests)

    def rollback(self, slug: str, version: int, actor: Identity) -> Publication:
        """Publish again what version `version` published, as a new commit and a new version tag."""
        check_slug(slug)
        old_tag = tag_ref(slug, version)
        old_commit = self.objects.resolve(f"{old_tag}^{{commit}}")
        if old_commit is None:
            raise NotFoundError(f"published version {slug} v{version} (no tag {old_tag})")
        article_blob = self.core.blob_id(old_commit, article_path(slug))
        if article_blob is None:
            raise NotFoundError(f"{article_path(slug)} in {old_tag}")
        ledger_blob = self.core.blob_id(old_commit, review_path(slug))
        old_trailers = parse_trailers(self.objects.read_commit(old_commit).message)

        def attempt(_: int) -> Publication | None:
            main = self.core.require_main()
            new_version = self._latest_version(slug) + 1
            tree = self.objects.edit_tree(
                self.core.tree_of(main), {article_path(slug): article_blob, review_path(slug): ledger_blob}
            )
            trailers = [("Rollback-To", f"v{version}")]
            for key in ("Reviewed-by", "Content-Hash", "Approved-Flags"):
                trailers += [(key, value) for value in old_trailers.get(key, [])]
            message = with_trailers(f"Roll back {slug} to v{version} (published as v{new_version})", trailers)
            commit = self.core.make_commit(tree, [main], actor, message)
            new_tag = tag_name(slug, new_version)
            tag = self.core.make_tag(new_tag, commit, f"Roll back {slug} to v{version}")
            commands = [f"update {MAIN} {commit} {main}", f"create {tag_ref(slug, new_version)} {tag}"]
            try:
                self.refs.apply(commands)
            except RefUpdateRejected:
                return None
            return Publication(slug=slug, version=new_version, commit=commit, tag=new_tag)

        return self.core.retrying(MAIN, attempt)

    def unpublish(self, slug: str, actor: Identity) -> CommitInfo:
        """Remove the article and its review from main in a new commit (tags and history stay)."""
        check_slug(slug)

        def attempt(_: int) -> CommitInfo | None:
            main = self.core.require_main()
            if self.core.blob_id(main, article_path(slug)) is None:
                raise NotFoundError(f"{article_path(slug)} on main (not published)")
            tree = self.objects.edit_tree(
                self.core.tree_of(main), {article_path(slug): None, review_path(slug): None}
            )
            message = with_trailers(
                f"Unpublish {slug}", [("Unpublished-Version", f"v{self._latest_version(slug)}")]
            )
            return self._advance_main(main, tree, actor, message)

        return self.core.retrying(MAIN, attempt)

    # -- history and listings ---------------------------------------------------------------------
    def history(self, slug: str) -> list[CommitInfo]:
        """Every commit that touched the article or its review on main or its draft, newest first."""
        check_slug(slug)
        revisions = [MAIN]
        if self.objects.resolve(draft_ref(slug)) is not None:
            revisions.append(draft_ref(slug))
        paths = [article_path(slug), review_path(slug)]
        out = self.core.git(
            ["log", "--topo-order", "--full-history", "--format=%H", *revisions, "--", *paths]
        )
        return [self.commit_info(sha) for sha in out.decode().split()]

    def list_published(self) -> list[PublishedInfo]:
        """Every article on main, with its latest version tag (0 when it has none) and its text."""
        main = self.core.require_main()
        articles_tree = self.objects.read_tree(self.core.tree_of(main)).get(ARTICLES_DIRECTORY)
        if articles_tree is None or not articles_tree.is_tree:
            return []
        latest: dict[str, tuple[int, str]] = {}
        out = self.core.git(
            ["for-each-ref", "--format=%(refname) %(objectname) %(*objectname)", TAG_PREFIX]
        ).decode()
        for line in out.splitlines():
            ref, oid, peeled = [*line.split(" "), "", ""][:3]
            parsed = parse_tag_ref(ref)
            if parsed is None:
                continue
            slug, version = parsed
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

    def recover_stale_locks(self, *, min_age: float = 5.0) -> list[str]:
        """Remove lock files a killed git process left (never while git works in this repository)."""
        from content_repo.locks import recover_stale_locks

        return recover_stale_locks(self.git_dir, min_age=min_age)

    def maintain(self) -> None:
        """Pack loose objects when git thinks it is time (`git gc --auto`; safe next to writers)."""
        self.core.git(["gc", "--auto", "--quiet"])

    def fsck(self) -> list[str]:
        """Problems `git fsck --strict` reports (empty when the repository is sound)."""
        try:
            run_git(self.git_dir, ["fsck", "--strict", "--no-progress"])
        except GitFailure as exc:
            return exc.stderr.splitlines() or [f"git fsck exited {exc.returncode}"]
        return []

    # -- facts for verifiers ------------------------------------------------------------------------
    def signatures(
        self, shas: Sequence[str], *, allowed_signers: str | None = None
    ) -> dict[str, SignatureFacts]:
        """Who signed each commit (status, key fingerprint, principal when `allowed_signers` names it)."""
        for sha in shas:
            check_ref_expression(sha)
        return history.signatures(self.core, shas, allowed_signers=allowed_signers)

    def governance_history(self) -> list[GovernanceVersion]:
        """Every commit on main that changed roster.yaml or policy.yaml, oldest first, with its signature."""
        return history.governance_history(self.core)

    def draft_history(self, slug: str, head: str | None = None) -> DraftHistory:
        """A draft's own commits, oldest first, each with its signature and the files before and after.

        `head`: the draft's tip now (None), or the approved head a publication commit merged.
        """
        check_slug(slug)
        if head is not None:
            check_ref_expression(head)
        return history.draft_history(self.core, slug, head)

    def publications(self) -> list[Publication]:
        """Every published version (each `published/<slug>/vN` tag and its commit), by slug and version."""
        return history.publications(self.core)

    def main_changes(self, slug: str) -> list[CommitInfo]:
        """The commits on main's first-parent line that changed the article or its ledger, newest first."""
        check_slug(slug)
        return history.main_changes(self.core, slug)

    # -- remote ------------------------------------------------------------------------------------
    def remotes(self) -> list[str]:
        """The names of the configured remotes, sorted."""
        return remote_sync.list_remotes(self.core)

    def add_remote(self, name: str, url: str) -> None:
        """Add the remote `name` at `url` (or re-point it)."""
        remote_sync.add_remote(self.core, name, url)

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
        remote_sync.fetch(
            self.core, remote, attempts=attempts, base_delay=base_delay, max_delay=max_delay, timeout=timeout
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
        return remote_sync.push(
            self.core,
            remote,
            attempts=attempts,
            base_delay=base_delay,
            max_delay=max_delay,
            timeout=timeout,
            drafts=drafts,
        )
