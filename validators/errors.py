"""Errors for unusable input and program configuration (content problems are Findings, not errors).

Each error has a stable code from the catalogue below; the raise site passes the fields.
"""

from __future__ import annotations

from pathlib import Path

CATALOGUE: dict[str, str] = {
    "E001": "cannot read the file: {detail}",
    "E002": "the file is empty",
    "E003": "the file is binary, not text",
    "E004": "the file is not valid UTF-8 (byte {detail})",
    "E005": "the file is larger than the {detail} cap",
    "E006": "no YAML front matter: the file must start with a line '---'",
    "E007": "the front matter is not closed by a line '---'",
    "E008": "the front matter is not valid YAML: {detail}",
    "E009": "YAML anchors and aliases are not allowed",
    "E010": "the front matter must be a mapping of keys to values, not {detail}",
    "E011": "no such file or directory",
    "E013": "configuration error: {detail}",
    "E014": "the YAML is nested more than {detail} levels deep",
    "E015": "impossible date or time '{detail}'",
    "E016": "YAML tags and merge keys are not allowed: {detail}",
    "E017": "the key '{detail}' is given twice",
    "E018": "not a regular file ({detail}): refused before reading",
}


class EditorialError(Exception):
    """Base of every error this project raises on purpose."""


class InputError(EditorialError):
    """Input that cannot be checked at all: names the file, the line when known, and the fix."""

    def __init__(
        self,
        code: str,
        path: str | Path,
        *,
        line: int | None = None,
        detail: str = "",
        hint: str | None = None,
    ) -> None:
        self.code = code
        self.path = str(path)
        self.line = line
        self.detail = detail
        self.hint = hint
        self.message = CATALOGUE[code].format(detail=detail)
        super().__init__(self.format())

    def format(self) -> str:
        """One line: `path[:line]: error CODE message (hint)`."""
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        text = f"{where}: error {self.code} {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


class ConfigError(EditorialError):
    """A template, rule or configuration file is wrong (a program/configuration error, not content)."""

    def __init__(self, path: str | Path, detail: str) -> None:
        self.path = str(path)
        self.detail = detail
        super().__init__(f"{self.path}: error E013 configuration error: {detail}")
