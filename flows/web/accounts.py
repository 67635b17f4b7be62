"""Local desk accounts: one per roster id, argon2 password hashes, optional TOTP, lock-out on failures.

Stored as `accounts.json` in the desk's data directory (mode 0600), never in the content repository.
Every change reads, modifies and atomically replaces the file under an exclusive lock, so the CLI
(`editorial desk-user ...`) and a running desk never lose each other's writes.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import struct
from collections.abc import Iterator
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field

from validators.errors import EditorialError
from validators.models import SLUG_PATTERN

MIN_PASSWORD_LENGTH = 10
TOTP_STEP_SECONDS = 30
TOTP_DIGITS = 6


class AccountError(EditorialError):
    """An account command that cannot be done (unknown id, weak password, ...): nothing changed."""


class Account(BaseModel):
    """One person's login: the roster id, the password hash and the state of their sign-ins."""

    id: str = Field(pattern=SLUG_PATTERN)
    password_hash: str
    totp_secret: str | None = None
    disabled: bool = False
    failures: int = Field(default=0, ge=0)
    locked_until: datetime | None = None
    created_at: datetime
    changed_at: datetime


class AccountFile(BaseModel):
    """The accounts file's content."""

    format: int = 1
    accounts: dict[str, Account] = Field(default_factory=dict)


class LoginResult(StrEnum):
    """How a login attempt ended (only OK lets the person in)."""

    OK = "ok"
    BAD = "bad"  # unknown id, wrong password or wrong code: one answer, so ids cannot be probed
    NEED_CODE = "need_code"  # password right, the TOTP code missing
    LOCKED = "locked"
    DISABLED = "disabled"


def hash_password(password: str) -> str:
    """The argon2id hash of a password (refuses a short one)."""
    from argon2 import PasswordHasher

    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters")
    return PasswordHasher().hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """True when `password` is the one hashed in `password_hash`."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A fixed hash verified for unknown ids, so a login for an unknown id takes as long as a wrong password.
_DUMMY_HASH: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password(secrets.token_urlsafe(16)))
    return _DUMMY_HASH[0]


def new_totp_secret() -> str:
    """A random base32 TOTP secret (160 bits, as RFC 4226 recommends)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def totp_code(secret: str, at: datetime, *, step: int = TOTP_STEP_SECONDS, digits: int = TOTP_DIGITS) -> str:
    """The RFC 6238 TOTP code (HMAC-SHA1) of `secret` at `at`."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int(at.timestamp()) // step
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def totp_matches(secret: str, code: str, at: datetime) -> bool:
    """True when `code` is the TOTP code at `at` or one step either side (clock drift)."""
    code = code.strip().replace(" ", "")
    if not code.isdigit():
        return False
    step = timedelta(seconds=TOTP_STEP_SECONDS)
    return any(hmac.compare_digest(totp_code(secret, at + k * step), code) for k in (-1, 0, 1))


def totp_uri(secret: str, account_id: str, issuer: str = "Editorial desk") -> str:
    """The otpauth:// URI an authenticator app reads (as text or a QR code)."""
    from urllib.parse import quote

    return f"otpauth://totp/{quote(issuer)}:{quote(account_id)}?secret={secret}&issuer={quote(issuer)}"


