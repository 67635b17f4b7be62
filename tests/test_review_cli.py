"""`editorial queue | show | status | review` against a real content repository (no Prefect needed).

Recording decisions goes through the Prefect flow: those tests are in test_review_flow.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from review_fixtures import make_article, make_content_repo
from typer.testing import CliRunner

import flows.cli.cmd_review  # noqa: F401  (registers the commands)
from flows.cli.app import app
from flows.settings import get_settings
from reviewers.ledger import ReviewLedger

SLUG = "ibuprofen-for-pain"
DIRECTIVE = "Stop taking ibuprofen and call your doctor if you have stomach pain."


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A content repository with the roster on main and the test article submitted."""
    return make_content_repo(tmp_path / "content")


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def keys(repo: Path) -> dict[str, str]:
    """term -> key of the submitted draft's flags."""
    from content_repo import ContentRepo

    with ContentRepo.open(repo) as content:
        _, ledger_text, _ = content.read_draft(SLUG)
    assert ledger_text is not None
    return {f.term: f.key for f in ReviewLedger.from_yaml(ledger_text).flags}


def test_queue_for_a_nurse_lists_only_her_categories_with_the_term_marked(repo: Path) -> None:
    code, out, err = run("queue", "--reviewer", "nina-nurse", "--repo", str(repo))
    k = keys(repo)
    assert (code, err) == (0, "")
    assert out == (
        "Queue for nina-nurse (nurse): 2 flag(s) in 1 draft(s), oldest first\n"
        "\n"
        "ibuprofen-for-pain  by wendy-writer  submitted 2026-11-24 12:00 UTC  in_review  2 waiting\n"
        f"  {k['Stop taking'][:8]}  pending   directive  line 14  0/1 approvals"
        "  (physician or pharmacist or nurse)\n"
        f"      [[Stop taking]] ibuprofen and call your doctor if you have stomach pain.\n"
        f"  {k['stomach pain'][:8]}  pending   symptom  line 14  0/1 approvals  (physician or nurse)\n"
        f"      Stop taking ibuprofen and call your doctor if you have [[stomach pain]].\n"
    )


