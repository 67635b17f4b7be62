"""How every command that runs a flow prepares Prefect: offline, quiet, no heartbeats on the embedded API."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

QUIET_PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    # Prefect's console lines (tracebacks of a refused input included) are hidden: the commands print
    # what happened themselves. Run logs still reach the API, so the Prefect UI shows them.
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "CRITICAL",
    # The embedded API's first start creates its database: on a busy machine that takes longer than
    # Prefect's 20 s default, and commands started together used to fail on it.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def prepare_prefect() -> None:
    """Offline, quiet Prefect defaults for this process (values already set are kept).

    Call it before anything imports Prefect: Prefect configures its logging at import.
    """
    for name, value in QUIET_PREFECT_DEFAULTS.items():
        os.environ.setdefault(name, value)
    if not os.environ.get("PREFECT_API_URL"):
        desk_api = running_desk_api()
        if desk_api:
            os.environ["PREFECT_API_URL"] = desk_api


def running_desk_api() -> str | None:
    """The Prefect API a running `editorial serve` started on this machine (its data dir's file), or None."""
    import json

    from flows.web.config import PREFECT_API_FILE, default_data_dir

    try:
        found = json.loads((default_data_dir() / PREFECT_API_FILE).read_text(encoding="utf-8"))
        os.kill(int(found["pid"]), 0)  # the desk that wrote it still runs
    except (OSError, ValueError, KeyError, TypeError):
        return None
    url = found.get("url")
    return url if isinstance(url, str) and url.startswith("http") else None


@contextmanager
def embedded_api_settings() -> Iterator[None]:
    """`flows.tasks.embedded_api_settings` (imported here late: it imports Prefect)."""
    from flows.tasks import embedded_api_settings as settings

    with settings():
        yield
