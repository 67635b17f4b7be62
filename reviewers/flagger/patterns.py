"""Pattern rules beyond the lexicon (dosages, directives, numeric claims), loaded strictly from data.

A rule is a small value object: an `id` that travels onto every flag it produces, a category and
a regular expression. When the expression has a group named `term`, only that group is flagged.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reviewers.flagger.config import describe_validation_error
from reviewers.flags import FlagCategory
from validators.errors import ConfigError

ASCII_LOWER = str.maketrans({chr(code): chr(code + 32) for code in range(ord("A"), ord("Z") + 1)})
DEFAULT_PATTERNS_PATH = Path(__file__).resolve().parent.parent / "data" / "patterns.yaml"


class PatternRule(BaseModel):
    """One pattern: id, category, regular expression, and what it is for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
    category: FlagCategory | None = Field(
        default=None, description="What its matches are flagged as; none for a `suppress` rule."
    )
    suppress: bool = Field(
        default=False,
        description="Its matches are never flagged and hide every term inside them (names of "
        "organisations and organisms, pronunciation guides).",
    )
    regex: str = Field(min_length=1)
    description: str = ""
    ignore_case: bool = True
    emergency: bool = Field(
        default=False, description="Its matches are emergency directives ('call 911'), shown first."
    )
    trigger: str | None = Field(
        default=None,
        description="A plain expression every match contains (literal words, no look-arounds): the "
        "rule is only tried near its hits, which is much faster than scanning all the text.",
    )

    @field_validator("regex")
    @classmethod
    def regex_compiles(cls, regex: str) -> str:
        """A rule whose expression does not compile is refused at load time."""
        try:
            re.compile(regex, re.VERBOSE)
        except re.error as exc:
            raise ValueError(f"regular expression does not compile: {exc}") from exc
        return regex

    @field_validator("trigger")
    @classmethod
    def trigger_compiles(cls, trigger: str | None) -> str | None:
        """A trigger that does not compile is refused at load time."""
        if trigger is not None:
            try:
                re.compile(trigger)
            except re.error as exc:
                raise ValueError(f"trigger does not compile: {exc}") from exc
        return trigger

    @model_validator(mode="after")
    def flags_or_suppresses(self) -> PatternRule:
        """A rule either flags (it has a category) or suppresses (it has none)."""
        if self.suppress == (self.category is not None):
            raise ValueError("a rule has a category, or `suppress: true` and no category")
        return self

    @model_validator(mode="after")
    def case_insensitive_rules_are_lower_case(self) -> PatternRule:
        """A case-insensitive rule meets lower-cased text, so its literals must be lower case."""
        literals = re.sub(r"\\[A-Za-z]|\(\?P<\w+>|\(\?P=\w+\)", "", self.regex)
        if self.ignore_case and any(char.isupper() and char.isascii() for char in literals):
            raise ValueError("a case-insensitive rule is written in lower case (or set ignore_case: false)")
        return self

    def compiled(self) -> re.Pattern[str]:
        """The compiled expression (verbose mode, so data files can comment their patterns).

        Case-insensitive rules are written in lower case and matched against an ASCII-lower-cased
        copy of the text (the same length, so offsets hold): several times faster than
        `re.IGNORECASE`. Non-ASCII letters in such a rule are matched with `re.IGNORECASE`."""
        flags = re.VERBOSE
        if self.ignore_case and not self.regex.isascii():
            flags |= re.IGNORECASE
        return re.compile(self.regex, flags)


