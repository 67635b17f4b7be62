"""The `check-corpus-dask` deployment's flow: `check_corpus` with its batches on a Dask cluster.

Needs the optional extra `dask` (`pip install -e ".[dask]"`: prefect-dask and distributed). Each
Dask worker is a process that loads the flagger once, before its first batch (`dask_setup` below
is a Dask preload: a worker imports this module and calls it when it starts), and returns only the
small per-file results (`flows.tasks.FileCheck`), never articles or flags.

Where the workers come from (read when the flow is loaded):
- `EDITORIAL_DASK_ADDRESS=tcp://scheduler:8786`: an existing cluster, for many machines; start its
  workers with `dask worker tcp://scheduler:8786 --nthreads 1 --preload flows.check_corpus_dask`;
- otherwise a local cluster of `EDITORIAL_DASK_WORKERS` processes (default: the machine's cores),
  one thread each (the flagger's spaCy pipeline is not made for threads).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from prefect import flow
from prefect.task_runners import ThreadPoolTaskRunner

from flows.check_corpus import DEFAULT_BATCH_SIZE, CorpusReport, check_in_batches, corpus_files

BATCHES_PER_WORKER = 4
MAX_BATCH_SIZE = 5_000


def dask_setup(worker: Any) -> None:
    """Dask preload hook: load the templates and the flagger once in this worker process."""
    from flows.settings import get_settings
    from flows.tasks import flagger_for, templates_for

    settings = get_settings()
    templates_for(settings)
    flagger_for(settings)


def local_workers() -> int:
    """How many worker processes a local cluster starts: EDITORIAL_DASK_WORKERS, else the cores."""
    text = os.environ.get("EDITORIAL_DASK_WORKERS", "").strip()
    if not text:
        return max(os.cpu_count() or 1, 1)
    try:
        workers = int(text)
    except ValueError:
        raise ValueError(f"EDITORIAL_DASK_WORKERS={text!r} is not a number of workers (e.g. 4)") from None
    if workers < 1:
        raise ValueError(f"EDITORIAL_DASK_WORKERS={text!r}: give at least 1 worker")
    return workers


def current_api_url() -> str:
    """The Prefect API this process talks to (the embedded one is started when none is configured)."""
    from prefect.client.orchestration import get_client

    client = get_client(sync_client=True)
    return str(client.api_url).rstrip("/")


def editorial_runner_class() -> type[Any]:
    """`DaskTaskRunner` whose local workers talk to this process's Prefect API.

    Without a configured `PREFECT_API_URL`, every new process would start an embedded API of its
    own (SQLite, ~10-30 s each, and task runs recorded where nobody looks): the local cluster's worker
    processes are given the URL of the API this flow run uses when the runner starts.
    """
    from prefect_dask.task_runners import DaskTaskRunner

    class EditorialDaskTaskRunner(DaskTaskRunner):  # type: ignore[misc,unused-ignore]
        def __enter__(self) -> Any:
            runner: Any = self  # typed whether or not the optional `dask` extra is installed
            if not runner.address and runner.cluster_kwargs is not None:
                env = {"PREFECT_API_URL": current_api_url(), **runner.cluster_kwargs.get("env", {})}
                runner.cluster_kwargs = {**runner.cluster_kwargs, "env": env}
            return super().__enter__()  # type: ignore[no-untyped-call,unused-ignore]

    return EditorialDaskTaskRunner


def dask_task_runner(workers: int | None = None, address: str | None = None) -> Any:
    """A Dask task runner: the cluster at `address`, else a local cluster of `workers` processes."""
    from prefect_dask.task_runners import DaskTaskRunner

    address = address or os.environ.get("EDITORIAL_DASK_ADDRESS") or None
    if address:
        return DaskTaskRunner(address=address)
    return editorial_runner_class()(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={
            "n_workers": workers or local_workers(),
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
            "preload": [__name__],
        },
    )


def workers_of_run() -> int:
    """How many workers the current flow run's Dask cluster has (1 when it cannot be told)."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    client = getattr(context.task_runner, "client", None) if context is not None else None
    if client is None:
        return 1
    return max(len(client.scheduler_info(n_workers=-1).get("workers", {})), 1)


def batch_size_for(files: int, workers: int) -> int:
    """Few big batches: each Prefect task run costs about 0.1-0.5 s on the API, so each worker gets
    `BATCHES_PER_WORKER` batches (enough to even out), never smaller than the default batch."""
    wanted = -(-files // (workers * BATCHES_PER_WORKER))
    return min(max(wanted, DEFAULT_BATCH_SIZE), MAX_BATCH_SIZE)


def runner_if_installed() -> Any:
    """The Dask task runner, or None without the `dask` extra (this module must import without it)."""
    try:
        return dask_task_runner()
    except ModuleNotFoundError:
        return None


RUNNER = runner_if_installed()


@flow(name="check-corpus-dask", task_runner=RUNNER or ThreadPoolTaskRunner(max_workers=1))  # type: ignore[arg-type]
def check_corpus_dask(directory: Path, batch_size: int | None = None) -> CorpusReport:
    """`check_corpus` with its batches on Dask workers; `batch_size` None: a few batches per worker."""
    if RUNNER is None:
        raise ModuleNotFoundError(
            "check-corpus-dask needs the optional extra `dask`: pip install -e '.[dask]' (prefect-dask)"
        )
    if batch_size is None:
        batch_size = batch_size_for(len(corpus_files(Path(directory))), workers_of_run())
    return check_in_batches(directory, batch_size)
