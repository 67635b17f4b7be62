"""The review ledger: one per draft version, the article's claims with their flags and decisions.

Stored as `reviews/<slug>.yaml` beside the article on the draft branch (and on main once published).
A *claim* is a sentence holding at least one flag that needs approval; clinicians decide claims, not
terms. A claim's key is the hash of its white-space-normalized sentence, so decisions carry over to a
resubmitted version exactly when the sentence is unchanged. The rules that change a ledger (submit,
decide, comment, the publish gate) live in `reviewers.desk`; this module holds the data and the
claim-building and status arithmetic they share.

Ledgers written before claims (format 1: one entry per flag) are migrated on read
(`ReviewLedger.from_yaml`), every decision kept on the claim of its sentence and limited to the
category it was made on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

import yaml
from pydantic import Field

from reviewers.datafile import StrictModel, dump_yaml, load_model
from reviewers.flags import Flag, FlagCategory
from reviewers.policy import Policy
from reviewers.roster import Role
from validators.errors import ConfigError
from validators.findings import Finding, Severity
from validators.models import Article
from validators.text import normalize_text

LEDGER_FORMAT = 2
FORMAT_1_LINE = re.compile(r"^format: *1 *$", re.MULTILINE)

# A pronunciation guide: "(an-jee-OG-rah-fee)", "(MAS-toe-SY-toe-mah)": syllables joined by hyphens,
# at least one stressed (upper-case) syllable and one unstressed.
PRONUNCIATION = re.compile(r"\((?=[^()]*[A-Z]{2})(?=[^()]*[a-z]{2})[A-Za-z']+(?:[- ][A-Za-z']+){1,12}\)")


def ledger_path(slug: str) -> str:
    """Where a draft's ledger lives in the content repository."""
    return f"reviews/{slug}.yaml"


def claim_key(sentence: str) -> str:
    """The identity of a sentence across versions: a short hash of its white-space-normalized text."""
    return hashlib.sha256(normalize_text(sentence).encode("utf-8")).hexdigest()[:16]


class ClaimStatus(StrEnum):
    """Where one claim stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Verdict(StrEnum):
    """What a clinician decided on a claim; `withdraw` takes back their earlier decision (undo)."""

    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"


class DraftStatus(StrEnum):
    """Where a draft stands (derived from its ledger, never stored)."""

    NEEDS_CHANGES = "needs_changes"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"


class Shown(StrEnum):
    """Why a flag is shown to the clinician but cannot make a claim on its own."""

    HEADING = "heading"
    ALIAS = "alias"
    PRONUNCIATION = "pronunciation"


class DecisionInput(StrictModel):
    """A decision as a reviewer gives it: a claim key (or a unique prefix of one), a verdict, a note."""

    key: str = Field(min_length=1, pattern=r"^[0-9a-f]+$")
    verdict: Verdict
    note: str | None = None


class Decision(StrictModel):
    """A recorded decision: who, under which role, on which categories, what, why and when, on which text."""

    reviewer_id: str
    reviewer_name: str
    role: Role
    categories: list[FlagCategory] = Field(
        min_length=1, description="The claim's categories this decision approves (or rejects)."
    )
    verdict: Verdict
    note: str | None = None
    at: datetime
    made_on: str = Field(description="Content hash of the version the decision was made on.")
    via: str | None = Field(default=None, description="The service that recorded it (e.g. the web desk).")


class ClaimFlag(StrictModel):
    """A flag inside a claim's sentence: what is highlighted, where, and whether it needs approval."""

    term: str
    normalized: str
    category: FlagCategory
    start: int = Field(ge=0, description="Character offset in the article text.")
    end: int = Field(ge=0)
    line: int = Field(ge=1)
    column: int = Field(ge=1)
    needs_approval: bool
    shown: Shown | None = Field(default=None, description="Why it is shown only (never makes a claim).")
    emergency: bool = False


