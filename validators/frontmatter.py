"""Front matter: safe YAML reading with key line numbers, and the keys publishing stamps."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from validators.datafile import load_yaml
from validators.errors import InputError

FENCE = "---"

PUBLISHING_KEYS: tuple[str, ...] = ("reviewed_by", "last_reviewed")
"""Front matter keys that publishing writes; writers never set them."""


@dataclass(frozen=True)
class FrontMatterBlock:
    """The raw front matter: its mapping, key lines, and where the body starts."""

    data: dict[str, Any]
    key_lines: dict[str, int]
    duplicate_keys: list[tuple[str, int]]
    end_line: int  # 1-based line of the closing fence
    body_offset: int  # character offset of the first body character


def split_front_matter(text: str, path: str | Path) -> FrontMatterBlock:
    """Find and safely load the YAML front matter at the top of `text`."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != FENCE:
        raise InputError(
            "E006", path, line=1, hint="start the file with '---', the front matter keys, then '---'"
        )
    offset = len(lines[0])
    for index, line in enumerate(lines[1:], start=2):
        if line.rstrip("\r\n").rstrip() in (FENCE, "..."):
            yaml_text = "".join(lines[1 : index - 1])
            data, key_lines, duplicates = _load_mapping(yaml_text, path, first_line=2)
            return FrontMatterBlock(data, key_lines, duplicates, index, offset + len(line))
        offset += len(line)
    raise InputError("E007", path, line=1, hint="add a line '---' after the last front matter key")


def _load_mapping(
    yaml_text: str, path: str | Path, *, first_line: int
) -> tuple[dict[str, Any], dict[str, int], list[tuple[str, int]]]:
    """Load the front matter mapping strictly (`validators.datafile`); return it with 1-based key lines."""
    document = load_yaml(yaml_text, path, first_line=first_line, duplicates="report", fast=False)
    node = document.node
    if node is None:
        return {}, {}, []
    if not isinstance(node, yaml.MappingNode):
        raise InputError(
            "E010",
            path,
            line=node.start_mark.line + first_line,
            detail=_node_kind(node),
            hint="write one 'key: value' per line",
        )
    data: dict[Any, Any] = document.data
    return {str(k): v for k, v in data.items()}, document.key_lines(), document.duplicate_keys


def _node_kind(node: yaml.Node) -> str:
    return "a list" if isinstance(node, yaml.SequenceNode) else "a single value"


def strip_publishing_keys(text: str) -> str:
    """The text without the front matter keys publishing writes (and their continuation lines)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != FENCE:
        return text
    kept = [lines[0]]
    skipping = False
    for index, line in enumerate(lines[1:], start=1):
        bare = line.rstrip("\r\n")
        if bare.rstrip() in (FENCE, "..."):
            return "".join(kept) + "".join(lines[index:])
        if bare and not bare[0].isspace() and not bare.startswith("-"):
            skipping = bare.split(":", 1)[0].strip() in PUBLISHING_KEYS
        if not skipping:
            kept.append(line)
    return text


def text_content_hash(text: str) -> str:
    """`sha256:<hex>` of the writer's text: `text` without the keys publishing writes."""
    return "sha256:" + hashlib.sha256(strip_publishing_keys(text).encode("utf-8")).hexdigest()


def stamp_review(text: str, reviewed_by: Sequence[str], last_reviewed: date) -> str:
    """The text with `reviewed_by` and `last_reviewed` set at the end of its front matter.

    `strip_publishing_keys(stamp_review(t, ...)) == strip_publishing_keys(t)` always holds, so the
    content hash of a published article equals the hash of the approved draft.
    """
    base = strip_publishing_keys(text)
    lines = base.splitlines(keepends=True)
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip("\r\n").rstrip() in (FENCE, "..."):
            stamp = yaml.safe_dump(
                {"reviewed_by": list(reviewed_by), "last_reviewed": last_reviewed},
                default_flow_style=None,
                sort_keys=False,
                allow_unicode=True,
                width=1000,
            )
            return "".join(lines[:index]) + stamp + "".join(lines[index:])
    raise ValueError("text has no closed front matter")
