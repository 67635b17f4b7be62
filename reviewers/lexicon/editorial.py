"""Our own reviewed term lists (`reviewers/data/terms/*.yaml`), loaded strictly.

A file holds a default `category`, an optional `description`, and `terms`: entries with a stable
`id`, a `term`, optionally a `canonical` name (default: the term), a `category` overriding the file's,
hand-written `variants`, and `generate: false` to keep the term and its variants exactly as
written, case included, with no generated spellings: for abbreviations such as "CT", which the
flagger then matches only in capitals. Unknown keys are errors that list the allowed keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reviewers.flags import FlagCategory
from validators.errors import ConfigError

FILE_KEYS = ("category", "description", "terms")
ENTRY_KEYS = ("canonical", "category", "generate", "id", "term", "variants")
_ID = re.compile(r"^[a-z]+(?:-[a-z]+)*-\d{3,}$")


@dataclass(frozen=True)
class EditorialTerm:
    """One reviewed entry of our own lists."""

    id: str
    term: str
    canonical: str
    category: FlagCategory
    variants: tuple[str, ...]
    generate: bool
    path: str


def _fail(path: Path, where: str, message: str) -> ConfigError:
    return ConfigError(path, f"{where}: {message}")


def _check_keys(path: Path, where: str, mapping: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(mapping) - set(allowed))
    if unknown:
        raise _fail(path, where, f"unknown key {unknown[0]!r}; allowed keys: {', '.join(allowed)}")


def _category(path: Path, where: str, value: Any) -> FlagCategory:
    try:
        return FlagCategory(value)
    except ValueError:
        allowed = ", ".join(category.value for category in FlagCategory)
        raise _fail(path, where, f"unknown category {value!r}; allowed: {allowed}") from None


def _text(path: Path, where: str, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, where, f"{key!r} must be a non-empty string, not {value!r}")
    return value.strip()


def parse_terms_file(text: str, path: Path) -> list[EditorialTerm]:
    """Parse one YAML term list; raises ConfigError naming the file and entry on any problem."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _fail(path, "YAML", str(exc).replace("\n", " ")) from None
    if not isinstance(document, dict):
        raise _fail(path, "top level", "must be a mapping with keys: " + ", ".join(FILE_KEYS))
    _check_keys(path, "top level", document, FILE_KEYS)
    default_category = _category(path, "top level", document.get("category"))
    entries = document.get("terms")
    if not isinstance(entries, list) or not entries:
        raise _fail(path, "top level", "'terms' must be a non-empty list")
    result: list[EditorialTerm] = []
    for number, entry in enumerate(entries, start=1):
        where = f"terms[{number}]"
        if not isinstance(entry, dict):
            raise _fail(path, where, "each term must be a mapping with keys: " + ", ".join(ENTRY_KEYS))
        _check_keys(path, where, entry, ENTRY_KEYS)
        entry_id = _text(path, where, "id", entry.get("id"))
        if not _ID.match(entry_id):
            raise _fail(path, where, f"id {entry_id!r} must look like 'proc-001' (letters, hyphen, digits)")
        term = _text(path, where, "term", entry.get("term"))
        variants = entry.get("variants", [])
        if not isinstance(variants, list):
            raise _fail(path, where, "'variants' must be a list of strings")
        generate = entry.get("generate", True)
        if not isinstance(generate, bool):
            raise _fail(path, where, "'generate' must be true or false")
        result.append(
            EditorialTerm(
                id=entry_id,
                term=term,
                canonical=_text(path, where, "canonical", entry.get("canonical", term)),
                category=_category(path, where, entry.get("category", default_category)),
                variants=tuple(_text(path, where, "variants", variant) for variant in variants),
                generate=generate,
                path=str(path),
            )
        )
    return result


def load_editorial_terms(directory: Path) -> list[EditorialTerm]:
    """All term lists of a directory (`*.yaml`, in name order); ids must be unique across files."""
    terms: list[EditorialTerm] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        for entry in parse_terms_file(path.read_text(encoding="utf-8"), path):
            if entry.id in seen:
                raise ConfigError(path, f"id {entry.id!r} is already used in {seen[entry.id]}")
            seen[entry.id] = str(path)
            terms.append(entry)
    return terms