class Claim(StrictModel):
    """A sentence of the article with at least one flag that needs approval, and the decisions on it."""

    key: str = Field(pattern=r"^[0-9a-f]{16}$")
    sentence: str
    line: int = Field(ge=1)
    section: str | None = None
    flags: list[ClaimFlag] = Field(min_length=1)
    status: ClaimStatus = ClaimStatus.PENDING
    decisions: list[Decision] = Field(default_factory=list)

    @property
    def requirement(self) -> list[FlagCategory]:
        """The categories that need approval, in first-seen order."""
        return list(dict.fromkeys(f.category for f in self.flags if f.needs_approval))

    @property
    def terms(self) -> list[str]:
        """The highlighted terms needing approval, as written, in order."""
        return list(dict.fromkeys(f.term for f in self.flags if f.needs_approval))

    @property
    def emergency(self) -> bool:
        """True when the claim holds an emergency directive (the desk shows these first)."""
        return any(f.emergency for f in self.flags)

    def standing(self) -> dict[str, Decision]:
        """Each reviewer's latest decision that still stands (a withdrawal removes theirs)."""
        latest: dict[str, Decision] = {}
        for decision in self.decisions:
            latest[decision.reviewer_id] = decision
        return {r: d for r, d in latest.items() if d.verdict is not Verdict.WITHDRAW}

    @property
    def approvers(self) -> list[str]:
        """Distinct ids of the people whose approval stands, in decision order."""
        return [r for r, d in self.standing().items() if d.verdict is Verdict.APPROVE]

    def carried_decisions(self, content_hash: str) -> list[Decision]:
        """Decisions made on an earlier version of the text (its sentence unchanged since)."""
        return [d for d in self.decisions if d.made_on != content_hash]


class Comment(StrictModel):
    """A remark on any sentence of the draft (no decision), by anyone on the roster."""

    sentence_key: str = Field(pattern=r"^[0-9a-f]{16}$")
    sentence: str
    author_id: str
    author_name: str
    text: str = Field(min_length=1, max_length=4000)
    at: datetime
    made_on: str
    via: str | None = None


class ShownFlag(StrictModel):
    """A flag outside any claim (informational, in a heading, an alias or a pronunciation guide)."""

    term: str
    normalized: str
    category: FlagCategory
    sentence: str
    line: int = Field(ge=1)
    needs_approval: bool
    shown: Shown | None = None


class FindingsSummary(StrictModel):
    """The validator's verdict on the version: errors block publishing."""

    errors: int = Field(default=0, ge=0)
    warnings: int = Field(default=0, ge=0)
    error_codes: list[str] = Field(default_factory=list)


class ReviewLedger(StrictModel):
    """The review record of one draft version."""

    format: int = LEDGER_FORMAT
    slug: str
    content_hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    author: str
    opened_at: datetime
    previous_hash: str | None = Field(default=None, description="Hash of the version it carried over from.")
    findings: FindingsSummary = FindingsSummary()
    claims: list[Claim] = Field(default_factory=list)
    shown: list[ShownFlag] = Field(default_factory=list)
    comments: list[Comment] = Field(default_factory=list)
    carried_over: list[str] = Field(
        default_factory=list, description="Claim keys whose decisions carried over."
    )
    sentences: list[str] = Field(
        default_factory=list, description="The key of every sentence of the version (what changed next time)."
    )

    def to_yaml(self) -> str:
        """The ledger file's text."""
        header = f"# Review ledger of {self.slug} (written by Editorial; every change is a commit)\n"
        return header + dump_yaml(self.model_dump(mode="json", exclude_none=True))

    @classmethod
    def from_yaml(cls, text: str, path: str = "reviews/<slug>.yaml") -> ReviewLedger:
        """Read a ledger file strictly (a format-1 per-flag ledger is migrated); raises `ConfigError`."""
        if FORMAT_1_LINE.search(text):
            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError:
                data = None  # load_model below reports the error with its line
            if isinstance(data, dict) and data.get("format") == 1:
                return migrate_format_1(data, path)
        return load_model(cls, text, path)

    def claim(self, key: str) -> Claim | None:
        """The claim with exactly this key, or None."""
        return next((c for c in self.claims if c.key == key), None)

    @property
    def approvers(self) -> list[str]:
        """Distinct ids of everyone whose approval stands on a claim, in order of first approval."""
        decisions = sorted((d for c in self.claims for d in c.standing().values()), key=lambda d: d.at)
        return list(dict.fromkeys(d.reviewer_id for d in decisions if d.verdict is Verdict.APPROVE))

    def count(self, status: ClaimStatus) -> int:
        """How many claims stand at `status`."""
        return sum(1 for c in self.claims if c.status is status)


# --- status arithmetic ------------------------------------------------------------------------------


def category_approvers(claim: Claim, category: FlagCategory) -> list[str]:
    """Distinct people whose standing approval covers `category` of the claim."""
    return [
        r for r, d in claim.standing().items() if d.verdict is Verdict.APPROVE and category in d.categories
    ]


