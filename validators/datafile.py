"""The one strict YAML reader: front matter, templates, rule data, the roster, the policy and the ledger.

Every YAML text of the project is read by `load_yaml` (or, for a pydantic model, `load_model`), so a
mistake reads the same way everywhere, as one line naming the file, the line and the fix, never a
traceback. It refuses what a data file never needs and an attacker would use:

- anchors and aliases (the "billion laughs"), explicit tags (`!!python/object`, `!!binary`, `!!set`)
  and merge keys (`<<:`);
- nesting deeper than `MAX_DEPTH` (checked on the event stream before anything recursive runs, so a
  1,000- or 20,000-deep document is one error, not a `RecursionError` or a stack overflow);
- impossible dates and times (`2026-02-30`, an offset of `+25:00`, year 0) and numbers Python cannot
  hold, which PyYAML's constructors raise as bare `ValueError`s;
- a key given twice (reported to the caller, or refused: `duplicates="refuse"`).

Errors are `InputError`s (codes E008-E010, E014-E017); `load_model` turns them into `ConfigError`s,
the error of a program's data file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from validators.errors import ConfigError, InputError

ModelT = TypeVar("ModelT", bound=BaseModel)

MAX_DEPTH = 32
"""Deepest nesting of mappings and sequences accepted (front matter needs 2, the ledger 5)."""

# libyaml's parser and emitter when PyYAML was built with it (about 10x faster), else pure Python.
# The constructor is Python either way, so the overrides below apply to both.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

_TIMESTAMP_HINT = "write a date that exists (year 1 to 9999), e.g. 2026-02-28 or 2026-12-01T09:00:00Z"
_OFFSET_HINT = "a UTC offset runs from -23:59 to +23:59, e.g. 2026-12-01T09:00:00+01:00 or ...Z"


@dataclass(frozen=True)
class YamlDocument:
    """A loaded YAML text: its data, its node tree (for line numbers) and the keys given twice."""

    data: Any
    node: yaml.Node | None
    first_line: int = 1
    duplicate_keys: list[tuple[str, int]] = field(default_factory=list)

    def key_lines(self) -> dict[str, int]:
        """Top-level key -> 1-based file line of its first occurrence (empty when not a mapping)."""
        lines: dict[str, int] = {}
        if isinstance(self.node, yaml.MappingNode):
            for key_node, _ in self.node.value:
                lines.setdefault(str(key_node.value), key_node.start_mark.line + self.first_line)
        return lines

    def line_of(self, location: tuple[int | str, ...]) -> int:
        """The 1-based file line of the deepest node `location` (a pydantic error `loc`) reaches."""
        current = self.node
        if current is None:
            return self.first_line
        for part in location:
            child: yaml.Node | None = None
            if isinstance(current, yaml.MappingNode):
                child = next((v for k, v in current.value if str(k.value) == str(part)), None)
            elif isinstance(current, yaml.SequenceNode) and isinstance(part, int):
                child = current.value[part] if part < len(current.value) else None
            if child is None:
                break
            current = child
        return int(current.start_mark.line) + self.first_line


class _Refused(yaml.MarkedYAMLError):
    """A construct the strict loader refuses; carries the error code and hint for `InputError`."""

    def __init__(self, code: str, mark: Any, detail: str, hint: str) -> None:
        super().__init__(problem=detail, problem_mark=mark)
        self.code = code
        self.detail = detail
        self.hint = hint


class _StrictMixin:
    """The safe constructor, with merge keys, impossible values and duplicate keys caught at their node."""

    duplicates: list[tuple[str, yaml.Mark]]

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)  # type: ignore[misc]
        except (ValueError, OverflowError) as exc:  # PyYAML's timestamp and int constructors
            if node.tag == "tag:yaml.org,2002:timestamp":
                hint = _OFFSET_HINT if "offset" in str(exc) else _TIMESTAMP_HINT
                raise _Refused("E015", node.start_mark, str(node.value), hint) from exc
            raise _Refused(
                "E008", node.start_mark, f"cannot read '{_short(str(node.value))}': {exc}", "quote the value"
            ) from exc

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused("E016", key_node.start_mark, "merge key '<<'", "write the keys out in full")
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = str(key_node.value)
                if key in seen:
                    self.duplicates.append((key, key_node.start_mark))
                seen.add(key)


class _FastLoader(_StrictMixin, _BaseLoader):  # type: ignore[misc,valid-type]
    """libyaml's parser (when built) with the strict constructor: for the large data files."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates = []


