"""The publish gate counts only what the signed history proves (issues 10 and 16), with real SSH keys.

Each attack leaves main unchanged and the publish report names the rule; a correctly signed draft still
publishes. Forged commits are made the way an attacker would: through the repository's own write path
with a hand-made ledger, signed with whatever key the attacker holds (or none).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from signing_fixtures import (
    EDITOR,
    FIXTURE_ARTICLE,
    PHYSICIAN,
    SLUG,
    WRITER,
    Keys,
    approve,
    git,
    key_entry,
    main_of,
    make_keys,
    make_signed_site,
    publish,
    roster_text,
    submit,
)

from content_repo import ContentRepo, Identity, SigningKey
from reviewers.ledger import ClaimStatus, Decision, ReviewLedger, Verdict
from reviewers.roster import Role

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    """Real ed25519 keys for everyone (made once for the module)."""
    return make_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def content(tmp_path: Path, keys: Keys) -> Path:
    """A signed site with the fixture article submitted by the writer, signed with her key."""
    site = make_signed_site(tmp_path / "site", keys)
    submit(site, FIXTURE_ARTICLE.read_text(encoding="utf-8"), keys)
    return site


def draft_ledger(content: Path) -> tuple[ReviewLedger, str, str]:
    """(ledger, article text, head) of the draft."""
    with ContentRepo.open(content) as repo:
        text, ledger_text, head = repo.read_draft(SLUG)
    assert ledger_text is not None
    return ReviewLedger.from_yaml(ledger_text), text, head


def forge_decisions(
    content: Path,
    keys: Keys,
    *,
    reviewer: str,
    signer: str | None,
    role: str = "physician",
    author: Identity = PHYSICIAN,
    trailer: str = "",
    at: datetime | None = None,
) -> None:
    """Commit every claim approved by `reviewer` (a hand-made ledger), signed with `signer`'s key (or not)."""
    ledger, _, head = draft_ledger(content)
    moment = at or datetime.now(UTC)
    claims = []
    for claim in ledger.claims:
        decision = Decision(
            reviewer_id=reviewer,
            reviewer_name=reviewer.replace("-", " ").title(),
            role=Role(role),
            categories=claim.requirement,
            verdict=Verdict.APPROVE,
            at=moment,
            made_on=ledger.content_hash,
        )
        claims.append(
            claim.model_copy(
                update={"decisions": [*claim.decisions, decision], "status": ClaimStatus.APPROVED}
            )
        )
    forged = ledger.model_copy(update={"claims": claims})
    key = SigningKey(private_key=keys.private(signer)) if signer else None
    with ContentRepo.open(content) as repo:
        repo.record_review(
            SLUG,
            forged.to_yaml(),
            author,
            message=f"Review {SLUG}\n\nReviewer-Id: {reviewer}{trailer}\n",
            expected_head=head,
            signer=key,
        )


def assert_held(content: Path, before: str, rule: str) -> str:
    """One publish pass holds the draft with a reason naming `rule`; main is unchanged."""
    outcomes, after = publish(content)
    assert [(slug, outcome) for slug, outcome, _ in outcomes] == [(SLUG, "held back")]
    reason = outcomes[0][2]
    assert f"{rule}:" in reason, reason
    assert after == before
    return reason


# --- the correctly signed draft -------------------------------------------------------------------------


def test_a_correctly_signed_draft_publishes(content: Path, keys: Keys) -> None:
    approve(content, keys)
    before = main_of(content)
    outcomes, after = publish(content)
    assert [(slug, outcome) for slug, outcome, _ in outcomes] == [(SLUG, "published")]
    assert after != before
    trailers = git(content, "log", "-1", "--format=%(trailers:key=Reviewed-by,valueonly)", "main")
    assert trailers.strip() == "Phil Physician <phil@example.org>"


