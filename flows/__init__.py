"""Prefect flows, thin tasks and the `editorial` CLI: orchestration only, no domain logic."""