class _PlainLoader(_StrictMixin, yaml.SafeLoader):
    """PyYAML's Python parser with the strict constructor: clearer messages for hand-written YAML."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates = []


def load_yaml(
    text: str,
    path: str | Path,
    *,
    first_line: int = 1,
    max_depth: int = MAX_DEPTH,
    duplicates: Literal["report", "refuse"] = "refuse",
    fast: bool = True,
) -> YamlDocument:
    """Load one YAML document strictly; raises `InputError` naming the file line (`first_line` = line 1).

    With `duplicates="report"` a key given twice is listed in `duplicate_keys` (the last value wins);
    with "refuse" it is an error (E017). `fast` uses libyaml's parser when PyYAML has it (large data
    files); otherwise PyYAML's own, whose messages read better (front matter a writer typed).
    """
    loader_class: type[_FastLoader] | type[_PlainLoader] = _FastLoader if fast else _PlainLoader
    try:
        _scan_events(text, max_depth, loader_class)
        loader = loader_class(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
            found = list(loader.duplicates)
        finally:
            loader.dispose()
    except _Refused as exc:
        line = exc.problem_mark.line + first_line if exc.problem_mark is not None else first_line
        raise InputError(exc.code, path, line=line, detail=exc.detail, hint=exc.hint) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark is not None else first_line
        problem = exc.problem or exc.context or "invalid YAML"
        opened = exc.context_mark
        if exc.problem and exc.context and opened and mark and opened.line < mark.line:
            problem += f" ({exc.context} on line {opened.line + first_line})"
        raise InputError(
            "E008", path, line=line, detail=problem, hint="check indentation, colons and quotes on that line"
        ) from None
    except yaml.YAMLError as exc:
        detail = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        raise InputError("E008", path, line=first_line, detail=detail) from None
    duplicate_keys = [(key, mark.line + first_line) for key, mark in found]
    if duplicate_keys and duplicates == "refuse":
        key, line = duplicate_keys[0]
        raise InputError("E017", path, line=line, detail=key, hint="keep one of the two")
    return YamlDocument(data, node, first_line, duplicate_keys)


def _scan_events(text: str, max_depth: int, loader: type[Any]) -> None:
    """Refuse anchors, aliases, explicit tags and deep nesting on the event stream (no recursion)."""
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused("E009", event.start_mark, "", "write the value out in full")
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!" and isinstance(event, yaml.NodeEvent):
            raise _Refused("E016", event.start_mark, f"tag '{tag}'", "remove the tag; write a plain value")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > max_depth:
                raise _Refused(
                    "E014", event.start_mark, str(max_depth), "flatten the data; nothing here needs more"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def read_yaml_file(path: Path, *, max_bytes: int = 4 * 1024 * 1024, fast: bool = False) -> YamlDocument:
    """Read and strictly load a hand-written data file (template, rule data); raises `ConfigError`."""
    try:
        if path.stat().st_size > max_bytes:
            raise ConfigError(path, f"the file is larger than {max_bytes // 1024} KiB")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read the file: {exc}") from exc
    try:
        return load_yaml(text, path, fast=fast)
    except InputError as exc:
        raise _config_error(exc) from None


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


def load_model(model: type[ModelT], text: str, path: str | Path) -> ModelT:
    """Parse `text` (strict YAML) into `model`, raising `ConfigError` naming the line and the fix."""
    try:
        document = load_yaml(text, path)
    except InputError as exc:
        raise _config_error(exc) from None
    return validate_document(model, document, path)


def validate_document(model: type[ModelT], document: YamlDocument, path: str | Path) -> ModelT:
    """`document`'s data as `model`; a validation error becomes a `ConfigError` at the offending line."""
    data = document.data
    if data is None:
        keys = ", ".join(model.model_fields)
        raise ConfigError(path, f"the file is empty; expected a mapping with keys {keys}")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:{document.first_line}", "expected a mapping of keys to values")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        location = tuple(error["loc"])
        where = _format_location(location)
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown key (allowed: {', '.join(model.model_fields)})"
        detail = f"{where}: {message}" if where else message
        raise ConfigError(f"{path}:{document.line_of(location)}", detail) from None


def dump_yaml(data: Any) -> str:
    """Block-style YAML in the order given, Unicode kept, lines not wrapped."""
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False
    )


def _config_error(exc: InputError) -> ConfigError:
    where = f"{exc.path}:{exc.line}" if exc.line is not None else exc.path
    message = f"not valid YAML: {exc.detail}" if exc.code == "E008" else exc.message
    return ConfigError(where, f"{message} (hint: {exc.hint})" if exc.hint else message)


def _format_location(location: tuple[int | str, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
