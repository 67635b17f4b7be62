"""`editorial init` and `editorial roster ...`: a team's content repository, and who is on its desk.

`init DIR` creates the repository with `main` holding the roster (the first editor and their SSH key)
and the policy, both in one commit the editor signs, configures the remote and pushes. Every
`roster` subcommand is one commit on `main` signed by an editor's key (`--key`), so the roster's
history is checkable with plain git and the publish gate counts only editor-signed rosters.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from flows.cli.app import Exit, app
from flows.cli.common import REPO_HELP, fail, repo_of, reported_errors, say

if TYPE_CHECKING:
    from reviewers.roster import Person, Roster

roster_app = typer.Typer(help="Change the roster on main: each change is a commit signed by an editor.")
app.add_typer(roster_app, name="roster")

KEY_HELP = "The editor's SSH private key that signs the commit (its .pub beside it, or derivable)."


def public_key_of(private: Path) -> str:
    """The public key line of an SSH private key: its `.pub` file, else derived with ssh-keygen."""
    if not private.is_file():
        fail(f"{private}: no such key file (give the SSH private key, e.g. ~/.ssh/id_ed25519)")
    public = Path(f"{private}.pub")
    if public.is_file():
        return public.read_text(encoding="utf-8").strip()
    derived = subprocess.run(["ssh-keygen", "-y", "-f", str(private)], capture_output=True, text=True)
    if derived.returncode != 0:
        fail(f"{private}: not an SSH private key ssh-keygen can read ({derived.stderr.strip()})")
    return derived.stdout.strip()


@app.command("init")
def init_command(
    directory: Path = typer.Argument(..., help="Where to create the content repository (new or empty)."),
    editor: str = typer.Option(..., "--editor", help="The first editor's roster id, e.g. eve-editor."),
    name: str = typer.Option(..., "--name", help="The first editor's name."),
    email: str = typer.Option(..., "--email", help="The first editor's e-mail."),
    key: Path = typer.Option(..., "--key", help=KEY_HELP),
    remote: str | None = typer.Option(
        None, "--remote", help="URL of the shared remote (pushed to as origin)."
    ),
) -> None:
    """Create a content repository for a team: editor-signed roster and policy on main, the remote set."""
    from content_repo import ContentRepo, Identity, SigningKey
    from content_repo.layout import POLICY_PATH, ROSTER_PATH
    from reviewers.policy import default_policy_text
    from reviewers.roster import Person, Roster, roster_yaml
    from reviewers.roster import SigningKey as RosterKey

    if directory.exists() and any(directory.iterdir()):
        fail(f"{directory}: not empty; give a new or empty directory for the content repository")
    public = public_key_of(key)
    today = datetime.now(UTC).date()
    with reported_errors():
        try:
            first = Person(
                id=editor,
                name=name,
                email=email,
                roles=["editor"],
                keys=[RosterKey(key=public, valid_from=today)],
            )
        except ValueError as exc:
            fail(f"the first editor cannot be recorded: {exc}")
        roster = Roster(people=[first])
        signer = SigningKey(private_key=key.resolve())
        identity = Identity(name=name, email=email)
        with ContentRepo.init(directory) as repo:
            repo.write_path(
                ROSTER_PATH, roster_yaml(roster), identity, message="Roster: the first editor", signer=signer
            )
            repo.write_path(
                POLICY_PATH,
                default_policy_text(),
                identity,
                message="Policy: the shipped default",
                signer=signer,
            )
            if remote:
                repo.add_remote("origin", remote)
                repo.push("origin")
    say(f"{directory}: content repository ready; roster and policy on main, signed by {editor}")
    if remote:
        say(f"  pushed to origin ({remote})")
    say("Next:")
    say(f"  export EDITORIAL_REPO={directory.resolve()}")
    say(
        f"  editorial roster add wendy-writer --name 'Wendy Writer' --email w@example.org --role writer "
        f"--public-key wendy.pub --as {editor} --key {key}"
    )
    say(
        f"  editorial roster add doc-physician --name 'Doc Physician' --email d@example.org --role physician "
        f"--verified-until 2027-12-31 --public-key doc.pub --as {editor} --key {key}"
    )
    say(
        "  writers: editorial submit DRAFT.md --key THEIR_KEY; clinicians: editorial review / editorial serve"
    )


def change_roster(
    repo_path: Path, editor: str, key: Path, message: str, change: Callable[[Roster], Roster]
) -> None:
    """Apply `change(roster) -> roster` to the editor-verified roster and commit it signed by `key`."""
    from content_repo import SigningKey
    from content_repo.layout import ROSTER_PATH
    from flows.candidates import verified_rules
    from flows.context import identity_of, open_repo
    from reviewers.roster import RosterChangeError, roster_yaml

    with reported_errors(), open_repo(path=repo_path) as repo:
        _, roster, _ = verified_rules(repo)
        person = roster.get(editor)
        if person is None or "editor" not in person.roles or not person.active:
            fail(f"{editor!r} is not an active editor on the roster; only editors change it", Exit.FINDINGS)
        try:
            changed: Roster = change(roster)
        except (RosterChangeError, ValueError) as exc:
            fail(f"roster unchanged: {exc}", Exit.FINDINGS)
        current = repo.read_path(ROSTER_PATH)
        commit = repo.write_path(
            ROSTER_PATH,
            roster_yaml(changed),
            identity_of(person),
            message=f"Roster: {message}",
            expected_text=current,
            signer=SigningKey(private_key=key.resolve()),
        )
    from flows.sync import push_now

    warning = push_now(repo_path)
    say(f"roster: {message} (commit {commit.sha[:12]}, signed by {editor})")
    if warning:
        say(f"warning: {warning}", err=True)


def today() -> date:
    """Today's date in UTC."""
    return datetime.now(UTC).date()


