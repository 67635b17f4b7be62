"""The typer application every command module registers on, and the CLI's exit codes."""

from __future__ import annotations

from enum import IntEnum

import typer


class Exit(IntEnum):
    """Exit codes shared by every command."""

    OK = 0
    FINDINGS = 1  # the input was checked and has errors (or a command's action was refused)
    USAGE = 2  # unusable input or a usage mistake


app = typer.Typer(
    name="editorial",
    help="Editorial review pipeline for consumer health content.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
