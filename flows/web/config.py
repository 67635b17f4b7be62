"""The desk's configuration and its data directory (outside the content repository).

The data directory holds `accounts.json` (password hashes, TOTP secrets, lock-outs) and, while a desk
runs with its own Prefect API, `prefect-api.json` (so other `editorial` commands on the machine use
that API instead of starting their own). Default: `$EDITORIAL_DESK_DIR`, else
`$XDG_DATA_HOME/editorial/desk`, else `~/.local/share/editorial/desk` (resolved when asked, never at
import).
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

ACCOUNTS_FILE = "accounts.json"
PREFECT_API_FILE = "prefect-api.json"


def default_data_dir() -> Path:
    """Where the desk keeps its accounts when no `--data-dir` is given."""
    explicit = os.environ.get("EDITORIAL_DESK_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "editorial" / "desk"


class DeskConfig(BaseModel):
    """How one desk runs: which repository, where its accounts live, how strict its cookies are."""

    model_config = ConfigDict(frozen=True)

    repo: Path = Field(description="The content repository the desk reviews.")
    data_dir: Path = Field(description="Accounts and runtime files (outside the content repository).")
    secure_cookies: bool = Field(
        default=True, description="Cookies only over HTTPS; off only for http://127.0.0.1 (tests, local use)."
    )
    session_minutes: int = Field(default=60, ge=1, le=24 * 60, description="Idle time before a session ends.")
    session_max_hours: int = Field(default=12, ge=1, le=72, description="A session's whole life.")
    max_failures: int = Field(default=5, ge=1, le=100, description="Failed logins before an account locks.")
    lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    attempts_per_minute: int = Field(default=20, ge=1, description="Login attempts per client address.")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses (or networks) of an authenticating proxy whose user header is trusted.",
    )
    proxy_user_header: str = Field(default="X-Remote-User", min_length=1)
    signer: Path | None = Field(
        default=None,
        description="The desk's service signing key (EDITORIAL_DESK_KEY), passed to each decision.",
    )
    via: str = Field(
        default="web-desk",
        description="The desk's service id in the roster (EDITORIAL_DESK_SERVICE): each decision's `via`.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, values: list[str]) -> list[str]:
        """Refuse a trusted proxy that is not an IP address or network (a host name could be spoofed)."""
        for value in values:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError as exc:
                raise ValueError(f"trusted proxy {value!r} is not an IP address or network") from exc
        return values

    @property
    def accounts_path(self) -> Path:
        """The accounts file."""
        return self.data_dir / ACCOUNTS_FILE

    @property
    def prefect_api_path(self) -> Path:
        """The file naming the Prefect API a running desk started."""
        return self.data_dir / PREFECT_API_FILE

    def is_trusted_proxy(self, address: str | None) -> bool:
        """True when `address` is one of the configured proxies."""
        if not address or not self.trusted_proxies:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(p, strict=False) for p in self.trusted_proxies)
