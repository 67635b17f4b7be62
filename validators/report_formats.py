"""`editorial check` reports for CI: SARIF 2.1.0, GitHub workflow commands and JUnit XML.

Pure serialisers from the checked files' findings (and, for unusable files, their `InputError`);
`flows.cli.cmd_check` prints what they return. docs/check.md describes each format.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any, Protocol
from urllib.parse import quote

from validators.errors import CATALOGUE, InputError
from validators.findings import Finding, Severity
from validators.rules import ALL_RULES, EXTERNAL_CODES

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "editorial"
DOCS_PAGE = "docs/check.md"

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_GITHUB_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class CheckedFile(Protocol):
    """One file of a check run: its findings, or the error that made it unusable."""

    @property
    def path(self) -> str: ...

    @property
    def findings(self) -> Sequence[Finding]: ...

    @property
    def error(self) -> InputError | None: ...


# --- SARIF -------------------------------------------------------------------------------------


def sarif_log(files: Sequence[CheckedFile], texts: Mapping[str, str], *, tool_version: str) -> dict[str, Any]:
    """The SARIF 2.1.0 log of a run: every rule with its help text, one result per finding.

    `texts` maps a checked file's path to its text: a result's region runs from the finding's
    column to the end of its line (findings carry a start only). Columns count Unicode code points.
    An unusable file is one `error` result whose rule is its E0NN code.
    """
    rules = _sarif_rules(files)
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for file in files:
        if file.error is not None:
            results.append(_sarif_unusable(file.error, index))
        text = texts.get(file.path)
        results.extend(_sarif_result(finding, text, index) for finding in file.findings)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": tool_version,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _sarif_rules(files: Sequence[CheckedFile]) -> list[dict[str, Any]]:
    """Every rule code `editorial check` reports, then the E0NN codes of this run's unusable files."""
    described = [(r.code, r.name, r.severity.value, r.description) for r in ALL_RULES]
    described += [(code, name, level, text) for code, (name, level, text) in EXTERNAL_CODES.items()]
    rules = [_sarif_rule(code, name, Severity(level), text) for code, name, level, text in sorted(described)]
    errors = sorted({f.error.code for f in files if f.error is not None})
    for code in errors:
        meaning = CATALOGUE[code].replace(": {detail}", "").replace(" (byte {detail})", "")
        meaning = meaning.replace("{detail}", "…")
        rules.append(_sarif_rule(code, "unusable-input", Severity.ERROR, f"Unusable input: {meaning}."))
    return rules


def _sarif_rule(code: str, name: str, severity: Severity, description: str) -> dict[str, Any]:
    help_text = f"{code} {name} ({severity.value}): {description} See {DOCS_PAGE} for every code."
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": description},
        "fullDescription": {"text": description},
        "help": {
            "text": help_text,
            "markdown": f"**{code} `{name}`** ({severity.value}): {description}\n\nSee `{DOCS_PAGE}`.",
        },
        "defaultConfiguration": {"level": _SARIF_LEVEL[severity]},
        "properties": {"tags": [code[:2]]},
    }


def _sarif_result(finding: Finding, text: str | None, index: Mapping[str, int]) -> dict[str, Any]:
    end_column = finding.column
    if text is not None:
        lines = text.splitlines()
        if finding.line <= len(lines):
            end_column = max(finding.column, len(lines[finding.line - 1]) + 1)
    region = {
        "startLine": finding.line,
        "startColumn": finding.column,
        "endLine": finding.line,
        "endColumn": end_column,
    }
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": _SARIF_LEVEL[finding.severity],
        "message": {"text": _with_hint(finding.message, finding.hint)},
        "locations": [_sarif_location(finding.path, region)],
    }
    if finding.code in index:
        result["ruleIndex"] = index[finding.code]
    return result


def _sarif_unusable(error: InputError, index: Mapping[str, int]) -> dict[str, Any]:
    region = None if error.line is None else {"startLine": error.line, "endLine": error.line}
    return {
        "ruleId": error.code,
        "ruleIndex": index[error.code],
        "level": "error",
        "message": {"text": _with_hint(error.message, error.hint)},
        "locations": [_sarif_location(error.path, region)],
    }


