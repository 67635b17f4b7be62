"""Stale git locks left by a killed process are recovered; a live git process's lock never is."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from content_repo import ContentRepo, Identity
from content_repo.locks import recover_stale_locks

EDITOR = Identity(name="Eve Editor", email="eve@example.org")


def aged(path: Path, seconds: float = 60.0) -> Path:
    """`path` created with a modification time `seconds` in the past."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("", encoding="utf-8")
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def test_stale_locks_are_removed_and_the_repository_writes_again(tmp_path: Path) -> None:
    with ContentRepo.init(tmp_path / "content") as repo:
        git_dir = repo.git_dir
        locks = [aged(git_dir / "refs" / "heads" / "main.lock"), aged(git_dir / "packed-refs.lock")]
        fresh = aged(git_dir / "refs" / "heads" / "drafts" / "x.lock", seconds=0.0)  # a writer may be at work
        assert sorted(repo.recover_stale_locks()) == ["packed-refs.lock", "refs/heads/main.lock"]
        assert not any(lock.exists() for lock in locks) and fresh.exists()
        repo.write_path("roster.yaml", "people: []\n", EDITOR, message="Roster")  # main moves again


def test_a_lock_is_left_alone_while_a_git_process_works_in_the_repository(tmp_path: Path) -> None:
    with ContentRepo.init(tmp_path / "content") as repo:
        git_dir = repo.git_dir
    lock = aged(git_dir / "refs" / "heads" / "main.lock")
    # another process's git session in this repository (its parent is a shell, not this process)
    working = subprocess.Popen(
        ["sh", "-c", f"sleep 30 | git --git-dir '{git_dir}' cat-file --batch"], start_new_session=True
    )
    try:
        time.sleep(0.5)
        assert recover_stale_locks(git_dir) == []
        assert lock.exists()
    finally:
        os.killpg(working.pid, 9)
        working.wait()
    time.sleep(0.2)
    assert recover_stale_locks(git_dir) == ["refs/heads/main.lock"]