class AccountStore:
    """The accounts file of one desk."""

    def __init__(self, path: Path, *, max_failures: int = 5, lockout: timedelta = timedelta(minutes=15)):
        self.path = path
        self.max_failures = max_failures
        self.lockout = lockout

    @contextlib.contextmanager
    def _locked(self) -> Iterator[AccountFile]:
        """The file's content under an exclusive lock; written back (atomically) when the block ends."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock_path = self.path.with_suffix(".lock")
        with open(lock_path, "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                data = self._read()
                before = data.model_dump_json()
                yield data
                if data.model_dump_json() != before:
                    self._write(data)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> AccountFile:
        if not self.path.is_file():
            return AccountFile()
        try:
            return AccountFile.model_validate_json(self.path.read_text(encoding="utf-8"))
        except ValueError as exc:
            first = str(exc).splitlines()[0]
            raise AccountError(
                f"{self.path}: not a desk accounts file ({first}); restore it from a backup"
            ) from exc

    def _write(self, data: AccountFile) -> None:
        temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data.model_dump(mode="json"), indent=2, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    def get(self, account_id: str) -> Account | None:
        """The account of `account_id`, or None."""
        return self._read().accounts.get(account_id)

    def ids(self) -> list[str]:
        """Every account id, sorted."""
        return sorted(self._read().accounts)

    def add(self, account_id: str, password: str, now: datetime, *, totp: bool = False) -> Account:
        """Create an account; raises `AccountError` when it exists or the password is too short."""
        password_hash = hash_password(password)
        with self._locked() as data:
            if account_id in data.accounts:
                raise AccountError(f"account {account_id!r} exists; use `editorial desk-user reset`")
            account = Account(
                id=account_id,
                password_hash=password_hash,
                totp_secret=new_totp_secret() if totp else None,
                created_at=now,
                changed_at=now,
            )
            data.accounts[account_id] = account
        return account

    def reset(self, account_id: str, password: str, now: datetime, *, totp: bool | None = None) -> Account:
        """A new password (and, with `totp`, a new or no TOTP secret); unlocks and re-enables the account."""
        password_hash = hash_password(password)
        with self._locked() as data:
            account = self._existing(data, account_id)
            secret = account.totp_secret
            if totp is not None:
                secret = new_totp_secret() if totp else None
            account = account.model_copy(
                update={
                    "password_hash": password_hash,
                    "totp_secret": secret,
                    "disabled": False,
                    "failures": 0,
                    "locked_until": None,
                    "changed_at": now,
                }
            )
            data.accounts[account_id] = account
        return account

    def disable(self, account_id: str, now: datetime) -> Account:
        """Disable an account (its sessions end at their next request)."""
        with self._locked() as data:
            account = self._existing(data, account_id).model_copy(
                update={"disabled": True, "changed_at": now}
            )
            data.accounts[account_id] = account
        return account

    @staticmethod
    def _existing(data: AccountFile, account_id: str) -> Account:
        account = data.accounts.get(account_id)
        if account is None:
            raise AccountError(f"no desk account {account_id!r}; create it with `editorial desk-user add`")
        return account

    def login(self, account_id: str, password: str, code: str | None, now: datetime) -> LoginResult:
        """Check a login; counts failures and locks the account after `max_failures` in a row."""
        account = self.get(account_id)
        if account is None:
            password_matches(_dummy_hash(), password)  # same cost as a wrong password
            return LoginResult.BAD
        if account.disabled:
            return LoginResult.DISABLED
        if account.locked_until is not None and now < account.locked_until:
            return LoginResult.LOCKED
        password_ok = password_matches(account.password_hash, password)
        if password_ok and account.totp_secret is not None and not (code or "").strip():
            return LoginResult.NEED_CODE
        ok = password_ok and (
            account.totp_secret is None or totp_matches(account.totp_secret, code or "", now)
        )
        with self._locked() as data:
            current = data.accounts.get(account_id)
            if current is None:
                return LoginResult.BAD
            if ok:
                data.accounts[account_id] = current.model_copy(update={"failures": 0, "locked_until": None})
                return LoginResult.OK
            failures = current.failures + 1
            locked_until = now + self.lockout if failures >= self.max_failures else None
            data.accounts[account_id] = current.model_copy(
                update={"failures": 0 if locked_until else failures, "locked_until": locked_until}
            )
        return LoginResult.LOCKED if locked_until else LoginResult.BAD

    def is_usable(self, account_id: str, now: datetime) -> bool:
        """True when the account exists, is enabled and not locked (checked on every request)."""
        account = self.get(account_id)
        if account is None or account.disabled:
            return False
        return account.locked_until is None or now >= account.locked_until
