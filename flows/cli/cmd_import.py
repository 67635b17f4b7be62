"""`editorial import PAGE...`: condition pages (plain text, or HTML saved from a browser) to draft articles.

One page's draft goes to standard output, or to `-o OUT.md` (or `-o DIR/`, written as
`DIR/<slug>.md`); several pages (or a directory of `*.txt`, `*.html`, `*.htm` pages) need `-o DIR/`.
A draft is never overwritten without `--force` and is written atomically: a temp file in the same
directory, then a rename, so a draft is never half-written. Notes on what was placed, dropped or
kept are printed on standard error as `page:line:col: IMxx severity message`, never into the draft.
A page that cannot be read is reported in one line and the others are still imported (exit 2).
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


PAGE_SUFFIXES = (".txt", ".text", ".html", ".htm")


@app.command("import")
def import_command(
    pages: list[Path] = typer.Argument(
        ...,
        help="Condition pages (text copied from a health site, or HTML saved from a browser), "
        "or directories.",
    ),
    output: str | None = typer.Option(
        None,
        "-o",
        "--output",
        help="Write the draft to this .md file, or into a directory (DIR/ : DIR/<slug>.md); default stdout.",
    ),
    author: str | None = typer.Option(None, "--author", help="Your roster id, written as 'author'."),
    title: str | None = typer.Option(None, "--title", help="The title (default: taken from the page)."),
    slug: str | None = typer.Option(None, "--slug", help="The slug (default: derived from the title)."),
    sources: list[str] = typer.Option(
        [], "--source", help="Where the page comes from (a URL), written into 'sources' (repeatable)."
    ),
    article_type: str = typer.Option("condition", "--type", help="The template the page follows."),
    templates_dir: Path | None = typer.Option(
        None, "--templates", help="Templates overriding the shipped ones (default: settings templates_dir)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing output file."),
) -> None:
    """Turn condition pages into draft articles and say what was placed, dropped or kept aside."""
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
    files = _page_files(pages)
    out_path = Path(output) if output is not None else None
    into_directory = output is not None and (output.endswith(("/", os.sep)) or Path(output).is_dir())
    if len(files) > 1 or any(p.is_dir() for p in pages):
        if out_path is None or not into_directory:
            _fail("error: several pages need an output directory: give -o DIR/", Exit.USAGE)
        if title is not None or slug is not None:
            _fail("error: --title and --slug name one page: import the pages one at a time", Exit.USAGE)
    if not files:
        _fail(f"error: no pages ({', '.join(PAGE_SUFFIXES)}) in {', '.join(map(str, pages))}", Exit.USAGE)
    if out_path is not None and not into_directory:
        if out_path.suffix.lower() != ".md":
            _fail(
                f"{output}: error: a draft is a Markdown file: name it NAME.md, "
                "or end a directory's name with '/' to write DIR/<slug>.md",
                Exit.USAGE,
            )
        if out_path.exists() and not force:
            _refuse(out_path)
    title = title.strip() if title else None
    unusable = 0
    for page in files:
        try:
            text = read_page(page)
        except InputError as exc:
            typer.echo(exc.format(), err=True)
            unusable += 1
            continue
        draft = import_page(text, page, template, author=author, title=title, slug=slug, sources=sources)
        for note in draft.notes:
            typer.echo(note.format(), err=True)
            if note.hint:
                typer.echo(f"    hint: {note.hint}", err=True)
        if out_path is None:
            typer.echo(draft.text, nl=False)
            continue
        target = out_path / f"{draft.slug}.md" if into_directory else out_path
        try:
            if into_directory:
                out_path.mkdir(parents=True, exist_ok=True)
            write_atomically(target, draft.text, overwrite=force)
        except RefusedError:
            if len(files) == 1:
                _refuse(target)
            typer.echo(f"{target}: error: the file exists; not overwriting it (use --force)", err=True)
            unusable += 1
            continue
        except OSError as exc:
            _fail(f"{target}: error: cannot write the draft: {exc.strerror or exc}", Exit.USAGE)
        typer.echo(f"{page}: wrote {target} ({len(draft.notes)} notes)", err=True)
    raise typer.Exit(Exit.USAGE if unusable else Exit.OK)


def _page_files(paths: list[Path]) -> list[Path]:
    """The pages to import: files as given, directories searched for pages (hidden ones skipped)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in PAGE_SUFFIXES
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            files.extend(found)
        else:
            files.append(path)
    return list(dict.fromkeys(files))


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
