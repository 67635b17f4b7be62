"""Article templates as data: required sections in order, allowed sections, required disclaimers.

Shipped templates live in `validators/templates/*.yaml`; an organization's directory of the same
format overrides them by `type`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from validators.datafile import read_yaml_file
from validators.errors import ConfigError

SHIPPED_DIR = Path(__file__).parent / "templates"


class Disclaimer(BaseModel):
    """A text the article must contain, compared after normalizing white space and quotes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    text: str = Field(min_length=1)
    position: Literal["end", "anywhere"] = "end"


class Template(BaseModel):
    """What an article of one `type` must look like."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str = Field(pattern=r"^[a-z0-9-]+$")
    required_sections: list[str] = Field(min_length=1, description="In this order.")
    optional_sections: list[str] = Field(default_factory=list)
    order: list[str] = Field(
        default_factory=list,
        description="Every section in reading order, optional ones placed among the required "
        "(how `editorial import` lays a page out); default: the required, then the optional.",
    )
    disclaimers: list[Disclaimer] = Field(default_factory=list)
    reading_grade_max: float = Field(default=8.0, gt=0)

    @model_validator(mode="after")
    def _order_names_every_section_once(self) -> Template:
        """`order`, when given, lists each required and optional section exactly once."""
        if self.order:
            known = [*self.required_sections, *self.optional_sections]
            if sorted(self.order) != sorted(known):
                missing = [s for s in known if s not in self.order]
                extra = [s for s in self.order if s not in known or self.order.count(s) > 1]
                raise ValueError(
                    f"order must list every section once (missing: {missing}, unknown or repeated: {extra})"
                )
            required = [s for s in self.order if s in self.required_sections]
            if required != self.required_sections:
                raise ValueError("order must keep the required sections in their order")
        return self

    @property
    def sections_in_order(self) -> list[str]:
        """Every section of the template in reading order."""
        return list(self.order) or [*self.required_sections, *self.optional_sections]


def load_templates(extra_dir: Path | None = None) -> dict[str, Template]:
    """The shipped templates, overridden by those in `extra_dir` with the same `type`."""
    templates: dict[str, Template] = {}
    for directory in (SHIPPED_DIR, extra_dir):
        if directory is None:
            continue
        if not directory.is_dir():
            raise ConfigError(directory, "the templates directory does not exist")
        for path in sorted(directory.glob("*.yaml")):
            template = _load_template(path)
            templates[template.type] = template
    return templates


def _load_template(path: Path) -> Template:
    try:
        data = read_yaml_file(path).data  # the one strict reader: refuses aliases, tags, deep nesting
        return Template.model_validate(data)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(path, f"cannot read template: {where}{problem}") from exc
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(path, f"cannot read template: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        allowed = ", ".join(Template.model_fields)
        raise ConfigError(path, f"{where}: {first['msg']} (allowed keys: {allowed})") from exc