def test_decisions_by_the_desk_service_on_behalf_of_a_clinician_publish(content: Path, keys: Keys) -> None:
    approve(content, keys, reviewer="phil-physician", signer="web-desk")
    message = git(content, "log", "-1", "--format=%B", f"drafts/{SLUG}")
    assert "On-Behalf-Of: phil-physician" in message
    outcomes, _ = publish(content)
    assert [(slug, outcome) for slug, outcome, _ in outcomes] == [(SLUG, "published")]


def test_the_service_key_without_a_named_clinician_counts_for_nothing(content: Path, keys: Keys) -> None:
    before = main_of(content)
    forge_decisions(content, keys, reviewer="phil-physician", signer="web-desk")
    assert_held(content, before, "no-clinician")


# --- a writer forging the ledger ------------------------------------------------------------------------


def test_writer_marks_claims_approved_and_signs_with_her_own_key(content: Path, keys: Keys) -> None:
    before = main_of(content)
    forge_decisions(content, keys, reviewer="phil-physician", signer="wendy-writer", author=PHYSICIAN)
    # Replayed as what it is: a decision by the key's holder, the writer, on her own article.
    reason = assert_held(content, before, "self-approval")
    assert "'wendy-writer' wrote 'malignant-mast-cell-tumor'" in reason


def test_writer_marks_claims_approved_unsigned(content: Path, keys: Keys) -> None:
    before = main_of(content)
    forge_decisions(content, keys, reviewer="phil-physician", signer=None)
    assert_held(content, before, "unsigned")


def test_writer_adds_herself_as_physician_on_the_draft_branch(
    content: Path, keys: Keys, tmp_path: Path
) -> None:
    before = main_of(content)
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", "-b", f"drafts/{SLUG}", str(content), str(work))
    forged = roster_text(
        keys,
        wendy_writer="  - {id: wendy-writer, name: Wendy Writer, email: wendy@example.org, "
        f"roles: [writer, physician], verified_until: 2099-12-31, keys: {key_entry(keys, 'wendy-writer')}}}",
    )
    (work / "roster.yaml").write_text(forged)
    base = git(work, "log", "-1", "--format=%(trailers:key=Draft-Base,valueonly)").strip()
    signing = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={keys.private('wendy-writer')}"]
    message = f"Make me a physician\n\nDraft-Base: {base}\n"
    git(work, *signing, "commit", "-q", "-S", "-a", "-m", message)
    git(work, "push", "-q", "origin", f"drafts/{SLUG}")
    assert_held(content, before, "foreign-change")


def test_writer_adds_herself_as_physician_on_main_without_an_editor(content: Path, keys: Keys) -> None:
    forged = roster_text(
        keys,
        wendy_writer="  - {id: wendy-writer, name: Wendy Writer, email: wendy@example.org, "
        f"roles: [writer, physician], verified_until: 2099-12-31, keys: {key_entry(keys, 'wendy-writer')}}}",
    )
    with ContentRepo.open(content) as repo:
        repo.write_path(
            "roster.yaml",
            forged,
            WRITER,
            message="Roster",
            signer=SigningKey(private_key=keys.private("wendy-writer")),
        )
    before = main_of(content)
    forge_decisions(content, keys, reviewer="wendy-writer", signer="wendy-writer", author=WRITER)
    assert_held(content, before, "self-approval")


def test_a_physician_approving_her_own_article_after_rewriting_the_author(tmp_path: Path, keys: Keys) -> None:
    site = make_signed_site(tmp_path / "site", keys)
    text = FIXTURE_ARTICLE.read_text(encoding="utf-8").replace("author: ", "author: phil-physician\n# ", 1)
    submit(site, text, keys, name="phil-physician")
    ledger, _article, head = draft_ledger(site)
    rewritten = ledger.model_copy(update={"author": "wendy-writer"})
    with ContentRepo.open(site) as repo:
        repo.record_review(
            SLUG,
            rewritten.to_yaml(),
            PHYSICIAN,
            message="Fix author",
            expected_head=head,
            signer=SigningKey(private_key=keys.private("phil-physician")),
        )
    before = main_of(site)
    forge_decisions(site, keys, reviewer="phil-physician", signer="phil-physician")
    assert_held(site, before, "forged-ledger")


