"""Fixtures and helpers of the web desk's tests: a real repository with a submitted draft, accounts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from review_fixtures import ROSTER_YAML, make_article, make_content_repo, submit

from flows.web.config import DeskConfig

SLUG = "ibuprofen-for-pain"
PASSWORDS = {
    "doc-physician": "doc-physician-secret",
    "pat-pharmacist": "pat-pharmacist-secret",
    "wendy-writer": "wendy-writer-secret",
    "nina-nurse": "nina-nurse-secret",
    "phil-writer": "phil-writer-secret",
}
HOSTILE = "<script>document.title='pwned'</script>"


@dataclass(frozen=True)
class DeskSetup:
    """A content repository, the desk's data directory and its configuration."""

    repo: Path
    data_dir: Path
    config: DeskConfig


_ACCOUNTS: list[str] = []


def add_accounts(config: DeskConfig) -> None:
    """A desk account for each person of PASSWORDS (hashed once per session: argon2 is slow on purpose)."""
    from flows.web.accounts import AccountStore

    if not _ACCOUNTS:
        config.data_dir.mkdir(parents=True, exist_ok=True)
        store = AccountStore(config.accounts_path)
        for person_id, password in PASSWORDS.items():
            store.add(person_id, password, datetime.now(UTC))
        _ACCOUNTS.append(config.accounts_path.read_text(encoding="utf-8"))
        return
    config.data_dir.mkdir(parents=True, exist_ok=True)
    config.accounts_path.write_text(_ACCOUNTS[0], encoding="utf-8")


@pytest.fixture
def desk(tmp_path: Path) -> DeskSetup:
    """The test article submitted by wendy-writer (3 claims) on a real repository, with accounts."""
    repo = make_content_repo(tmp_path / "content")
    config = DeskConfig(repo=repo, data_dir=tmp_path / "desk", secure_cookies=False)
    add_accounts(config)
    return DeskSetup(repo, config.data_dir, config)


def build_hostile_desk(tmp: Path) -> DeskSetup:
    """A draft whose title and body carry script, and a physician whose name has quotes and `&`."""
    from content_repo import ContentRepo, Identity
    from reviewers.policy import load_policy
    from validators.parser import parse_article

    path = tmp / "content"
    roster = ROSTER_YAML.replace("name: Doc Physician", 'name: Doc "O\'Brien" & Co')
    article = make_article(
        replace=("Ibuprofen is a pain reliever.", f"Ibuprofen is a pain reliever. {HOSTILE} is text.")
    )
    text = article.text.replace("title: Ibuprofen for pain", 'title: "Pain <script>alert(1)</script>"')
    article = parse_article(text, f"articles/{SLUG}.md")
    editor = Identity(name="Eve Editor", email="eve@example.org")
    with ContentRepo.init(path) as content:
        content.write_path("roster.yaml", roster, editor, message="Roster")
        submit(content, article, previous=None, policy=load_policy(None))
    config = DeskConfig(repo=path, data_dir=tmp / "desk", secure_cookies=False)
    add_accounts(config)
    return DeskSetup(path, config.data_dir, config)


@pytest.fixture
def hostile_desk(tmp_path: Path) -> DeskSetup:
    """The hostile draft (`build_hostile_desk`) in a temp directory."""
    return build_hostile_desk(tmp_path)


def field(html: str, name: str) -> str:
    """The value of the first hidden field `name` in a page."""
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found is not None, f"no field {name!r} in the page"
    return found.group(1)


@pytest.fixture
def no_prefect_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No Prefect API configured: decisions are recorded without events (as on a bare machine)."""
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    yield
