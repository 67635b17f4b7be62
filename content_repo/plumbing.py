"""Git plumbing without a work tree: object reads and writes, tree edits, atomic ref transactions.

Design (why not porcelain or GitPython's index): every write builds objects from the parent's tree
and moves refs with `git update-ref --stdin` from the value they were read at, so concurrent writers
never see a half-written state and a killed process leaves refs before or after its write.

- Reads go through one long-lived `git cat-file --batch-command` per process (about 0.1 ms a
  lookup; it re-reads refs on every query, so values are fresh).
- Objects are written as loose objects exactly as `git hash-object -w` writes them (zlib of
  `<type> <size>\\0<data>`, temp file then rename, mode 0444): no process spawn per object. Commits
  that must be signed go through `git commit-tree -S` instead.
- Ref moves are one transaction (start/verify/update/create/delete/prepare/commit) in a long-lived
  `git update-ref --stdin` session: all of its refs move, or none.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import tempfile
import threading
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from content_repo.errors import ContentRepoError, GitError

T = TypeVar("T")

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
CACHE_SIZE = 512
PIPELINE_CHUNK = 200  # requests or ref transactions written before reading their answers
TREE_MODE = "40000"
BLOB_MODE = "100644"
CRASH_ENV = "EDITORIAL_CONTENT_REPO_CRASH_AT"


def stop_process(process: subprocess.Popen[bytes] | None) -> None:
    """Close a long-lived git process's pipes and wait for it (killed after 5 s)."""
    if process is None:
        return
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class GitFailure(GitError):
    """A git command exited non-zero, or the object store failed (a GitError, so it never escapes raw)."""

    def __init__(self, args: Sequence[str], returncode: int, stderr: str) -> None:
        self.returncode = returncode
        self.stderr = stderr.strip()
        super().__init__(" ".join(args[:2]), f"exit {returncode}: {self.stderr}")


class RefUpdateRejected(ContentRepoError):
    """A ref transaction refused because a ref was not at its expected value (the facade retries or
    raises RefRaceError)."""

    def __init__(self, ref: str | None, detail: str) -> None:
        self.ref = ref
        self.detail = detail
        super().__init__(detail)


def crash_point(name: str) -> None:
    """Fault injection for the crash tests: SIGKILL this process when EDITORIAL_CONTENT_REPO_CRASH_AT=name."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def git_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for git children: no prompts, stable C-locale messages."""
    env = dict(os.environ)
    env.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "LANG": "C", "GIT_ASKPASS": "true"})
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    env.pop("GIT_INDEX_FILE", None)
    if extra:
        env.update(extra)
    return env


def run_git(
    git_dir: Path,
    args: Sequence[str],
    *,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = 120,
) -> bytes:
    """Run `git --git-dir=<git_dir> <args>` and return its stdout; raise GitFailure on a non-zero exit."""
    command = ["git", f"--git-dir={git_dir}", *args]
    try:
        done = subprocess.run(
            command, input=input, capture_output=True, env=git_environment(env), timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise GitFailure(list(args), -1, f"timed out after {timeout} s") from exc
    if done.returncode != 0:
        raise GitFailure(list(args), done.returncode, done.stderr.decode("utf-8", "replace"))
    return done.stdout


class TreeEntry:
    """One entry of a tree object, with its serialized form and sort key computed once."""

    __slots__ = ("mode", "name", "oid", "raw", "sort_key")

    def __init__(self, mode: str, name: str, oid: str) -> None:
        self.mode = mode
        self.name = name
        self.oid = oid
        encoded = name.encode("utf-8", "surrogateescape")
        self.raw = mode.encode("ascii") + b" " + encoded + b"\0" + bytes.fromhex(oid)
        # git orders entries by name, a directory as if its name ended with '/'.
        self.sort_key = encoded + b"/" if mode == TREE_MODE else encoded

    @property
    def is_tree(self) -> bool:
        """True for a sub-directory."""
        return self.mode == TREE_MODE

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TreeEntry) and other.raw == self.raw

    def __hash__(self) -> int:
        return hash(self.raw)

    def __repr__(self) -> str:
        return f"TreeEntry({self.mode!r}, {self.name!r}, {self.oid!r})"


def parse_tree(data: bytes) -> dict[str, TreeEntry]:
    """The entries of a raw tree object, by name."""
    entries: dict[str, TreeEntry] = {}
    position = 0
    while position < len(data):
        space = data.index(b" ", position)
        nul = data.index(b"\0", space)
        mode = data[position:space].decode("ascii")
        name = data[space + 1 : nul].decode("utf-8", "surrogateescape")
        oid = data[nul + 1 : nul + 21].hex()
        entries[name] = TreeEntry(mode, name, oid)
        position = nul + 21
    return entries


