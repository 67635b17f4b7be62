"""Shared fixtures: hermetic environment for every test, and paths to fixture data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_PAGE = REPO_ROOT / "flows" / "data" / "seed_page.txt"
"""The seed page, as the package ships it (a byte copy of ../shared/seeds/000_99ab3368ff8432a6.txt)."""
SHARED_EVAL = REPO_ROOT.parent / "shared" / "eval"
"""The annotated corpora beside the source tree; a user's clone has none (use the `shared_eval` fixture)."""

# Offline, quiet Prefect; hermetic git (no system or user config leaks into tests).
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ["GIT_CONFIG_NOSYSTEM"] = "1"


@pytest.fixture(autouse=True)
def hermetic_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A temp HOME with a fixed git identity, so no test reads the developer's configuration."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test Runner\n\temail = test@example.org\n[init]\n\tdefaultBranch = main\n"
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    yield home


@pytest.fixture(scope="session")
def shared_flagger_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One compiled-flagger cache for the whole session (a cold build costs about 10 s)."""
    return tmp_path_factory.mktemp("flagger-cache")


@pytest.fixture(autouse=True)
def hermetic_settings(monkeypatch: pytest.MonkeyPatch, shared_flagger_cache: Path) -> Iterator[None]:
    """No EDITORIAL_* setting from the developer's environment; settings re-read in every test.

    The flagger's cache is the session's temp one (never the developer's ~/.cache, never rebuilt per
    test's temp HOME); subprocesses inherit it.
    """
    from flows.settings import get_settings

    for name in [n for n in os.environ if n.startswith("EDITORIAL_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("EDITORIAL_CACHE_DIR", str(shared_flagger_cache))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def fixtures() -> Path:
    """The tests' fixture directory."""
    return FIXTURES


@pytest.fixture
def good_article_path() -> Path:
    """A correct condition article."""
    return FIXTURES / "articles" / "malignant-mast-cell-tumor.md"


@pytest.fixture(scope="session")
def shared_eval() -> Path:
    """`../shared/eval`, the annotated corpora; the test is skipped when the folder is absent."""
    if not SHARED_EVAL.is_dir():
        pytest.skip(f"needs the annotated corpora in {SHARED_EVAL} (absent: a clone without ../shared)")
    return SHARED_EVAL


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A throw-away Prefect API for the whole session (about 9 s, so only tests that need it ask)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
