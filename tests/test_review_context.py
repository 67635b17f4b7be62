"""flows.context (repository, roster, policy, acting reviewer) and the interactive walk's answers."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from review_fixtures import NOW, ROSTER_YAML, make_article, make_content_repo, open_for, roster
from typer.testing import CliRunner

import flows.cli.cmd_review  # noqa: F401  (registers the commands)
from flows.cli.app import app
from flows.cli.cmd_review import Printer, walk
from flows.context import (
    NotOnRosterError,
    ReviewerUnknownError,
    acting_reviewer,
    identity_of,
    load_policy_from,
    load_roster_from,
    open_repo,
    read_draft_under_review,
)
from flows.settings import get_settings
from reviewers.desk import decide
from reviewers.flags import FlagCategory
from reviewers.ledger import DecisionInput, ReviewLedger, Verdict
from reviewers.policy import PolicyError, load_policy
from validators.errors import ConfigError

SLUG = "ibuprofen-for-pain"


def test_acting_reviewer_option_then_environment_then_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ReviewerUnknownError, match="please tell me who you are"):
        acting_reviewer(None)
    monkeypatch.setenv("EDITORIAL_REVIEWER", "nina-nurse")
    get_settings.cache_clear()
    assert acting_reviewer(None) == "nina-nurse"
    assert acting_reviewer("pat-pharmacist") == "pat-pharmacist"


def test_roster_policy_and_draft_come_from_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_content_repo(
        tmp_path / "content", policy_yaml="categories:\n  dosage: {roles: [pharmacist], approvals: 2}\n"
    )
    monkeypatch.setenv("EDITORIAL_REPO", str(repo))
    get_settings.cache_clear()
    with open_repo() as content:
        assert load_roster_from(content) == roster()
        policy = load_policy_from(content)
        draft = read_draft_under_review(content, SLUG)
    assert policy.approvals_needed(FlagCategory.DOSAGE) == 2
    assert draft.article.content_hash == make_article().content_hash
    assert draft.ledger is not None and draft.ledger.claims[1].terms == ["200 mg"]
    pat = roster().get("pat-pharmacist")
    assert pat is not None
    assert identity_of(pat).format() == "Pat Pharmacist <pat@example.org>"


def test_missing_or_broken_roster_is_a_clear_error(tmp_path: Path) -> None:
    from content_repo import ContentRepo, Identity

    editor = Identity(name="Eve Editor", email="eve@example.org")
    with ContentRepo.init(tmp_path / "content") as content:
        with pytest.raises(NotOnRosterError, match=r"no roster\.yaml on main; commit one"):
            load_roster_from(content)
        content.write_path(
            "roster.yaml", ROSTER_YAML.replace("active: false", "active: nope"), editor, message="r"
        )
        with pytest.raises(ConfigError, match=r"roster.yaml:37: .*people\[6\].active"):
            load_roster_from(content)
    result = CliRunner().invoke(app, ["queue", "--repo", str(tmp_path / "content")])
    assert result.exit_code == 2
    assert result.stderr.startswith("roster.yaml:37: error E013 configuration error:")


def test_person_name_that_would_break_a_commit_header_is_refused() -> None:
    from reviewers.roster import load_roster

    with pytest.raises(ConfigError, match=r"people\[0\].name"):
        load_roster(ROSTER_YAML.replace("name: Wendy Writer", "name: Wendy <w>"))


# --- the interactive walk, driven by answers on standard input ------------------------------------------


def answers(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def nurse_walk(monkeypatch: pytest.MonkeyPatch, text: str) -> list[DecisionInput]:
    article = make_article()
    ledger = open_for(article)
    answers(monkeypatch, text)
    return walk(Printer(styled=False), roster().get("nina-nurse"), "nina-nurse", ledger, load_policy(None))


def test_walk_quit_keeps_what_was_decided(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert nurse_walk(monkeypatch, "q\n") == []
    out = capsys.readouterr().out
    assert "1 claim(s) of ibuprofen-for-pain wait for nina-nurse." in out and "[1/1]" in out
    decisions = nurse_walk(monkeypatch, "A\n")
    assert [(d.verdict, d.note) for d in decisions] == [(Verdict.APPROVE, None)]


def test_walk_note_then_reject_uses_the_note(monkeypatch: pytest.MonkeyPatch) -> None:
    decisions = nurse_walk(monkeypatch, "note\nToo vague: say which pain.\nreject\n")
    assert [(d.verdict, d.note) for d in decisions] == [(Verdict.REJECT, "Too vague: say which pain.")]


def test_walk_end_of_input_while_asking_for_a_rejection_note(monkeypatch: pytest.MonkeyPatch) -> None:
    assert nurse_walk(monkeypatch, "r\n") == []


def test_walk_refuses_a_stranger(monkeypatch: pytest.MonkeyPatch) -> None:
    article = make_article()
    ledger = open_for(article)
    answers(monkeypatch, "a\n")
    with pytest.raises(PolicyError) as caught:
        walk(Printer(styled=False), None, "mallory", ledger, load_policy(None))
    assert caught.value.code == "PO01"


# --- a published article ---------------------------------------------------------------------------------


def test_show_and_status_of_a_published_article(tmp_path: Path) -> None:
    from content_repo import ContentRepo, PublicationRecord

    repo = make_content_repo(tmp_path / "content")
    with ContentRepo.open(repo) as content:
        draft = read_draft_under_review(content, SLUG)
        assert draft.ledger is not None
        decisions = [DecisionInput(key=c.key, verdict=Verdict.APPROVE) for c in draft.ledger.claims]
        approved: ReviewLedger = decide(
            draft.ledger,
            decisions,
            "doc-physician",
            roster(),
            load_policy(None),
            NOW,
            text_hash=draft.content_hash,
        ).after
        doc = roster().get("doc-physician")
        assert doc is not None
        head = content.record_review(SLUG, approved.to_yaml(), identity_of(doc), message="Review").sha
        record = PublicationRecord(
            reviewers=[identity_of(doc)],
            content_hash=approved.content_hash,
            approved_flags=5,
            reviewed_on=date(2026, 11, 24),
        )
        content.publish(SLUG, head, record)
    runner = CliRunner()
    status = runner.invoke(app, ["status", SLUG, "--repo", str(repo)])
    assert (status.exit_code, status.stdout) == (
        0,
        f"{SLUG}: published (3 approved, 0 pending, 0 rejected claim(s); 0 flag(s) shown only)\n",
    )
    show = runner.invoke(app, ["show", SLUG, "--repo", str(repo)])
    assert show.stdout.splitlines()[1] == "author: wendy-writer  status: published  (published on main)"
    assert (
        "      approve by Doc Physician (doc-physician, physician; directive+drug+symptom) "
        "2026-11-24 12:00 UTC" in show.stdout
    )
    review = runner.invoke(
        app, ["review", SLUG, "--reviewer", "pat-pharmacist", "--approve", "ab", "--repo", str(repo)]
    )
    assert (review.exit_code, review.stderr) == (2, f"editorial: error: not found: draft {SLUG!r}\n")