def claim_status(claim: Claim, policy: Policy, counted: Iterable[str] | None = None) -> ClaimStatus:
    """Rejected if a rejection stands; approved once every required category has its N approvals.

    `counted` (when given) limits the approvals that count to those people (the publish gate passes the
    people the policy still accepts).
    """
    standing = claim.standing()
    if any(d.verdict is Verdict.REJECT for d in standing.values()):
        return ClaimStatus.REJECTED
    accepted = set(counted) if counted is not None else None
    for category in claim.requirement:
        approvers = [a for a in category_approvers(claim, category) if accepted is None or a in accepted]
        if len(approvers) < policy.approvals_needed(category):
            return ClaimStatus.PENDING
    return ClaimStatus.APPROVED


def with_status(claim: Claim, policy: Policy) -> Claim:
    """The claim with its stored status recomputed under `policy`."""
    return claim.model_copy(update={"status": claim_status(claim, policy)})


def summarize_findings(findings: Iterable[Finding]) -> FindingsSummary:
    """Counts of errors and warnings, and the distinct error codes in order."""
    findings = list(findings)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    return FindingsSummary(
        errors=len(errors),
        warnings=sum(1 for f in findings if f.severity is Severity.WARNING),
        error_codes=list(dict.fromkeys(f.code for f in errors)),
    )


# --- claims from flags ------------------------------------------------------------------------------


def shown_reason(article: Article, flag: Flag) -> Shown | None:
    """Why a flag cannot make a claim on its own (heading, alias, pronunciation guide), else None."""
    if flag.line <= article.front_matter_end_line:
        return Shown.ALIAS  # front matter: the title and aliases are shown with the article
    for section in article.sections:
        if section.heading is not None:
            heading_lines = section.heading.count("\n") + 1
            if section.line <= flag.line < section.line + heading_lines:
                return Shown.HEADING
    line_start = article.text.rfind("\n", 0, flag.start) + 1
    line_end = article.text.find("\n", flag.end)
    line_text = article.text[line_start : line_end if line_end >= 0 else len(article.text)]
    for guide in PRONUNCIATION.finditer(line_text):
        if guide.start() <= flag.start - line_start and flag.end - line_start <= guide.end():
            return Shown.PRONUNCIATION
    return None


def section_of(article: Article, line: int) -> str | None:
    """The heading of the section holding `line`."""
    heading = None
    for section in article.sections:
        if section.line > line:
            break
        heading = section.heading
    return heading


class ProseSentence(StrictModel):
    """A sentence of the article's prose with where it sits (for claims on changed text)."""

    key: str
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    line: int = Field(ge=1)
    column: int = Field(ge=1)


def prose_sentences(article: Article) -> list[ProseSentence]:
    """Every sentence of the article's body text (paragraphs, list items, tables), in order."""
    from validators.readability import split_sentences

    found: list[ProseSentence] = []
    for block in article.blocks:
        if block.kind != "paragraph":
            continue
        for sentence in split_sentences(block.text):
            start = block.offset + sentence.start
            line, column = article.position(start)
            found.append(
                ProseSentence(
                    key=claim_key(sentence.text),
                    text=sentence.text,
                    start=start,
                    end=block.offset + sentence.end,
                    line=line,
                    column=column,
                )
            )
    return found


def changed_claim(sentence: ProseSentence, section: str | None) -> Claim:
    """A claim on a sentence changed since a clinician's review: the whole sentence is what to check."""
    return Claim(
        key=sentence.key,
        sentence=sentence.text,
        line=sentence.line,
        section=section,
        flags=[
            ClaimFlag(
                term=sentence.text,
                normalized=normalize_text(sentence.text),
                category=FlagCategory.CHANGED_TEXT,
                start=sentence.start,
                end=sentence.end,
                line=sentence.line,
                column=sentence.column,
                needs_approval=True,
            )
        ],
    )


def is_changed_claim(claim: Claim) -> bool:
    """True for a claim made only because its sentence changed after review."""
    return [f.category for f in claim.flags] == [FlagCategory.CHANGED_TEXT]


