"""Read a draft safely and parse it into an `Article` (front matter + sections with line numbers).

Blocks and headings are parsed from `validators.limits.defuse(text)`: the text itself, except runs of
symbols over the cost limits blanked to spaces (rule SF08 reports them as errors).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from pydantic import ValidationError

from validators.errors import InputError
from validators.findings import Finding, Severity
from validators.frontmatter import split_front_matter
from validators.limits import defuse
from validators.models import Article, Block, FrontMatter, Section

MAX_FILE_BYTES = 1024 * 1024
"""Drafts larger than this (1 MiB, some 150k words) are refused as unusable input."""

_MARKDOWN = MarkdownIt("commonmark")
_LEAF_KINDS = {"paragraph_open": "paragraph", "html_block": "html", "fence": "code", "code_block": "code"}


def load_article(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> Article:
    """Read and parse a draft file; raises `InputError` for input that cannot be checked."""
    return parse_article(
        decode_text(read_file_bytes(path, max_bytes=max_bytes), path, max_bytes=max_bytes), path
    )


def read_file_bytes(
    path: str | Path, *, max_bytes: int = MAX_FILE_BYTES, what: str = "a Markdown file"
) -> bytes:
    """The bytes of a regular file of at most `max_bytes`: the one reader of drafts and imported pages.

    FIFOs, devices, sockets and directories (or links to them, such as a link to /dev/zero) are
    refused before reading (E018): the file is opened without blocking and checked with `fstat`, so
    neither a FIFO with no writer nor an endless device can hang or exhaust the reader.
    """
    path = Path(path)
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError as exc:
        if path.is_symlink():
            raise InputError(
                "E001", path, detail="broken symbolic link", hint="fix or remove the link"
            ) from exc
        raise InputError("E011", path, hint="check the path") from exc
    except IsADirectoryError as exc:
        raise InputError("E001", path, detail="it is a directory", hint=f"give {what}") from exc
    except OSError as exc:
        raise InputError("E001", path, detail=exc.strerror or str(exc), hint="check its permissions") from exc
    try:
        mode = os.fstat(handle).st_mode
        if not stat.S_ISREG(mode):
            raise InputError("E018", path, detail=_file_kind(mode), hint=f"give {what}")
        with os.fdopen(handle, "rb", closefd=False) as stream:
            data = stream.read(max_bytes + 1)
    except OSError as exc:
        raise InputError("E001", path, detail=exc.strerror or str(exc), hint="check its permissions") from exc
    finally:
        os.close(handle)
    if len(data) > max_bytes:
        raise InputError(
            "E005", path, detail=f"{max_bytes // 1024} KiB", hint="split the article; drafts are prose"
        )
    return data


def _file_kind(mode: int) -> str:
    kinds = [
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def decode_text(data: bytes, path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Bytes to text, refusing empty, oversized, binary and non-UTF-8 input."""
    if len(data) > max_bytes:
        raise InputError("E005", path, detail=f"{max_bytes // 1024} KiB", hint="split the article")
    if not data.strip():
        raise InputError("E002", path, hint="write the front matter and the article")
    if b"\x00" in data[:8192]:
        raise InputError("E003", path, hint="drafts are Markdown text files")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            "E004", path, line=line, detail=str(exc.start), hint="save the file as UTF-8"
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_article(text: str, path: str | Path = "<text>") -> Article:
    """Parse a draft's text. Front matter problems become findings; unusable input raises."""
    path = str(path)
    block = split_front_matter(text, path)
    front_matter, findings = _validate_front_matter(block.data, block.key_lines, path)
    findings.extend(
        Finding(
            code="FM04",
            rule="duplicate-key",
            severity=Severity.ERROR,
            message=f"front matter key '{key}' is given twice",
            path=path,
            line=line,
            column=1,
            hint="keep one of the two lines",
        )
        for key, line in block.duplicate_keys
    )
    # the parser reads the text with what would stall it blanked (validators.limits; SF08 reports it)
    sections = _parse_sections(defuse(text), block.body_offset, block.end_line)
    return Article(
        path=path,
        text=text,
        raw_front_matter=block.data,
        front_matter=front_matter,
        front_matter_lines=block.key_lines,
        front_matter_end_line=block.end_line,
        sections=sections,
        parse_findings=findings,
    )


