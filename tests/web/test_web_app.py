"""The desk over HTTP (in-process client, real content repository): login, pages, decisions, refusals."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from web_fixtures import HOSTILE, PASSWORDS, SLUG, DeskSetup, field

from flows.web.config import DeskConfig

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

CLAIM_DRUG = "2b59730e7486c55d"  # "Ibuprofen is a pain reliever."
CLAIM_DOSE = "100a4f7a9fd2123e"  # "Adults may take 200 mg every 4 to 6 hours."
CLAIM_STOP = "d09299ef4e93e689"  # "Stop taking ibuprofen and call your doctor if you have stomach pain."


def client_for(config: DeskConfig, address: str = "127.0.0.1") -> TestClient:
    from flows.web.app import create_app

    base = "https://desk.example.org" if config.secure_cookies else "http://127.0.0.1"
    return TestClient(create_app(config), base_url=base, client=(address, 50000))


def log_in(client: TestClient, person: str, password: str | None = None, code: str | None = None) -> object:
    page = client.get("/login")
    form = {"csrf": field(page.text, "csrf"), "account": person, "password": password or PASSWORDS[person]}
    if code is not None:
        form["code"] = code
    return client.post("/login", data=form, follow_redirects=False)


def logged_in(config: DeskConfig, person: str) -> TestClient:
    client = client_for(config)
    response = log_in(client, person)
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    return client


def draft_head(repo: Path) -> str:
    from flows.context import open_repo

    with open_repo(path=repo) as content:
        return content.read_draft(SLUG)[2]


def ledger_of(repo: Path):  # type: ignore[no-untyped-def]
    from flows.context import open_repo, read_draft_under_review

    with open_repo(path=repo) as content:
        ledger = read_draft_under_review(content, SLUG).ledger
    assert ledger is not None
    return ledger


def decide(client: TestClient, claim: str, verdict: str, note: str = "") -> object:
    page = client.get(f"/drafts/{SLUG}")
    form = {
        "csrf": field(page.text, "csrf"),
        "content_hash": field(page.text, "content_hash"),
        "claim": claim,
        "verdict": verdict,
        "note": note,
    }
    return client.post(f"/drafts/{SLUG}/decide", data=form, follow_redirects=False)


def refusal(html: str) -> str:
    found = re.search(r'id="refusal"[^>]*>([^<]*)<', html)
    assert found is not None, "no refusal on the page"
    return found.group(1)


# --- access ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/queue", "/mine", f"/drafts/{SLUG}"])
def test_every_page_redirects_an_unauthenticated_request_to_login(desk: DeskSetup, path: str) -> None:
    response = client_for(desk.config).get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("action", ["decide", "section", "comment"])
def test_a_post_without_a_valid_csrf_token_is_403_and_records_nothing(desk: DeskSetup, action: str) -> None:
    client = logged_in(desk.config, "doc-physician")
    page = client.get(f"/drafts/{SLUG}")
    head = draft_head(desk.repo)
    form = {
        "content_hash": field(page.text, "content_hash"),
        "claim": CLAIM_DRUG,
        "verdict": "approve",
        "section": "What is it?",
        "sentence": "Ibuprofen is a pain reliever.",
        "text": "A comment",
    }
    assert client.post(f"/drafts/{SLUG}/{action}", data=form).status_code == 403
    assert client.post(f"/drafts/{SLUG}/{action}", data={**form, "csrf": "forged"}).status_code == 403
    anonymous = client_for(desk.config)
    assert anonymous.post(f"/drafts/{SLUG}/{action}", data=form).status_code == 403
    assert draft_head(desk.repo) == head


def test_logout_needs_the_token_and_ends_the_session(desk: DeskSetup) -> None:
    client = logged_in(desk.config, "doc-physician")
    page = client.get("/queue")
    assert client.post("/logout", data={}).status_code == 403
    response = client.post("/logout", data={"csrf": field(page.text, "csrf")}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_login_form_without_its_token_is_403(desk: DeskSetup) -> None:
    client = client_for(desk.config)
    data = {"account": "doc-physician", "password": PASSWORDS["doc-physician"]}
    assert client.post("/login", data=data).status_code == 403


def test_wrong_password_then_lock_out_after_five_failures(desk: DeskSetup) -> None:
    client = client_for(desk.config)
    for _ in range(4):
        response = log_in(client, "doc-physician", "not-the-password")
        assert response.status_code == 401  # type: ignore[attr-defined]
        assert "Wrong account or password." in response.text  # type: ignore[attr-defined]
    response = log_in(client, "doc-physician", "not-the-password")
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert "locked" in response.text  # type: ignore[attr-defined]
    response = log_in(client, "doc-physician")  # the right password no longer opens it
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert "locked" in response.text  # type: ignore[attr-defined]


def test_unknown_account_gets_the_same_answer_as_a_wrong_password(desk: DeskSetup) -> None:
    response = log_in(client_for(desk.config), "nobody-here", "whatever-password")
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert "Wrong account or password." in response.text  # type: ignore[attr-defined]


def test_login_attempts_are_rate_limited_per_address(desk: DeskSetup) -> None:
    config = desk.config.model_copy(update={"attempts_per_minute": 3})
    client = client_for(config)
    for _ in range(3):
        assert log_in(client, "nina-nurse", "wrong-password-x").status_code == 401  # type: ignore[attr-defined]
    response = log_in(client, "nina-nurse")
    assert response.status_code == 429  # type: ignore[attr-defined]


def test_session_cookie_is_httponly_samesite_and_secure_when_configured(desk: DeskSetup) -> None:
    client = client_for(desk.config.model_copy(update={"secure_cookies": True}))
    cookie = log_in(client, "doc-physician").headers["set-cookie"]  # type: ignore[attr-defined]
    session = next(part for part in cookie.split(", desk_") if part.startswith("desk_session="))
    assert "HttpOnly" in session
    assert "SameSite=strict" in session
    assert "Secure" in session
    assert "Max-Age=43200" in session
    assert client.get("/login").headers["strict-transport-security"] == "max-age=31536000"


def test_pages_carry_a_strict_content_security_policy(desk: DeskSetup) -> None:
    client = logged_in(desk.config, "doc-physician")
    response = client.get(f"/drafts/{SLUG}")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.text.replace('<script src="/static/desk.js" defer></script>', "")


def test_a_disabled_account_loses_its_session(desk: DeskSetup) -> None:
    from datetime import UTC, datetime

    from flows.web.accounts import AccountStore

    client = logged_in(desk.config, "doc-physician")
    assert client.get("/queue").status_code == 200
    AccountStore(desk.config.accounts_path).disable("doc-physician", datetime.now(UTC))
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_trusted_proxy_header_counts_only_from_a_configured_proxy(desk: DeskSetup) -> None:
    config = desk.config.model_copy(update={"trusted_proxies": ["10.0.0.5"]})
    header = {"X-Remote-User": "doc-physician"}
    outsider = client_for(config, address="10.0.0.9")
    assert outsider.get("/queue", headers=header, follow_redirects=False).status_code == 303
    proxy = client_for(config, address="10.0.0.5")
    response = proxy.get("/queue", headers=header)
    assert response.status_code == 200
    assert "Waiting for Doc Physician" in response.text


# --- pages ---------------------------------------------------------------------------------------------


def test_queue_lists_the_draft_with_the_claims_waiting_for_the_physician(desk: DeskSetup) -> None:
    response = logged_in(desk.config, "doc-physician").get("/queue")
    assert response.status_code == 200
    row = re.search(r"<tr>\s*<td><a href=\"/drafts/ibuprofen-for-pain\".*?</tr>", response.text, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num">(\d+)</td>', row.group(0))
    assert cells == ["3", "3"]  # 3 waiting for the physician, 3 claims


def test_a_writer_cannot_reach_the_clinicians_queue(desk: DeskSetup) -> None:
    response = logged_in(desk.config, "wendy-writer").get("/queue")
    assert response.status_code == 403
    assert "not a clinician" in response.text


def test_article_page_marks_each_claim_and_term_in_place(desk: DeskSetup) -> None:
    html = logged_in(desk.config, "doc-physician").get(f"/drafts/{SLUG}").text
    assert (
        f'<span class="claim claim-pending" id="s-{CLAIM_DOSE}" data-claim="{CLAIM_DOSE}" data-number="2">'
        'Adults may take <span class="term term-needs cat-dosage" title="dosage">200 mg</span>'
        " every 4 to 6 hours.</span>"
    ) in html
    assert html.count('class="approve-form"') == 3
    needs = re.search(rf'id="c-{CLAIM_STOP}".*?</table>', html, re.S)
    assert needs is not None
    assert re.findall(r"<tr class=\"unmet\"><td>(\w+)</td>", needs.group(0)) == [
        "directive",
        "drug",
        "symptom",
    ]


def test_writers_own_draft_is_read_only_with_findings(desk: DeskSetup) -> None:
    response = logged_in(desk.config, "wendy-writer").get(f"/drafts/{SLUG}")
    assert response.status_code == 200
    assert "You wrote this draft: it is shown read-only." in response.text
    assert 'class="approve-form"' not in response.text
    mine = logged_in(desk.config, "wendy-writer").get("/mine").text
    assert f'<a href="/drafts/{SLUG}">Ibuprofen for pain</a>' in mine


def test_a_writer_may_not_open_another_writers_draft(desk: DeskSetup) -> None:
    response = logged_in(desk.config, "phil-writer").get(f"/drafts/{SLUG}")
    assert response.status_code == 200  # phil is also a physician: a clinician may read any draft
    other = logged_in(desk.config, "wendy-writer")
    assert other.get("/drafts/no-such-draft").status_code == 404


# --- decisions -------------------------------------------------------------------------------------------


def test_approve_is_recorded_as_a_commit_by_the_clinician(desk: DeskSetup, no_prefect_api: None) -> None:
    client = logged_in(desk.config, "doc-physician")
    head = draft_head(desk.repo)
    response = decide(client, CLAIM_DRUG, "approve")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == f"/drafts/{SLUG}#c-{CLAIM_DRUG}"  # type: ignore[attr-defined]
    assert draft_head(desk.repo) != head
    claim = ledger_of(desk.repo).claim(CLAIM_DRUG)
    assert [(d.reviewer_id, d.verdict.value, d.via) for d in claim.decisions] == [
        ("doc-physician", "approve", "web-desk")
    ]
    assert claim.status.value == "approved"
    page = client.get(f"/drafts/{SLUG}").text
    assert "Saved: approve claim 2b59730e" in page


def test_reject_without_a_note_is_refused_on_the_page_and_nothing_recorded(desk: DeskSetup) -> None:
    client = logged_in(desk.config, "doc-physician")
    head = draft_head(desk.repo)
    response = decide(client, CLAIM_DOSE, "reject", note="   ")
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert refusal(response.text).startswith("Not recorded: PO06 rejection-needs-note")  # type: ignore[attr-defined]
    assert draft_head(desk.repo) == head


def test_reject_with_a_note_then_undo_as_a_new_decision(desk: DeskSetup, no_prefect_api: None) -> None:
    client = logged_in(desk.config, "doc-physician")
    assert decide(client, CLAIM_DOSE, "reject", note="Adults only; say so.").status_code == 303  # type: ignore[attr-defined]
    assert ledger_of(desk.repo).claim(CLAIM_DOSE).status.value == "rejected"
    assert decide(client, CLAIM_DOSE, "withdraw").status_code == 303  # type: ignore[attr-defined]
    claim = ledger_of(desk.repo).claim(CLAIM_DOSE)
    assert [d.verdict.value for d in claim.decisions] == ["reject", "withdraw"]
    assert claim.status.value == "pending"


def test_the_writer_cannot_approve_their_own_article(tmp_path: Path) -> None:
    from review_fixtures import make_content_repo
    from web_fixtures import add_accounts

    repo = make_content_repo(tmp_path / "content", author="phil-writer")  # phil: writer and physician
    config = DeskConfig(repo=repo, data_dir=tmp_path / "desk", secure_cookies=False)
    add_accounts(config)
    client = logged_in(config, "phil-writer")
    page = client.get(f"/drafts/{SLUG}").text
    assert "You wrote this draft: it is shown read-only." in page
    head = draft_head(repo)
    form = {
        "csrf": field(page, "csrf"),
        "content_hash": field(page, "content_hash"),
        "claim": CLAIM_DRUG,
        "verdict": "approve",
    }
    response = client.post(f"/drafts/{SLUG}/decide", data=form)
    assert response.status_code == 409
    assert refusal(response.text).startswith("Not recorded: PO04 self-approval")
    assert draft_head(repo) == head


def test_a_role_the_policy_does_not_allow_is_refused(desk: DeskSetup) -> None:
    client = logged_in(desk.config, "nina-nurse")
    response = decide(client, CLAIM_DRUG, "approve")  # a drug claim: physician or pharmacist
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert refusal(response.text).startswith("Not recorded: PO05 role-not-allowed")  # type: ignore[attr-defined]


def test_a_page_loaded_before_a_resubmission_records_nothing(desk: DeskSetup) -> None:
    client = logged_in(desk.config, "doc-physician")
    page = client.get(f"/drafts/{SLUG}").text
    form = {"csrf": field(page, "csrf"), "content_hash": "sha256:" + "0" * 64, "claim": CLAIM_DRUG}
    response = client.post(f"/drafts/{SLUG}/decide", data={**form, "verdict": "approve"})
    assert response.status_code == 409
    assert "the draft changed since this page was loaded" in refusal(response.text)


def test_approve_all_claims_of_a_section(desk: DeskSetup, no_prefect_api: None) -> None:
    client = logged_in(desk.config, "doc-physician")
    page = client.get(f"/drafts/{SLUG}").text
    form = {
        "csrf": field(page, "csrf"),
        "content_hash": field(page, "content_hash"),
        "section": "What is it?",
    }
    assert client.post(f"/drafts/{SLUG}/section", data=form, follow_redirects=False).status_code == 303
    statuses = {c.key: c.status.value for c in ledger_of(desk.repo).claims}
    assert statuses == {CLAIM_DRUG: "approved", CLAIM_DOSE: "approved", CLAIM_STOP: "pending"}


def test_a_comment_is_shown_in_place_to_the_writer(desk: DeskSetup, no_prefect_api: None) -> None:
    client = logged_in(desk.config, "doc-physician")
    page = client.get(f"/drafts/{SLUG}").text
    form = {
        "csrf": field(page, "csrf"),
        "content_hash": field(page, "content_hash"),
        "sentence": "Stop taking ibuprofen and call your doctor if you have stomach pain.",
        "text": "Say which stomach pain: sudden and severe?",
    }
    assert client.post(f"/drafts/{SLUG}/comment", data=form, follow_redirects=False).status_code == 303
    writer = logged_in(desk.config, "wendy-writer").get(f"/drafts/{SLUG}").text
    card = re.search(rf'id="c-{CLAIM_STOP}".*?</section>', writer, re.S)
    assert card is not None
    assert "Doc Physician (doc-physician)" in card.group(0)
    assert "Say which stomach pain: sudden and severe?" in card.group(0)


def test_markup_in_article_title_note_comment_and_name_is_shown_as_text(
    hostile_desk: DeskSetup, no_prefect_api: None
) -> None:
    client = logged_in(hostile_desk.config, "doc-physician")
    page = client.get(f"/drafts/{SLUG}").text
    form = {"csrf": field(page, "csrf"), "content_hash": field(page, "content_hash")}
    sentence = "Stop taking ibuprofen and call your doctor if you have stomach pain."
    client.post(f"/drafts/{SLUG}/comment", data={**form, "sentence": sentence, "text": HOSTILE})
    client.post(
        f"/drafts/{SLUG}/decide",
        data={**form, "claim": CLAIM_STOP, "verdict": "reject", "note": HOSTILE},
    )
    html = client.get(f"/drafts/{SLUG}").text
    assert "<script>document.title" not in html
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in html
    assert html.count("&lt;script&gt;document.title") >= 4  # body, comment (twice), note
    assert "Pain &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Doc &#34;O&#39;Brien&#34; &amp; Co (doc-physician)" in html
    writer = logged_in(hostile_desk.config, "wendy-writer").get("/mine")
    assert writer.status_code == 200


def test_re_review_shows_carried_over_decisions_and_the_diff_against_the_published_text(
    desk: DeskSetup, no_prefect_api: None
) -> None:
    from datetime import date

    from review_fixtures import make_article, submit

    from content_repo import ContentRepo, Identity, PublicationRecord
    from reviewers.policy import load_policy

    client = logged_in(desk.config, "doc-physician")
    assert decide(client, CLAIM_DRUG, "approve").status_code == 303  # type: ignore[attr-defined]
    approved = ledger_of(desk.repo)
    doctor = Identity(name="Doc Physician", email="doc@example.org")
    record = PublicationRecord(
        reviewers=[doctor],
        content_hash=approved.content_hash,
        approved_flags=1,
        reviewed_on=date(2026, 11, 30),
    )
    with ContentRepo.open(desk.repo) as content:
        content.publish(SLUG, draft_head(desk.repo), record)  # the repository's own step, gate not asked
        changed = make_article(replace=("stomach pain.", "sudden stomach pain."))
        submit(content, changed, previous=approved, policy=load_policy(None))
    html = client.get(f"/drafts/{SLUG}").text
    card = re.search(rf'id="c-{CLAIM_DRUG}".*?</section>', html, re.S)
    assert card is not None
    assert "carried over from the previous version" in card.group(0)
    assert "1 carried over from the previous version" in html
    diff = re.search(r'<section class="diff" id="diff">.*?</section>', html, re.S)
    assert diff is not None
    lines = re.findall(r'<span class="diff-(add|del)">([^<]*)</span>', diff.group(0))
    assert lines == [
        ("del", "-Stop taking ibuprofen and call your doctor if you have stomach pain."),
        ("add", "+Stop taking ibuprofen and call your doctor if you have sudden stomach pain."),
    ]


def test_an_account_with_totp_logs_in_only_with_the_current_code(desk: DeskSetup) -> None:
    from datetime import UTC, datetime

    from flows.web.accounts import AccountStore, totp_code

    store = AccountStore(desk.config.accounts_path)
    account = store.reset("nina-nurse", PASSWORDS["nina-nurse"], datetime.now(UTC), totp=True)
    assert account.totp_secret is not None
    client = client_for(desk.config)
    response = log_in(client, "nina-nurse")
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert "Enter the 6-digit code from your authenticator app." in response.text  # type: ignore[attr-defined]
    code = totp_code(account.totp_secret, datetime.now(UTC))
    assert log_in(client, "nina-nurse", code=code).status_code == 303  # type: ignore[attr-defined]


def test_approving_a_section_with_nothing_waiting_records_nothing(desk: DeskSetup) -> None:
    client = logged_in(desk.config, "doc-physician")
    page = client.get(f"/drafts/{SLUG}").text
    head = draft_head(desk.repo)
    form = {"csrf": field(page, "csrf"), "content_hash": field(page, "content_hash"), "section": "Diagnosis"}
    response = client.post(f"/drafts/{SLUG}/section", data=form)
    assert response.status_code == 409
    assert (
        refusal(response.text)
        == "Not recorded: Nothing in section &#39;Diagnosis&#39; waits for your approval."
    )
    assert draft_head(desk.repo) == head


def test_the_writers_drafts_page_counts_claims_by_status(desk: DeskSetup, no_prefect_api: None) -> None:
    assert decide(logged_in(desk.config, "doc-physician"), CLAIM_DRUG, "approve").status_code == 303  # type: ignore[attr-defined]
    html = logged_in(desk.config, "wendy-writer").get("/mine").text
    row = re.search(rf'<a href="/drafts/{SLUG}">.*?</tr>', html, re.S)
    assert row is not None
    assert re.findall(r'<td class="num">(\d+)</td>', row.group(0)) == ["3", "1", "2", "0", "0", "0"]
    assert '<span class="status status-in_review">in_review</span>' in row.group(0)


@pytest.mark.parametrize("action", ["decide", "section", "comment"])
def test_posts_on_a_draft_that_does_not_exist_answer_404_or_409_never_500(
    desk: DeskSetup, action: str
) -> None:
    client = logged_in(desk.config, "doc-physician")
    page = client.get(f"/drafts/{SLUG}").text
    form = {"csrf": field(page, "csrf"), "content_hash": field(page, "content_hash"), "section": "Treatment"}
    form |= {"claim": CLAIM_DRUG, "verdict": "approve", "sentence": "x", "text": "y"}
    assert client.post(f"/drafts/no-such-draft/{action}", data=form).status_code in (404, 409)
    assert client.post(f"/drafts/Bad_Slug/{action}", data=form).status_code == 404


def test_metrics_on_loopback_only(desk: DeskSetup, no_prefect_api: None) -> None:
    local = client_for(desk.config).get("/metrics")
    assert local.status_code == 200
    assert local.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert 'editorial_claims_waiting{role="physician"} 3' in local.text
    remote = client_for(desk.config, address="203.0.113.9").get("/metrics")
    assert remote.status_code == 403