def build_claims(article: Article, flags: Sequence[Flag]) -> tuple[list[Claim], list[ShownFlag]]:
    """The article's claims (sentences with a flag needing approval), and the flags shown outside claims.

    Flags are grouped by their normalized sentence; a repeated term in one sentence is highlighted once
    per place but counts once toward the requirement. No decisions yet: `reviewers.desk` carries them.
    """
    by_sentence: dict[str, list[tuple[Flag, Shown | None]]] = {}
    for flag in sorted(flags, key=lambda f: (f.start, f.end)):
        by_sentence.setdefault(claim_key(flag.sentence), []).append((flag, shown_reason(article, flag)))
    claims: list[Claim] = []
    shown: list[ShownFlag] = []
    for key, members in by_sentence.items():
        makes_claim = any(f.needs_approval and reason is None for f, reason in members)
        if not makes_claim:
            seen: set[tuple[str, str]] = set()
            for flag, reason in members:
                if (flag.category, flag.normalized) not in seen:
                    seen.add((flag.category, flag.normalized))
                    shown.append(
                        ShownFlag(
                            term=flag.term,
                            normalized=flag.normalized,
                            category=flag.category,
                            sentence=flag.sentence,
                            line=flag.line,
                            needs_approval=flag.needs_approval,
                            shown=reason,
                        )
                    )
            continue
        first = members[0][0]
        claims.append(
            Claim(
                key=key,
                sentence=first.sentence,
                line=first.line,
                section=section_of(article, first.line),
                flags=[
                    ClaimFlag(
                        term=flag.term,
                        normalized=flag.normalized,
                        category=flag.category,
                        start=flag.start,
                        end=flag.end,
                        line=flag.line,
                        column=flag.column,
                        needs_approval=flag.needs_approval and reason is None,
                        shown=reason,
                        emergency=bool(getattr(flag, "emergency", False)),
                    )
                    for flag, reason in members
                ],
            )
        )
    claims.sort(key=lambda c: min(f.start for f in c.flags))
    return claims, shown


# --- migration of format-1 ledgers (one entry per flag) -----------------------------------------------


def migrate_format_1(data: dict[str, Any], path: str) -> ReviewLedger:
    """A format-1 ledger as claims: flags grouped by sentence, every decision kept on its claim.

    A decision made on one flag approves (or rejects) only that flag's category of the claim, so a
    physician's approval of "surgery" does not become an approval of the sentence's drug. Flags that
    did not need approval become shown flags (or informational flags of a claim).
    """
    try:
        flags = list(data.get("flags") or [])
        claims: dict[str, dict[str, Any]] = {}
        shown: list[dict[str, Any]] = []
        carried: list[str] = []
        for entry in flags:
            key = claim_key(entry["sentence"])
            if entry.get("key") in (data.get("carried_over") or []) and key not in carried:
                carried.append(key)
            claim = claims.setdefault(
                key,
                {
                    "key": key,
                    "sentence": entry["sentence"],
                    "line": entry["line"],
                    "flags": [],
                    "decisions": [],
                },
            )
            claim["line"] = min(claim["line"], entry["line"])
            claim["flags"].append(
                {
                    "term": entry["term"],
                    "normalized": entry["normalized"],
                    "category": entry["category"],
                    "start": 0,
                    "end": 0,
                    "line": entry["line"],
                    "column": 1,
                    "needs_approval": entry["needs_approval"],
                }
            )
            for decision in entry.get("decisions") or []:
                claim["decisions"].append({**decision, "categories": [entry["category"]]})
        kept: list[dict[str, Any]] = []
        for claim in claims.values():
            if any(f["needs_approval"] for f in claim["flags"]):
                claim["decisions"].sort(key=lambda d: str(d["at"]))
                claim["status"] = _format_1_status(claim)
                kept.append(claim)
            else:
                shown += [
                    {
                        **{k: f[k] for k in ("term", "normalized", "category", "line", "needs_approval")},
                        "sentence": claim["sentence"],
                    }
                    for f in claim["flags"]
                ]
        migrated = {k: v for k, v in data.items() if k not in ("format", "flags", "carried_over")} | {
            "format": LEDGER_FORMAT,
            "claims": kept,
            "shown": shown,
            "carried_over": carried,
        }
        return ReviewLedger.model_validate(migrated)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(path, f"format-1 review ledger cannot be migrated: {exc}") from exc


def _format_1_status(claim: dict[str, Any]) -> str:
    """The status a migrated claim had: rejected if any flag was, approved if every flag was."""
    verdicts = [d["verdict"] for d in claim["decisions"]]
    if "reject" in verdicts:
        return ClaimStatus.REJECTED.value
    needed = {f["category"] for f in claim["flags"] if f["needs_approval"]}
    covered = {c for d in claim["decisions"] if d["verdict"] == "approve" for c in d["categories"]}
    return ClaimStatus.APPROVED.value if needed <= covered else ClaimStatus.PENDING.value
