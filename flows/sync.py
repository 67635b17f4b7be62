"""Nothing only local: every draft commit (a submission, a decision, a comment) reaches the remote at once.

After a write the draft refs are pushed to the settings' remote (`EDITORIAL_REMOTE`, default
`origin`) when the repository has one. A remote that cannot be reached is reported, never fatal: the
write stands locally and the next push (any later write, or the publish run, which pushes everything)
catches up. The web desk pushes in a background thread, so a click does not wait for the network.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from flows.events import Transition, emit_about, repository_resource

logger = logging.getLogger("editorial.sync")
PUSH_ATTEMPTS = 2


def push_now(repo_path: str | Path | None) -> str | None:
    """Push the repository's drafts (and main and tags) to its remote; a warning when it failed, else None."""
    from content_repo.errors import ContentRepoError
    from flows.context import open_repo
    from flows.settings import get_settings

    remote = get_settings().remote
    with open_repo(path=repo_path) as repo:
        if remote not in repo.remotes():
            return None  # a repository without that remote keeps its work local by design
        try:
            repo.push(remote, attempts=PUSH_ATTEMPTS, base_delay=0.5, max_delay=2.0, timeout=30.0)
        except ContentRepoError as exc:
            name = Path(str(repo_path or get_settings().repo)).name
            emit_about(
                Transition.PUSH_FAILED,
                repository_resource(name),
                payload={"remote": remote, "error": str(exc)},
            )
            warning = (
                f"saved locally; the push to {remote!r} failed ({exc}); "
                "the next write or publish run pushes it"
            )
            logger.warning(warning)
            return warning
    return None


def push_in_background(repo_path: str | Path | None) -> threading.Thread:
    """`push_now` on a daemon thread (the web desk: the clinician's click does not wait for the remote)."""
    thread = threading.Thread(target=push_now, args=(repo_path,), name="editorial-push", daemon=True)
    thread.start()
    return thread
