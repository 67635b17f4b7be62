"""Push and fetch with retries and backoff, and reconciliation of a push rejected because the remote moved.

What is pushed: `main` and every `published/*` tag in ONE atomic push (the remote gets all
publications or none, so a tag never arrives without its commit on main); then, best effort, the
`drafts/*` branches (so the record of submissions and decisions is backed up on the host), and
the deletion of remote drafts that local main has since published (guarded by a lease on their
value). A push rejected because the remote's main moved is reconciled: fetch, then a merge commit
whose parents are both tips (so plain `git log` on either side shows both sides' commits), then
push again. Both sides changing the same article is reported, never resolved by overwriting.
"""

from __future__ import annotations

import random
import re
import subprocess
import time
from dataclasses import dataclass, field

from content_repo.core import RepoCore
from content_repo.errors import ConflictError, RemoteError
from content_repo.layout import BRANCH_PREFIX, DRAFT_PREFIX, MAIN, TAG_PREFIX, remote_tracking_prefix
from content_repo.plumbing import GitFailure, RefUpdateRejected, git_environment, run_git

REMOTE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
PUBLICATION_REFSPECS = (f"{MAIN}:{MAIN}", f"{TAG_PREFIX}*:{TAG_PREFIX}*")


@dataclass
class PushReport:
    """What a push did: attempts made, whether main was reconciled, draft refs that could not be pushed."""

    remote: str
    attempts: int = 0
    reconciled: bool = False
    drafts_pushed: list[str] = field(default_factory=list)
    drafts_deleted: list[str] = field(default_factory=list)
    drafts_refused: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    rejected: dict[str, str]  # ref -> reason, for refs the remote refused
    transport_error: str  # non-empty when the remote could not be reached or the push broke


def check_remote_name(name: str) -> str:
    """Return `name` when it is a usable remote name."""
    if not REMOTE_NAME.fullmatch(name):
        raise RemoteError(name, "a remote name is letters, digits, '.', '_' or '-'")
    return name


def list_remotes(repo: RepoCore) -> list[str]:
    """The names of the repository's remotes, sorted."""
    try:
        return sorted(run_git(repo.git_dir, ["remote"]).decode().split())
    except GitFailure as exc:
        raise RemoteError("*", exc.stderr) from exc


def add_remote(repo: RepoCore, name: str, url: str) -> None:
    """Add the remote `name` (or point it at `url` when it already exists)."""
    check_remote_name(name)
    if not url or "\n" in url or url.startswith("-"):
        raise RemoteError(name, f"unusable URL {url!r}")
    try:
        existing = run_git(repo.git_dir, ["remote"]).decode().split()
        if name in existing:
            run_git(repo.git_dir, ["remote", "set-url", name, url])
        else:
            run_git(repo.git_dir, ["remote", "add", name, url])
    except GitFailure as exc:
        raise RemoteError(name, exc.stderr) from exc


def _backoff(attempt: int, base_delay: float, max_delay: float) -> None:
    delay = min(max_delay, base_delay * 2**attempt)
    time.sleep(delay * random.uniform(0.5, 1.0))


def _git_network(repo: RepoCore, args: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", f"--git-dir={repo.git_dir}", *args],
            capture_output=True,
            env=git_environment({"GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o ConnectTimeout=10"}),
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, 124, b"", f"timed out after {timeout:g} s".encode())


def _first_error_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return (fatal or lines or ["no message from git"])[0]


def _push_once(repo: RepoCore, remote: str, refspecs: list[str], *, atomic: bool, timeout: float) -> _Outcome:
    args = ["push", "--porcelain"] + (["--atomic"] if atomic else []) + [remote, *refspecs]
    done = _git_network(repo, args, timeout)
    rejected: dict[str, str] = {}
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0] == "!":
            rejected[parts[1].split(":")[-1]] = parts[2]
    if done.returncode == 0:
        return _Outcome(True, {}, "")
    if rejected:
        return _Outcome(False, rejected, "")
    return _Outcome(False, {}, _first_error_line(done.stderr))


def fetch(
    repo: RepoCore, remote: str, *, attempts: int, base_delay: float, max_delay: float, timeout: float
) -> None:
    """Fetch the remote's branches (as refs/remotes/<remote>/*) and its publication tags, with retries."""
    check_remote_name(remote)
    refspecs = [f"+{BRANCH_PREFIX}*:{remote_tracking_prefix(remote)}*", f"{TAG_PREFIX}*:{TAG_PREFIX}*"]
    reason = ""
    for attempt in range(max(1, attempts)):
        done = _git_network(repo, ["fetch", "--no-tags", "--no-write-fetch-head", remote, *refspecs], timeout)
        if done.returncode == 0:
            return
        reason = _first_error_line(done.stderr)
        if "would clobber existing tag" in done.stderr.decode("utf-8", "replace"):
            raise RemoteError(remote, f"the remote has different publication tags with our names: {reason}")
        if attempt + 1 < attempts:
            _backoff(attempt, base_delay, max_delay)
    raise RemoteError(remote, f"fetch failed after {max(1, attempts)} attempts: {reason}")


