"""No embedded Prefect API outlives the process that started it (flows.prefect_guard)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.prefect_guard import watch


def gone(pid: int, within: float) -> bool:
    """True once `pid` has exited (and been reaped by us, or is not ours) within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            finished = pid if not Path(f"/proc/{pid}").exists() else 0
        if finished == pid:
            return True
        time.sleep(0.1)
    return False


def test_the_watchdog_stops_the_child_when_the_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dog = watch(parent.pid, child.pid)
    try:
        time.sleep(0.6)
        assert child.poll() is None  # the parent lives: the child is left alone
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert gone(child.pid, 8), "the child outlived its parent"
        assert dog.wait(timeout=5) == 0
    finally:
        for process in (parent, child, dog):
            if process.poll() is None:
                process.kill()


def test_the_watchdog_exits_when_the_child_stops_first() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dog = watch(os.getpid(), child.pid)
    assert dog.wait(timeout=5) == 0


SCRIPT = """
import os, signal, sys
from prefect import flow
from flows.tasks import embedded_api_settings

@flow
def hello() -> int:
    return 1

with embedded_api_settings():
    hello()
    from prefect.server.api.server import SubprocessASGIServer
    [server] = [s for s in SubprocessASGIServer._instances.values() if s.server_process]
    print(server.server_process.pid, flush=True)
    os.killpg(os.getpgid(0), signal.SIGKILL)  # as systemd or a container stop kills a service
"""


@pytest.mark.slow
def test_an_embedded_api_dies_with_its_killed_process_group(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",  # a first start creates the database
    }
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        start_new_session=True,  # its own process group, killed whole by the script
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert run.returncode == -signal.SIGKILL, run.stderr[-3000:]
    server = int(run.stdout.split()[0])
    assert gone(server, 10), "the embedded Prefect API outlived its killed process group"
