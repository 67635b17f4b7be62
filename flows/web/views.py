"""What each desk page shows, read from the content repository and shaped for the templates.

Reading only: the rules come from `reviewers.desk` (what a claim needs, whose queue it is in, where a
draft stands); the article's HTML from `flows.web.render`. Nothing here writes.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from flows.context import DraftUnderReview
from flows.web.render import Level, Span, locate, render_article, sentence_spans
from reviewers.ledger import Claim, ClaimStatus, ReviewLedger, claim_key, ledger_path
from reviewers.policy import Policy, PolicyError
from reviewers.roster import Person, Roster
from validators.errors import EditorialError

if TYPE_CHECKING:
    from content_repo import ContentRepo
    from validators.models import Article


class Forbidden(EditorialError):
    """The person may not see this page (a writer on the clinicians' queue, another writer's draft)."""


class NotFound(EditorialError):
    """No such draft."""


def is_clinician(person: Person, policy: Policy) -> bool:
    """True when the policy lets one of the person's roles decide some category of claim."""
    rules = [policy.default, *policy.categories.values()]
    return person.active and any(role in rule.roles for rule in rules for role in person.roles)


def age(since: datetime, now: datetime) -> str:
    """How long ago, in the largest whole unit (`3 d`, `5 h`, `12 min`)."""
    seconds = max(0, int((now - since).total_seconds()))
    if seconds >= 86400:
        return f"{seconds // 86400} d"
    if seconds >= 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min"


@dataclass(frozen=True)
class QueueItem:
    """A draft with claims waiting for the person."""

    slug: str
    title: str
    author: str
    opened_at: datetime
    age: str
    waiting: int
    claims: int
    status: str


@dataclass(frozen=True)
class DraftItem:
    """One of a writer's drafts."""

    slug: str
    title: str
    status: str
    submitted: str
    claims: int
    approved: int
    pending: int
    rejected: int
    errors: int
    comments: int


@lru_cache(maxsize=256)
def _parsed_ledger(text: str, slug: str) -> ReviewLedger:
    """A ledger file parsed once per content (pages are read far more often than ledgers change)."""
    return ReviewLedger.from_yaml(text, ledger_path(slug))


def read_draft(repo: ContentRepo, slug: str) -> DraftUnderReview:
    """`flows.context.read_draft_under_review`, with the ledger's parse cached by its text."""
    text, ledger_text, head = repo.read_draft(slug)
    ledger = _parsed_ledger(ledger_text, slug) if ledger_text is not None else None
    return DraftUnderReview(slug=slug, text=text, ledger=ledger, head=head)


def _title(article: Article) -> str:
    front = article.front_matter
    return front.title if front is not None else article.slug


def person_on(roster: Roster, person_id: str) -> Person:
    """The active roster entry of a logged-in person; `Forbidden` when they left the roster."""
    person = roster.get(person_id)
    if person is None or not person.active:
        raise Forbidden(f"{person_id!r} is not an active person on the roster")
    return person


def queue_for(repo: ContentRepo, person_id: str, now: datetime) -> tuple[Person, list[QueueItem]]:
    """The drafts with claims waiting for the person's roles, oldest submission first."""
    from flows.context import load_policy_from, load_roster_from
    from reviewers.desk import draft_status, waiting_for

    roster = load_roster_from(repo)
    policy = load_policy_from(repo)
    person = person_on(roster, person_id)
    if not is_clinician(person, policy):
        raise Forbidden(f"{person_id!r} is not a clinician: the review queue is for clinicians")
    items: list[QueueItem] = []
    for info in repo.list_drafts():
        draft = read_draft(repo, info.slug)
        ledger = draft.ledger
        if ledger is None or not draft.ledger_is_current:
            continue
        try:
            waiting = waiting_for(ledger, person, policy, now)
        except PolicyError:
            waiting = []
        if not waiting:
            continue
        items.append(
            QueueItem(
                slug=info.slug,
                title=_title(draft.article),
                author=ledger.author,
                opened_at=ledger.opened_at,
                age=age(ledger.opened_at, now),
                waiting=len(waiting),
                claims=len(ledger.claims),
                status=draft_status(ledger, published=False).value,
            )
        )
    items.sort(key=lambda i: (i.opened_at, i.slug))
    return person, items


def drafts_of(repo: ContentRepo, person_id: str) -> tuple[Person, list[DraftItem]]:
    """The person's own drafts under review (by the ledger's author), with where each stands."""
    from flows.context import load_roster_from
    from reviewers.desk import draft_status

    person = person_on(load_roster_from(repo), person_id)
    items: list[DraftItem] = []
    for info in repo.list_drafts():
        draft = read_draft(repo, info.slug)
        ledger = draft.ledger
        author = ledger.author if ledger is not None else _front_author(draft.article)
        if author != person_id:
            continue
        if ledger is None:
            items.append(DraftItem(info.slug, _title(draft.article), "not submitted", "", 0, 0, 0, 0, 0, 0))
            continue
        items.append(
            DraftItem(
                slug=info.slug,
                title=_title(draft.article),
                status=draft_status(ledger, published=False).value,
                submitted=ledger.opened_at.strftime("%Y-%m-%d %H:%M UTC"),
                claims=len(ledger.claims),
                approved=ledger.count(ClaimStatus.APPROVED),
                pending=ledger.count(ClaimStatus.PENDING),
                rejected=ledger.count(ClaimStatus.REJECTED),
                errors=ledger.findings.errors,
                comments=len(ledger.comments),
            )
        )
    return person, items


