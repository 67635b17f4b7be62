"""The issue's bar end to end: the demo stops at the desk, the demo clinicians approve the seed's claims
on the article page (signed by the desk's service key), `publish` publishes them with their
`Reviewed-by:` trailers, and `editorial verify` holds."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner
from web_fixtures import field

from flows.web.config import DeskConfig

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

pytestmark = [pytest.mark.slow, pytest.mark.prefect]

SLUG = "malignant-mast-cell-tumor"


def log_in(config: DeskConfig, person: str, password: str) -> TestClient:
    from flows.web.app import create_app

    client = TestClient(create_app(config), base_url="http://127.0.0.1", client=("127.0.0.1", 50000))
    page = client.get("/login")
    form = {"csrf": field(page.text, "csrf"), "account": person, "password": password}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    return client


def approve_waiting(client: TestClient, claims: list[str]) -> None:
    for claim in claims:
        page = client.get(f"/drafts/{SLUG}")
        form = {
            "csrf": field(page.text, "csrf"),
            "content_hash": field(page.text, "content_hash"),
            "claim": claim,
            "verdict": "approve",
            "note": "",
        }
        response = client.post(f"/drafts/{SLUG}/decide", data=form, follow_redirects=False)
        assert response.status_code == 303, response.text


def test_the_demo_clinicians_approve_the_seed_on_the_desk_and_it_publishes(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.cli import app
    from flows.context import load_policy_from, load_roster_from, open_repo, read_draft_under_review
    from flows.demo import DESK_PASSWORDS, PHARMACIST, PHYSICIAN
    from reviewers.desk import waiting_for

    demo = tmp_path / "demo"
    made = CliRunner().invoke(app, ["demo", "--for-desk", str(demo)])
    assert made.exit_code == 0, made.output
    assert "6. The draft waits for the clinicians on the web desk (7 claim(s))" in made.output
    content = demo / "content"
    config = DeskConfig(
        repo=content, data_dir=demo / "desk", secure_cookies=False, signer=demo / "keys" / "web-desk"
    )
    for person in (PHARMACIST, PHYSICIAN):  # the pharmacist first: the medicines, then the physician the rest
        with open_repo(path=content) as repo:
            draft = read_draft_under_review(repo, SLUG)
            roster, policy = load_roster_from(repo), load_policy_from(repo)
        assert draft.ledger is not None
        from datetime import UTC, datetime

        waiting = [c.key for c in waiting_for(draft.ledger, roster.get(person), policy, datetime.now(UTC))]
        assert waiting, person
        approve_waiting(log_in(config, person, DESK_PASSWORDS[person]), waiting)

    monkeypatch.delenv("EDITORIAL_REPO", raising=False)
    published = CliRunner().invoke(app, ["publish", "--repo", str(content)])
    assert published.exit_code == 0, published.output
    assert f"{SLUG}: published published/{SLUG}/v1" in published.output
    with open_repo(path=content) as repo:
        [head] = [c for c in repo.history(SLUG) if c.message.startswith(f"Publish {SLUG}")][:1]
    assert head.trailers["Reviewed-by"] == [
        "Demo Pharmacist <pharmacist@demo.example.org>",
        "Dr. Demo Physician <physician@demo.example.org>",
    ]
    verified = CliRunner().invoke(app, ["verify", "--all", "--repo", str(content)])
    assert verified.exit_code == 0, verified.output