# --- keys and people the roster does not back -----------------------------------------------------------


def update_roster(content: Path, keys: Keys, **overrides: str) -> None:
    """The editor signs a roster change on main."""
    with ContentRepo.open(content) as repo:
        repo.write_path(
            "roster.yaml",
            roster_text(keys, **overrides),
            EDITOR,
            message="Update roster",
            signer=SigningKey(private_key=keys.private("ed-editor")),
        )


def phil(keys: Keys, *, key_extra: str = "", person_extra: str = "", until: str = "2099-12-31") -> str:
    """Phil's roster line with changes to his key or his entry."""
    return (
        "  - {id: phil-physician, name: Phil Physician, email: phil@example.org, roles: [physician], "
        f"verified_until: {until}{person_extra}, keys: {key_entry(keys, 'phil-physician', key_extra)}}}"
    )


def test_a_decision_signed_by_another_clinicians_key(content: Path, keys: Keys) -> None:
    before = main_of(content)
    forge_decisions(content, keys, reviewer="phil-physician", signer="pat-pharmacist")
    # Replayed as the key holder's decision: the pharmacist may not decide the physician's categories.
    assert_held(content, before, "role-not-allowed")


def test_a_decision_signed_by_a_key_on_no_roster(content: Path, keys: Keys) -> None:
    before = main_of(content)
    forge_decisions(content, keys, reviewer="phil-physician", signer="mallory")
    reason = assert_held(content, before, "unknown-key")
    assert "which the roster assigns to no one" in reason


def test_a_decision_signed_by_an_expired_key(content: Path, keys: Keys) -> None:
    update_roster(content, keys, phil_physician=phil(keys, key_extra=", valid_until: 2026-06-30"))
    before = main_of(content)
    approve(content, keys)
    reason = assert_held(content, before, "key-not-valid")
    assert "the key expired after 2026-06-30" in reason


def test_a_decision_signed_by_a_revoked_key(content: Path, keys: Keys) -> None:
    update_roster(content, keys, phil_physician=phil(keys, key_extra=", revoked_on: 2026-11-01"))
    before = main_of(content)
    approve(content, keys)
    reason = assert_held(content, before, "key-not-valid")
    assert "the key was revoked on 2026-11-01" in reason


def test_a_decision_by_an_inactive_clinician(content: Path, keys: Keys) -> None:
    update_roster(content, keys, phil_physician=phil(keys, person_extra=", active: false"))
    before = main_of(content)
    forge_decisions(content, keys, reviewer="phil-physician", signer="phil-physician")
    assert_held(content, before, "inactive")


def test_a_decision_by_a_clinician_whose_credential_expired(content: Path, keys: Keys) -> None:
    update_roster(content, keys, phil_physician=phil(keys, until="2020-01-01"))
    before = main_of(content)
    forge_decisions(content, keys, reviewer="phil-physician", signer="phil-physician")
    reason = assert_held(content, before, "credential-expired")
    assert "verified until 2020-01-01" in reason


def test_a_key_marked_compromised_reopens_what_it_signed(content: Path, keys: Keys) -> None:
    approve(content, keys)
    update_roster(content, keys, phil_physician=phil(keys, key_extra=", compromised: true"))
    before = main_of(content)
    reason = assert_held(content, before, "key-compromised")
    assert "since marked compromised" in reason


# --- decisions moved to other text ----------------------------------------------------------------------