def _front_author(article: Article) -> str:
    front = article.front_matter
    return front.author if front is not None else str(article.raw_front_matter.get("author") or "")


# --- the article page --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionView:
    """A decision as shown under its claim."""

    who: str
    role: str
    verdict: str
    note: str | None
    at: str
    categories: str
    carried: bool
    via: str | None


@dataclass(frozen=True)
class NeedView:
    """What one category of a claim needs."""

    category: str
    roles: str
    approvals: int
    approved_by: list[str]
    met: bool


@dataclass(frozen=True)
class CommentView:
    """A comment on a sentence."""

    who: str
    text: str
    at: str
    sentence: str


@dataclass(frozen=True)
class ClaimView:
    """A claim as the article page shows it, with what the viewer may do on it."""

    key: str
    number: int
    sentence: str
    line: int
    section: str | None
    status: str
    terms: list[tuple[str, str]]
    needs: list[NeedView]
    decisions: list[DecisionView]
    comments: list[CommentView]
    mine: str | None
    can_decide: bool
    waiting_for_me: bool
    why_not: str | None


@dataclass(frozen=True)
class SectionView:
    """A section of the article and how many of its claims wait for the viewer."""

    heading: str
    waiting: int


@dataclass(frozen=True)
class FindingView:
    """A finding of the validator, for the writer."""

    where: str
    code: str
    severity: str
    message: str
    hint: str | None


@dataclass
class ArticlePage:
    """Everything the article page shows."""

    slug: str
    title: str
    author: str
    status: str
    head: str
    content_hash: str
    html: str
    read_only: bool
    read_only_reason: str | None
    clinician: bool
    claims: list[ClaimView]
    sections: list[SectionView]
    comments: list[CommentView]
    shown: list[tuple[str, str, str]]
    findings: list[FindingView]
    diff: list[tuple[str, str]] | None
    carried_over: int
    submitted: str
    counts: dict[str, int] = field(default_factory=dict)


def _decision_views(claim: Claim, content_hash: str) -> list[DecisionView]:
    return [
        DecisionView(
            who=f"{d.reviewer_name} ({d.reviewer_id})",
            role=str(d.role),
            verdict=d.verdict.value,
            note=d.note,
            at=d.at.strftime("%Y-%m-%d %H:%M UTC"),
            categories=", ".join(d.categories),
            carried=d.made_on != content_hash,
            via=d.via,
        )
        for d in claim.decisions
    ]


def claim_spans(article: Article, ledger: ReviewLedger, numbers: dict[str, int]) -> list[Span]:
    """The spans of the article page: claim sentences with their terms, then every other sentence."""
    text = article.text
    spans: list[Span] = []
    for claim in ledger.claims:
        first = min(claim.flags, key=lambda f: f.start)
        where = locate(text, claim.sentence, first.start)
        if where is not None:
            spans.append(
                Span(
                    where[0],
                    where[1],
                    Level.SENTENCE,
                    f"claim claim-{claim.status.value}",
                    {"data-claim": claim.key, "data-number": str(numbers[claim.key])},
                    anchor=f"s-{claim.key}",
                )
            )
        for flag in claim.flags:
            kind = "needs" if flag.needs_approval else "info"
            spans.append(
                Span(
                    flag.start,
                    flag.end,
                    Level.TERM,
                    f"term term-{kind} cat-{flag.category.value}",
                    {"title": f"{flag.category.value}" + (f" ({flag.shown.value})" if flag.shown else "")},
                )
            )
    keyed = {claim_key(c.sentence) for c in ledger.comments}
    for start, end, sentence in sentence_spans(article):
        css = "sentence has-comment" if claim_key(sentence) in keyed else "sentence"
        spans.append(Span(start, end, Level.SENTENCE, css, {"data-sentence": sentence}))
    return spans