def test_queue_reviewer_from_environment_and_everyone_without_one(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run("queue", "--repo", str(repo))
    assert code == 0
    assert out.startswith("Queue for all reviewers: 5 flag(s) in 1 draft(s)")
    monkeypatch.setenv("EDITORIAL_REVIEWER", "pat-pharmacist")
    get_settings.cache_clear()
    code, out, _ = run("queue", "--repo", str(repo))
    assert out.startswith("Queue for pat-pharmacist (pharmacist): 4 flag(s) in 1 draft(s)")
    assert "stomach pain]]" not in out


def test_queue_is_empty_for_the_author_and_refuses_strangers_and_expired(repo: Path) -> None:
    assert run("queue", "--reviewer", "wendy-writer", "--repo", str(repo)) == (
        0,
        "Nothing waits for wendy-writer (writer).\n",
        "",
    )
    code, out, err = run("queue", "--reviewer", "mallory", "--repo", str(repo))
    assert (code, out) == (1, "")
    assert err == (
        "editorial: error: refused: PO01 not-in-roster: 'mallory' is not on the roster; "
        "only rostered clinicians decide on flags\n"
    )
    code, _, err = run("queue", "--reviewer", "old-doc", "--repo", str(repo))
    assert code == 1 and err.startswith("editorial: error: refused: PO03 credential-expired: 'old-doc'")


def test_queue_lists_oldest_submission_first(tmp_path: Path) -> None:
    from review_fixtures import NOW, article_text, submit

    from content_repo import ContentRepo
    from reviewers.policy import load_policy
    from validators.parser import parse_article

    repo = make_content_repo(tmp_path / "content")
    newer_text = article_text().replace("ibuprofen-for-pain", "aspirin-for-pain")
    newer = parse_article(newer_text, "articles/aspirin-for-pain.md")
    with ContentRepo.open(repo) as content:
        ledger = submit(content, newer, previous=None, policy=load_policy(None))
        assert ledger.opened_at == NOW  # same clock: ties fall back to the slug
    code, out, _ = run("queue", "--reviewer", "nina-nurse", "--repo", str(repo))
    headers = [line.split()[0] for line in out.splitlines() if "waiting" in line]
    assert (code, headers) == (0, ["aspirin-for-pain", SLUG])


def test_show_lists_every_flag_with_state(repo: Path) -> None:
    code, out, err = run("show", SLUG, "--repo", str(repo))
    lines = out.splitlines()
    assert (code, err) == (0, "")
    assert lines[0] == "ibuprofen-for-pain: Ibuprofen for pain"
    assert lines[1].startswith("author: wendy-writer  status: in_review  (draft head ")
    assert lines[2] == f"text: {make_article().content_hash}"
    assert lines[3:5] == [
        "findings: 0 error(s), 0 warning(s)",
        "5 flag(s): 0 approved, 5 pending, 0 rejected, 0 informational",
    ]
    assert "      Adults may take [[200 mg]] every 4 to 6 hours." in lines


def test_status_gives_the_reasons(repo: Path) -> None:
    k = keys(repo)
    code, out, _ = run("status", SLUG, "--repo", str(repo))
    assert code == 0
    assert out == (
        "ibuprofen-for-pain: in_review (0 approved, 5 pending, 0 rejected, 0 informational)\n"
        f"  - 5 flag(s) awaiting approval: {', '.join(k.values())}\n"
    )


def test_unknown_slug_and_missing_repo_are_one_line_errors(repo: Path, tmp_path: Path) -> None:
    assert run("status", "nothing-here", "--repo", str(repo)) == (
        2,
        "",
        "editorial: error: not found: no draft or published article 'nothing-here'\n",
    )
    code, _, err = run("show", SLUG, "--repo", str(tmp_path / "nowhere"))
    assert code == 2 and err.startswith("editorial: error: ") and err.count("\n") == 1


def test_review_without_identity_asks_who_you_are(repo: Path) -> None:
    assert run("review", SLUG, "--approve", "aa", "--repo", str(repo)) == (
        2,
        "",
        "editorial: error: please tell me who you are: pass --reviewer ID or set EDITORIAL_REVIEWER=ID "
        "(your id in roster.yaml)\n",
    )


@pytest.mark.parametrize(
    ("reviewer", "option", "term", "note", "code"),
    [
        ("mallory", "--approve", "200 mg", None, "PO01"),
        ("wendy-writer", "--approve", "200 mg", None, "PO04"),
        ("gone-doc", "--approve", "200 mg", None, "PO02"),
        ("old-doc", "--approve", "200 mg", None, "PO03"),
        ("nina-nurse", "--approve", "200 mg", None, "PO05"),
        ("pat-pharmacist", "--reject", "200 mg", None, "PO06"),
    ],
)
def test_refused_review_names_the_rule_and_records_nothing(
    repo: Path, reviewer: str, option: str, term: str, note: str | None, code: str
) -> None:
    from content_repo import ContentRepo

    with ContentRepo.open(repo) as content:
        before = content.read_draft(SLUG)
    args = ["review", SLUG, "--reviewer", reviewer, option, keys(repo)[term][:6], "--repo", str(repo)]
    exit_code, out, err = run(*args, *(["--note", note] if note else []))
    assert (exit_code, out) == (1, "")
    assert err.startswith(f"editorial: error: refused: {code} ")
    assert err.endswith(" (nothing recorded)\n")
    with ContentRepo.open(repo) as content:
        assert content.read_draft(SLUG) == before


def test_review_refuses_a_malformed_or_unknown_key(repo: Path) -> None:
    assert run("review", SLUG, "--reviewer", "pat-pharmacist", "--approve", "zz!", "--repo", str(repo)) == (
        2,
        "",
        "editorial: error: 'zz!' is not a flag key (the hexadecimal key `editorial show` lists)\n",
    )
    code, _, err = run(
        "review", SLUG, "--reviewer", "pat-pharmacist", "--approve", "ffffffffffff", "--repo", str(repo)
    )
    assert code == 1
    assert err == (
        "editorial: error: refused: PO09 unknown-flag: no flag of 'ibuprofen-for-pain' has a key starting "
        "with 'ffffffffffff' (nothing recorded)\n"
    )


def test_interactive_walk_with_nothing_decided_records_nothing(repo: Path) -> None:
    code, out, err = run("review", SLUG, "--reviewer", "nina-nurse", "--repo", str(repo), stdin="s\nq\n")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "Nothing recorded."
    assert "approve, reject, skip, note, quit? [a/r/s/n/q] s" in out
    assert "approve, reject, skip, note, quit? [a/r/s/n/q] q" in out
    assert "[1/2]" in out and "[2/2]" in out


def test_interactive_walk_for_the_author_has_nothing(tmp_path: Path) -> None:
    repo = make_content_repo(tmp_path / "content", author="phil-writer")
    assert run("review", SLUG, "--reviewer", "phil-writer", "--repo", str(repo), stdin="a\n") == (
        0,
        "Nothing waits for phil-writer on ibuprofen-for-pain.\nNothing recorded.\n",
        "",
    )


def test_highlight_on_a_terminal_uses_markup() -> None:
    from rich.text import Text

    from flows.cli.cmd_review import Printer

    styled, plain = Printer(styled=True), Printer(styled=False)
    assert styled.term_in(DIRECTIVE, "stomach pain").endswith("have [bold reverse]stomach pain[/].")
    for sentence, term, shown in [
        ("Take [b] 2 mg daily.", "2 mg", "Take [b] [[2 mg]] daily."),
        ("See [stomach pain] notes.", "stomach pain", "See [[[stomach pain]]] notes."),
        ("No term here.", "aspirin", "No term here."),
    ]:
        assert Text.from_markup(plain.term_in(sentence, term)).plain == shown
        assert Text.from_markup(styled.term_in(sentence, term)).plain == sentence


def test_informational_flags_are_not_counted_as_pending() -> None:
    from datetime import UTC, datetime

    from review_fixtures import flag_in

    from flows.cli.cmd_review import flag_summary
    from reviewers.flags import FlagCategory
    from reviewers.ledger import open_ledger

    article = make_article()
    sentence = "Stop taking ibuprofen and call your doctor if you have stomach pain."
    flags = [
        flag_in(article, sentence, "ibuprofen", FlagCategory.DRUG),
        flag_in(article, sentence, "stomach pain", FlagCategory.SYMPTOM, info=True),
    ]
    ledger = open_ledger(article, flags, [], None, datetime(2026, 11, 24, tzinfo=UTC))
    assert flag_summary(ledger) == "0 approved, 1 pending, 0 rejected, 1 informational"