def serialize_tree(entries: Mapping[str, TreeEntry]) -> bytes:
    """A raw tree object in git's order."""
    return b"".join(e.raw for e in sorted(entries.values(), key=_sort_key))


def _sort_key(entry: TreeEntry) -> bytes:
    return entry.sort_key


@dataclass(frozen=True)
class RawCommit:
    """A parsed commit object."""

    tree: str
    parents: tuple[str, ...]
    author: str
    committer: str
    message: str


def parse_commit(data: bytes) -> RawCommit:
    """Parse a raw commit object (headers, then a blank line, then the message)."""
    text = data.decode("utf-8", "replace")
    head, _, message = text.partition("\n\n")
    tree = ""
    parents: list[str] = []
    author = committer = ""
    for line in head.split("\n"):
        key, _, value = line.partition(" ")
        if key == "tree":
            tree = value
        elif key == "parent":
            parents.append(value)
        elif key == "author":
            author = value
        elif key == "committer":
            committer = value
    return RawCommit(tree, tuple(parents), author, committer, message)


class ObjectStore:
    """Reads through a long-lived `git cat-file --batch-command`; writes loose objects directly."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir
        self.objects_dir = git_dir / "objects"
        self._process: subprocess.Popen[bytes] | None = None
        self._owner_pid = 0
        self._lock = threading.Lock()
        # Trees and commits are immutable (named by their hash), so parsed ones can be kept.
        self._trees: dict[str, dict[str, TreeEntry]] = {}
        self._commits: dict[str, RawCommit] = {}

    # -- reading -------------------------------------------------------------------------------
    def _reader(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._owner_pid != os.getpid() or self._process.poll() is not None:
            if self._process is not None and self._owner_pid == os.getpid():
                self._stop()
            self._process = subprocess.Popen(
                ["git", f"--git-dir={self.git_dir}", "cat-file", "--batch-command"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=git_environment(),
            )
            self._owner_pid = os.getpid()
        return self._process

    def _query(self, command: str, name: str) -> tuple[str, str, bytes | None] | None:
        if "\n" in name or "\r" in name or "\0" in name:
            return None
        with self._lock:
            for attempt in range(2):
                process = self._reader()
                assert process.stdin is not None and process.stdout is not None
                try:
                    process.stdin.write(f"{command} {name}\n".encode("utf-8", "surrogateescape"))
                    process.stdin.flush()
                    header = process.stdout.readline()
                    if not header:
                        raise BrokenPipeError("cat-file exited")
                    fields = header.decode("utf-8", "surrogateescape").rstrip("\n").split(" ")
                    if len(fields) != 3 or fields[-1] in ("missing", "ambiguous"):
                        return None
                    oid, kind, size = fields
                    body = None
                    if command == "contents":
                        body = process.stdout.read(int(size))
                        process.stdout.read(1)
                    return oid, kind, body
                except (OSError, ValueError) as exc:
                    self._stop()
                    if attempt:
                        raise GitFailure(["cat-file", "--batch-command"], -1, str(exc)) from exc
        return None

    def query_many(self, requests: Sequence[tuple[str, str]]) -> list[tuple[str, str, bytes | None] | None]:
        """Answers to many `info`/`contents` requests, pipelined (one round trip per 200 requests).

        Each answer is (oid, type, data or None for `info`), or None when the object is missing.
        """
        answers: list[tuple[str, str, bytes | None] | None] = []
        for start in range(0, len(requests), PIPELINE_CHUNK):
            answers += self._query_chunk(requests[start : start + PIPELINE_CHUNK])
        return answers

    def _query_chunk(self, requests: Sequence[tuple[str, str]]) -> list[tuple[str, str, bytes | None] | None]:
        usable = [not any(c in name for c in "\n\r\0") for _, name in requests]
        payload = "".join(f"{cmd} {name}\n" for (cmd, name), ok in zip(requests, usable, strict=True) if ok)
        with self._lock:
            process = self._reader()
            stdin, stdout = process.stdin, process.stdout
            assert stdin is not None and stdout is not None
            answers: list[tuple[str, str, bytes | None] | None] = []
            try:
                # Requests stay far below a pipe buffer, so writing them all before reading cannot block.
                stdin.write(payload.encode("utf-8", "surrogateescape"))
                stdin.flush()
                for (command, _), ok in zip(requests, usable, strict=True):
                    if not ok:
                        answers.append(None)
                        continue
                    header = stdout.readline()
                    if not header:
                        raise BrokenPipeError("cat-file exited")
                    fields = header.decode("utf-8", "surrogateescape").rstrip("\n").split(" ")
                    if len(fields) != 3 or fields[-1] in ("missing", "ambiguous"):
                        answers.append(None)
                        continue
                    body = None
                    if command == "contents":
                        body = stdout.read(int(fields[2]))
                        stdout.read(1)
                    answers.append((fields[0], fields[1], body))
            except (OSError, ValueError) as exc:
                self._stop()
                raise GitFailure(["cat-file", "--batch-command"], -1, str(exc)) from exc
            return answers

    def resolve(self, name: str) -> str | None:
        """The object id a ref or revision names now, or None when it does not exist."""
        found = self._query("info", name)
        return found[0] if found else None

    def resolve_blob(self, commit: str, path: str) -> str | None:
        """The blob id at `path` in `commit` (resolved by git, no tree parsing here), or None."""
        found = self._query("info", f"{commit}:{path}")
        return found[0] if found and found[1] == "blob" else None

    def read(self, name: str) -> tuple[str, str, bytes] | None:
        """(oid, type, data) of an object named by id, ref or `<rev>:<path>`; None when missing."""
        found = self._query("contents", name)
        if found is None or found[2] is None:
            return None
        return found[0], found[1], found[2]

    def read_tree(self, oid: str) -> dict[str, TreeEntry]:
        """The entries of a tree object (do not modify the mapping: it is cached)."""
        return self._read_parsed(oid, "tree", parse_tree, self._trees)

    def read_commit(self, oid: str) -> RawCommit:
        """A parsed commit object."""
        return self._read_parsed(oid, "commit", parse_commit, self._commits)

    def _read_parsed(self, oid: str, kind: str, parse: Callable[[bytes], T], cache: dict[str, T]) -> T:
        """Object `oid` of type `kind`, parsed, through a bounded cache (objects never change)."""
        cached = cache.get(oid)
        if cached is not None:
            return cached
        found = self.read(oid)
        if found is None or found[1] != kind:
            raise GitFailure(["cat-file", oid], 1, f"{oid} is not a {kind}")
        parsed = parse(found[2])
        if len(cache) >= CACHE_SIZE:
            cache.clear()
        cache[oid] = parsed
        return parsed

    def blob_at(self, tree: str, path: str) -> str | None:
        """The blob id at `path` under `tree`, or None."""
        parts = path.split("/")
        current = tree
        for index, part in enumerate(parts):
            entry = self.read_tree(current).get(part)
            if entry is None:
                return None
            if index == len(parts) - 1:
                return None if entry.is_tree else entry.oid
            if not entry.is_tree:
                return None
            current = entry.oid
        return None

    def _stop(self) -> None:
        process, self._process = self._process, None
        stop_process(process)

    def close(self) -> None:
        """Stop the reader process (only the process that started it may)."""
        if self._owner_pid == os.getpid():
            self._stop()

    # -- writing -------------------------------------------------------------------------------
    def write(self, kind: str, data: bytes) -> str:
        """Store an object as a loose object (as `git hash-object -w -t <kind>` does); return its id."""
        raw = f"{kind} {len(data)}\0".encode("ascii") + data
        oid = hashlib.sha1(raw).hexdigest()
        directory = self.objects_dir / oid[:2]
        target = directory / oid[2:]
        if not target.exists():
            self._store_loose(oid, raw, directory, target)
        if kind == "commit" and oid not in self._commits:
            if len(self._commits) >= CACHE_SIZE:
                self._commits.clear()
            self._commits[oid] = parse_commit(data)
        return oid

    def _store_loose(self, oid: str, raw: bytes, directory: Path, target: Path) -> None:
        try:
            directory.mkdir(exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix="tmp_obj_", dir=directory)
        except OSError as exc:
            raise GitFailure(["hash-object", "-w"], -1, f"cannot write to {self.objects_dir}: {exc}") from exc
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(zlib.compress(raw, 1))
            os.chmod(temp, 0o444)
            # Atomic: readers see no file or the whole object. A concurrent writer of the same
            # object writes the same bytes, so replacing it is harmless (git's core.createObject=rename).
            os.replace(temp, target)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            if isinstance(exc, OSError):
                raise GitFailure(["hash-object", "-w"], -1, f"cannot write object {oid}: {exc}") from exc
            raise

    def write_tree(self, entries: Mapping[str, TreeEntry]) -> str:
        """Store a tree object; return its id."""
        oid = self.write("tree", serialize_tree(entries))
        if len(self._trees) >= CACHE_SIZE:
            self._trees.clear()
        self._trees[oid] = dict(entries)
        return oid

    def edit_tree(self, tree: str | None, changes: Mapping[str, str | None]) -> str:
        """A new root tree: `tree` with each path set to a blob id, or removed when None."""
        entries = dict(self.read_tree(tree)) if tree else {}
        nested: dict[str, dict[str, str | None]] = {}
        for path, blob in changes.items():
            head, _, rest = path.partition("/")
            if rest:
                nested.setdefault(head, {})[rest] = blob
            elif blob is None:
                entries.pop(head, None)
            else:
                entries[head] = TreeEntry(BLOB_MODE, head, blob)
        for name, sub_changes in nested.items():
            current = entries.get(name)
            base = current.oid if current is not None and current.is_tree else None
            sub_tree = self.edit_tree(base, sub_changes)
            if sub_tree != EMPTY_TREE:
                entries[name] = TreeEntry(TREE_MODE, name, sub_tree)
            else:
                entries.pop(name, None)
        return self.write_tree(entries)


class RefUpdater:
    """One long-lived `git update-ref --stdin` session; each `apply` is its own atomic transaction.

    A transaction git refuses ends the session (git exits); the next `apply` starts a new one. If
    this process dies between `prepare` and `commit`, git reads end-of-file and aborts the
    transaction, so refs stay where they were.
    """

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir
        self._process: subprocess.Popen[bytes] | None = None
        self._owner_pid = 0
        self._lock = threading.Lock()

    def _session(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._owner_pid != os.getpid() or self._process.poll() is not None:
            if self._process is not None and self._owner_pid == os.getpid():
                self._stop()
            self._process = subprocess.Popen(
                ["git", f"--git-dir={self.git_dir}", "update-ref", "-m", "content_repo", "--stdin"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=git_environment(),
            )
            self._owner_pid = os.getpid()
        return self._process

    def apply(self, commands: Sequence[str], *, crash_prefix: str = "") -> None:
        """Apply `update <ref> <new> <old>` / `create` / `delete` / `verify` commands all-or-nothing.

        Raises RefUpdateRejected (naming the ref when git does) when a ref was not at its expected value.
        """
        for command in commands:
            if "\n" in command or "\0" in command:
                raise ValueError("ref command with a line break")
        with self._lock:
            process = self._session()
            stdin, stdout = process.stdin, process.stdout
            assert stdin is not None and stdout is not None
            try:
                stdin.write(("start\n" + "".join(c + "\n" for c in commands) + "prepare\n").encode())
                stdin.flush()
                self._expect(stdout.readline(), "start: ok")
                self._expect(stdout.readline(), "prepare: ok")
                crash_point(crash_prefix + "prepared")
                stdin.write(b"commit\n")
                stdin.flush()
                self._expect(stdout.readline(), "commit: ok")
            except (BrokenPipeError, OSError) as exc:
                raise self._failure("git update-ref ended") from exc
            crash_point(crash_prefix + "committed")

    def apply_many(self, transactions: Sequence[Sequence[str]]) -> tuple[int, RefUpdateRejected | None]:
        """Apply transactions in order, each atomic on its own, pipelined in chunks.

        Returns how many were committed, and the rejection of the next one (None when all were):
        git stops at the first refused transaction, so the ones after it are not applied.
        """
        for transaction in transactions:
            for command in transaction:
                if "\n" in command or "\0" in command:
                    raise ValueError("ref command with a line break")
        applied = 0
        with self._lock:
            for start in range(0, len(transactions), PIPELINE_CHUNK // 2):
                chunk = transactions[start : start + PIPELINE_CHUNK // 2]
                process = self._session()
                stdin, stdout = process.stdin, process.stdout
                assert stdin is not None and stdout is not None
                payload = "".join(
                    "start\n" + "".join(c + "\n" for c in commands) + "prepare\ncommit\n"
                    for commands in chunk
                )
                try:
                    stdin.write(payload.encode())
                    stdin.flush()
                    for _ in chunk:
                        for reply in ("start: ok", "prepare: ok", "commit: ok"):
                            line = stdout.readline()
                            if line.decode("utf-8", "replace").strip() != reply:
                                return applied, self._failure(f"update-ref said {line!r}")
                        applied += 1
                except OSError:
                    return applied, self._failure("git update-ref ended")
        return applied, None

    def _expect(self, line: bytes, reply: str) -> None:
        if line.decode("utf-8", "replace").strip() != reply:
            raise self._failure(f"update-ref said {line!r}")

    def _failure(self, fallback: str) -> RefUpdateRejected:
        process, self._process = self._process, None
        detail = fallback
        if process is not None:
            if process.stdin is not None:
                with contextlib.suppress(OSError):
                    process.stdin.close()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stderr is not None:
                detail = process.stderr.read().decode("utf-8", "replace").strip() or fallback
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()
        return RefUpdateRejected(_ref_named_in(detail), detail)

    def _stop(self) -> None:
        process, self._process = self._process, None
        stop_process(process)

    def close(self) -> None:
        """End the session (only the process that started it may)."""
        if self._owner_pid == os.getpid():
            self._stop()


def _ref_named_in(detail: str) -> str | None:
    """The ref git names in a lock/CAS failure message ("cannot lock ref 'refs/heads/x': ...")."""
    start = detail.find("'refs/")
    if start < 0:
        return None
    end = detail.find("'", start + 1)
    return detail[start + 1 : end] if end > start else None
