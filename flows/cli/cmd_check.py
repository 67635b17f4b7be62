"""`editorial check PATH...`: every rule on drafts, as `path:line:col: CODE severity message`, JSON,
SARIF 2.1.0, GitHub workflow commands or JUnit XML (`validators.report_formats`).

The formats, the exit codes and every rule code are documented in docs/check.md.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from flows.cli.app import Exit, app

if TYPE_CHECKING:
    from flows.settings import Settings
    from validators.errors import InputError
    from validators.findings import Finding
    from validators.models import Article

JSON_SCHEMA_ID = "editorial.check/1"
PROGRESS_MIN_FILES = 20
"""A progress bar is drawn on a terminal's standard error from this many files on."""


class OutputFormat(StrEnum):
    """How findings are printed."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"
    JUNIT = "junit"


@dataclass
class FileResult:
    """One file's outcome: its findings, or why it could not be checked."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    error: InputError | None = None

    def to_dict(self) -> dict[str, Any]:
        """The file's entry in the JSON report."""
        error = None
        if self.error is not None:
            error = {
                "code": self.error.code,
                "message": self.error.message,
                "line": self.error.line,
                "hint": self.error.hint,
            }
        return {
            "path": self.path,
            "status": "unusable" if self.error is not None else "checked",
            "error": error,
            "findings": [f.to_dict() for f in self.findings],
        }


@app.command("check")
def check_command(
    paths: list[Path] = typer.Argument(..., help="Draft files, or directories searched for *.md."),
    output_format: OutputFormat = typer.Option(
        OutputFormat.TEXT,
        "--format",
        help="text (one line per finding), json, sarif (SARIF 2.1.0), github (workflow annotations) "
        "or junit (JUnit XML); see docs/check.md.",
    ),
    templates_dir: Path | None = typer.Option(
        None, "--templates", help="Templates overriding the shipped ones (default: settings templates_dir)."
    ),
    no_terms: bool = typer.Option(False, "--no-terms", help="Skip medical-term flagging (TM01)."),
) -> None:
    """Check drafts: structure, disclaimers, front matter, prose and (unless --no-terms) medical terms."""
    from validators.check import check_article
    from validators.errors import ConfigError, InputError
    from validators.parser import load_article
    from validators.templates import load_templates

    try:
        templates = load_templates(templates_dir or _settings_templates_dir())
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(Exit.USAGE) from exc

    results: list[FileResult] = []
    articles: list[tuple[FileResult, Article]] = []
    texts: dict[str, str] = {}
    targets = list(discover(paths))
    for display, problem in _progress(targets):
        result = FileResult(display, error=problem)
        results.append(result)
        if problem is not None:
            continue
        try:
            article = load_article(display)
        except InputError as exc:
            result.error = exc
            continue
        try:
            result.findings = check_article(article, templates)
        except ConfigError as exc:  # a rule's data file is broken: no file can be checked
            typer.echo(str(exc), err=True)
            raise typer.Exit(Exit.USAGE) from exc
        articles.append((result, article))
        texts[display] = article.text

    if not no_terms and articles:
        _add_term_findings(articles)

    code = _exit_code(results)
    if output_format is OutputFormat.TEXT:
        _print_text(results)
        raise typer.Exit(code)
    if output_format is OutputFormat.JSON:
        typer.echo(json.dumps(_report(results, code), indent=2, ensure_ascii=False))
    else:
        typer.echo(_ci_report(output_format, results, texts), nl=False)
    for result in results:
        if result.error is not None:
            typer.echo(result.error.format(), err=True)
    raise typer.Exit(code)


def discover(paths: Sequence[Path]) -> Iterator[tuple[str, InputError | None]]:
    """Each file to check (directories searched for *.md, hidden ones skipped), or why it cannot be."""
    from validators.errors import InputError

    seen: set[str] = set()
    for path in paths:
        if path.is_dir():
            found = False
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.endswith(".md") and not name.startswith("."):
                        found = True
                        candidate = Path(root) / name
                        if _first_time(candidate, seen):
                            yield str(candidate), _unreadable(candidate)
            if not found:
                yield (
                    str(path),
                    InputError(
                        "E001",
                        path,
                        detail="no *.md files in this directory",
                        hint="give a draft or a folder of drafts",
                    ),
                )
        elif _first_time(path, seen):
            yield str(path), _unreadable(path)


