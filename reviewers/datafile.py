"""Strict data files: re-exports `validators.datafile`, the one strict YAML reader (kept for its callers).

The roster, the policy and the review ledger are all read through `load_model`, so a mistake in any of
them reads the same way: `roster.yaml:7: error E013 configuration error: people[1].roles: ...`.
"""

from __future__ import annotations

from validators.datafile import StrictModel, dump_yaml, load_model

__all__ = ["StrictModel", "dump_yaml", "load_model"]