def test_a_decision_replayed_onto_a_changed_sentence(content: Path, keys: Keys) -> None:
    approve(content, keys)
    ledger, text, _ = draft_ledger(content)
    old_claim = ledger.claims[0]
    changed = text.replace(old_claim.sentence, old_claim.sentence.replace(".", " twice daily.", 1), 1)
    assert changed != text
    pending = submit(content, changed, keys)
    assert len(pending) == 1  # exactly the changed sentence is pending again
    # The writer copies the old approvals onto the new claim and signs the ledger as a resubmission.
    ledger, text, _head = draft_ledger(content)
    claims = [
        c.model_copy(update={"decisions": list(old_claim.decisions), "status": ClaimStatus.APPROVED})
        if c.key == pending[0]
        else c
        for c in ledger.claims
    ]
    with ContentRepo.open(content) as repo:
        from validators.parser import parse_article

        repo.save_draft(
            parse_article(text + "\n", f"{SLUG}.md"),
            WRITER,
            ledger_text=ledger.model_copy(
                update={"claims": claims, "content_hash": parse_article(text + "\n", "x.md").content_hash}
            ).to_yaml(),
            signer=SigningKey(private_key=keys.private("wendy-writer")),
        )
    before = main_of(content)
    reason = assert_held(content, before, "forged-submission")
    assert f"claim {pending[0][:8]} holds decisions the previous verified ledger did not have" in reason


def test_the_text_changed_after_approval_same_flags_other_dose(content: Path, keys: Keys) -> None:
    approve(content, keys)
    ledger, text, _head = draft_ledger(content)
    assert "Antihistamines" in text
    # The writer changes the text but keeps the approved ledger, signed with her key.
    changed = text.replace(
        "Antihistamines must be given", "Antihistamines must be given at 10 times the dose", 1
    )
    assert changed != text
    from validators.parser import parse_article

    with ContentRepo.open(content) as repo:
        repo.save_draft(
            parse_article(changed, f"{SLUG}.md"),
            WRITER,
            ledger_text=ledger.to_yaml(),
            signer=SigningKey(private_key=keys.private("wendy-writer")),
        )
    before = main_of(content)
    reason = assert_held(content, before, "forged-submission")
    assert "the ledger is not for the submitted text" in reason
    assert "text-changed:" in reason


# --- drafts from a shared remote ------------------------------------------------------------------------


@pytest.fixture
def forged_remote(tmp_path: Path, keys: Keys) -> Path:
    """A shared remote holding the signed roster and a forged draft: unsigned, every claim "approved"."""
    site = make_signed_site(tmp_path / "site", keys)
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(site, "push", "-q", str(remote), "main")
    attacker = tmp_path / "attacker.git"
    git(tmp_path, "clone", "-q", "--bare", str(remote), str(attacker))
    submit(attacker, FIXTURE_ARTICLE.read_text(encoding="utf-8"), None)
    forge_decisions(attacker, keys, reviewer="phil-physician", signer=None)
    git(attacker, "push", "-q", "origin", f"drafts/{SLUG}")
    return remote


@pytest.mark.parametrize("layout", ["--bare", "--mirror"])
def test_a_forged_remote_draft_is_held_on_bare_and_mirror_clones(
    forged_remote: Path, tmp_path: Path, layout: str
) -> None:
    worker = tmp_path / f"worker{layout}.git"
    git(tmp_path, "clone", "-q", layout, str(forged_remote), str(worker))
    assert git(worker, "for-each-ref", "--format=%(refname)", "refs/heads/drafts/").split() == [
        f"refs/heads/drafts/{SLUG}"
    ]
    before = main_of(worker)
    reason = assert_held(worker, before, "unsigned")
    assert "the commit is not signed" in reason


def test_a_plain_clone_never_takes_a_remote_draft(forged_remote: Path, tmp_path: Path) -> None:
    worker = tmp_path / "worker"
    git(tmp_path, "clone", "-q", str(forged_remote), str(worker))
    outcomes, _ = publish(worker)
    assert outcomes == []


# --- a review reopened by the desk service ---------------------------------------------------------------


def reopen_as(content: Path, signer: SigningKey | None) -> None:
    """Reopen the published article for re-review, as review_due does, signed by `signer`."""
    from flows.tasks import check_articles, settings_for
    from reviewers.desk import reopen
    from reviewers.policy import load_policy
    from validators.parser import parse_article

    with ContentRepo.open(content) as repo:
        published = repo.read(SLUG)
        assert published is not None
        submission = check_articles([parse_article(published, f"articles/{SLUG}.md")], settings_for(content))[
            0
        ]
        ledger = reopen(submission, datetime.now(UTC), load_policy(None))
        repo.save_draft(submission.article, repo.pipeline, ledger_text=ledger.to_yaml(), signer=signer)


