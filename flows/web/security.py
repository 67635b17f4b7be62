"""Sessions, CSRF tokens, the login rate limit, the trusted-proxy check and the security headers.

Sessions live in the desk's memory (a restart logs everyone out): a random token in a Secure,
HttpOnly, SameSite=Strict cookie, ending after `session_minutes` idle or `session_max_hours` in all,
and at logout. Each session has its own CSRF token, required in every form; the login form, before any
session exists, uses a double-submit token (a cookie and a hidden field that must match).
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

SESSION_COOKIE = "desk_session"
LOGIN_CSRF_COOKIE = "desk_login_csrf"

# No inline script or style anywhere: the desk's script and stylesheet are static files.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def new_token() -> str:
    """A random, URL-safe token (256 bits)."""
    return secrets.token_urlsafe(32)


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of two tokens (False when either is missing)."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


@dataclass
class Session:
    """A logged-in person."""

    token: str
    person_id: str
    csrf: str
    created: datetime
    seen: datetime
    via_proxy: bool = False
    flash: list[tuple[str, str]] = field(default_factory=list)  # (kind, message) shown on the next page


@dataclass
class SessionStore:
    """The desk's sessions, by token (thread-safe)."""

    idle: timedelta
    lifetime: timedelta
    _sessions: dict[str, Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, person_id: str, now: datetime, *, via_proxy: bool = False) -> Session:
        """A new session for `person_id`."""
        session = Session(new_token(), person_id, new_token(), now, now, via_proxy)
        with self._lock:
            self._sessions[session.token] = session
        return session

    def get(self, token: str | None, now: datetime) -> Session | None:
        """The live session of `token` (its idle clock restarted), or None when absent or expired."""
        if not token:
            return None
        with self._lock:
            session = self._sessions.get(token)
            if session is None:
                return None
            if now - session.seen > self.idle or now - session.created > self.lifetime:
                del self._sessions[token]
                return None
            session.seen = now
            return session

    def close(self, token: str | None) -> None:
        """End a session (logout)."""
        if token:
            with self._lock:
                self._sessions.pop(token, None)

    def close_all(self, person_id: str) -> None:
        """End every session of a person (account disabled)."""
        with self._lock:
            for token in [t for t, s in self._sessions.items() if s.person_id == person_id]:
                del self._sessions[token]


@dataclass
class RateLimiter:
    """At most `limit` events per `window` per key (login attempts per client address)."""

    limit: int
    window: timedelta
    _events: dict[str, deque[datetime]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, key: str, now: datetime) -> bool:
        """Count one event for `key`; False when it exceeds the limit (the event is not counted)."""
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and now - events[0] > self.window:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            return True