def article_page(
    repo: ContentRepo, slug: str, person_id: str, now: datetime, *, templates_dir: Path | None = None
) -> ArticlePage:
    """The article page of draft `slug` for the person (clinician, or the draft's writer read-only)."""
    from content_repo.errors import NotFoundError
    from flows.context import load_policy_from, load_roster_from
    from reviewers.desk import covered_categories, draft_status, needs, waiting_for

    roster = load_roster_from(repo)
    policy = load_policy_from(repo)
    person = person_on(roster, person_id)
    try:
        draft = read_draft(repo, slug)
    except NotFoundError as exc:
        raise NotFound(f"no draft {slug!r} under review") from exc
    article = draft.article
    ledger = draft.ledger
    clinician = is_clinician(person, policy)
    author = ledger.author if ledger is not None else _front_author(article)
    if not clinician and author != person.id:
        raise Forbidden(
            f"{person.id!r} may not open {slug!r}: it is not their draft and they are no clinician"
        )
    read_only_reason: str | None = None
    if author == person.id:
        read_only_reason = "You wrote this draft: it is shown read-only."
    elif not clinician:
        read_only_reason = "Only clinicians decide claims."
    elif ledger is None:
        read_only_reason = "This draft has not been submitted for review."
    elif not draft.ledger_is_current:
        read_only_reason = "The review ledger is for other text: the writer must resubmit the draft."
    read_only = read_only_reason is not None
    if ledger is None:
        ledger = ReviewLedger(
            slug=slug, content_hash=draft.content_hash, author=author, opened_at=now, claims=[]
        )
    try:
        mine = {c.key for c in waiting_for(ledger, person, policy, now)} if not read_only else set()
    except PolicyError:
        mine = set()
    numbers = {c.key: i for i, c in enumerate(ledger.claims, start=1)}
    comments_by_key: dict[str, list[CommentView]] = {}
    all_comments = []
    for note in ledger.comments:
        view = CommentView(
            who=f"{note.author_name} ({note.author_id})",
            text=note.text,
            at=note.at.strftime("%Y-%m-%d %H:%M UTC"),
            sentence=note.sentence,
        )
        comments_by_key.setdefault(note.sentence_key, []).append(view)
        all_comments.append(view)
    claims: list[ClaimView] = []
    for claim in ledger.claims:
        standing = claim.standing().get(person.id)
        why_not: str | None = read_only_reason
        can_decide = not read_only
        if can_decide:
            try:
                covered_categories(person.id, person, claim, ledger.author, ledger.slug, policy, now.date())
            except PolicyError as exc:
                can_decide, why_not = False, exc.message
        claims.append(
            ClaimView(
                key=claim.key,
                number=numbers[claim.key],
                sentence=claim.sentence,
                line=claim.line,
                section=claim.section,
                status=claim.status.value,
                terms=[(f.term, f.category.value) for f in claim.flags if f.needs_approval],
                needs=[
                    NeedView(
                        category=n.category.value,
                        roles=" or ".join(n.roles),
                        approvals=n.approvals,
                        approved_by=n.approved_by,
                        met=n.met,
                    )
                    for n in needs(claim, policy)
                ],
                decisions=_decision_views(claim, ledger.content_hash),
                comments=comments_by_key.get(claim.key, []),
                mine=standing.verdict.value if standing is not None else None,
                can_decide=can_decide,
                waiting_for_me=claim.key in mine,
                why_not=why_not,
            )
        )
    sections: dict[str, int] = {}
    for claim in ledger.claims:
        if claim.section:
            sections[claim.section] = sections.get(claim.section, 0) + (1 if claim.key in mine else 0)
    return ArticlePage(
        slug=slug,
        title=_title(article),
        author=author,
        status=draft_status(ledger, published=False).value if draft.ledger is not None else "not submitted",
        head=draft.head,
        content_hash=draft.content_hash,
        html=render_article(article, claim_spans(article, ledger, numbers)),
        read_only=read_only,
        read_only_reason=read_only_reason,
        clinician=clinician,
        claims=claims,
        sections=[SectionView(h, n) for h, n in sections.items() if n],
        comments=all_comments,
        shown=[(f.term, f.category.value, f.shown.value if f.shown else "info") for f in ledger.shown],
        findings=findings_of(article, templates_dir) if author == person.id else [],
        diff=published_diff(repo, slug, draft.text),
        carried_over=len(ledger.carried_over),
        submitted=ledger.opened_at.strftime("%Y-%m-%d %H:%M UTC"),
        counts={s.value: ledger.count(s) for s in ClaimStatus},
    )


def findings_of(article: Article, templates_dir: Path | None) -> list[FindingView]:
    """The validator's findings on the draft (the writer's to-do list), without term flags."""
    from flows.settings import get_settings
    from flows.tasks import templates_for
    from validators.check import check_article

    settings = get_settings()
    if templates_dir is not None:
        settings = settings.model_copy(update={"templates_dir": templates_dir})

    return [
        FindingView(
            where=f"line {f.line}" if f.line else "",
            code=f.code,
            severity=f.severity.value,
            message=f.message,
            hint=f.hint,
        )
        for f in check_article(article, templates_for(settings))
    ]


def published_diff(repo: ContentRepo, slug: str, draft_text: str) -> list[tuple[str, str]] | None:
    """The draft against the published version, both without the keys publishing writes (None when
    never published or unchanged)."""
    from validators.frontmatter import strip_publishing_keys

    published = repo.read(slug)
    if published is None:
        return None
    before, after = strip_publishing_keys(published), strip_publishing_keys(draft_text)
    if before == after:
        return None
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), "published", "draft", lineterm="", n=2
    )
    out: list[tuple[str, str]] = []
    for line in lines:
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
        if line.startswith(("+++", "---")):
            kind = "file"
        out.append((kind, line))
    return out