class PatternSet:
    """Compiled rules, matched over a text; yields (start, end, rule) for every match."""

    WINDOW = 160
    """Characters around a trigger hit in which its rule is tried (longer than any match)."""

    def __init__(self, rules: Sequence[PatternRule]) -> None:
        self.rules = list(rules)
        self.emergency_ids = frozenset(rule.id for rule in self.rules if rule.emergency)
        self._compiled = [
            (rule, rule.compiled(), re.compile(rule.trigger) if rule.trigger else None) for rule in self.rules
        ]

    def finditer(self, text: str) -> Iterator[tuple[int, int, PatternRule]]:
        """Every match of every rule, as character offsets into `text`."""
        return iter(self.find_many([text])[0])

    def find_many(self, texts: Sequence[str]) -> list[list[tuple[int, int, PatternRule]]]:
        """`finditer` over many texts: each trigger is searched once in all of them joined (by a
        NUL, which no trigger contains), then each rule is tried near its trigger's hits."""
        if not texts:
            return []
        joined = "\0".join(texts)
        subjects = {True: joined.translate(ASCII_LOWER), False: joined}
        starts = list(accumulate((len(text) + 1 for text in texts[:-1]), initial=0))
        hits_of: dict[tuple[str, bool], list[list[tuple[int, int]]]] = {}  # rules sharing a trigger
        found: list[list[tuple[int, int, PatternRule]]] = [[] for _ in texts]
        for rule, compiled, trigger in self._compiled:
            subject = subjects[rule.ignore_case]
            if trigger is not None:
                seen = (trigger.pattern, rule.ignore_case)
                if seen not in hits_of:
                    hits_of[seen] = _by_text(trigger_hits(trigger, subject), starts, len(texts))
                hits = hits_of[seen]
            group = "term" if "term" in compiled.groupindex else 0
            for number, (offset, text) in enumerate(zip(starts, texts, strict=True)):
                if trigger is None:
                    windows = [(0, len(text))]
                elif hits[number]:
                    windows = self.windows(hits[number], len(text))
                else:
                    continue
                # each text on its own string, so "^" and look-behinds see where the text starts
                own = subject[offset : offset + len(text)] if rule.ignore_case else text
                for begin, end in windows:
                    for match in compiled.finditer(own, begin, end):
                        start, stop = match.span(group)
                        if start < stop:
                            found[number].append((start, stop, rule))
        return found

    def windows(self, hits: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
        """The stretches of a text (of `length` characters) within `WINDOW` characters of a trigger
        hit, merged where they meet: a rule is only tried there. Every match of a rule contains a
        hit of its trigger and is shorter than `WINDOW`, so it lies in one stretch; most paragraphs
        hold no hit at all."""
        windows: list[tuple[int, int]] = []
        for begin, end in hits:
            begin, end = max(0, begin - self.WINDOW), min(length, end + self.WINDOW)
            if windows and begin <= windows[-1][1]:
                windows[-1] = (windows[-1][0], max(windows[-1][1], end))
            else:
                windows.append((begin, end))
        return windows


def _by_text(hits: list[tuple[int, int]], starts: list[int], count: int) -> list[list[tuple[int, int]]]:
    """Hits in the joined texts, split per text (offsets made relative to each text)."""
    grouped: list[list[tuple[int, int]]] = [[] for _ in range(count)]
    for begin, end in hits:
        number = bisect_right(starts, begin) - 1
        grouped[number].append((begin - starts[number], end - starts[number]))
    return grouped


def trigger_hits(trigger: re.Pattern[str], subject: str) -> list[tuple[int, int]]:
    """Where a trigger occurs, in order. The plain words of a trigger ("must|should") are found
    with `str.find`, several times faster than a regular expression's scan; the rest (if any)
    with a regular expression."""
    words, rest = split_trigger(trigger.pattern)
    hits: list[tuple[int, int]] = []
    for word in words:
        at = subject.find(word)
        while at >= 0:
            hits.append((at, at + len(word)))
            at = subject.find(word, at + 1)
    if rest is not None:
        hits.extend(hit.span() for hit in rest.finditer(subject))
    return sorted(hits)


_METACHARACTERS = frozenset(".^$*+?{}[]()|\\")


@functools.cache
def split_trigger(pattern: str) -> tuple[tuple[str, ...], re.Pattern[str] | None]:
    """A trigger's plain-word alternatives ("b\\.i\\.d" is the word "b.i.d") and the rest as one
    expression (None when all are plain). A trigger with a group or a class is all expression."""
    if any(char in pattern for char in "()[]"):
        return (), re.compile(pattern)
    words: list[str] = []
    others: list[str] = []
    for alternative in pattern.split("|"):
        bare = re.sub(r"\\[^A-Za-z0-9]", "", alternative)
        if alternative and not any(char in _METACHARACTERS for char in bare):
            words.append(re.sub(r"\\([^A-Za-z0-9])", r"\1", alternative))
        else:
            others.append(alternative)
    return tuple(words), re.compile("|".join(others)) if others else None


def load_patterns(path: Path = DEFAULT_PATTERNS_PATH, disabled: Sequence[str] = ()) -> list[PatternRule]:
    """The rules of a YAML file (a list of rule mappings), without the disabled ids."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(path, "no such pattern file") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(path, f"not valid YAML: {exc}") from exc
    if not isinstance(data, list):
        raise ConfigError(path, "a pattern file is a list of rules (id, category, regex, description)")
    rules: list[PatternRule] = []
    definitions: dict[str, str] = {}
    for number, item in enumerate(data, start=1):
        if isinstance(item, dict) and set(item) == {"define"}:
            definitions.update(_definitions(item["define"], definitions, path, number))
            continue
        try:
            rule = PatternRule.model_validate(_expanded(item, definitions, path, number))
        except ValidationError as exc:
            raise ConfigError(path, f"rule {number}: {describe_validation_error(exc, PatternRule)}") from exc
        rules.append(rule)
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise ConfigError(path, f"rule id '{rule.id}' is used twice")
        seen.add(rule.id)
    unknown = set(disabled) - seen
    if unknown:
        raise ConfigError(path, f"disabled_rules names unknown rule ids: {', '.join(sorted(unknown))}")
    return [rule for rule in rules if rule.id not in set(disabled)]


_REFERENCE = re.compile(r"\{\{(\w+)\}\}")


def _definitions(value: Any, known: dict[str, str], path: Path, number: int) -> dict[str, str]:
    """A `define:` item: named expressions (which may use earlier ones) that rules write as
    `{{name}}`, so a number or a unit list is written once."""
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(path, f"item {number}: 'define' maps names to regular expressions")
    defined = dict(known)
    for name, regex in value.items():
        defined[str(name)] = _substitute(regex, defined, path, number)
    return {name: defined[name] for name in value}


def _expanded(item: Any, definitions: dict[str, str], path: Path, number: int) -> Any:
    """A rule with the `{{name}}` references of its regex and trigger replaced (wrapped in a
    non-capturing group)."""
    if not isinstance(item, dict):
        return item
    return {
        key: _substitute(value, definitions, path, number)
        if key in ("regex", "trigger") and isinstance(value, str)
        else value
        for key, value in item.items()
    }


def _substitute(regex: str, definitions: dict[str, str], path: Path, number: int) -> str:
    def replace(reference: re.Match[str]) -> str:
        name = reference.group(1)
        if name not in definitions:
            raise ConfigError(path, f"item {number}: '{{{{{name}}}}}' is not defined above it")
        return f"(?:{definitions[name]})"

    return _REFERENCE.sub(replace, regex)
