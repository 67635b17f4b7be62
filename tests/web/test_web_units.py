"""The desk's parts on their own: accounts (argon2, TOTP, lock-out), the renderer, the CLI, the API file."""

from __future__ import annotations

import base64
import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from review_fixtures import make_content_repo
from typer.testing import CliRunner

from flows.web.accounts import AccountError, AccountStore, LoginResult, totp_code, totp_matches
from flows.web.render import Level, Span, render_article

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

# --- accounts ------------------------------------------------------------------------------------------


def test_totp_matches_the_rfc_6238_test_vectors() -> None:
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp_code(secret, datetime.fromtimestamp(59, UTC), digits=8) == "94287082"
    assert totp_code(secret, datetime.fromtimestamp(1111111109, UTC), digits=8) == "07081804"
    assert totp_code(secret, datetime.fromtimestamp(1234567890, UTC), digits=8) == "89005924"
    at = datetime.fromtimestamp(1234567890, UTC)
    assert totp_matches(secret, totp_code(secret, at - timedelta(seconds=30)), at)  # one step of drift
    assert not totp_matches(secret, totp_code(secret, at - timedelta(seconds=90)), at)
    assert not totp_matches(secret, "abcdef", at)


def test_accounts_file_holds_argon2_hashes_only_readable_by_its_owner(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "desk" / "accounts.json")
    store.add("doc-physician", "a long enough password", NOW)
    text = store.path.read_text(encoding="utf-8")
    assert "a long enough password" not in text
    assert json.loads(text)["accounts"]["doc-physician"]["password_hash"].startswith("$argon2id$")
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert store.login("doc-physician", "a long enough password", None, NOW) is LoginResult.OK


def test_short_passwords_and_duplicate_accounts_are_refused(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "accounts.json")
    with pytest.raises(AccountError, match="at least 10 characters"):
        store.add("doc-physician", "short", NOW)
    store.add("doc-physician", "a long enough password", NOW)
    with pytest.raises(AccountError, match="exists; use `editorial desk-user reset`"):
        store.add("doc-physician", "another long password", NOW)
    with pytest.raises(AccountError, match="no desk account 'nobody'"):
        store.reset("nobody", "another long password", NOW)


def test_lock_out_after_failures_ends_with_time_or_a_reset(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "accounts.json", max_failures=3, lockout=timedelta(minutes=15))
    store.add("doc-physician", "a long enough password", NOW)
    assert [store.login("doc-physician", "wrong password!", None, NOW) for _ in range(3)] == [
        LoginResult.BAD,
        LoginResult.BAD,
        LoginResult.LOCKED,
    ]
    assert store.login("doc-physician", "a long enough password", None, NOW) is LoginResult.LOCKED
    later = NOW + timedelta(minutes=16)
    assert store.login("doc-physician", "a long enough password", None, later) is LoginResult.OK
    for _ in range(3):
        store.login("doc-physician", "wrong password!", None, later)
    store.reset("doc-physician", "a new long password", later)
    assert store.login("doc-physician", "a new long password", None, later) is LoginResult.OK


def test_totp_account_needs_the_current_code(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "accounts.json")
    account = store.add("doc-physician", "a long enough password", NOW, totp=True)
    assert account.totp_secret is not None
    assert store.login("doc-physician", "a long enough password", None, NOW) is LoginResult.NEED_CODE
    assert store.login("doc-physician", "a long enough password", "000000", NOW) in (
        LoginResult.BAD,
        LoginResult.OK,  # one chance in a million that 000000 is the code
    )
    code = totp_code(account.totp_secret, NOW)
    assert store.login("doc-physician", "a long enough password", code, NOW) is LoginResult.OK
    assert store.login("doc-physician", "wrong password!", code, NOW) is LoginResult.BAD


def test_disabled_account_cannot_log_in(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "accounts.json")
    store.add("doc-physician", "a long enough password", NOW)
    store.disable("doc-physician", NOW)
    assert store.login("doc-physician", "a long enough password", None, NOW) is LoginResult.DISABLED
    assert not store.is_usable("doc-physician", NOW)


def test_a_corrupt_accounts_file_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(
        AccountError, match=r"accounts.json: not a desk accounts file .*restore it from a backup"
    ):
        AccountStore(path).get("doc-physician")


# --- rendering ------------------------------------------------------------------------------------------


def article(body: str):  # type: ignore[no-untyped-def]
    from validators.parser import parse_article

    return parse_article(f"---\ntitle: T\nslug: t\nauthor: w\n---\n\n{body}", "articles/t.md")


