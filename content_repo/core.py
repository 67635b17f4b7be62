"""The repository's small internal object API, shared by the facade and its publishing and remote parts.

`RepoCore` owns the git directory, the object store, the ref session and the signing key, and
offers what every writer needs: make a (signed) commit or tag, read files and trees at a commit,
list refs, retry a compare-and-swap write. `ContentRepo` (repo.py), `publishing` and `remote` all
build on it, so none of them reaches into another's private names and they import one way:
`repo -> {publishing, remote} -> core -> {plumbing, signing, layout}`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar

from content_repo.errors import GitError, NotFoundError, RefRaceError
from content_repo.layout import ARTICLES_DIRECTORY, MAIN
from content_repo.models import CommitInfo, Identity
from content_repo.plumbing import GitFailure, ObjectStore, RefUpdater, run_git
from content_repo.safety import MAX_MESSAGE_BYTES, check_size
from content_repo.signing import SigningKey, sign_commit_args
from content_repo.trailers import parse_trailers

T = TypeVar("T")


def git_signature(identity: Identity, when: datetime) -> str:
    """An author/committer/tagger header value: `Name <email> <seconds> <+hhmm>`."""
    offset = when.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return (
        f"{identity.format()} {int(when.timestamp())} {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    )


def parse_signature(value: str) -> tuple[Identity, datetime]:
    """The identity and time of an author/committer header value (lenient: never raises)."""
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


class RepoCore:
    """A git directory with its object store, ref session, pipeline identity and signing key."""

    def __init__(
        self,
        git_dir: Path,
        *,
        pipeline: Identity,
        signer: SigningKey | None,
        ref_attempts: int,
    ) -> None:
        self.git_dir = git_dir
        self.pipeline = pipeline
        self.signer = signer
        self.ref_attempts = ref_attempts
        self.objects = ObjectStore(git_dir)
        self.refs = RefUpdater(git_dir)

    def close(self) -> None:
        """Stop the helper git processes."""
        self.objects.close()
        self.refs.close()

    def git(self, args: Sequence[str], *, input: bytes | None = None) -> bytes:
        """Run git on this repository; a failure is a GitError."""
        try:
            return run_git(self.git_dir, args, input=input)
        except GitFailure as exc:
            raise GitError(exc.command, exc.stderr) from exc

    # -- writing objects -------------------------------------------------------------------------
    def make_commit(
        self,
        tree: str,
        parents: Sequence[str],
        author: Identity,
        message: str,
        *,
        when: datetime | None = None,
        signer: SigningKey | None = None,
    ) -> str:
        """Write a commit object, signed through `git commit-tree -S` with `signer` (or the default).

        Unsigned commits are written directly as loose objects (no process); a signed one costs a
        git and an ssh-keygen process.
        """
        check_size("commit message", message, MAX_MESSAGE_BYTES)
        moment = when or datetime.now(UTC)
        if not message.endswith("\n"):
            message += "\n"
        key = signer or self.signer
        if key is not None:
            stamp = f"@{int(moment.timestamp())} +0000"
            try:
                out = run_git(
                    self.git_dir,
                    sign_commit_args(key, tree, parents),
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
                raise GitError("commit-tree -S", f"signing with {key.describe()}: {exc.stderr}") from exc
            return out.decode().strip()
        lines = [f"tree {tree}", *(f"parent {p}" for p in parents)]
        lines.append(f"author {git_signature(author, moment)}")
        lines.append(f"committer {git_signature(self.pipeline, moment)}")
        return self.objects.write("commit", ("\n".join(lines) + "\n\n" + message).encode("utf-8"))

    def make_tag(self, name: str, commit: str, message: str) -> str:
        """Write an annotated tag object pointing at `commit`, tagged by the pipeline."""
        body = (
            f"object {commit}\ntype commit\ntag {name}\n"
            f"tagger {git_signature(self.pipeline, datetime.now(UTC))}\n\n{message.rstrip()}\n"
        )
        return self.objects.write("tag", body.encode("utf-8"))

    def store_texts(self, texts: Mapping[str, bytes | None]) -> dict[str, str | None]:
        """Blob ids for file contents (None stays None: the path is removed)."""
        return {
            path: (None if data is None else self.objects.write("blob", data)) for path, data in texts.items()
        }

    # -- reading ---------------------------------------------------------------------------------
    def tree_of(self, commit: str) -> str:
        """The root tree of a commit."""
        return self.objects.read_commit(commit).tree

    def blob_text(self, commit: str | None, path: str) -> str | None:
        """A file's text at `commit`, or None."""
        if commit is None:
            return None
        found = self.objects.read(f"{commit}:{path}")
        if found is None or found[1] != "blob":
            return None
        return found[2].decode("utf-8", "replace")

    def blob_id(self, commit: str | None, path: str) -> str | None:
        """A file's blob id at `commit`, or None."""
        if commit is None:
            return None
        return self.objects.resolve_blob(commit, path)

    def require_main(self) -> str:
        """Main's commit now (NotFoundError when there is no main)."""
        main = self.objects.resolve(MAIN)
        if main is None:
            raise NotFoundError("branch main")
        return main

    def list_refs(self, prefix: str) -> Iterator[tuple[str, str]]:
        """(ref, object id) of every ref under `prefix`."""
        out = self.git(["for-each-ref", "--format=%(refname) %(objectname)", prefix]).decode()
        for line in out.splitlines():
            ref, _, oid = line.partition(" ")
            yield ref, oid

    def commit_info(self, sha: str) -> CommitInfo:
        """A commit as a value object."""
        raw = self.objects.read_commit(sha)
        author, authored_at = parse_signature(raw.author)
        committer, committed_at = parse_signature(raw.committer)
        return CommitInfo(
            sha=sha,
            message=raw.message,
            author=author,
            committer=committer,
            authored_at=authored_at,
            committed_at=committed_at,
            trailers=parse_trailers(raw.message),
            parents=list(raw.parents),
        )

    def article_author(self, head: str, base: str) -> Identity:
        """The author of the draft commit that last changed the article text (the writer)."""
        commit = head
        for _ in range(10_000):
            raw = self.objects.read_commit(commit)
            parent = raw.parents[0] if raw.parents else None
            # Draft commits change only this slug's two files, so the `articles` subtree changes
            # exactly when the article does (one small root tree read instead of a large subtree).
            if parent is None or commit == base or self._articles_tree(commit) != self._articles_tree(parent):
                return parse_signature(raw.author)[0]
            commit = parent
        return self.pipeline

    def _articles_tree(self, commit: str) -> str | None:
        entry = self.objects.read_tree(self.tree_of(commit)).get(ARTICLES_DIRECTORY)
        return entry.oid if entry is not None else None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """True when `ancestor` is reachable from `descendant` (or equal to it)."""
        try:
            run_git(self.git_dir, ["merge-base", "--is-ancestor", ancestor, descendant])
        except GitFailure as exc:
            if exc.returncode == 1:
                return False
            raise
        return True

    # -- compare-and-swap ------------------------------------------------------------------------
    def retrying(self, ref: str, attempt_once: Callable[[int], T | None]) -> T:
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
