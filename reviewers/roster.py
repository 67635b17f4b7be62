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
    keys:                        # SSH public keys that sign this person's commits (git's gpg.format=ssh)
      - key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... pat@laptop
        valid_from: 2026-01-01
        valid_until: 2027-12-31  # optional; inclusive
        revoked_on: 2026-09-01   # optional; signatures from this day on count for nothing
        compromised: false       # true: every signature by this key counts for nothing, past ones too
services:                        # signers that act on behalf of a logged-in clinician (the web desk)
  - id: web-desk
    name: Editorial web desk
    email: desk@example.org
    keys: [...]
```

Keys are never deleted: rotation adds a key and sets `revoked_on` on the old one, so the decisions
the old key signed before that day stay verifiable; `compromised: true` re-opens them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Iterator
from datetime import date, timedelta
from enum import StrEnum
from typing import NamedTuple

from pydantic import Field, field_validator, model_validator

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


SSH_KEY_TYPES = frozenset(
    {
        "ssh-ed25519",
        "ssh-rsa",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
    }
)


def ssh_key_blob(line: str) -> bytes:
    """The decoded key of an SSH public key line (`type base64 [comment]`); ValueError when it is not one."""
    parts = line.split()
    if len(parts) < 2:
        raise ValueError("expected an SSH public key line like 'ssh-ed25519 AAAAC3... name' (a .pub file)")
    kind, encoded = parts[0], parts[1]
    if kind not in SSH_KEY_TYPES:
        raise ValueError(
            f"key type {kind!r} is not an SSH signing key type ({', '.join(sorted(SSH_KEY_TYPES))})"
        )
    try:
        blob = base64.b64decode(encoded, validate=True)
        (length,) = struct.unpack(">I", blob[:4])
        inner = blob[4 : 4 + length].decode("ascii")
    except (binascii.Error, struct.error, UnicodeDecodeError) as exc:
        raise ValueError("the key's base64 part is damaged; paste the whole line of the .pub file") from exc
    if inner != kind:
        raise ValueError(f"the key says {kind!r} but its data is a {inner!r} key")
    return blob


def ssh_fingerprint(line: str) -> str:
    """The SHA256 fingerprint of an SSH public key line, as `ssh-keygen -l` and git print it."""
    digest = hashlib.sha256(ssh_key_blob(line)).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


class SigningKey(StrictModel):
    """One SSH public key a person signs with, and when it may sign."""

    key: str = Field(description="The public key line, as in the .pub file.")
    valid_from: date
    valid_until: date | None = Field(default=None, description="Last day the key may sign (inclusive).")
    revoked_on: date | None = Field(default=None, description="From this day on the key signs nothing.")
    compromised: bool = Field(default=False, description="True: nothing this key ever signed counts.")

    @field_validator("key")
    @classmethod
    def _is_an_ssh_public_key(cls, value: str) -> str:
        """Accept only a well-formed SSH public key line (type, base64, optional comment)."""
        ssh_key_blob(value)
        return " ".join(value.split())

    @model_validator(mode="after")
    def _window_is_ordered(self) -> SigningKey:
        """The validity window must not end before it starts."""
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError(f"valid_until {self.valid_until} is before valid_from {self.valid_from}")
        return self

    @property
    def fingerprint(self) -> str:
        """`SHA256:...`, as git reports the key that made a signature."""
        return ssh_fingerprint(self.key)

    def refusal_on(self, day: date) -> str | None:
        """Why this key could not sign on `day` (None when it could)."""
        if self.compromised:
            return "the key is marked compromised in the roster"
        if day < self.valid_from:
            return f"the key is valid only from {self.valid_from}"
        if self.valid_until is not None and day > self.valid_until:
            return f"the key expired after {self.valid_until}"
        if self.revoked_on is not None and day >= self.revoked_on:
            return f"the key was revoked on {self.revoked_on}"
        return None

    def allowed_signers_line(self, principal: str) -> str | None:
        """This key's line in a git allowed-signers file (None for a compromised key)."""
        if self.compromised:
            return None
        options = ['namespaces="git"', f'valid-after="{self.valid_from:%Y%m%d}"']
        # git's valid-before is exclusive: the day after the last day the key may sign.
        ends = [self.revoked_on] if self.revoked_on is not None else []
        if self.valid_until is not None:
            ends.append(self.valid_until + timedelta(days=1))
        if ends:
            options.append(f'valid-before="{min(ends):%Y%m%d}"')
        return f"{principal} {','.join(options)} {self.key}"


class Person(StrictModel):
    """One person on the roster."""

    id: str = Field(pattern=SLUG_PATTERN, description="Stable roster id, e.g. pat-pharmacist.")
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^<>\r\n\x00]+$")
    email: str = Field(pattern=r"^[^@\s<>]+@[^@\s<>]+$")
    roles: list[Role] = Field(min_length=1)
    specialties: list[str] = Field(default_factory=list)
    verified_until: date | None = Field(default=None, description="Credential verified until (inclusive).")
    active: bool = True
    keys: list[SigningKey] = Field(default_factory=list)

    def identity(self) -> NameEmail:
        """The name/email pair recorded as author or committer of this person's commits."""
        return NameEmail(self.name, self.email)

    def credential_valid_on(self, day: date) -> bool:
        """True when the credential was verified and the verification has not expired on `day`."""
        return self.verified_until is not None and day <= self.verified_until


class Service(StrictModel):
    """A signer that records decisions on behalf of an authenticated clinician (the web desk)."""

    id: str = Field(pattern=SLUG_PATTERN, description="Stable id, e.g. web-desk.")
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^<>\r\n\x00]+$")
    email: str = Field(pattern=r"^[^@\s<>]+@[^@\s<>]+$")
    active: bool = True
    keys: list[SigningKey] = Field(min_length=1)

    def identity(self) -> NameEmail:
        """The name/email pair recorded for this service's commits."""
        return NameEmail(self.name, self.email)


class KeyHolder(NamedTuple):
    """Whose a key is: a person or a service, and the roster's entry for the key."""

    holder: Person | Service
    key: SigningKey

    @property
    def is_service(self) -> bool:
        """True for a service signer (the web desk)."""
        return isinstance(self.holder, Service)


class Roster(StrictModel):
    """Everyone on the desk and the services that sign for them; ids and keys are unique."""

    people: list[Person] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)

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

    @model_validator(mode="after")
    def _keys_and_ids_are_unique(self) -> Roster:
        """One key belongs to one holder; a service id is not also a person's id."""
        people = {p.id for p in self.people}
        for service in self.services:
            if service.id in people:
                raise ValueError(f"service id {service.id!r} is also a person's id; give it its own id")
        seen: dict[str, str] = {}
        for holder_id, key in self._all_keys():
            owner = seen.get(key.fingerprint)
            if owner is not None:
                raise ValueError(
                    f"the key {key.fingerprint} is listed twice ({owner} and {holder_id}); "
                    "every key belongs to one holder, listed once"
                )
            seen[key.fingerprint] = holder_id
        return self

    def holders(self) -> list[Person | Service]:
        """Everyone who may hold keys: the people, then the services."""
        return [*self.people, *self.services]

    def _all_keys(self) -> Iterator[tuple[str, SigningKey]]:
        for holder in self.holders():
            for key in holder.keys:
                yield holder.id, key

    def key_holder(self, fingerprint: str) -> KeyHolder | None:
        """The person or service the key with this fingerprint belongs to, or None."""
        for holder in self.holders():
            for key in holder.keys:
                if key.fingerprint == fingerprint:
                    return KeyHolder(holder, key)
        return None

    def service(self, service_id: str) -> Service | None:
        """The service signer with this id, or None."""
        return next((s for s in self.services if s.id == service_id), None)

    def allowed_signers(self) -> str:
        """A git allowed-signers file for every key (principal = roster id), so plain git verifies."""
        lines = [
            line
            for holder_id, key in self._all_keys()
            if (line := key.allowed_signers_line(holder_id)) is not None
        ]
        return "".join(line + "\n" for line in lines)

    def get(self, person_id: str) -> Person | None:
        """The person with this id, or None."""
        return next((p for p in self.people if p.id == person_id), None)

    def with_role(self, role: Role) -> list[Person]:
        """Active people holding `role`."""
        return [p for p in self.people if p.active and role in p.roles]


def load_roster(text: str, path: str = ROSTER_PATH) -> Roster:
    """Read a roster strictly (unknown keys and duplicate ids refused); raises `ConfigError`."""
    return load_model(Roster, text, path)


# --- changes to the roster (each becomes an editor-signed commit on main) ---------------------------


class RosterChangeError(ValueError):
    """A roster change that cannot be made (unknown person, duplicate id, unknown key)."""


def roster_yaml(roster: Roster) -> str:
    """The roster file's text (written by `editorial roster`; every change is a signed commit)."""
    from validators.datafile import dump_yaml

    header = "# Who writes, who reviews, who edits, and the keys that sign their commits.\n"
    return header + dump_yaml(roster.model_dump(mode="json", exclude_defaults=True))


def _person(roster: Roster, person_id: str) -> Person:
    found = roster.get(person_id)
    if found is None:
        raise RosterChangeError(f"no {person_id!r} on the roster (editorial roster add {person_id} ...)")
    return found


def _replace(roster: Roster, person: Person) -> Roster:
    people = [person if p.id == person.id else p for p in roster.people]
    return Roster.model_validate({**roster.model_dump(), "people": [p.model_dump() for p in people]})


def add_person(roster: Roster, person: Person) -> Roster:
    """The roster with a new person (ids and keys stay unique)."""
    if roster.get(person.id) is not None:
        raise RosterChangeError(f"{person.id!r} is already on the roster")
    data = roster.model_dump()
    data["people"] = [*data["people"], person.model_dump()]
    return Roster.model_validate(data)


def update_person(roster: Roster, person_id: str, **changes: object) -> Roster:
    """The roster with one person's fields changed (roles, active, verified_until...)."""
    person = _person(roster, person_id)
    return _replace(roster, Person.model_validate({**person.model_dump(), **changes}))


def add_key(roster: Roster, person_id: str, key: SigningKey) -> Roster:
    """The roster with one more signing key for a person."""
    person = _person(roster, person_id)
    return _replace(roster, person.model_copy(update={"keys": [*person.keys, key]}))


def revoke_key(roster: Roster, person_id: str, fingerprint: str, on: date, *, compromised: bool) -> Roster:
    """The roster with a person's key revoked from `on` (and marked compromised: nothing it signed counts)."""
    person = _person(roster, person_id)
    if not any(k.fingerprint == fingerprint for k in person.keys):
        known = ", ".join(k.fingerprint for k in person.keys) or "none"
        raise RosterChangeError(f"{person_id!r} has no key {fingerprint} (keys: {known})")
    keys = [
        k.model_copy(update={"revoked_on": on, "compromised": compromised or k.compromised})
        if k.fingerprint == fingerprint
        else k
        for k in person.keys
    ]
    return _replace(roster, person.model_copy(update={"keys": keys}))