def _validate_front_matter(
    data: dict[str, Any], key_lines: dict[str, int], path: str
) -> tuple[FrontMatter | None, list[Finding]]:
    try:
        return FrontMatter.model_validate(data), []
    except ValidationError as exc:
        allowed = ", ".join(FrontMatter.allowed_keys())
        findings: list[Finding] = []
        hint: str | None
        for error in exc.errors():
            key = str(error["loc"][0]) if error["loc"] else ""
            line = key_lines.get(key, 1)
            if error["type"] == "extra_forbidden":
                code, rule = "FM02", "unknown-key"
                message = f"unknown front matter key '{key}'"
                hint = f"allowed keys: {allowed}"
            elif error["type"] == "missing":
                code, rule = "FM03", "missing-key"
                message = f"front matter key '{key}' is required"
                hint = f"add a line '{key}: ...' to the front matter"
            else:
                code, rule = "FM01", "invalid-value"
                where = ".".join(str(p) for p in error["loc"])
                message = f"front matter '{where}': {error['msg']}"
                hint = _FIELD_HINTS.get(key)
            findings.append(
                Finding(
                    code=code,
                    rule=rule,
                    severity=Severity.ERROR,
                    message=message,
                    path=path,
                    line=line,
                    column=1,
                    hint=hint,
                )
            )
        return None, findings


_FIELD_HINTS = {
    "title": "a short plain title, e.g. 'Malignant mast cell tumor'",
    "slug": "lower-case words joined by hyphens, matching the file name",
    "author": "your roster id, e.g. 'jdoe'",
    "aliases": "a list: one '- name' per line",
    "sources": "a list of citations or URLs: one '- ...' per line",
    "publish_after": "an ISO date-time, e.g. 2026-12-01T09:00:00Z",
}


def _parse_sections(text: str, body_offset: int, fence_line: int) -> list[Section]:
    body = text[body_offset:]
    line_offsets = _line_starts(body)
    first_body_line = fence_line + 1  # 1-based file line of body line 0
    tokens = _MARKDOWN.parse(body)

    sections: list[Section] = []
    heading: str | None = None
    level = 0
    start_line = first_body_line
    blocks: list[Block] = []

    def close(end_line: int) -> None:
        if heading is not None or blocks:
            first = start_line if heading is not None else (blocks[0].line if blocks else start_line)
            sections.append(
                Section(
                    heading=heading,
                    level=level,
                    line=first,
                    end_line=max(first, end_line),
                    blocks=list(blocks),
                )
            )

    for index, token in enumerate(tokens):
        if token.map is None:
            continue
        begin, end = token.map
        if token.type == "heading_open":
            close(first_body_line + begin - 1)
            heading = tokens[index + 1].content.strip()
            level = int(token.tag[1:])
            start_line = first_body_line + begin
            blocks = []
        elif token.type in _LEAF_KINDS:
            kind = _LEAF_KINDS[token.type]
            content = tokens[index + 1].content if kind == "paragraph" else token.content
            start = line_offsets[begin]
            stop = line_offsets[end] if end < len(line_offsets) else len(body)
            source = body[start:stop].rstrip("\n")
            blocks.append(
                Block(
                    kind=kind,
                    text=source,
                    content=content,
                    offset=body_offset + start,
                    line=first_body_line + begin,
                    end_line=first_body_line + end - 1,
                )
            )
    close(first_body_line + max(len(line_offsets) - 1, 0))
    return sections


def _line_starts(body: str) -> list[int]:
    starts = [0]
    for index, char in enumerate(body):
        if char == "\n":
            starts.append(index + 1)
    return starts
