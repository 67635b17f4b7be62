"""The approval policy as data, and the coded rules every decision is checked against.

Data (`reviewers/data/policy.yaml`, overridden by `policy.yaml` on the content repository's main): which
roles may decide on which flag categories, how many distinct approvals each category needs, and the
review interval. Fixed rules (the catalogue below): roster, active, credential, no self-approval,
rejection note, one decision per person per flag, the ledger matches the text.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from typing import Any

import yaml
from pydantic import Field

from reviewers.datafile import StrictModel, load_model
from reviewers.flags import FlagCategory
from reviewers.roster import Person, Role
from validators.errors import ConfigError, EditorialError

POLICY_PATH = "policy.yaml"

# The policy rules: stable code -> (name, what the refusal says). Messages are formatted with fields.
RULES: dict[str, tuple[str, str]] = {
    "PO01": ("not-in-roster", "{reviewer!r} is not on the roster; only rostered clinicians decide on claims"),
    "PO02": ("inactive", "{reviewer!r} is inactive on the roster and cannot decide on claims"),
    "PO03": (
        "credential-expired",
        "{reviewer!r} has no credential verified through {today} (verified until {until}); "
        "renew the verification in roster.yaml",
    ),
    "PO04": ("self-approval", "{reviewer!r} wrote {slug!r} and cannot decide on its claims"),
    "PO05": (
        "role-not-allowed",
        "{reviewer!r} ({roles}) may not decide on {category}; the policy allows {allowed}",
    ),
    "PO06": ("rejection-needs-note", "rejecting claim {key} needs a note saying what to change (--note)"),
    "PO07": ("already-decided", "{reviewer!r} has already decided so on claim {key}"),
    "PO08": (
        "stale-ledger",
        "the review ledger of {slug!r} is for {ledger_hash}, not the draft's text {text_hash}; "
        "resubmit the draft",
    ),
    "PO09": ("unknown-claim", "{detail}"),
    "PO10": (
        "claim-rejected",
        "claim {key} was rejected; the writer must change its sentence before it can be decided again",
    ),
    "PO11": ("nothing-to-withdraw", "{reviewer!r} has no standing decision on claim {key} to withdraw"),
}


class PolicyError(EditorialError):
    """A decision the policy refuses: the rule's code, its name and a one-line message."""

    def __init__(self, code: str, message: str | None = None, **fields: Any) -> None:
        self.code = code
        self.rule, template = RULES[code]
        self.message = message if message is not None else template.format(**fields)
        super().__init__(f"{code} {self.rule}: {self.message}")

    def __reduce__(self) -> tuple[type[PolicyError], tuple[str, str]]:
        """Pickle as (code, message), so the error survives crossing a process boundary."""
        return (PolicyError, (self.code, self.message))


class CategoryRule(StrictModel):
    """Who may decide on one category of flags, and how many distinct approvals it needs."""

    roles: list[Role] = Field(min_length=1)
    approvals: int = Field(default=1, ge=1, le=10)


class Policy(StrictModel):
    """The organization's approval policy."""

    review_interval_months: int = Field(default=12, ge=1, le=120)
    default: CategoryRule = CategoryRule(roles=[Role.PHYSICIAN])
    categories: dict[FlagCategory, CategoryRule] = Field(default_factory=dict)

    def rule_for(self, category: FlagCategory | str) -> CategoryRule:
        """The rule of a category (the default rule when the category is not listed)."""
        return self.categories.get(FlagCategory(category), self.default)

    def approvals_needed(self, category: FlagCategory | str) -> int:
        """How many distinct people must approve a flag of this category."""
        return self.rule_for(category).approvals

    def deciding_role(self, person: Person, category: FlagCategory | str) -> Role | None:
        """The role under which `person` may decide on this category (policy order), or None."""
        return next((role for role in self.rule_for(category).roles if role in person.roles), None)


def default_policy_text() -> str:
    """The shipped policy file's text."""
    return resources.files("reviewers").joinpath("data/policy.yaml").read_text(encoding="utf-8")


def load_policy(text: str | None, path: str = POLICY_PATH) -> Policy:
    """The shipped policy, overridden by `text` (a `policy.yaml`) when given; raises `ConfigError`."""
    shipped = yaml.safe_load(default_policy_text())
    if text is None or not text.strip():
        return load_model(Policy, default_policy_text(), "reviewers/data/policy.yaml")
    load_model(Policy, text, path)  # the override checked on its own first, so errors name its lines
    overridden = yaml.safe_load(text)
    merged: dict[str, Any] = {**shipped, **{k: v for k, v in overridden.items() if k != "categories"}}
    merged["categories"] = {**shipped.get("categories", {}), **(overridden.get("categories") or {})}
    try:
        return Policy.model_validate(merged)
    except ValueError as exc:  # pragma: no cover - both halves were validated above
        raise ConfigError(path, str(exc)) from exc


def check_may_decide(
    reviewer_id: str,
    person: Person | None,
    category: FlagCategory | str,
    *,
    author: str,
    slug: str,
    policy: Policy,
    today: date,
) -> Role:
    """The role `person` decides under on a flag of `category`; raises `PolicyError` PO01-PO05.

    Checked in this order: on the roster, not the author, active, credential valid, role allowed.
    """
    if person is None:
        raise PolicyError("PO01", reviewer=reviewer_id)
    if person.id == author:
        raise PolicyError("PO04", reviewer=reviewer_id, slug=slug)
    if not person.active:
        raise PolicyError("PO02", reviewer=reviewer_id)
    if not person.credential_valid_on(today):
        raise PolicyError("PO03", reviewer=reviewer_id, today=today.isoformat(), until=person.verified_until)
    role = policy.deciding_role(person, category)
    if role is None:
        raise PolicyError(
            "PO05",
            reviewer=reviewer_id,
            roles=", ".join(person.roles),
            category=str(FlagCategory(category)),
            allowed=" or ".join(policy.rule_for(category).roles),
        )
    return role
