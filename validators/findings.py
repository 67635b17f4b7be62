"""The one diagnostic type: a `Finding` is data, never an exception."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Severity(StrEnum):
    """How bad a finding is: errors block publishing, warnings and info do not."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Finding(BaseModel):
    """One problem (or note) about one place in one file."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(pattern=r"^[A-Z]{2}\d{2}$", description="Stable rule code, e.g. ST01.")
    rule: str = Field(description="Readable rule name, e.g. missing-section.")
    severity: Severity
    message: str
    path: str
    line: int = Field(ge=1)
    column: int = Field(ge=1)
    hint: str | None = None

    def format(self) -> str:
        """The one text format: `path:line:col: CODE severity message`."""
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.severity.value} {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The one serialisation (the JSON schema of `editorial check --format json`)."""
        return self.model_dump(mode="json")


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in reading order: line, column, code, message (the one order every report uses)."""
    return sorted(findings, key=lambda f: (f.line, f.column, f.code, f.message))
