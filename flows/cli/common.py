"""The one layer every command uses to print, fail and turn the project's errors into exit codes.

Exit codes (`flows.cli.app.Exit`): 0 done; 1 the input was checked and has errors, or an action was
refused or failed (a policy refusal, a conflict, a race lost, a push or git failure); 2 unusable
input or a usage mistake (a file that cannot be read, a bad option, no such draft or repository).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import typer

from flows.cli.app import Exit

REPO_HELP = "The content repository (default: EDITORIAL_REPO, else ./content)."


def say(markup: str = "", *, err: bool = False) -> None:
    """Print one line of rich markup: styled on a terminal, plain text otherwise."""
    from rich.console import Console
    from rich.text import Text

    stream = sys.stderr if err else sys.stdout
    if stream.isatty():
        Console(file=stream, highlight=False, soft_wrap=True).print(markup)
    else:
        typer.echo(Text.from_markup(markup).plain, err=err)


def fail(message: str, code: Exit = Exit.USAGE) -> NoReturn:
    """One line on standard error, then exit with `code`.

    Messages that already say where and what (`path[:line]: error ...`) are printed as they are.
    """
    line = message if ": error " in message else f"editorial: error: {message}"
    typer.echo(line, err=True)
    raise typer.Exit(int(code))


def exit_code_of(exc: Exception) -> Exit:
    """The exit code of one of the project's errors (see the module docstring)."""
    from content_repo.errors import ContentRepoError, NotFoundError, RepositoryError, SlugError
    from reviewers.policy import PolicyError

    if isinstance(exc, NotFoundError | RepositoryError | SlugError):
        return Exit.USAGE
    if isinstance(exc, ContentRepoError | PolicyError):
        return Exit.FINDINGS  # refused, or a conflict, a race, a remote or git failure: the action failed
    publish = sys.modules.get("flows.publish")  # loaded whenever its PushFailed was raised
    if publish is not None and isinstance(exc, publish.PushFailed | publish.MainNotGuarded):
        return Exit.FINDINGS
    return Exit.USAGE  # input, configuration, an unknown reviewer, a refused submission


@contextmanager
def reported_errors(*, recording: bool = False) -> Iterator[None]:
    """The project's errors as one line on standard error with the right exit code (no traceback).

    With `recording`, a refusal says that nothing was recorded.
    """
    from reviewers.policy import PolicyError
    from validators.errors import EditorialError, InputError

    try:
        yield
    except InputError as exc:
        fail(exc.format(), Exit.USAGE)
    except PolicyError as exc:
        fail(f"refused: {exc}" + (" (nothing recorded)" if recording else ""), Exit.FINDINGS)
    except EditorialError as exc:
        fail(str(exc), exit_code_of(exc))


@contextmanager
def working(message: str) -> Iterator[None]:
    """A spinner on a terminal's standard error while long work runs (nothing when not a terminal)."""
    from rich.console import Console

    if sys.stderr.isatty():
        with Console(file=sys.stderr).status(message):
            yield
    else:
        yield


def repo_of(option: Path | None) -> Path:
    """`--repo`, else the settings' repository; refused at once when it is not a directory."""
    from flows.settings import get_settings

    path = option if option is not None else get_settings().repo
    if not path.is_dir():
        fail(f"{path}: no content repository there (pass --repo DIR or set EDITORIAL_REPO)")
    return path
