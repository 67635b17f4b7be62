"""Starting the desk: its Prefect API (unless PREFECT_API_URL names one), then the web server.

While the desk runs with its own Prefect API, `prefect-api.json` in its data directory names that API
and the desk's process id; `flows.cli.prefect_env.prepare_prefect` reads it, so `editorial` commands
on the same machine record to the desk's API instead of starting an embedded one. The file is removed
when the desk stops (and ignored when its process is gone).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flows.web.config import DeskConfig

Say = Callable[[str], None]


@contextmanager
def desk_prefect_api(config: DeskConfig, say: Say) -> Iterator[str | None]:
    """The Prefect API the desk records to: PREFECT_API_URL's, else one started here for its lifetime."""
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    configured = get_current_settings().api.url
    if configured:
        yield str(configured)
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    say("starting the desk's Prefect API ...")
    server.start()
    url = server.api_url
    config.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    marker = config.prefect_api_path
    marker.write_text(json.dumps({"url": url, "pid": os.getpid()}) + "\n", encoding="utf-8")
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url
    finally:
        marker.unlink(missing_ok=True)
        server.stop()


def run_desk(config: DeskConfig, *, host: str, port: int, start_prefect: bool, say: Say) -> None:
    """Serve the desk until interrupted."""
    import uvicorn

    from flows.context import open_repo
    from flows.web.app import create_app

    with open_repo(path=config.repo):
        pass  # a missing or broken repository is reported before anything starts
    app = create_app(config)
    scheme = "https" if config.secure_cookies else "http"
    with desk_prefect_api(config, say) if start_prefect else _no_api() as api:
        say(f"desk on {scheme}://{host}:{port}/ for {config.repo} (accounts in {config.data_dir})")
        if api:
            say(f"recording events to the Prefect API at {api}")
        # The desk decides itself which proxy to trust (config.trusted_proxies): uvicorn must not
        # rewrite the client address from X-Forwarded-For.
        uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False, server_header=False)


@contextmanager
def _no_api() -> Iterator[str | None]:
    yield None
