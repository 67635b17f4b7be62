"""The flagger's configuration as data: what needs approval, what is never or always flagged.

The shipped default is `reviewers/data/flagger.yaml`; an organization's file (settings
`flagger_config`) overrides `needs_approval` and extends the lists. Unknown keys are rejected.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reviewers.flags import FlagCategory
from validators.errors import ConfigError
from validators.text import normalize_key

ModelT = TypeVar("ModelT", bound=BaseModel)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_CONFIG_PATH = DATA_DIR / "flagger.yaml"


class AlwaysFlag(BaseModel):
    """A term the organization wants flagged whatever the lexicon and stoplist say."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    term: str = Field(min_length=1)
    category: FlagCategory
    canonical: str | None = Field(default=None, description="Preferred name; the term when absent.")


class FlaggerConfig(BaseModel):
    """Which categories need a clinician's approval, and the organization's term lists."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    needs_approval: list[FlagCategory] = Field(
        description="Categories whose flags need a clinician's approval; the others are informational."
    )
    accept: list[str] = Field(default_factory=list, description="Terms never flagged (case-folded).")
    always_flag: list[AlwaysFlag] = Field(default_factory=list)
    disabled_rules: list[str] = Field(default_factory=list, description="Pattern ids switched off.")

    @field_validator("accept")
    @classmethod
    def fold_accepted_terms(cls, terms: list[str]) -> list[str]:
        """Accepted terms compare case- and white-space-insensitively."""
        return [normalize_key(term) for term in terms if term.strip()]

    def approval_needed(self, category: FlagCategory) -> bool:
        """Whether a flag of this category needs a clinician's approval."""
        return category in self.needs_approval

    def fingerprint(self) -> str:
        """A canonical JSON form, part of the compiled matcher's cache key."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True)


class OrganizationConfig(BaseModel):
    """An organization's overrides: every key optional; lists extend the defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    needs_approval: list[FlagCategory] | None = None
    accept: list[str] = Field(default_factory=list)
    always_flag: list[AlwaysFlag] = Field(default_factory=list)
    disabled_rules: list[str] = Field(default_factory=list)


def load_config(config_path: Path | None = None, default_path: Path = DEFAULT_CONFIG_PATH) -> FlaggerConfig:
    """The shipped default, overridden and extended by an organization's file when given."""
    default = _validated(FlaggerConfig, _read_mapping(default_path), default_path)
    if config_path is None:
        return default
    override = _validated(OrganizationConfig, _read_mapping(config_path), config_path)
    return FlaggerConfig(
        needs_approval=(
            override.needs_approval if override.needs_approval is not None else default.needs_approval
        ),
        accept=[*default.accept, *override.accept],
        always_flag=[*default.always_flag, *override.always_flag],
        disabled_rules=[*default.disabled_rules, *override.disabled_rules],
    )


def _read_mapping(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(path, "no such file; check the flagger_config setting") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read the file: {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(path, f"not valid YAML{where}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(path, f"must be a mapping of keys to values, not {type(data).__name__}")
    return data


def _validated(model: type[ModelT], data: dict[str, Any], path: Path) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(path, describe_validation_error(exc, model)) from exc


def describe_validation_error(exc: ValidationError, model: type[BaseModel]) -> str:
    """One line naming the first bad key and, for an unknown key, the allowed ones."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "(top level)"
    if error["type"] == "extra_forbidden":
        allowed = ", ".join(_allowed_keys(model, error["loc"]))
        return f"unknown key '{where}' (allowed keys: {allowed})"
    if error["type"] == "enum":
        choices = ", ".join(category.value for category in FlagCategory)
        return f"'{where}': {error['input']!r} is not a category (categories: {choices})"
    return f"'{where}': {error['msg']}"


def _allowed_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    if len(loc) > 1 and loc[0] == "always_flag":
        return list(AlwaysFlag.model_fields)
    return list(model.model_fields)
