"""`editorial serve` (the clinicians' web desk) and `editorial desk-user` (its accounts)."""

from __future__ import annotations

import ipaddress
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from flows.cli.app import Exit, app
from flows.cli.common import REPO_HELP, fail, repo_of, reported_errors, say

if TYPE_CHECKING:
    from flows.web.accounts import AccountStore
    from flows.web.config import DeskConfig

DATA_DIR_HELP = (
    "The desk's data directory: accounts, runtime files "
    "(default: EDITORIAL_DESK_DIR, else ~/.local/share/editorial/desk)."
)

users = typer.Typer(help="Manage the web desk's accounts (one per roster id).", no_args_is_help=True)
app.add_typer(users, name="desk-user")


def desk_config(
    repo: Path | None,
    data_dir: Path | None,
    *,
    host: str = "127.0.0.1",
    secure_cookies: bool | None = None,
    key: Path | None = None,
    trusted_proxies: list[str] | None = None,
) -> DeskConfig:
    """The desk's configuration from options, then EDITORIAL_DESK_* variables, then defaults."""
    from pydantic import ValidationError

    from flows.web.config import DeskConfig, default_data_dir

    if secure_cookies is None:  # plain http is only acceptable on the loopback interface
        try:
            secure_cookies = not ipaddress.ip_address(host).is_loopback
        except ValueError:
            secure_cookies = host != "localhost"
    proxies = trusted_proxies or [
        p.strip() for p in os.environ.get("EDITORIAL_DESK_TRUSTED_PROXIES", "").split(",") if p.strip()
    ]
    signer = key or (Path(os.environ["EDITORIAL_DESK_KEY"]) if os.environ.get("EDITORIAL_DESK_KEY") else None)
    try:
        return DeskConfig(
            repo=repo_of(repo).resolve(),
            data_dir=(data_dir or default_data_dir()).resolve(),
            secure_cookies=secure_cookies,
            trusted_proxies=proxies,
            proxy_user_header=os.environ.get("EDITORIAL_DESK_PROXY_HEADER", "X-Remote-User"),
            signer=signer,
            via=os.environ.get("EDITORIAL_DESK_SERVICE", "web-desk"),
        )
    except ValidationError as exc:
        fail(f"desk configuration: {str(exc.errors()[0]['msg']).removeprefix('Value error, ')}")


@app.command("serve")
def serve_command(
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8400, "--port", min=1, max=65535, help="Port to listen on."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help=DATA_DIR_HELP),
    secure_cookies: bool | None = typer.Option(
        None,
        "--secure-cookies/--insecure-cookies",
        help="Cookies only over HTTPS (default: on, except when listening on a loopback address).",
    ),
    key: Path | None = typer.Option(
        None, "--key", help="The desk's service signing key (default: EDITORIAL_DESK_KEY)."
    ),
    trusted_proxy: list[str] = typer.Option(
        [],
        "--trusted-proxy",
        help="Address of an authenticating reverse proxy whose user header (EDITORIAL_DESK_PROXY_HEADER, "
        "default X-Remote-User) is trusted; repeatable (default: EDITORIAL_DESK_TRUSTED_PROXIES).",
    ),
    prefect: bool = typer.Option(
        True,
        "--prefect/--no-prefect",
        help="Start a Prefect API for the desk's events when PREFECT_API_URL is unset.",
    ),
) -> None:
    """Start the clinicians' web desk (and the Prefect API it records events to)."""
    from flows.cli.prefect_env import prepare_prefect

    prepare_prefect()
    config = desk_config(
        repo, data_dir, host=host, secure_cookies=secure_cookies, key=key, trusted_proxies=trusted_proxy
    )
    from flows.web.server import run_desk

    with reported_errors():
        run_desk(config, host=host, port=port, start_prefect=prefect, say=say)


def read_password(from_stdin: bool) -> str:
    """The new password: one line from standard input, or typed twice at a prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def roster_person_checked(repo: Path | None, account_id: str) -> None:
    """Refuse an account id that is not an active person on the content repository's roster."""
    from flows.context import load_roster_from, open_repo

    with open_repo(path=repo_of(repo)) as content:
        person = load_roster_from(content).get(account_id)
    if person is None:
        fail(f"{account_id!r} is not on the roster (roster.yaml on main): desk accounts belong to roster ids")
    if not person.active:
        fail(f"{account_id!r} is inactive on the roster")


def store_of(data_dir: Path | None) -> AccountStore:
    """The accounts file of the desk's data directory."""
    from flows.web.accounts import AccountStore
    from flows.web.config import ACCOUNTS_FILE, default_data_dir

    return AccountStore((data_dir or default_data_dir()) / ACCOUNTS_FILE)


@users.command("add")
def user_add(
    account_id: str = typer.Argument(..., metavar="ID", help="The person's roster id."),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
    data_dir: Path | None = typer.Option(None, "--data-dir", help=DATA_DIR_HELP),
    totp: bool = typer.Option(False, "--totp", help="Also require a TOTP code (prints the secret)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Create a desk account for a roster id."""
    from flows.web.accounts import totp_uri

    with reported_errors():
        roster_person_checked(repo, account_id)
        store = store_of(data_dir)
        account = store.add(account_id, read_password(password_stdin), datetime.now(UTC), totp=totp)
    say(f"desk account {account_id} created in {store.path}")
    if account.totp_secret:
        say(f"TOTP secret: {account.totp_secret}  ({totp_uri(account.totp_secret, account_id)})")


@users.command("reset")
def user_reset(
    account_id: str = typer.Argument(..., metavar="ID", help="The person's roster id."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help=DATA_DIR_HELP),
    totp: bool | None = typer.Option(None, "--totp/--no-totp", help="New TOTP secret, or none."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Set a new password (unlocks and re-enables the account)."""
    from flows.web.accounts import totp_uri

    with reported_errors():
        store = store_of(data_dir)
        account = store.reset(account_id, read_password(password_stdin), datetime.now(UTC), totp=totp)
    say(f"desk account {account_id}: password reset, unlocked")
    if totp and account.totp_secret:
        say(f"TOTP secret: {account.totp_secret}  ({totp_uri(account.totp_secret, account_id)})")


@users.command("disable")
def user_disable(
    account_id: str = typer.Argument(..., metavar="ID", help="The person's roster id."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help=DATA_DIR_HELP),
) -> None:
    """Disable an account (its sessions end at their next request)."""
    with reported_errors():
        store = store_of(data_dir)
        store.disable(account_id, datetime.now(UTC))
    say(f"desk account {account_id} disabled")


@users.command("list")
def user_list(data_dir: Path | None = typer.Option(None, "--data-dir", help=DATA_DIR_HELP)) -> None:
    """List the desk's accounts and their state."""
    with reported_errors():
        store = store_of(data_dir)
        ids = store.ids()
        if not ids:
            say("no desk accounts")
            raise typer.Exit(int(Exit.OK))
        now = datetime.now(UTC)
        for account_id in ids:
            account = store.get(account_id)
            assert account is not None
            state = (
                "disabled"
                if account.disabled
                else ("locked" if not store.is_usable(account_id, now) else "active")
            )
            say(f"{account_id}  {state}{'  totp' if account.totp_secret else ''}")