def _first_time(path: Path, seen: set[str]) -> bool:
    """True the first time a file is met, however its path is spelled."""
    key = os.path.normcase(os.path.abspath(path))
    if key in seen:
        return False
    seen.add(key)
    return True


def _unreadable(path: Path) -> InputError | None:
    """Why `path` cannot be read as a draft without blocking (missing, broken link, not a file)."""
    from validators.errors import InputError

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            return InputError("E001", path, detail="broken symbolic link", hint="fix or remove the link")
        return InputError("E011", path, hint="check the path")
    except OSError as exc:
        return InputError("E001", path, detail=exc.strerror or str(exc), hint="check its permissions")
    if not stat.S_ISREG(mode):
        return InputError("E001", path, detail="not a regular file", hint="give a Markdown file")
    return None


def _progress(targets: list[tuple[str, InputError | None]]) -> Iterator[tuple[str, InputError | None]]:
    """The targets, drawing a progress bar on standard error when it is a terminal and they are many."""
    if len(targets) < PROGRESS_MIN_FILES or not sys.stderr.isatty():
        yield from targets
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("check", total=len(targets))
        for target in targets:
            yield target
            progress.advance(task)


def _add_term_findings(articles: list[tuple[FileResult, Article]]) -> None:
    """Append TM01 findings from the medical-term flagger to each checked file."""
    from validators.errors import EditorialError
    from validators.findings import sort_findings

    try:
        from reviewers.flagger import flag_findings, load_flagger
    except ImportError as exc:
        typer.echo(f"error: term flagging is not available ({exc}); use --no-terms", err=True)
        raise typer.Exit(Exit.USAGE) from exc
    settings = _settings()
    try:
        flagger = load_flagger(settings.flagger_config, settings.cache_dir)
        # many files (200 or more, or 200k characters) are flagged in worker processes, same flags
        batches = flagger.flag_many((article for _, article in articles), workers=None)
        for (result, article), flags in zip(articles, batches, strict=True):
            terms = flag_findings(flags, article.path)
            result.findings = sort_findings([*result.findings, *terms])
    except EditorialError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(Exit.USAGE) from exc


def _settings_templates_dir() -> Path | None:
    return _settings().templates_dir


def _settings() -> Settings:
    from flows.settings import get_settings

    return get_settings()


def _counts(results: Sequence[FileResult]) -> dict[str, int]:
    findings = [f for r in results for f in r.findings]
    unusable = sum(1 for r in results if r.error is not None)
    return {
        "files": len(results),
        "checked": len(results) - unusable,
        "unusable": unusable,
        "errors": sum(1 for f in findings if f.severity.value == "error"),
        "warnings": sum(1 for f in findings if f.severity.value == "warning"),
        "info": sum(1 for f in findings if f.severity.value == "info"),
    }


def _exit_code(results: Sequence[FileResult]) -> Exit:
    counts = _counts(results)
    if counts["unusable"]:
        return Exit.USAGE
    return Exit.FINDINGS if counts["errors"] else Exit.OK


def summary_line(results: Sequence[FileResult]) -> str:
    """`N files checked: E errors, W warnings, I info, U unusable` (fixed wording, for scripts)."""
    c = _counts(results)
    return (
        f"{c['files']} files checked: {c['errors']} errors, {c['warnings']} warnings, "
        f"{c['info']} info, {c['unusable']} unusable"
    )


def _print_text(results: Sequence[FileResult]) -> None:
    for result in results:
        if result.error is not None:
            typer.echo(result.error.format(), err=True)
        for finding in result.findings:
            typer.echo(finding.format())
            if finding.hint:
                typer.echo(f"    hint: {finding.hint}")
    typer.echo(summary_line(results))


def _ci_report(output_format: OutputFormat, results: Sequence[FileResult], texts: dict[str, str]) -> str:
    """The SARIF, GitHub or JUnit report of the run (standard output's whole text)."""
    from validators import report_formats

    if output_format is OutputFormat.SARIF:
        log = report_formats.sarif_log(results, texts, tool_version=_version())
        return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
    if output_format is OutputFormat.GITHUB:
        return "".join(
            line + "\n" for line in [*report_formats.github_annotations(results), summary_line(results)]
        )
    return report_formats.junit_xml(results)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("editorial")
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "0+unknown"


def _report(results: Sequence[FileResult], code: Exit) -> dict[str, Any]:
    return {
        "schema": JSON_SCHEMA_ID,
        "files": [r.to_dict() for r in results],
        "summary": _counts(results),
        "exit_code": int(code),
    }