def reconcile_main(repo: RepoCore, remote: str) -> bool:
    """Bring the fetched remote main into local main without losing either side; True when main moved."""
    theirs = repo.objects.resolve(f"{remote_tracking_prefix(remote)}main")
    for _ in range(repo.ref_attempts):
        ours = repo.objects.resolve(MAIN)
        if theirs is None or ours is None or theirs == ours or repo.is_ancestor(theirs, ours):
            return False
        if repo.is_ancestor(ours, theirs):
            new = theirs  # fast-forward: the remote already has everything we have
        else:
            done = subprocess.run(
                [
                    "git",
                    f"--git-dir={repo.git_dir}",
                    "merge-tree",
                    "--write-tree",
                    "--name-only",
                    # Two repositories each made by ContentRepo.init have unrelated first commits;
                    # their contents still merge file by file (conflicts are reported, not resolved).
                    "--allow-unrelated-histories",
                    ours,
                    theirs,
                ],
                capture_output=True,
                env=git_environment(),
                check=False,
            )
            lines = done.stdout.decode("utf-8", "replace").splitlines()
            if done.returncode == 1:
                # --name-only: the tree, then one conflicted path per line up to a blank line.
                paths = sorted(set(lines[1 : lines.index("")] if "" in lines else lines[1:]))
                raise ConflictError(
                    ", ".join(paths) or "main",
                    f"local main and {remote}/main both changed the same files; resolve by hand "
                    "(nothing was overwritten)",
                )
            if done.returncode != 0 or not lines:
                raise RemoteError(remote, f"cannot merge {remote}/main: {_first_error_line(done.stderr)}")
            new = repo.make_commit(
                lines[0],
                [ours, theirs],
                repo.pipeline,
                f"Reconcile main with {remote}/main\n\nBoth sides' publications are kept.\n",
            )
        try:
            repo.refs.apply([f"update {MAIN} {new} {ours}"])
        except RefUpdateRejected:
            continue  # a local publication landed meanwhile: merge again on the new tip
        return True
    return False


def push(
    repo: RepoCore,
    remote: str,
    *,
    attempts: int,
    base_delay: float,
    max_delay: float,
    timeout: float,
    drafts: bool,
) -> PushReport:
    """Push publications atomically (reconciling a moved remote), then drafts best effort."""
    check_remote_name(remote)
    report = PushReport(remote)
    reason = ""
    for attempt in range(max(1, attempts)):
        report.attempts = attempt + 1
        outcome = _push_once(repo, remote, list(PUBLICATION_REFSPECS), atomic=True, timeout=timeout)
        if outcome.ok:
            break
        if outcome.rejected:
            tags = sorted(
                ref
                for ref, why in outcome.rejected.items()
                if ref.startswith("refs/tags/") and "atomic" not in why
            )
            if tags:
                raise RemoteError(remote, f"the remote already has different tags {', '.join(tags)}")
            reason = "; ".join(f"{ref}: {why}" for ref, why in sorted(outcome.rejected.items()))
            fetch(
                repo, remote, attempts=attempts, base_delay=base_delay, max_delay=max_delay, timeout=timeout
            )
            report.reconciled = reconcile_main(repo, remote) or report.reconciled
            continue  # the remote moved: retry at once on the reconciled main
        reason = outcome.transport_error
        if attempt + 1 < attempts:
            _backoff(attempt, base_delay, max_delay)
    else:
        raise RemoteError(remote, f"push failed after {max(1, attempts)} attempts: {reason}")
    if drafts:
        _push_drafts(repo, remote, report, timeout)
    return report


def _push_drafts(repo: RepoCore, remote: str, report: PushReport, timeout: float) -> None:
    """Push every local draft, and delete the remote drafts local main has published (with a lease)."""
    local = dict(repo.list_refs(DRAFT_PREFIX))
    refspecs = [f"{ref}:{ref}" for ref in local]
    leases: list[str] = []
    main = repo.objects.resolve(MAIN)
    tracking_prefix = remote_tracking_prefix(remote)
    for tracking, value in repo.list_refs(tracking_prefix + DRAFT_PREFIX[len(BRANCH_PREFIX) :]):
        ref = BRANCH_PREFIX + tracking[len(tracking_prefix) :]
        if ref not in local and main is not None and repo.is_ancestor(value, main):
            refspecs.append(f":{ref}")
            leases.append(f"--force-with-lease={ref}:{value}")
    if not refspecs:
        return
    done = _git_network(repo, ["push", "--porcelain", *leases, remote, *refspecs], timeout)
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or ":" not in parts[1]:
            continue
        source, target = parts[1].split(":", 1)
        slug = target[len(DRAFT_PREFIX) :]
        if parts[0] == "!":
            report.drafts_refused.append(slug)
        elif parts[0] == "-":
            report.drafts_deleted.append(slug)
        elif source:
            report.drafts_pushed.append(slug)
