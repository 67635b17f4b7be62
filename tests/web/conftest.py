"""The web desk tests' fixtures (defined in `web_fixtures`)."""

from web_fixtures import desk, hostile_desk, no_prefect_api

__all__ = ["desk", "hostile_desk", "no_prefect_api"]