def provenance(content: Path) -> list[str]:
    """The draft's signing holds, as the publish run computes them."""
    from flows.verify import governance_of, provenance_holds

    with ContentRepo.open(content) as repo:
        return [str(h) for h in provenance_holds(repo, SLUG, governance_of(repo))]


def test_a_review_reopened_by_the_service_key_verifies(content: Path, keys: Keys) -> None:
    approve(content, keys)
    assert [o[1] for o in publish(content)[0]] == ["published"]
    reopen_as(content, keys.signer("web-desk"))
    assert provenance(content) == []
    approve(content, keys)
    assert provenance(content) == []


def test_an_unsigned_reopened_review_is_held(content: Path, keys: Keys) -> None:
    approve(content, keys)
    publish(content)
    reopen_as(content, None)
    assert [h.split(":")[0] for h in provenance(content)] == ["unsigned"]


def test_a_reopened_review_that_brings_decisions_is_held(content: Path, keys: Keys) -> None:
    approve(content, keys)
    publish(content)
    with ContentRepo.open(content) as repo:
        published = repo.read_path(f"reviews/{SLUG}.yaml")
        text = repo.read(SLUG)
    assert published is not None and text is not None
    from validators.parser import parse_article

    with ContentRepo.open(content) as repo:
        repo.save_draft(
            parse_article(text, f"{SLUG}.md"),
            repo.pipeline,
            ledger_text=published,
            signer=keys.signer("web-desk"),
        )
    holds = provenance(content)
    assert len(holds) == 1 and holds[0].startswith("forged-submission:"), holds


def test_a_rewritten_decision_commit_counts_for_nothing(content: Path, keys: Keys) -> None:
    approve(content, keys)
    head = git(content, "rev-parse", f"drafts/{SLUG}").strip()
    raw = git(content, "cat-file", "commit", head)
    assert "gpgsig -----BEGIN SSH SIGNATURE-----" in raw
    # Same signature, another author: the commit no longer matches what was signed.
    rewritten = git(
        content,
        "hash-object",
        "-t",
        "commit",
        "-w",
        "--stdin",
        input=raw.replace("author Phil Physician", "author Pat Pharmacist", 1),
    ).strip()
    git(content, "update-ref", f"refs/heads/drafts/{SLUG}", rewritten, head)
    before = main_of(content)
    reason = assert_held(content, before, "bad-signature")
    assert f"commit {rewritten[:12]}: the signature does not verify (bad)" in reason


def test_status_shows_the_signing_holds_the_publish_run_would_apply(content: Path, keys: Keys) -> None:
    from typer.testing import CliRunner

    import flows.cli.cmd_review  # noqa: F401  (registers the commands)
    from flows.cli.app import app

    forge_decisions(content, keys, reviewer="phil-physician", signer=None)
    result = CliRunner().invoke(app, ["status", SLUG, "--repo", str(content)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{SLUG}: approved (")
    assert lines[1].startswith("  - unsigned: commit ") and lines[1].endswith(": the commit is not signed")


def test_signed_comments_keep_the_draft_verifiable_and_an_unsigned_one_does_not(
    content: Path, keys: Keys
) -> None:
    from flows.review_actions import record_comment

    ledger, _, _ = draft_ledger(content)
    sentence = ledger.claims[0].sentence
    record_comment(
        content,
        SLUG,
        "pat-pharmacist",
        sentence,
        "Name the antihistamine.",
        signer=keys.signer("pat-pharmacist"),
    )
    record_comment(
        content, SLUG, "phil-physician", sentence, "Agreed.", via="web-desk", signer=keys.signer("web-desk")
    )
    assert provenance(content) == []
    record_comment(content, SLUG, "phil-physician", sentence, "Unsigned remark.")
    assert [h.split(":")[0] for h in provenance(content)] == ["unsigned"]
