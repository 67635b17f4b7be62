"""Thin Prefect tasks and helpers shared by the flows: settings per run, checking and flagging in batches.

Every task here works on a batch (a list of articles, a list of files), never on one term or one
sentence: Prefect costs a few milliseconds per task run. No domain logic lives here; the tasks call
`validators/`, `reviewers/` and `content_repo/`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict, Field

from flows.settings import Settings, get_settings
from validators.errors import InputError
from validators.findings import Severity, sort_findings
from validators.models import Article

if TYPE_CHECKING:
    from reviewers.desk import Submission
    from reviewers.flagger import Flagger
    from validators.templates import Template


class FileCheck(BaseModel):
    """The small result of checking one file in a bulk run (what a summary needs, not the article)."""

    model_config = ConfigDict(frozen=True)

    path: str
    unusable: str | None = Field(default=None, description="The input error when the file cannot be checked.")
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    flags: int = 0
    flags_needing_approval: int = 0
    codes: dict[str, int] = Field(default_factory=dict, description="Finding count per rule code.")


def utc_now(now: datetime | None = None) -> datetime:
    """`now` made timezone-aware (UTC when naive), or the current UTC time."""
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


@contextmanager
def embedded_api_settings() -> Iterator[None]:
    """Prefect settings for flows run on the embedded API (no server): no flow-run heartbeats.

    Heartbeats let a server notice a crashed run; the embedded API lives and dies with the process,
    so they only cost time: Prefect joins the heartbeat thread, which sleeps in one-second steps, at
    the end of every flow run (about 1 s per flow). The embedded API gets a watchdog
    (`flows.prefect_guard`), so it never outlives this process. With a server (`PREFECT_API_URL`),
    nothing changes.
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, get_current_settings, temporary_settings

    if get_current_settings().api.url:
        yield
        return
    from flows.prefect_guard import guard_embedded_api

    guard_embedded_api()  # the embedded API started for these flows dies with this process
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def settings_for(repo_path: Path | str | None) -> Settings:
    """The process settings, with the content repository replaced when a flow is given one."""
    settings = get_settings()
    if repo_path is None:
        return settings
    return settings.model_copy(update={"repo": Path(repo_path)})


@lru_cache(maxsize=4)
def _templates(templates_dir: Path | None) -> dict[str, Template]:
    from validators.templates import load_templates

    return load_templates(templates_dir)


@lru_cache(maxsize=2)
def _flagger(config_path: Path | None, cache_dir: Path) -> Flagger:
    from reviewers.flagger import load_flagger

    return load_flagger(config_path, cache_dir)


def templates_for(settings: Settings) -> dict[str, Template]:
    """The article templates (shipped, overridden by the organization's), loaded once per process."""
    return _templates(settings.templates_dir)


def flagger_for(settings: Settings) -> Flagger:
    """The term flagger, loaded once per process from its on-disk cache."""
    return _flagger(settings.flagger_config, settings.cache_dir)


def check_articles(articles: Sequence[Article], settings: Settings) -> list[Submission]:
    """Validate and flag a batch of parsed articles into `Submission`s (claims and hash computed once)."""
    from reviewers.desk import make_submission
    from reviewers.flagger import flag_findings
    from validators.check import check_article

    templates = templates_for(settings)
    flagger = flagger_for(settings)
    checked: list[Submission] = []
    for article, flags in zip(articles, flagger.flag_many(articles), strict=True):
        findings = sort_findings([*check_article(article, templates), *flag_findings(flags, article.path)])
        checked.append(make_submission(article, findings, flags))
    return checked


def check_files(paths: Sequence[Path], settings: Settings) -> list[FileCheck]:
    """Parse, validate and flag a batch of files; unusable files are reported, not raised."""
    from validators.parser import load_article

    articles: list[Article] = []
    unusable: dict[int, str] = {}
    for index, path in enumerate(paths):
        try:
            articles.append(load_article(path))
        except InputError as exc:
            unusable[index] = exc.format()
    checked = iter(check_articles(articles, settings))
    results: list[FileCheck] = []
    for index, path in enumerate(paths):
        if index in unusable:
            results.append(FileCheck(path=str(path), unusable=unusable[index]))
            continue
        item = next(checked)
        codes: dict[str, int] = {}
        for finding in item.findings:
            codes[finding.code] = codes.get(finding.code, 0) + 1
        severities = [f.severity for f in item.findings]
        results.append(
            FileCheck(
                path=str(path),
                errors=severities.count(Severity.ERROR),
                warnings=severities.count(Severity.WARNING),
                infos=severities.count(Severity.INFO),
                flags=len(item.flags),
                flags_needing_approval=sum(1 for f in item.flags if f.needs_approval),
                codes=codes,
            )
        )
    return results


@task(name="check-and-flag", cache_policy=NO_CACHE)
def check_and_flag(articles: list[Article], repo_path: Path | None = None) -> list[Submission]:
    """Validate and flag a batch of articles."""
    return check_articles(articles, settings_for(repo_path))


@task(name="check-files", cache_policy=NO_CACHE)
def check_file_batch(paths: list[Path], repo_path: Path | None = None) -> list[FileCheck]:
    """Parse, validate and flag a batch of files (one task per batch, never per file)."""
    return check_files(paths, settings_for(repo_path))


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table; pipes and newlines inside cells are escaped so the table stays whole."""

    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines.extend("| " + " | ".join(cell(v) for v in row) + " |" for row in rows)
    return "\n".join(lines)
