"""No embedded Prefect API outlives the process that started it.

Prefect's embedded API (no `PREFECT_API_URL`) is a `uvicorn` child process that the parent stops at
exit. A parent killed with SIGKILL (the OOM killer, `systemctl stop` after its timeout, a container
stop) never runs its exit handlers, and the child used to run on, holding about 200 MB. Here every
embedded API is started with a watchdog: a tiny process in its own session (so a signal to the
parent's process group does not reach it) that polls the parent and stops the API when the parent is
gone, then exits; it also exits when the API stops first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

WATCHDOG = """
import os, signal, sys, time
parent, child = int(sys.argv[1]), int(sys.argv[2])
def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True
while alive(child):
    if not alive(parent):
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 0.0)):
            try:
                os.kill(child, sig)
            except ProcessLookupError:
                sys.exit(0)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and alive(child):
                time.sleep(0.1)
        sys.exit(0)
    time.sleep(0.5)
"""

_installed = False


def watch(parent: int, child: int) -> subprocess.Popen[bytes]:
    """Start the watchdog that stops `child` once `parent` is gone."""
    return subprocess.Popen(
        [sys.executable, "-S", "-c", WATCHDOG, str(parent), str(child)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
    )


def guard_embedded_api() -> None:
    """Make every embedded Prefect API this process starts die with it (idempotent)."""
    global _installed
    if _installed:
        return
    from prefect.server.api.server import SubprocessASGIServer

    start_uvicorn = SubprocessASGIServer._run_uvicorn_command

    def guarded(self: SubprocessASGIServer) -> subprocess.Popen[Any]:
        process = start_uvicorn(self)
        watch(os.getpid(), process.pid)
        return process

    SubprocessASGIServer._run_uvicorn_command = guarded  # type: ignore[method-assign]
    _installed = True
