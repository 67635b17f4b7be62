"""Pattern rules beyond the lexicon (dosages, directives, numeric claims), loaded strictly from data.

A rule is a small value object: an `id` that travels onto every flag it produces, a category and
a regular expression. When the expression has a group named `term`, only that group is flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
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
    category: FlagCategory
    regex: str = Field(min_length=1)
    description: str = ""
    ignore_case: bool = True
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
        self._compiled = [
            (rule, rule.compiled(), re.compile(rule.trigger) if rule.trigger else None) for rule in self.rules
        ]

    def finditer(self, text: str) -> Iterator[tuple[int, int, PatternRule]]:
        """Every match of every rule, as character offsets into `text`."""
        lowered = text.translate(ASCII_LOWER)
        for rule, compiled, trigger in self._compiled:
            subject = lowered if rule.ignore_case else text
            if trigger is None:
                begin = 0
            else:
                # a rule is only tried from just before its trigger's first hit: most rules'
                # triggers are absent from most paragraphs, and the trigger search is cheap
                hit = trigger.search(subject)
                if hit is None:
                    continue
                begin = max(0, hit.start() - self.WINDOW)
            group = "term" if "term" in compiled.groupindex else 0
            for match in compiled.finditer(subject, begin):
                start, end = match.span(group)
                if start < end:
                    yield start, end, rule


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
    for number, item in enumerate(data, start=1):
        try:
            rule = PatternRule.model_validate(item)
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
