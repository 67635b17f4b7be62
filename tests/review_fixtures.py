"""Builders shared by the review tests: a roster, a small article and flags constructed directly."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reviewers.flags import Flag, FlagCategory
from reviewers.roster import Roster, load_roster
from validators.models import Article
from validators.parser import parse_article

if TYPE_CHECKING:
    from content_repo import ContentRepo
    from reviewers.desk import Submission
    from reviewers.ledger import ReviewLedger
    from reviewers.policy import Policy
    from validators.findings import Finding

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

ROSTER_YAML = """\
people:
  - id: wendy-writer
    name: Wendy Writer
    email: wendy@example.org
    roles: [writer]
  - id: pat-pharmacist
    name: Pat Pharmacist
    email: pat@example.org
    roles: [pharmacist]
    specialties: [oncology]
    verified_until: 2099-06-30
  - id: doc-physician
    name: Doc Physician
    email: doc@example.org
    roles: [physician]
    verified_until: 2099-12-31
  - id: dana-physician
    name: Dana Physician
    email: dana@example.org
    roles: [physician]
    verified_until: 2099-12-31
  - id: nina-nurse
    name: Nina Nurse
    email: nina@example.org
    roles: [nurse]
    verified_until: 2099-12-31
  - id: old-doc
    name: Old Doc
    email: old@example.org
    roles: [physician]
    verified_until: 2026-01-31
  - id: gone-doc
    name: Gone Doc
    email: gone@example.org
    roles: [physician]
    verified_until: 2099-12-31
    active: false
  - id: phil-writer
    name: Phil Writer
    email: phil@example.org
    roles: [writer, physician]
    verified_until: 2099-12-31
"""

ARTICLE_TEXT = """\
---
title: Ibuprofen for pain
slug: ibuprofen-for-pain
type: condition
author: {author}
---

## What is it?

Ibuprofen is a pain reliever. Adults may take 200 mg every 4 to 6 hours.

## Treatment

Stop taking ibuprofen and call your doctor if you have stomach pain.
"""

# (sentence, term, category) of every flag in ARTICLE_TEXT, in text order.
FLAG_SPECS: list[tuple[str, str, FlagCategory]] = [
    ("Ibuprofen is a pain reliever.", "Ibuprofen", FlagCategory.DRUG),
    ("Adults may take 200 mg every 4 to 6 hours.", "200 mg", FlagCategory.DOSAGE),
    (
        "Stop taking ibuprofen and call your doctor if you have stomach pain.",
        "Stop taking",
        FlagCategory.DIRECTIVE,
    ),
    ("Stop taking ibuprofen and call your doctor if you have stomach pain.", "ibuprofen", FlagCategory.DRUG),
    (
        "Stop taking ibuprofen and call your doctor if you have stomach pain.",
        "stomach pain",
        FlagCategory.SYMPTOM,
    ),
]


def roster() -> Roster:
    """The test roster."""
    return load_roster(ROSTER_YAML)


def article_text(author: str = "wendy-writer", replace: tuple[str, str] | None = None) -> str:
    """The test article's text, optionally with one piece of text replaced."""
    text = ARTICLE_TEXT.format(author=author)
    if replace is not None:
        assert replace[0] in text
        text = text.replace(*replace)
    return text


def make_article(author: str = "wendy-writer", replace: tuple[str, str] | None = None) -> Article:
    """The test article, parsed."""
    return parse_article(article_text(author, replace), "articles/ibuprofen-for-pain.md")


def flag_in(
    article: Article, sentence: str, term: str, category: FlagCategory, *, info: bool = False
) -> Flag:
    """A Flag for `term` inside `sentence` of `article`, as the flagger would make it."""
    sentence_start = article.text.index(sentence)
    start = sentence_start + sentence.index(term)
    line, column = article.position(start)
    return Flag(
        term=term,
        normalized=term.casefold(),
        category=category,
        sentence=sentence,
        start=start,
        end=start + len(term),
        line=line,
        column=column,
        source="editorial",
        needs_approval=not info,
    )


def make_flags(article: Article, specs: list[tuple[str, str, FlagCategory]] | None = None) -> list[Flag]:
    """The flags of `specs` (default FLAG_SPECS) that exist in `article`."""
    return [
        flag_in(article, sentence, term, category)
        for sentence, term, category in (specs if specs is not None else FLAG_SPECS)
        if sentence in article.text
    ]


def make_content_repo(path: Path, *, author: str = "wendy-writer", policy_yaml: str | None = None) -> Path:
    """A real content repository at `path`: the roster (and policy) on main, the test article submitted."""
    from content_repo import ContentRepo, Identity
    from reviewers.policy import load_policy

    editor = Identity(name="Eve Editor", email="eve@example.org")
    with ContentRepo.init(path) as repo:
        repo.write_path("roster.yaml", ROSTER_YAML, editor, message="Roster")
        if policy_yaml is not None:
            repo.write_path("policy.yaml", policy_yaml, editor, message="Policy")
        submit(repo, make_article(author), previous=None, policy=load_policy(policy_yaml))
    return path


def submit(
    repo: ContentRepo,
    article: Article,
    *,
    previous: ReviewLedger | None,
    policy: Policy,
    specs: list[tuple[str, str, FlagCategory]] | None = None,
) -> ReviewLedger:
    """Save `article` as a draft with a freshly opened ledger (what the submit flow does)."""
    from content_repo import Identity

    ledger = open_for(article, previous=previous, policy=policy, specs=specs)
    writer = Identity(name="Wendy Writer", email="wendy@example.org")
    repo.save_draft(article, writer, ledger_text=ledger.to_yaml(), message=f"Submit {article.slug}")
    return ledger


def submission_of(
    article: Article,
    specs: list[tuple[str, str, FlagCategory]] | None = None,
    findings: list[Finding] | None = None,
) -> Submission:
    """The desk's `Submission` of `article` with the flags of `specs` (default FLAG_SPECS)."""
    from reviewers.desk import make_submission

    return make_submission(article, findings or [], make_flags(article, specs))


def open_for(
    article: Article,
    *,
    previous: ReviewLedger | None = None,
    policy: Policy | None = None,
    specs: list[tuple[str, str, FlagCategory]] | None = None,
    findings: list[Finding] | None = None,
) -> ReviewLedger:
    """The ledger a submission of `article` opens (carrying over from `previous`)."""
    from reviewers.desk import open_ledger
    from reviewers.policy import load_policy

    author = article.front_matter.author if article.front_matter else ""
    submission = submission_of(article, specs, findings)
    return open_ledger(submission, previous, NOW, policy or load_policy(None), author)
