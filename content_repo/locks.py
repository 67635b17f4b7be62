"""Stale git lock files left by killed processes, recovered safely.

Git guards every ref and the packed-refs file with a `<name>.lock` file it creates, then renames
or deletes. A process killed in between (SIGKILL, the OOM killer, a container stop) leaves the lock
behind, and every later write of that ref fails until someone deletes it by hand. A lock is taken as
stale only when no live process on this machine is a git process working in this repository (its
command line names the git directory, or its working directory is inside the repository) and the
lock is older than `min_age` seconds; a live writer's lock is never touched.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

LOCK_NAMES = ("HEAD.lock", "packed-refs.lock", "config.lock", "index.lock", "shallow.lock")


def lock_files(git_dir: Path) -> list[Path]:
    """Every lock file git may leave in `git_dir` (top level and under refs/)."""
    found = [git_dir / name for name in LOCK_NAMES if (git_dir / name).exists()]
    refs = git_dir / "refs"
    if refs.is_dir():
        found += sorted(refs.rglob("*.lock"))
    return found


def parent_of(proc: Path) -> int:
    """The parent pid of a /proc entry (0 when it cannot be read)."""
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def live_git_processes(git_dir: Path) -> list[int]:
    """Pids of live git processes working in this repository (other than this process's own sessions)."""
    target = str(git_dir.resolve())
    work_tree = str(git_dir.resolve().parent) if git_dir.name == ".git" else target
    pids: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue  # gone, or not ours to read
        program = Path(args[0].decode(errors="replace")).name if args and args[0] else ""
        if not program.startswith("git"):
            continue
        text = " ".join(a.decode(errors="replace") for a in args)
        if not (target in text or cwd in (work_tree, target) or cwd.startswith(work_tree + os.sep)):
            continue
        if parent_of(entry) == os.getpid():
            continue  # this process's own git sessions: idle between our own writes
        pids.append(int(entry.name))
    return pids


def recover_stale_locks(git_dir: Path, *, min_age: float = 5.0) -> list[str]:
    """Delete the stale lock files of `git_dir`; returns what was removed (nothing while git works here)."""
    locks = lock_files(git_dir)
    if not locks or live_git_processes(git_dir):
        return []
    removed: list[str] = []
    now = time.time()
    for lock in locks:
        try:
            if now - lock.stat().st_mtime < min_age:
                continue
            lock.unlink()
        except FileNotFoundError:
            continue  # its owner finished meanwhile
        removed.append(str(lock.relative_to(git_dir)))
    return removed
