"""Every module of the four packages imports on its own, as the first import of a fresh interpreter.

An import cycle or a missing import shows up only when a module is imported first; the test suite
imports in one order, so `tests/import_each.py` imports each module in a fresh forked child.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("validators", "reviewers", "content_repo", "flows")


def package_modules(root: Path = REPO_ROOT) -> list[str]:
    """The dotted names of every module of the four packages, from their files."""
    modules: list[str] = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return modules


def import_each(modules: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """Run tests/import_each.py on `modules` (one forked child per module, each a first import)."""
    return subprocess.run(
        [sys.executable, str(Path(__file__).parent / "import_each.py"), *modules],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_module_list_covers_the_packages() -> None:
    modules = package_modules()
    assert {"validators", "validators.suppression", "reviewers.flagger.runtime", "flows.cli.app"} <= set(
        modules
    )
    assert len(modules) == len(set(modules)) > 40


def test_a_module_that_fails_only_as_first_import_is_reported(tmp_path: Path) -> None:
    package = tmp_path / "cyc"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from cyc.b import B\nA = 1\n")
    (package / "b.py").write_text("from cyc.a import A\nB = 2\n")
    (package / "fine.py").write_text("import json\n")
    result = import_each(["cyc.a", "cyc.fine", "cyc.b"], PYTHONPATH=str(tmp_path))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "cyc.a: ImportError: cannot import name 'A' from partially initialized module 'cyc.a' "
        "(most likely due to a circular import) (" + str(package / "a.py") + ")",
        "cyc.b: ImportError: cannot import name 'B' from partially initialized module 'cyc.b' "
        "(most likely due to a circular import) (" + str(package / "b.py") + ")",
    ]


@pytest.mark.slow
def test_every_module_imports_first_in_a_fresh_interpreter() -> None:
    result = import_each(package_modules())
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
