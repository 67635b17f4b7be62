"""The roster: strict YAML, unique ids, identities and credentials."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest
from review_fixtures import ROSTER_YAML, roster

from reviewers.roster import NameEmail, Role, load_roster, ssh_fingerprint
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
        "(allowed: id, name, email, roles, specialties, verified_until, active, keys)"
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
    with pytest.raises(ConfigError, match=r"unknown key 'staff' \(allowed: people, services\)"):
        load_roster("staff: []\n")
    with pytest.raises(ConfigError, match="the file is empty"):
        load_roster("")
    with pytest.raises(ConfigError, match="anchors and aliases"):
        load_roster("people: &p []\n")


# --- signing keys -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def public_keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    """name -> (public key line, fingerprint as ssh-keygen prints it), for two real ed25519 keys."""
    directory = tmp_path_factory.mktemp("keys")
    found = {}
    for name in ("phil", "desk"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(directory / name)],
            check=True,
        )
        listed = subprocess.run(
            ["ssh-keygen", "-l", "-f", str(directory / f"{name}.pub")],
            check=True,
            capture_output=True,
            text=True,
        )
        found[name] = ((directory / f"{name}.pub").read_text().strip(), listed.stdout.split()[1])
    return found


def keyed_roster(phil_key: str, desk_key: str, phil_extra: str = "") -> str:
    """A roster with Phil's key (and extra key fields) and the web desk service."""
    return (
        "people:\n"
        "  - id: phil-physician\n    name: Phil Physician\n    email: phil@example.org\n"
        "    roles: [physician]\n    verified_until: 2099-12-31\n"
        f"    keys:\n      - key: {phil_key}\n        valid_from: 2026-01-01\n{phil_extra}"
        "services:\n  - id: web-desk\n    name: Editorial web desk\n    email: desk@example.org\n"
        f"    keys:\n      - key: {desk_key}\n        valid_from: 2026-01-01\n"
    )


def test_keys_are_found_by_the_fingerprint_git_reports(public_keys: dict[str, tuple[str, str]]) -> None:
    (phil_key, phil_print), (desk_key, desk_print) = public_keys["phil"], public_keys["desk"]
    roster = load_roster(keyed_roster(phil_key, desk_key))
    assert ssh_fingerprint(phil_key) == phil_print
    holder = roster.key_holder(phil_print)
    assert holder is not None and holder.holder.id == "phil-physician" and not holder.is_service
    service = roster.key_holder(desk_print)
    assert service is not None and service.holder.id == "web-desk" and service.is_service
    assert roster.key_holder("SHA256:nobody") is None


def test_a_key_signs_only_inside_its_window(public_keys: dict[str, tuple[str, str]]) -> None:
    phil_key, desk_key = public_keys["phil"][0], public_keys["desk"][0]
    extra = "        valid_until: 2026-12-31\n        revoked_on: 2026-11-01\n"
    key = load_roster(keyed_roster(phil_key, desk_key, extra)).people[0].keys[0]
    assert key.refusal_on(date(2025, 12, 31)) == "the key is valid only from 2026-01-01"
    assert key.refusal_on(date(2026, 10, 31)) is None
    assert key.refusal_on(date(2026, 11, 1)) == "the key was revoked on 2026-11-01"
    compromised = key.model_copy(update={"compromised": True, "revoked_on": None})
    assert compromised.refusal_on(date(2026, 6, 1)) == "the key is marked compromised in the roster"


def test_allowed_signers_lines_carry_the_window(public_keys: dict[str, tuple[str, str]]) -> None:
    phil_key, desk_key = public_keys["phil"][0], public_keys["desk"][0]
    extra = "        valid_until: 2026-12-31\n"
    lines = load_roster(keyed_roster(phil_key, desk_key, extra)).allowed_signers().splitlines()
    assert lines == [
        f'phil-physician namespaces="git",valid-after="20260101",valid-before="20270101" {phil_key}',
        f'web-desk namespaces="git",valid-after="20260101" {desk_key}',
    ]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("not-a-key", "expected an SSH public key line"),
        ("ssh-dss AAAAB3NzaC1kc3MAAACBAP", "key type 'ssh-dss' is not an SSH signing key type"),
        ("ssh-ed25519 AAAA!!!!", "the key's base64 part is damaged"),
        (
            "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIGJ1c3Q=",
            "the key says 'ssh-rsa' but its data is a 'ssh-ed25519' key",
        ),
    ],
)
def test_a_broken_key_line_is_refused_with_its_line(
    public_keys: dict[str, tuple[str, str]], key: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_roster(keyed_roster(key, public_keys["desk"][0]))
    assert str(caught.value).startswith(
        "roster.yaml:8: error E013 configuration error: people[0].keys[0].key: "
    )
    assert message in str(caught.value)


def test_one_key_listed_twice_is_refused(public_keys: dict[str, tuple[str, str]]) -> None:
    phil_key = public_keys["phil"][0]
    with pytest.raises(ConfigError, match="is listed twice \\(phil-physician and web-desk\\)"):
        load_roster(keyed_roster(phil_key, phil_key))
