"""Settings are read when made, never at import: the cache dir follows HOME (tests never touch ~/.cache)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.settings import get_settings
from reviewers.flagger.runtime import default_cache_dir


def test_the_cache_dir_follows_home_set_after_import(
    hermetic_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EDITORIAL_CACHE_DIR")  # the suite's shared cache: this test is about the default
    get_settings.cache_clear()
    assert get_settings().cache_dir == hermetic_home / ".cache" / "editorial"
    assert default_cache_dir() == hermetic_home / ".cache" / "editorial"
    monkeypatch.setenv("HOME", str(tmp_path / "elsewhere"))
    get_settings.cache_clear()
    assert get_settings().cache_dir == tmp_path / "elsewhere" / ".cache" / "editorial"
    assert default_cache_dir() == tmp_path / "elsewhere" / ".cache" / "editorial"


def test_editorial_cache_dir_overrides_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITORIAL_CACHE_DIR", str(tmp_path / "terms"))
    get_settings.cache_clear()
    assert get_settings().cache_dir == tmp_path / "terms"