def test_a_sentence_crossing_bold_text_is_cut_into_nested_runs() -> None:
    parsed = article("Take **two tablets** daily. Then rest.\n")
    text = parsed.text
    start = text.index("Take")
    end = text.index("daily.") + len("daily.")
    term = text.index("two")
    spans = [
        Span(start, end, Level.SENTENCE, "claim", {"data-claim": "k"}, anchor="s-k"),
        Span(term, term + len("two tablets"), Level.TERM, "term"),
    ]
    assert render_article(parsed, spans) == (
        '<p><span class="claim" id="s-k" data-claim="k">Take </span><strong>'
        '<span class="claim" data-claim="k"><span class="term">two tablets</span></span></strong>'
        '<span class="claim" data-claim="k"> daily.</span> Then rest.</p>\n'
    )


def test_a_list_item_keeps_its_marker_and_raw_html_stays_text() -> None:
    parsed = article("- Give <b>aspirin</b> now.\n")
    text = parsed.text
    start = text.index("- Give")  # a span starting at the line's start begins after the marker
    spans = [Span(start, text.index("now.") + 4, Level.SENTENCE, "claim")]
    assert render_article(parsed, spans) == (
        '<ul>\n<li><span class="claim">Give &lt;b&gt;aspirin&lt;/b&gt; now.</span></li>\n</ul>\n'
    )


# --- the CLI and the Prefect API file ----------------------------------------------------------------------


def test_desk_user_add_refuses_an_id_not_on_the_roster(tmp_path: Path) -> None:
    from flows.cli import app

    repo = make_content_repo(tmp_path / "content")
    data = tmp_path / "desk"
    runner = CliRunner()
    args = ["desk-user", "add", "--repo", str(repo), "--data-dir", str(data), "--password-stdin"]
    result = runner.invoke(app, [*args, "mallory"], input="a long enough password\n")
    assert result.exit_code == 2
    assert "'mallory' is not on the roster" in result.output
    result = runner.invoke(app, [*args, "doc-physician"], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("desk account doc-physician created in ")
    result = runner.invoke(app, ["desk-user", "disable", "doc-physician", "--data-dir", str(data)])
    assert result.exit_code == 0
    result = runner.invoke(app, ["desk-user", "list", "--data-dir", str(data)])
    assert result.output == "doc-physician  disabled\n"


def test_cli_commands_find_the_prefect_api_of_a_running_desk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.cli.prefect_env import running_desk_api

    monkeypatch.setenv("EDITORIAL_DESK_DIR", str(tmp_path))
    assert running_desk_api() is None
    marker = tmp_path / "prefect-api.json"
    marker.write_text(json.dumps({"url": "http://127.0.0.1:4321/api", "pid": os.getpid()}))
    assert running_desk_api() == "http://127.0.0.1:4321/api"
    marker.write_text(json.dumps({"url": "http://127.0.0.1:4321/api", "pid": 2**22 + 12345}))
    assert running_desk_api() is None  # the desk that wrote it is gone


@pytest.mark.slow
def test_editorial_serve_starts_the_desk_and_stops_on_interrupt(tmp_path: Path) -> None:
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    repo = make_content_repo(tmp_path / "content")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    editorial = str(Path(sys.executable).parent / "editorial")
    command = [editorial, "serve", "--repo", str(repo), "--port", str(port)]
    command += ["--data-dir", str(tmp_path / "desk"), "--no-prefect"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login") as response:
                    assert response.status == 200
                    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
                    break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "the desk did not start"
                time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    assert f"desk on http://127.0.0.1:{port}/ for {repo.resolve()}" in output


def test_a_configured_desk_key_is_passed_to_record_decisions_or_refused(tmp_path: Path) -> None:
    import importlib.util

    from flows.web.app import signing_kwargs
    from validators.errors import EditorialError

    assert signing_kwargs(None) == {}
    with pytest.raises(EditorialError, match="the desk's signing key does not exist"):
        signing_kwargs(tmp_path / "missing-key")
    key = tmp_path / "desk_ed25519"
    key.write_text("not read here\n", encoding="utf-8")
    if importlib.util.find_spec("content_repo.signing") is None:  # signing (issue 10) not merged yet
        with pytest.raises(EditorialError, match="this version records decisions unsigned"):
            signing_kwargs(key)
    else:
        assert signing_kwargs(key)["signer"].private_key == key
