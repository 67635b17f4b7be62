"""The roster: strict YAML, unique ids, identities and credentials."""

from __future__ import annotations

from datetime import date

import pytest
from review_fixtures import ROSTER_YAML, roster

from reviewers.roster import NameEmail, Role, load_roster
from validators.errors import ConfigError


def test_roster_reads_people_with_roles_and_credentials() -> None:
    people = roster()
    pat = people.get("pat-pharmacist")
    assert pat is not None
    assert pat.roles == [Role.PHARMACIST]
    assert pat.specialties == ["oncology"]
    assert pat.verified_until == date(2099, 6, 30)
    assert pat.active is True
    assert people.get("nobody") is None
    assert [p.id for p in people.with_role(Role.PHYSICIAN)] == [
        "doc-physician",
        "dana-physician",
        "old-doc",
        "phil-writer",
    ]


def test_identity_is_name_and_email() -> None:
    pat = roster().get("pat-pharmacist")
    assert pat is not None
    assert pat.identity() == NameEmail("Pat Pharmacist", "pat@example.org")


def test_credential_valid_through_its_last_day_only() -> None:
    pat = roster().get("pat-pharmacist")
    wendy = roster().get("wendy-writer")
    assert pat is not None and wendy is not None
    assert pat.credential_valid_on(date(2099, 6, 30)) is True
    assert pat.credential_valid_on(date(2099, 7, 1)) is False
    assert wendy.credential_valid_on(date(2020, 1, 1)) is False


def test_unknown_key_is_refused_with_allowed_keys_and_line() -> None:
    text = ROSTER_YAML.replace("    specialties: [oncology]\n", "    speciality: oncology\n")
    with pytest.raises(ConfigError) as caught:
        load_roster(text)
    assert str(caught.value) == (
        "roster.yaml:6: error E013 configuration error: people[1]: unknown key 'speciality' "
        "(allowed: id, name, email, roles, specialties, verified_until, active)"
    )


def test_duplicate_id_is_refused() -> None:
    text = (
        ROSTER_YAML
        + "  - id: pat-pharmacist\n    name: Pat Two\n    email: p2@example.org\n    roles: [nurse]\n"
    )
    with pytest.raises(ConfigError, match="duplicate id 'pat-pharmacist'"):
        load_roster(text)


def test_unknown_role_is_refused_naming_the_roles() -> None:
    text = ROSTER_YAML.replace("roles: [pharmacist]", "roles: [chemist]")
    with pytest.raises(ConfigError) as caught:
        load_roster(text)
    assert str(caught.value) == (
        "roster.yaml:9: error E013 configuration error: people[1].roles[0]: Input should be 'writer', "
        "'editor', 'physician', 'pharmacist', 'nurse', 'dietitian' or 'veterinarian'"
    )


def test_unknown_top_level_key_and_empty_file() -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'staff' \(allowed: people\)"):
        load_roster("staff: []\n")
    with pytest.raises(ConfigError, match="the file is empty"):
        load_roster("")
    with pytest.raises(ConfigError, match="anchors and aliases"):
        load_roster("people: &p []\n")
