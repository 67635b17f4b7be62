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
from typing import Any

from flows.check_corpus import check_corpus


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


def dask_task_runner(workers: int | None = None, address: str | None = None) -> Any:
    """A Dask task runner: the cluster at `address`, else a local cluster of `workers` processes."""
    from prefect_dask import DaskTaskRunner

    address = address or os.environ.get("EDITORIAL_DASK_ADDRESS") or None
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={
            "n_workers": workers or local_workers(),
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
            "preload": [__name__],
        },
    )


check_corpus_dask = check_corpus.with_options(name="check-corpus-dask", task_runner=dask_task_runner())
