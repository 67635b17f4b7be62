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


@contextmanager
def embedded_api_settings() -> Iterator[None]:
    """`flows.tasks.embedded_api_settings` (imported here late: it imports Prefect)."""
    from flows.tasks import embedded_api_settings as settings

    with settings():
        yield
