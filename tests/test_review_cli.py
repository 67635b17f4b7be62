"""`editorial queue | show | status | review` against a real content repository (no Prefect needed).

Recording decisions is a direct call (`flows.review_actions`); its tests are in test_review_flow.py.
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
    """term -> key of the claim holding it, in the submitted draft."""
    from content_repo import ContentRepo

    with ContentRepo.open(repo) as content:
        _, ledger_text, _ = content.read_draft(SLUG)
    assert ledger_text is not None
    return {t: c.key for c in ReviewLedger.from_yaml(ledger_text).claims for t in c.terms}


def test_queue_for_a_nurse_lists_the_claims_her_role_covers_with_terms_marked(repo: Path) -> None:
    code, out, err = run("queue", "--reviewer", "nina-nurse", "--repo", str(repo))
    k = keys(repo)
    assert (code, err) == (0, "")
    assert out == (
        "Queue for nina-nurse (nurse): 1 claim(s) in 1 draft(s), oldest first\n"
        "\n"
        "ibuprofen-for-pain  by wendy-writer  submitted 2026-11-24 12:00 UTC  in_review  1 waiting\n"
        f"  {k['Stop taking'][:8]}  pending   line 14\n"
        "      directive (Stop taking): 0/1 approval(s) by physician or pharmacist or nurse\n"
        "      drug (ibuprofen): 0/1 approval(s) by physician or pharmacist\n"
        "      symptom (stomach pain): 0/1 approval(s) by physician or nurse\n"
        "      [[Stop taking]] [[ibuprofen]] and call your doctor if you have [[stomach pain]].\n"
    )


def test_queue_reviewer_from_environment_and_everyone_without_one(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run("queue", "--repo", str(repo))
    assert code == 0
    assert out.startswith("Queue for all reviewers: 3 claim(s) in 1 draft(s)")
    monkeypatch.setenv("EDITORIAL_REVIEWER", "pat-pharmacist")
    get_settings.cache_clear()
    code, out, _ = run("queue", "--repo", str(repo))
    assert out.startswith("Queue for pat-pharmacist (pharmacist): 3 claim(s) in 1 draft(s)")


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
        "only rostered clinicians decide on claims\n"
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


def test_show_lists_every_claim_with_what_it_needs(repo: Path) -> None:
    code, out, err = run("show", SLUG, "--repo", str(repo))
    lines = out.splitlines()
    assert (code, err) == (0, "")
    assert lines[0] == "ibuprofen-for-pain: Ibuprofen for pain"
    assert lines[1].startswith("author: wendy-writer  status: in_review  (draft head ")
    assert lines[2] == f"text: {make_article().content_hash}"
    assert lines[3:5] == [
        "findings: 0 error(s), 0 warning(s)",
        "3 claim(s): 0 approved, 3 pending, 0 rejected claim(s); 0 flag(s) shown only",
    ]
    assert lines[5].endswith("  pending   line 10")
    assert lines[6:8] == [
        "      drug (Ibuprofen): 0/1 approval(s) by physician or pharmacist",
        "      [[Ibuprofen]] is a pain reliever.",
    ]
    assert "      Adults may take [[200 mg]] every 4 to 6 hours." in lines


def test_status_gives_every_hold_of_the_publish_gate(repo: Path) -> None:
    k = keys(repo)
    code, out, _ = run("status", SLUG, "--repo", str(repo))
    lines = out.splitlines()
    assert code == 0
    assert (
        lines[0]
        == "ibuprofen-for-pain: in_review (0 approved, 3 pending, 0 rejected claim(s); 0 flag(s) shown only)"
    )
    # the test article is not a whole condition article: the checks run again at publish time say so
    assert lines[1].startswith("  - errors: ") and lines[1].endswith(
        " error finding(s) at publish time (SL03, ST01, DS01)"
    )
    pending = f"{k['Ibuprofen'][:8]} (line 10), {k['200 mg'][:8]} (line 10), {k['Stop taking'][:8]} (line 14)"
    assert lines[-1] == f"  - pending: 3 claim(s) awaiting approval: {pending}"


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
        ("nina-nurse", "--approve", "200 mg", None, "PO05"),  # a dose is for physicians and pharmacists
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
        "editorial: error: 'zz!' is not a claim key (the hexadecimal key `editorial show` lists)\n",
    )
    code, _, err = run(
        "review", SLUG, "--reviewer", "pat-pharmacist", "--approve", "ffffffffffff", "--repo", str(repo)
    )
    assert code == 1
    assert err == (
        "editorial: error: refused: PO09 unknown-claim: no claim of 'ibuprofen-for-pain' has a key starting "
        "with 'ffffffffffff' (nothing recorded)\n"
    )


def test_interactive_walk_with_nothing_decided_records_nothing(repo: Path) -> None:
    code, out, err = run("review", SLUG, "--reviewer", "pat-pharmacist", "--repo", str(repo), stdin="s\nq\n")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "Nothing recorded."
    assert "approve, reject, skip, note, quit? [a/r/s/n/q] s" in out
    assert "approve, reject, skip, note, quit? [a/r/s/n/q] q" in out
    assert "[1/3]" in out and "[2/3]" in out and "[3/3]" not in out


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
    assert styled.terms_in(DIRECTIVE, ["stomach pain"]).endswith("have [bold reverse]stomach pain[/].")
    for sentence, terms, shown in [
        ("Take [b] 2 mg daily.", ["2 mg"], "Take [b] [[2 mg]] daily."),
        ("See [stomach pain] notes.", ["stomach pain"], "See [[[stomach pain]]] notes."),
        ("No term here.", ["aspirin"], "No term here."),
        ("Stomach pain, and pain.", ["pain", "stomach pain"], "[[Stomach pain]], and [[pain]]."),
    ]:
        assert Text.from_markup(plain.terms_in(sentence, terms)).plain == shown
        assert Text.from_markup(styled.terms_in(sentence, terms)).plain == sentence


def test_informational_flags_are_shown_but_make_no_claim() -> None:
    from review_fixtures import flag_in

    from flows.cli.cmd_review import claim_summary
    from reviewers.desk import make_submission
    from reviewers.flags import FlagCategory

    article = make_article()
    flags = [
        flag_in(article, DIRECTIVE, "ibuprofen", FlagCategory.DRUG),
        flag_in(article, DIRECTIVE, "stomach pain", FlagCategory.SYMPTOM, info=True),
        flag_in(article, "Ibuprofen is a pain reliever.", "pain", FlagCategory.SYMPTOM, info=True),
    ]
    submission = make_submission(article, [], flags)
    assert [(c.terms, [f.term for f in c.flags]) for c in submission.claims] == [
        (["ibuprofen"], ["ibuprofen", "stomach pain"])
    ]
    assert [s.term for s in submission.shown] == ["pain"]
    from review_fixtures import open_for

    ledger = open_for(article)
    assert claim_summary(ledger) == "0 approved, 3 pending, 0 rejected claim(s); 0 flag(s) shown only"
