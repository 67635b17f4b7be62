"""The `editorial` command line. Each command lives in its own module and registers on `app`.

Heavy libraries (spaCy, GitPython, Prefect) are imported inside the commands, so `editorial check`
starts fast.
"""

from __future__ import annotations

import importlib
import pkgutil

from flows.cli.app import app

for _module in pkgutil.iter_modules(__path__):
    if _module.name.startswith("cmd_"):
        importlib.import_module(f"{__name__}.{_module.name}")


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
