"""Commit-message trailers (`Key: value` lines in the last paragraph), read and written."""

from __future__ import annotations

import re
from collections.abc import Sequence

_TRAILER_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*):\s*(.*)$")


def _is_trailer_block(paragraph: str) -> bool:
    lines = [line for line in paragraph.split("\n") if line.strip()]
    return bool(lines) and all(_TRAILER_LINE.match(line) or line[:1].isspace() for line in lines)


def parse_trailers(message: str) -> dict[str, list[str]]:
    """The trailers of a commit message, by key in order of appearance (continuation lines unfolded)."""
    paragraphs = [p for p in message.strip().split("\n\n") if p.strip()]
    if len(paragraphs) < 2 or not _is_trailer_block(paragraphs[-1]):
        return {}
    trailers: dict[str, list[str]] = {}
    last_key: str | None = None
    for line in paragraphs[-1].split("\n"):
        match = _TRAILER_LINE.match(line)
        if match:
            last_key = match.group(1)
            trailers.setdefault(last_key, []).append(match.group(2).strip())
        elif last_key is not None and line.strip():
            trailers[last_key][-1] += " " + line.strip()
    return trailers


def with_trailers(message: str, trailers: Sequence[tuple[str, str]]) -> str:
    """`message` with `Key: value` trailers appended to its trailer block (made when it has none)."""
    body = message.strip().replace("\r\n", "\n")
    lines = [f"{key}: {' '.join(value.split())}" for key, value in trailers]
    if not lines:
        return body + "\n"
    paragraphs = body.split("\n\n")
    if len(paragraphs) >= 2 and _is_trailer_block(paragraphs[-1]):
        return body + "\n" + "\n".join(lines) + "\n"
    return body + "\n\n" + "\n".join(lines) + "\n"
