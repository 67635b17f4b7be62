"""Import each module named on the command line first, in a fresh child of a clean interpreter.

Usage: `python tests/import_each.py MODULE...`; prints `MODULE: error` per failure, exits 1 if any.

The parent first imports the third-party modules the given modules import at their top level (so a
child does not pay for Prefect or spaCy again), never one of the project's own packages; then it forks
one child per module, which imports that module as the first project import of its process.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import sys
from pathlib import Path

OWN = ("validators", "reviewers", "content_repo", "flows")


def _top_level_imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of the top-level imports of a file (names empty for `import m`)."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def preload_third_party(modules: list[str]) -> None:
    """Import what `modules` import from outside the project (errors ignored: the child reports them)."""
    for name in modules:
        spec = importlib.util.find_spec(name.split(".")[0])
        origin = Path(spec.origin) if spec and spec.origin else None
        if origin is None:
            continue
        path = origin.parent.joinpath(*name.split(".")[1:])
        file = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        if not file.is_file():
            continue
        for module, names in _top_level_imports(file):
            if module.split(".")[0] in OWN or module == "__future__":
                continue
            try:
                imported = importlib.import_module(module)
                for attribute in names:
                    getattr(imported, attribute, None)
            except Exception:  # a broken third-party import is the child's to report
                continue


def _fork_import(module: str) -> tuple[int, int]:
    """Fork a child that imports `module`; (pid, read end of the pipe carrying its error)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        status = 0
        try:
            importlib.import_module(module)
        except BaseException as exc:
            os.write(write, f"{type(exc).__name__}: {exc}".encode())
            status = 1
        os._exit(status)
    os.close(write)
    return pid, read


def _collect(pid: int, read: int) -> str | None:
    """None when the child exited cleanly, else its one-line error."""
    message = b""
    while chunk := os.read(read, 65536):
        message += chunk
    os.close(read)
    _, status = os.waitpid(pid, 0)
    if status == 0:
        return None
    return message.decode(errors="replace").splitlines()[0] if message else f"wait status {status}"


def import_each(modules: list[str], jobs: int) -> dict[str, str]:
    """module -> error for the modules that fail as a first import (children run `jobs` at a time)."""
    errors: dict[str, str] = {}
    running: list[tuple[str, int, int]] = []
    for module in [*modules, None]:
        if module is not None:
            running.append((module, *_fork_import(module)))
        while running and (module is None or len(running) >= jobs):
            name, pid, read = running.pop(0)
            error = _collect(pid, read)
            if error is not None:
                errors[name] = error
    return errors


def main(modules: list[str]) -> int:
    preload_third_party(modules)
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in OWN)
    if loaded:
        print(f"the preload imported project modules: {', '.join(loaded)}", file=sys.stderr)
        return 2
    errors = import_each(modules, jobs=max(2, os.cpu_count() or 2))
    for module, error in errors.items():
        print(f"{module}: {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