def _sarif_location(path: str, region: dict[str, int] | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(path)}}
    if region is not None:
        physical["region"] = region
    return {"physicalLocation": physical}


def artifact_uri(path: str) -> str:
    """A path as a SARIF artifact URI: relative paths stay relative (forward slashes, escaped)."""
    pure = PurePath(path)
    if pure.is_absolute():
        return "file://" + quote(pure.as_posix())
    return quote(pure.as_posix())


# --- GitHub workflow commands ------------------------------------------------------------------


def github_annotations(files: Sequence[CheckedFile]) -> list[str]:
    """One `::error|warning|notice file=…,line=…,col=…,title=CODE::message` line per finding."""
    lines: list[str] = []
    for file in files:
        if file.error is not None:
            error = file.error
            where = {"file": error.path} | ({} if error.line is None else {"line": str(error.line)})
            lines.append(
                _command("error", where | {"title": error.code}, _with_hint(error.message, error.hint))
            )
        for finding in file.findings:
            properties = {
                "file": finding.path,
                "line": str(finding.line),
                "col": str(finding.column),
                "title": finding.code,
            }
            lines.append(
                _command(
                    _GITHUB_COMMAND[finding.severity], properties, _with_hint(finding.message, finding.hint)
                )
            )
    return lines


def _command(name: str, properties: Mapping[str, str], message: str) -> str:
    """A workflow command with its properties and message escaped as the runner expects."""
    listed = ",".join(f"{key}={_escape_property(value)}" for key, value in properties.items())
    return f"::{name} {listed}::{_escape_data(message)}"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


# --- JUnit XML ---------------------------------------------------------------------------------


def junit_xml(files: Sequence[CheckedFile]) -> str:
    """JUnit XML: one `testsuite` per file, one `testcase` per finding (error findings fail).

    Warnings and info are passing test cases with the finding in `system-out`; an unusable file is
    one test case in `error`; a file without findings is one passing test case, `no findings`.
    """
    root = ET.Element("testsuites", name="editorial check")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for file in files:
        suite = ET.SubElement(root, "testsuite", name=_xml_text(file.path))
        counts = {"tests": 0, "failures": 0, "errors": 0}
        if file.error is not None:
            error = file.error
            case = _testcase(suite, file.path, f"{error.code} unusable input", error.line)
            ET.SubElement(case, "error", message=_xml_text(error.message), type=error.code).text = _xml_text(
                error.format()
            )
            counts["tests"] += 1
            counts["errors"] += 1
        for finding in file.findings:
            name = f"{finding.code} {finding.rule} at {finding.line}:{finding.column}"
            case = _testcase(suite, file.path, name, finding.line)
            report = finding.format() + (f"\n    hint: {finding.hint}" if finding.hint else "")
            if finding.severity is Severity.ERROR:
                failure = ET.SubElement(
                    case, "failure", message=_xml_text(finding.message), type=finding.code
                )
                failure.text = _xml_text(report)
                counts["failures"] += 1
            else:
                ET.SubElement(case, "system-out").text = _xml_text(report)
            counts["tests"] += 1
        if counts["tests"] == 0:
            _testcase(suite, file.path, "no findings", None)
            counts["tests"] = 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("skipped", "0")
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _testcase(suite: ET.Element, path: str, name: str, line: int | None) -> ET.Element:
    case = ET.SubElement(
        suite, "testcase", classname=_xml_text(path), name=_xml_text(name), file=_xml_text(path)
    )
    if line is not None:
        case.set("line", str(line))
    return case


def _xml_text(value: str) -> str:
    """`value` with the characters XML 1.0 cannot hold replaced by U+FFFD."""
    return _XML_INVALID.sub("\ufffd", value)


def _with_hint(message: str, hint: str | None) -> str:
    return f"{message} (hint: {hint})" if hint else message
