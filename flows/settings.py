"""The one settings object, read from the environment (EDITORIAL_*) through `get_settings()`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the content repository is, who is acting, and the organization's overrides."""

    model_config = SettingsConfigDict(env_prefix="EDITORIAL_", extra="ignore")

    repo: Path = Field(default=Path("content"), description="The content repository (EDITORIAL_REPO).")
    remote: str = Field(default="origin", description="The remote publishing pushes to.")
    reviewer: str | None = Field(default=None, description="Acting clinician's roster id.")
    templates_dir: Path | None = Field(default=None, description="Organization's template overrides.")
    flagger_config: Path | None = Field(default=None, description="Organization's flagger config.")
    cache_dir: Path = Field(
        default=Path.home() / ".cache" / "editorial", description="Compiled flagger cache."
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (cached; tests call `get_settings.cache_clear()`)."""
    return Settings()
