"""Which house section a page's heading names: "How is acromegaly diagnosed?" -> "Diagnosis".

The patterns are data (`validators/data/headings.yaml`, loaded strictly); `editorial import` uses
them to place a page's sections and `editorial check` to report a required section written under
another heading as misnamed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from validators.errors import ConfigError
from validators.text import normalize_key

HEADINGS_DATA = Path(__file__).parent / "data" / "headings.yaml"

How = Literal["exact", "question", "topic", "fallback", "sentence"]


class QuestionPattern(BaseModel):
    """A question form and the section it asks about."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    section: str
    pattern: str


class HeadingData(BaseModel):
    """The content of `validators/data/headings.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    exact: dict[str, str]
    questions: list[QuestionPattern]
    topics: dict[str, list[str]]
    fallback: dict[str, list[str]]
    sentences: dict[str, list[str]]


@dataclass(frozen=True)
class HeadingMatch:
    """The section a heading names, and which kind of pattern said so."""

    section: str
    how: How


@dataclass(frozen=True)
class _Compiled:
    exact: dict[str, str]
    questions: list[tuple[str, re.Pattern[str]]]
    topics: list[tuple[str, re.Pattern[str]]]
    fallback: list[tuple[str, re.Pattern[str]]]
    sentences: list[tuple[str, re.Pattern[str]]]


@lru_cache(maxsize=4)
def _load(path: Path = HEADINGS_DATA) -> _Compiled:
    try:
        data = HeadingData.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))

        def each(table: dict[str, list[str]]) -> list[tuple[str, re.Pattern[str]]]:
            return [(section, re.compile(p)) for section, patterns in table.items() for p in patterns]

        return _Compiled(
            exact={heading_key(k): v for k, v in data.exact.items()},
            questions=[(q.section, re.compile(q.pattern)) for q in data.questions],
            topics=each(data.topics),
            fallback=each(data.fallback),
            sentences=each(data.sentences),
        )
    except (OSError, yaml.YAMLError, re.error) as exc:
        raise ConfigError(path, f"cannot read the heading patterns: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(path, f"{where}: {first['msg']}") from exc


def heading_key(text: str, subject: str | None = None) -> str:
    """A heading compared as data: lower case, '&' as 'and', no final punctuation, `subject` removed."""
    key = normalize_key(text).replace("&", " and ")
    key = re.sub(r"[\s:?.!]+$", "", key)
    if subject:
        name = normalize_key(subject)
        if name and len(name) < len(key):
            key = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", key)
    return " ".join(key.split())


def classify_heading(
    text: str, sections: list[str] | tuple[str, ...], *, subject: str | None = None, sentence: bool = False
) -> HeadingMatch | None:
    """The section of `sections` that a heading names, or None (see the data file for the order)."""
    data = _load()
    allowed = set(sections)
    key = heading_key(text, subject)
    by_name = {normalize_key(s): s for s in sections}
    if not sentence:
        if key in by_name:
            return HeadingMatch(by_name[key], "exact")
        exact = data.exact.get(key)
        if exact in allowed:
            return HeadingMatch(exact, "exact")
        for section, pattern in data.questions:
            if section in allowed and pattern.search(key):
                return HeadingMatch(section, "question")
    table = data.sentences if sentence else data.topics
    best: tuple[int, int, str] | None = None
    for order, (section, pattern) in enumerate(table):
        if section not in allowed:
            continue
        found = pattern.search(key)
        if found and (best is None or (found.start(), order) < best[:2]):
            best = (found.start(), order, section)
    if best is not None:
        return HeadingMatch(best[2], "sentence" if sentence else "topic")
    if sentence:
        return None
    for section, pattern in data.fallback:
        if section in allowed and pattern.search(key):
            return HeadingMatch(section, "fallback")
    return None