@roster_app.command("add")
def roster_add(
    person_id: str = typer.Argument(..., help="The new person's roster id (lower-case-words)."),
    name: str = typer.Option(..., "--name"),
    email: str = typer.Option(..., "--email"),
    role: list[str] = typer.Option(..., "--role", help="writer, editor, physician, pharmacist, nurse..."),
    verified_until: str | None = typer.Option(None, "--verified-until", help="Credential verified until."),
    public_key: Path | None = typer.Option(None, "--public-key", help="Their SSH public key file (.pub)."),
    editor: str = typer.Option(..., "--as", help="Your roster id (an editor)."),
    key: Path = typer.Option(..., "--key", help=KEY_HELP),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """Add a person (with their signing key and credential date)."""
    from reviewers.roster import Person, SigningKey, add_person

    if public_key is not None and not public_key.is_file():
        fail(f"{public_key}: no such public key file (give the person's .pub file)")

    def change(roster: Roster) -> Roster:
        keys = []
        if public_key is not None:
            keys.append(SigningKey(key=public_key.read_text(encoding="utf-8").strip(), valid_from=today()))
        person: Person = Person.model_validate(
            {
                "id": person_id,
                "name": name,
                "email": email,
                "roles": role,
                "verified_until": verified_until,
                "keys": [k.model_dump() for k in keys],
            }
        )
        return add_person(roster, person)

    change_roster(repo_of(repo), editor, key, f"add {person_id} ({', '.join(role)})", change)


@roster_app.command("deactivate")
def roster_deactivate(
    person_id: str = typer.Argument(...),
    editor: str = typer.Option(..., "--as", help="Your roster id (an editor)."),
    key: Path = typer.Option(..., "--key", help=KEY_HELP),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """Deactivate a person: their approvals no longer count at publish."""
    from reviewers.roster import update_person

    change_roster(
        repo_of(repo),
        editor,
        key,
        f"deactivate {person_id}",
        lambda r: update_person(r, person_id, active=False),
    )


@roster_app.command("roles")
def roster_roles(
    person_id: str = typer.Argument(...),
    role: list[str] = typer.Option(..., "--role", help="The person's roles from now on (repeat)."),
    editor: str = typer.Option(..., "--as", help="Your roster id (an editor)."),
    key: Path = typer.Option(..., "--key", help=KEY_HELP),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """Set a person's roles."""
    from reviewers.roster import update_person

    change_roster(
        repo_of(repo),
        editor,
        key,
        f"{person_id} roles {', '.join(role)}",
        lambda r: update_person(r, person_id, roles=role),
    )


@roster_app.command("credential")
def roster_credential(
    person_id: str = typer.Argument(...),
    until: str = typer.Option(..., "--until", help="Credential verified until (YYYY-MM-DD)."),
    editor: str = typer.Option(..., "--as", help="Your roster id (an editor)."),
    key: Path = typer.Option(..., "--key", help=KEY_HELP),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """Record a clinician's verified credential date."""
    from reviewers.roster import update_person

    change_roster(
        repo_of(repo),
        editor,
        key,
        f"{person_id} verified until {until}",
        lambda r: update_person(r, person_id, verified_until=until),
    )


@roster_app.command("add-key")
def roster_add_key(
    person_id: str = typer.Argument(...),
    public_key: Path = typer.Option(..., "--public-key", help="The SSH public key file (.pub)."),
    editor: str = typer.Option(..., "--as", help="Your roster id (an editor)."),
    key: Path = typer.Option(..., "--key", help=KEY_HELP),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """Add a signing key to a person (key rotation: add the new one, then revoke the old)."""
    from reviewers.roster import SigningKey, add_key

    if not public_key.is_file():
        fail(f"{public_key}: no such public key file")
    line = public_key.read_text(encoding="utf-8").strip()
    change_roster(
        repo_of(repo),
        editor,
        key,
        f"{person_id} adds a key",
        lambda r: add_key(r, person_id, SigningKey(key=line, valid_from=today())),
    )


@roster_app.command("revoke-key")
def roster_revoke_key(
    person_id: str = typer.Argument(...),
    fingerprint: str = typer.Argument(..., help="The key's SHA256:... fingerprint (ssh-keygen -lf KEY.pub)."),
    compromised: bool = typer.Option(
        False, "--compromised", help="Nothing the key ever signed counts any more."
    ),
    editor: str = typer.Option(..., "--as", help="Your roster id (an editor)."),
    key: Path = typer.Option(..., "--key", help=KEY_HELP),
    repo: Path | None = typer.Option(None, "--repo", help=REPO_HELP),
) -> None:
    """Revoke a key from today (past signatures stand unless it is marked compromised)."""
    from reviewers.roster import revoke_key

    what = "compromised" if compromised else "revoked"
    change_roster(
        repo_of(repo),
        editor,
        key,
        f"{person_id} key {fingerprint} {what}",
        lambda r: revoke_key(r, person_id, fingerprint, today(), compromised=compromised),
    )
