"""Strict data files: YAML read safely into pydantic models, errors naming the file, the line and the fix.

The roster, the policy and the review ledger are all read through `load_model`, so a mistake in any of
them reads the same way: `roster.yaml:7: error E013 configuration error: people[1].roles: ...`.
"""

from __future__ import annotations

from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from validators.errors import ConfigError

ModelT = TypeVar("ModelT", bound=BaseModel)

# libyaml's safe loader and dumper when PyYAML was built with it (about 10x faster), else pure Python.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class StrictModel(BaseModel):
    """A frozen model whose unknown keys are rejected with a message listing the allowed ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys_only(cls, data: Any) -> Any:
        """Reject unknown keys, naming the keys this model accepts."""
        if isinstance(data, dict):
            unknown = [key for key in data if key not in cls.model_fields]
            if unknown:
                allowed = ", ".join(cls.model_fields)
                raise ValueError(f"unknown key {unknown[0]!r} (allowed: {allowed})")
        return data


def load_model(model: type[ModelT], text: str, path: str) -> ModelT:
    """Parse `text` (YAML, no anchors or aliases) into `model`, raising `ConfigError` with the line."""
    data = _load(text, path)
    if data is None:
        keys = ", ".join(model.model_fields)
        raise ConfigError(path, f"the file is empty; expected a mapping with keys {keys}")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1", "expected a mapping of keys to values")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        location = error["loc"]
        node = yaml.compose(text, Loader=_Loader)  # composed only now, to name the line
        line = _line_of(node, location) if node is not None else 1
        where = _format_location(location)
        message = str(error["msg"]).removeprefix("Value error, ")
        detail = f"{where}: {message}" if where else message
        raise ConfigError(f"{path}:{line}", detail) from exc


def dump_yaml(data: Any) -> str:
    """Block-style YAML in the order given, Unicode kept, lines not wrapped."""
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False
    )


def _load(text: str, path: str) -> Any:
    """The YAML data, refusing anchors and aliases (libyaml when available)."""
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1 if event.start_mark is not None else 1
                raise ConfigError(f"{path}:{line}", "YAML anchors and aliases are not allowed")
        return yaml.load(text, Loader=_Loader)  # a safe loader (CSafeLoader or SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise ConfigError(f"{path}:{line}", f"not valid YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(path, f"not valid YAML: {exc}") from exc


def _line_of(node: yaml.Node, location: tuple[int | str, ...]) -> int:
    """The 1-based line of the deepest node `location` reaches in the composed document."""
    current = node
    for part in location:
        child: yaml.Node | None = None
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                if str(key_node.value) == str(part):
                    child = value_node
                    break
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int) and part < len(current.value):
            child = current.value[part]
        if child is None:
            break
        current = child
    return int(current.start_mark.line) + 1


def _format_location(location: tuple[int | str, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
