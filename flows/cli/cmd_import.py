"""`editorial import PAGE.txt`: a plain-text condition page to a draft article (Markdown + front matter).

The draft goes to standard output, or to `-o OUT.md` (or `-o DIR/`, written as `DIR/<slug>.md`),
which is never overwritten without `--force` and is written atomically: a temp file in the same
directory, then a rename, so a draft is never half-written. Notes on what was inferred, dropped or
left out are printed on standard error as `page:line:col: IMxx info message`, never into the draft.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import NoReturn

import typer

from flows.cli.app import Exit, app


class RefusedError(Exception):
    """The output exists and `--force` was not given."""


@app.command("import")
def import_command(
    page: Path = typer.Argument(..., help="A plain-text condition page, e.g. copied from a health site."),
    output: str | None = typer.Option(
        None,
        "-o",
        "--output",
        help="Write the draft to this .md file, or into a directory (DIR/ : DIR/<slug>.md); default stdout.",
    ),
    author: str | None = typer.Option(None, "--author", help="Your roster id, written as 'author'."),
    title: str | None = typer.Option(None, "--title", help="The title (default: taken from the page)."),
    slug: str | None = typer.Option(None, "--slug", help="The slug (default: derived from the title)."),
    article_type: str = typer.Option("condition", "--type", help="The template the page follows."),
    templates_dir: Path | None = typer.Option(
        None, "--templates", help="Templates overriding the shipped ones (default: settings templates_dir)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing output file."),
) -> None:
    """Turn a plain-text condition page into a draft article and say what was inferred or left out."""
    from validators.errors import ConfigError, InputError
    from validators.importer import import_page, read_page
    from validators.models import SLUG_RE
    from validators.templates import load_templates

    if slug is not None and not SLUG_RE.match(slug):
        _fail(f"error: --slug '{slug}' is not a safe slug (lower-case words joined by hyphens)", Exit.USAGE)
    if title is not None and not title.strip():
        _fail("error: --title is empty (give the article's title)", Exit.USAGE)
    try:
        templates = load_templates(templates_dir or _settings_templates_dir())
    except ConfigError as exc:
        _fail(str(exc), Exit.USAGE)
    template = templates.get(article_type)
    if template is None:
        known = ", ".join(sorted(templates))
        _fail(f"error: no template for --type '{article_type}' (known: {known})", Exit.USAGE)
    out_path = Path(output) if output is not None else None
    into_directory = output is not None and (output.endswith(("/", os.sep)) or Path(output).is_dir())
    if out_path is not None and not into_directory:
        if out_path.suffix.lower() != ".md":
            _fail(
                f"{output}: error: a draft is a Markdown file: name it NAME.md, "
                "or end a directory's name with '/' to write DIR/<slug>.md",
                Exit.USAGE,
            )
        if out_path.exists() and not force:
            _refuse(out_path)
    try:
        text = read_page(page)
    except InputError as exc:
        _fail(exc.format(), Exit.USAGE)
    title = title.strip() if title else None
    draft = import_page(text, page, template, author=author, title=title, slug=slug)
    for note in draft.notes:
        typer.echo(note.format(), err=True)
        if note.hint:
            typer.echo(f"    hint: {note.hint}", err=True)
    if out_path is None:
        typer.echo(draft.text, nl=False)
        raise typer.Exit(Exit.OK)
    target = out_path / f"{draft.slug}.md" if into_directory else out_path
    try:
        if into_directory:
            out_path.mkdir(parents=True, exist_ok=True)
        write_atomically(target, draft.text, overwrite=force)
    except RefusedError:
        _refuse(target)
    except OSError as exc:
        _fail(f"{target}: error: cannot write the draft: {exc.strerror or exc}", Exit.USAGE)
    typer.echo(f"{page}: wrote {target} ({len(draft.notes)} notes)", err=True)
    raise typer.Exit(Exit.OK)


def write_atomically(target: Path, text: str, *, overwrite: bool) -> None:
    """Write `text` to `target` through a temp file and a rename; never replace it unless `overwrite`.

    Without `overwrite` the temp file is hard-linked into place, which fails if `target` appeared in
    the meantime, so a file created by someone else is never replaced. Raises `RefusedError` then.
    """
    directory = target.parent if str(target.parent) else Path(".")
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o644)
        if overwrite:
            os.replace(temp, target)
        else:
            try:
                os.link(temp, target)
            except FileExistsError as exc:
                raise RefusedError(str(target)) from exc
            except OSError:  # a file system without hard links: check, then rename
                if target.exists():
                    raise RefusedError(str(target)) from None
                os.replace(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _refuse(target: Path) -> NoReturn:
    _fail(f"{target}: error: the file exists; not overwriting it (use --force to replace it)", Exit.FINDINGS)


def _fail(message: str, code: Exit) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _settings_templates_dir() -> Path | None:
    from flows.settings import get_settings

    return get_settings().templates_dir
