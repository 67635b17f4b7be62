"""The desk's FastAPI application: login, the clinician's queue, the article page, the writer's drafts.

Every page needs a session (else a redirect to /login); every POST needs the session's CSRF token
(else 403). A decision or comment is one direct call (`flows.review_actions`), never a flow run; a
refusal by the desk's rules is explained on the page and nothing is recorded.
"""

from __future__ import annotations

import inspect
import ipaddress
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from flows.web import views
from flows.web.accounts import AccountStore, LoginResult
from flows.web.config import DeskConfig
from flows.web.security import (
    LOGIN_CSRF_COOKIE,
    SECURITY_HEADERS,
    SESSION_COOKIE,
    RateLimiter,
    Session,
    SessionStore,
    new_token,
    tokens_match,
)
from validators.errors import EditorialError
from validators.models import SLUG_RE

STATIC_DIR = Path(__file__).parent / "static"
MAX_FORM_BYTES = 64 * 1024
Clock = Callable[[], datetime]

LOGIN_MESSAGES = {
    LoginResult.BAD: "Wrong account or password.",
    LoginResult.NEED_CODE: "Enter the 6-digit code from your authenticator app.",
    LoginResult.LOCKED: "Too many failed logins: this account is locked for a while. Try again later "
    "or ask an editor to reset it.",
    LoginResult.DISABLED: "This account is disabled. Ask an editor.",
}


