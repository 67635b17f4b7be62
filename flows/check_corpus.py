"""The `check_corpus` flow: check and flag every draft of a directory, in batches, with a summary artifact.

Prefect costs about a second per flow and a few milliseconds per task, so the directory is cut into
batches of `batch_size` files and each batch is one task (never one task per article or term). For a
team with many cores, the same flow can run its batches in parallel processes on a Dask task runner
(`check_corpus.with_options(task_runner=DaskTaskRunner())`, package `prefect-dask`, not installed by
default).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.task_runners import ThreadPoolTaskRunner
from pydantic import BaseModel, ConfigDict, Field

from flows.tasks import FileCheck, check_file_batch, markdown_table

DEFAULT_BATCH_SIZE = 250


class CorpusReport(BaseModel):
    """What a bulk check found: per-file results and the totals a person reads first."""

    model_config = ConfigDict(frozen=True)

    directory: str
    files: list[FileCheck]
    batches: int = Field(ge=0)

    @property
    def unusable(self) -> list[FileCheck]:
        """Files that could not be checked at all."""
        return [f for f in self.files if f.unusable is not None]

    @property
    def with_errors(self) -> list[FileCheck]:
        """Files checked with at least one error finding."""
        return [f for f in self.files if f.errors]

    @property
    def codes(self) -> Counter[str]:
        """Finding count per rule code over the whole corpus."""
        total: Counter[str] = Counter()
        for item in self.files:
            total.update(item.codes)
        return total

    def summary_markdown(self, worst: int = 25) -> str:
        """The report as Markdown: totals, findings per code, the files with most errors."""
        flags = sum(f.flags for f in self.files)
        approval = sum(f.flags_needing_approval for f in self.files)
        lines = [
            f"# Corpus check of `{self.directory}`",
            "",
            f"{len(self.files)} files in {self.batches} batches: {len(self.with_errors)} with errors, "
            f"{len(self.unusable)} unusable; {flags} flags ({approval} need a clinician).",
            "",
            "## Findings per rule",
            "",
            markdown_table(["code", "findings"], sorted(self.codes.items())),
        ]
        if self.unusable:
            lines += ["", "## Unusable files", ""]
            lines += [f"- {f.unusable}" for f in self.unusable[:worst]]
        ranked = sorted(self.with_errors, key=lambda f: (-f.errors, f.path))[:worst]
        if ranked:
            lines += ["", f"## Files with the most errors (top {len(ranked)})", ""]
            lines.append(
                markdown_table(
                    ["file", "errors", "warnings", "flags"],
                    [[f.path, f.errors, f.warnings, f.flags] for f in ranked],
                )
            )
        return "\n".join(lines) + "\n"


def corpus_files(directory: Path) -> list[Path]:
    """The Markdown drafts under `directory`, in a stable order."""
    return sorted(p for p in directory.rglob("*.md") if p.is_file())


def check_in_batches(directory: Path, batch_size: int) -> CorpusReport:
    """The body of both corpus flows: batches submitted to the flow's task runner, a summary artifact."""
    logger = get_run_logger()
    root = Path(directory)
    if not root.is_dir():
        raise NotADirectoryError(f"{root}: not a directory (give the folder of drafts to check)")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    paths = corpus_files(root)
    batches = [paths[i : i + batch_size] for i in range(0, len(paths), batch_size)]
    logger.info("checking %d files in %d batches of up to %d", len(paths), len(batches), batch_size)
    futures = [check_file_batch.submit(batch) for batch in batches]
    results: list[FileCheck] = []
    for future in futures:
        results.extend(future.result())
    report = CorpusReport(directory=str(root), files=results, batches=len(batches))
    create_markdown_artifact(
        key="corpus-check",
        markdown=report.summary_markdown(),
        description=f"Bulk check of {root}",
    )
    logger.info(
        "%d files: %d with errors, %d unusable", len(results), len(report.with_errors), len(report.unusable)
    )
    return report


# One worker thread: the flagger's spaCy pipeline is shared in-process and is not made for threads.
# Process-level fan-out is the Dask variant's job (flows/check_corpus_dask.py).
@flow(name="check-corpus", task_runner=ThreadPoolTaskRunner(max_workers=1))  # type: ignore[arg-type]
def check_corpus(directory: Path, batch_size: int = DEFAULT_BATCH_SIZE) -> CorpusReport:
    """Check and flag every `*.md` under `directory` in batched tasks; publish a summary artifact."""
    return check_in_batches(directory, batch_size)
