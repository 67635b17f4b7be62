"""The roster: who writes and who reviews, kept as `roster.yaml` on the content repository's main.

```yaml
people:
  - id: pat-pharmacist
    name: Pat Pharmacist
    email: pat@example.org
    roles: [pharmacist]
    specialties: [oncology]
    verified_until: 2027-06-30   # credential verified until (clinicians)
    active: true
```
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import NamedTuple

from pydantic import Field, field_validator

from reviewers.datafile import StrictModel, load_model
from validators.models import SLUG_PATTERN

ROSTER_PATH = "roster.yaml"


class Role(StrEnum):
    """What a person does on the desk; the policy says which roles may approve which flags."""

    WRITER = "writer"
    EDITOR = "editor"
    PHYSICIAN = "physician"
    PHARMACIST = "pharmacist"
    NURSE = "nurse"
    DIETITIAN = "dietitian"
    VETERINARIAN = "veterinarian"


class NameEmail(NamedTuple):
    """A person's name and email, as a git identity needs them (flows turn it into `Identity`)."""

    name: str
    email: str


class Person(StrictModel):
    """One person on the roster."""

    id: str = Field(pattern=SLUG_PATTERN, description="Stable roster id, e.g. pat-pharmacist.")
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^<>\r\n\x00]+$")
    email: str = Field(pattern=r"^[^@\s<>]+@[^@\s<>]+$")
    roles: list[Role] = Field(min_length=1)
    specialties: list[str] = Field(default_factory=list)
    verified_until: date | None = Field(default=None, description="Credential verified until (inclusive).")
    active: bool = True

    def identity(self) -> NameEmail:
        """The name/email pair recorded as author or committer of this person's commits."""
        return NameEmail(self.name, self.email)

    def credential_valid_on(self, day: date) -> bool:
        """True when the credential was verified and the verification has not expired on `day`."""
        return self.verified_until is not None and day <= self.verified_until


class Roster(StrictModel):
    """Everyone on the desk; ids are unique."""

    people: list[Person] = Field(default_factory=list)

    @field_validator("people")
    @classmethod
    def _ids_are_unique(cls, people: list[Person]) -> list[Person]:
        """Refuse two people with the same id."""
        seen: set[str] = set()
        for person in people:
            if person.id in seen:
                raise ValueError(f"duplicate id {person.id!r}: every person needs their own id")
            seen.add(person.id)
        return people

    def get(self, person_id: str) -> Person | None:
        """The person with this id, or None."""
        return next((p for p in self.people if p.id == person_id), None)

    def with_role(self, role: Role) -> list[Person]:
        """Active people holding `role`."""
        return [p for p in self.people if p.active and role in p.roles]


def load_roster(text: str, path: str = ROSTER_PATH) -> Roster:
    """Read a roster strictly (unknown keys and duplicate ids refused); raises `ConfigError`."""
    return load_model(Roster, text, path)