class Desk:
    """The desk's state: configuration, accounts, sessions, the login limiter, the templates."""

    def __init__(self, config: DeskConfig, clock: Clock | None = None) -> None:
        self.config = config
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.accounts = AccountStore(
            config.accounts_path,
            max_failures=config.max_failures,
            lockout=timedelta(minutes=config.lockout_minutes),
        )
        self.sessions = SessionStore(
            idle=timedelta(minutes=config.session_minutes), lifetime=timedelta(hours=config.session_max_hours)
        )
        self.limiter = RateLimiter(config.attempts_per_minute, timedelta(minutes=1))
        self.templates = Environment(
            loader=PackageLoader("flows.web", "templates"),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.record_kwargs = signing_kwargs(config.signer)

    # -- helpers -----------------------------------------------------------------------------------
    def page(self, name: str, request: Request, status: int = 200, **context: Any) -> HTMLResponse:
        """A rendered template with the session's person, CSRF token and flash messages."""
        session: Session | None = getattr(request.state, "session", None)
        flash: list[tuple[str, str]] = []
        if session is not None:
            flash, session.flash = session.flash, []
        html = self.templates.get_template(name).render(
            session=session, csrf=session.csrf if session else "", flash=flash, **context
        )
        return HTMLResponse(html, status_code=status)

    def client_address(self, request: Request) -> str:
        """The address the request came from (the proxy's own address when behind one)."""
        return request.client.host if request.client is not None else "unknown"

    def authenticated(self, request: Request) -> Session | None:
        """The request's live session; with a trusted proxy's user header, one opened for that user."""
        now = self.clock()
        session = self.sessions.get(request.cookies.get(SESSION_COOKIE), now)
        proxied = self.proxy_user(request)
        if proxied is not None:
            if session is None or session.person_id != proxied:
                self.sessions.close(session.token if session else None)
                session = self.sessions.open(proxied, now, via_proxy=True)
                request.state.new_session = session
        elif (
            session is not None
            and not session.via_proxy
            and not self.accounts.is_usable(session.person_id, now)
        ):
            self.sessions.close(session.token)
            session = None
        request.state.session = session
        return session

    def proxy_user(self, request: Request) -> str | None:
        """The user an authenticating proxy names, only when the request comes from a configured proxy."""
        if not self.config.is_trusted_proxy(self.client_address(request)):
            return None
        value = request.headers.get(self.config.proxy_user_header, "").strip()
        return value if value and SLUG_RE.match(value) else None

    def set_session_cookie(self, response: Response, session: Session) -> None:
        """The session cookie: HttpOnly, SameSite=Strict, Secure unless configured off, expiring."""
        response.set_cookie(
            SESSION_COOKIE,
            session.token,
            max_age=self.config.session_max_hours * 3600,
            httponly=True,
            samesite="strict",
            secure=self.config.secure_cookies,
            path="/",
        )


def signing_kwargs(signer: Path | None) -> dict[str, Any]:
    """The keyword that passes the desk's service key to `record_decisions` (none when no key is set).

    The key signs each decision commit on the logged-in clinician's behalf (`content_repo.signing`,
    issue 10). Raises `EditorialError` when a key is configured but this build cannot sign yet.
    """
    if signer is None:
        return {}
    import importlib

    from flows.review_actions import record_decisions

    if not signer.is_file():
        raise EditorialError(f"{signer}: the desk's signing key does not exist; give its private key file")
    try:
        signing = importlib.import_module("content_repo.signing")
    except ImportError:
        signing = None
    if signing is None or "signer" not in inspect.signature(record_decisions).parameters:
        raise EditorialError(
            f"{signer}: a desk signing key is configured, but this version records decisions unsigned; "
            "unset EDITORIAL_DESK_KEY (or --key) or upgrade"
        )
    return {"signer": signing.SigningKey(private_key=signer)}


async def read_form(request: Request) -> dict[str, str]:
    """The url-encoded form of a POST (first value of each field); oversized bodies are cut off."""
    body = await request.body()
    fields = parse_qs(body[:MAX_FORM_BYTES].decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


def safe_next(target: str | None) -> str:
    """A local path to go to after login (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def loopback(address: str) -> bool:
    """True for a request from this machine."""
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def create_app(config: DeskConfig, *, clock: Clock | None = None) -> FastAPI:
    """The desk's web application for `config`."""
    desk = Desk(config, clock)
    app = FastAPI(title="Editorial desk", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.desk = desk
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.middleware("http")
    async def headers_and_session(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request.state.session = None
        request.state.new_session = None
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if config.secure_cookies:  # served over HTTPS: browsers keep to it
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        new_session: Session | None = request.state.new_session
        if new_session is not None:
            desk.set_session_cookie(response, new_session)
        return response

    def login_redirect(request: Request) -> RedirectResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    def forbidden(request: Request, message: str) -> HTMLResponse:
        return desk.page("error.html", request, 403, title="Not for you", message=message)

    async def posted(request: Request) -> tuple[Session, dict[str, str]] | Response:
        """The session and form of a POST, or the 403 for a missing session or CSRF token."""
        session = desk.authenticated(request)
        form = await read_form(request)
        if session is None or not tokens_match(session.csrf, form.get("csrf")):
            return HTMLResponse(
                "403 Forbidden: this form is missing its security token (CSRF); reload the page.",
                status_code=403,
            )
        return session, form

    # -- operations -------------------------------------------------------------------------------
    @app.get("/metrics")
    def metrics(request: Request) -> Response:
        """Prometheus metrics (queue depth per role, oldest waiting claim, held back, last publish).

        Served to the desk's own machine (a scraper or an exporter on loopback) and to the configured
        trusted proxies; anyone else gets 403, logged in or not (the numbers describe unpublished work).
        """
        from flows.metrics import CONTENT_TYPE, metrics_text

        address = desk.client_address(request)
        if not (loopback(address) or config.is_trusted_proxy(address)):
            return PlainTextResponse("403 Forbidden: metrics are served on loopback only", status_code=403)
        return PlainTextResponse(metrics_text(config.repo, desk.clock()), media_type=CONTENT_TYPE)

    # -- login --------------------------------------------------------------------------------------
    def login_page(request: Request, status: int = 200, error: str | None = None, **extra: Any) -> Response:
        token = new_token()
        response = desk.page(
            "login.html",
            request,
            status,
            login_csrf=token,
            error=error,
            next=safe_next(request.query_params.get("next") or extra.pop("next", None)),
            **extra,
        )
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            max_age=3600,
            httponly=True,
            samesite="strict",
            secure=config.secure_cookies,
            path="/login",
        )
        return response

    @app.get("/login")
    async def login_form(request: Request) -> Response:
        if desk.authenticated(request) is not None:
            return RedirectResponse("/", status_code=303)
        return login_page(request)

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await read_form(request)
        if not tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE), form.get("csrf")):
            return HTMLResponse("403 Forbidden: the login form's security token is missing.", status_code=403)
        now = desk.clock()
        account_id = form.get("account", "").strip()
        target = safe_next(form.get("next"))
        if not desk.limiter.allow(desk.client_address(request), now):
            return login_page(request, 429, "Too many login attempts from here: wait a minute.", next=target)
        result = await run_in_threadpool(
            desk.accounts.login, account_id, form.get("password", ""), form.get("code") or None, now
        )
        if result is LoginResult.OK:
            on_roster = await run_in_threadpool(_active_on_roster, config.repo, account_id)
            if not on_roster:
                result = LoginResult.DISABLED
        if result is not LoginResult.OK:
            status = 401 if result in (LoginResult.BAD, LoginResult.NEED_CODE) else 403
            return login_page(
                request,
                status,
                LOGIN_MESSAGES[result],
                next=target,
                account=account_id,
                ask_code=result is LoginResult.NEED_CODE,
            )
        session = desk.sessions.open(account_id, now)
        response = RedirectResponse(target, status_code=303)
        desk.set_session_cookie(response, session)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        got = await posted(request)
        if isinstance(got, Response):
            return got
        session, _ = got
        desk.sessions.close(session.token)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # -- pages --------------------------------------------------------------------------------------
    @app.get("/")
    async def home(request: Request) -> Response:
        session = desk.authenticated(request)
        if session is None:
            return login_redirect(request)
        clinician = await run_in_threadpool(_is_clinician, config.repo, session.person_id)
        return RedirectResponse("/queue" if clinician else "/mine", status_code=303)

    @app.get("/queue")
    async def queue(request: Request) -> Response:
        session = desk.authenticated(request)
        if session is None:
            return login_redirect(request)
        try:
            person, items = await run_in_threadpool(
                _with_repo, config.repo, views.queue_for, session.person_id, desk.clock()
            )
        except views.Forbidden as exc:
            return forbidden(request, str(exc))
        return desk.page("queue.html", request, person=person, items=items)

    @app.get("/mine")
    async def mine(request: Request) -> Response:
        session = desk.authenticated(request)
        if session is None:
            return login_redirect(request)
        try:
            person, items = await run_in_threadpool(
                _with_repo, config.repo, views.drafts_of, session.person_id
            )
        except views.Forbidden as exc:
            return forbidden(request, str(exc))
        return desk.page("mine.html", request, person=person, items=items)

    async def show_article(
        request: Request, session: Session, slug: str, status: int = 200, refusal: str | None = None
    ) -> Response:
        if not SLUG_RE.match(slug):
            return desk.page("error.html", request, 404, title="Not found", message=f"no draft {slug!r}")
        try:
            page = await run_in_threadpool(
                _with_repo, config.repo, views.article_page, slug, session.person_id, desk.clock()
            )
        except views.Forbidden as exc:
            return forbidden(request, str(exc))
        except views.NotFound as exc:
            return desk.page("error.html", request, 404, title="Not found", message=str(exc))
        return desk.page("article.html", request, status, page=page, refusal=refusal)

    @app.get("/drafts/{slug}")
    async def article(request: Request, slug: str) -> Response:
        session = desk.authenticated(request)
        if session is None:
            return login_redirect(request)
        return await show_article(request, session, slug)

    # -- actions ------------------------------------------------------------------------------------
    @app.post("/drafts/{slug}/decide")
    async def decide(request: Request, slug: str) -> Response:
        got = await posted(request)
        if isinstance(got, Response):
            return got
        session, form = got
        verdict = form.get("verdict", "")
        claim = form.get("claim", "")
        decisions = [{"key": claim, "verdict": verdict, "note": form.get("note") or None}]
        return await act(request, session, slug, form, decisions, anchor=f"c-{claim}")

    @app.post("/drafts/{slug}/section")
    async def approve_section(request: Request, slug: str) -> Response:
        got = await posted(request)
        if isinstance(got, Response):
            return got
        session, form = got
        if not SLUG_RE.match(slug):
            return desk.page("error.html", request, 404, title="Not found", message=f"no draft {slug!r}")
        heading = form.get("section", "")
        keys = await run_in_threadpool(
            _with_repo, config.repo, _waiting_in_section, slug, session.person_id, heading, desk.clock()
        )
        if not keys:
            return await show_article(
                request, session, slug, 409, f"Nothing in section {heading!r} waits for your approval."
            )
        decisions = [{"key": key, "verdict": "approve", "note": None} for key in keys]
        return await act(request, session, slug, form, decisions, anchor="")

    @app.post("/drafts/{slug}/comment")
    async def comment(request: Request, slug: str) -> Response:
        got = await posted(request)
        if isinstance(got, Response):
            return got
        session, form = got
        from flows.review_actions import record_comment

        if not SLUG_RE.match(slug):
            return desk.page("error.html", request, 404, title="Not found", message=f"no draft {slug!r}")
        stale = await run_in_threadpool(_stale, config.repo, slug, form.get("content_hash", ""))
        if stale:
            return await show_article(request, session, slug, 409, stale)
        try:
            await run_in_threadpool(
                lambda: record_comment(
                    config.repo,
                    slug,
                    session.person_id,
                    form.get("sentence", ""),
                    form.get("text", ""),
                    now=desk.clock(),
                    via=config.via,
                    push="background",
                    **desk.record_kwargs,
                )
            )
        except EditorialError as exc:
            return await show_article(request, session, slug, 409, str(exc))
        session.flash.append(("ok", "Comment saved."))
        return RedirectResponse(f"/drafts/{slug}", status_code=303)

    async def act(
        request: Request,
        session: Session,
        slug: str,
        form: dict[str, str],
        decisions: list[dict[str, Any]],
        anchor: str,
    ) -> Response:
        """Record decisions (all or none); on refusal, the page again with the reason."""
        from pydantic import ValidationError

        from flows.review_actions import record_decisions
        from reviewers.ledger import DecisionInput

        if not SLUG_RE.match(slug):
            return desk.page("error.html", request, 404, title="Not found", message=f"no draft {slug!r}")
        try:
            given = [DecisionInput.model_validate(d) for d in decisions]
        except ValidationError:
            return await show_article(request, session, slug, 400, "That decision is not well formed.")
        stale = await run_in_threadpool(_stale, config.repo, slug, form.get("content_hash", ""))
        if stale:
            return await show_article(request, session, slug, 409, stale)
        try:
            outcome = await run_in_threadpool(
                lambda: record_decisions(
                    config.repo,
                    slug,
                    session.person_id,
                    given,
                    now=desk.clock(),
                    via=config.via,
                    push="background",
                    **desk.record_kwargs,
                )
            )
        except EditorialError as exc:
            return await show_article(request, session, slug, 409, str(exc))
        done = ", ".join(f"{r.decision.verdict.value} claim {r.claim[:8]}" for r in outcome.decided)
        session.flash.append(
            ("ok", f"Saved: {done} (commit {outcome.commit[:10]}); draft {outcome.status.value}.")
        )
        return RedirectResponse(f"/drafts/{slug}" + (f"#{anchor}" if anchor else ""), status_code=303)

    return app


# -- blocking helpers (run in the thread pool) --------------------------------------------------------


def _with_repo(repo_path: Path, function: Callable[..., Any], *args: Any) -> Any:
    """`function(repo, *args)` with the content repository open."""
    from flows.context import open_repo

    with open_repo(path=repo_path) as repo:
        return function(repo, *args)


def _active_on_roster(repo_path: Path, person_id: str) -> bool:
    from flows.context import load_roster_from, open_repo

    with open_repo(path=repo_path) as repo:
        person = load_roster_from(repo).get(person_id)
    return person is not None and person.active


def _is_clinician(repo_path: Path, person_id: str) -> bool:
    from flows.context import load_policy_from, load_roster_from, open_repo

    with open_repo(path=repo_path) as repo:
        person = load_roster_from(repo).get(person_id)
        return person is not None and views.is_clinician(person, load_policy_from(repo))


def _stale(repo_path: Path, slug: str, content_hash: str) -> str | None:
    """Why a form made on text `content_hash` no longer applies (the draft changed), else None."""
    from content_repo.errors import NotFoundError
    from flows.context import DraftUnderReview, open_repo

    with open_repo(path=repo_path) as repo:
        try:
            text, _, head = repo.read_draft(slug)  # the text only: its ledger is read by the action
        except NotFoundError:
            return f"no draft {slug!r} under review"
    if content_hash != DraftUnderReview(slug, text, None, head).content_hash:
        return (
            "the draft changed since this page was loaded (the writer resubmitted it); "
            "read it again and decide on the new text"
        )
    return None


def _waiting_in_section(repo: Any, slug: str, person_id: str, heading: str, now: datetime) -> list[str]:
    """Keys of the claims of section `heading` that wait for the person."""
    from content_repo.errors import NotFoundError
    from flows.context import load_policy_from, load_roster_from
    from reviewers.desk import waiting_for
    from reviewers.policy import PolicyError

    person = load_roster_from(repo).get(person_id)
    try:
        draft = views.read_draft(repo, slug)
    except NotFoundError:
        return []
    if person is None or draft.ledger is None:
        return []
    try:
        waiting = waiting_for(draft.ledger, person, load_policy_from(repo), now)
    except PolicyError:
        return []
    return [c.key for c in waiting if c.section == heading]
