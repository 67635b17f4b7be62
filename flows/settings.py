"""The one settings object, read from the environment (EDITORIAL_*) through `get_settings()`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_cache_dir() -> Path:
    """`~/.cache/editorial`, read when settings are made (so a test's HOME is honoured).

    The same directory as `reviewers.flagger.runtime.default_cache_dir()`, which is not imported
    here because it pulls in spaCy (the CLI reads settings before it needs the flagger).
    """
    return Path.home() / ".cache" / "editorial"


class Settings(BaseSettings):
    """Where the content repository is, who is acting, and the organization's overrides."""

    model_config = SettingsConfigDict(env_prefix="EDITORIAL_", extra="ignore")

    repo: Path = Field(default=Path("content"), description="The content repository (EDITORIAL_REPO).")
    remote: str = Field(default="origin", description="The remote publishing pushes to.")
    reviewer: str | None = Field(default=None, description="Acting clinician's roster id.")
    templates_dir: Path | None = Field(default=None, description="Organization's template overrides.")
    flagger_config: Path | None = Field(default=None, description="Organization's flagger config.")
    cache_dir: Path = Field(default_factory=default_cache_dir, description="Compiled flagger cache.")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (cached; tests call `get_settings.cache_clear()`)."""
    return Settings()
