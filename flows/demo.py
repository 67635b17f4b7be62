"""`editorial demo`: the whole journey of one article, from a scraped page to a reviewed commit on main.

In a directory it creates (default `./demo`): a content repository `content/` with a bare remote
`remote.git`, SSH signing keys in `keys/` (made with ssh-keygen, never in `~/.ssh`), a roster the demo
editor signs listing a writer, a physician and a pharmacist with their keys, and the seed page imported
as a draft. Every submission and decision is signed with its maker's key; the log shows the signatures
and the run ends with `editorial verify`'s verdict. The writer submits it (the findings and the
claims, sentences a clinician must check, are shown); the pharmacist approves the claims about
medicines; the writer fixes what the findings ask and resubmits (the decisions on unchanged sentences
carry over); the physician approves the claims still waiting; `publish_approved` publishes and pushes.
The published article and the remote's `git log` with its review trailers and signatures are printed
last.

Submitting and publishing run as the real flows on Prefect's embedded API (nothing to start); the
clinicians' decisions are direct calls, as on the web desk. A directory that exists and was not made
by this demo is never touched.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flows.submit import SubmissionResult
from reviewers.ledger import DecisionInput, Verdict
from validators.errors import EditorialError

DEMO_MARKER = ".editorial-demo"
# The real condition page the demo imports (a copy of ../shared/seeds/000_99ab3368ff8432a6.txt, shipped
# in the package so a user's clone has it).
PACKAGED_SEED = Path(__file__).parent / "data" / "seed_page.txt"

WRITER = "demo-writer"
PHYSICIAN = "demo-physician"
PHARMACIST = "demo-pharmacist"
EDITOR = "demo-editor"
DESK_SERVICE = "web-desk"  # the web desk's service signer (EDITORIAL_DESK_KEY=<demo>/keys/web-desk)
EDITOR_NAME, EDITOR_EMAIL = "Demo Editor", "editor@demo.example.org"
DEMO_SOURCE = "MedlinePlus Genetics: Mastocytosis (https://medlineplus.gov/genetics/condition/mastocytosis/)"

# The writer's revision: what the first submission's findings ask for, done as a person would do it.
SLIP_FIXES: tuple[tuple[str, str, str], ...] = (
    ("TY03", "round- cell", "round-cell"),  # a hyphen followed by a space
    ("TY02", "tissue trauma Mast cells", "tissue trauma. Mast cells"),  # a missing full stop
)

Say = Callable[[str], None]


class DemoRefused(EditorialError):
    """The demo directory cannot be used (it holds something the demo did not make)."""


@dataclass(frozen=True)
class DemoResult:
    """Where the demo left things."""

    directory: Path
    content: Path
    remote: Path
    slug: str
    published_commit: str
    reviewers: list[str]


def seed_page() -> Path:
    """The seed page shipped in the package."""
    return PACKAGED_SEED


def prepare_directory(directory: Path) -> None:
    """Create `directory`, or empty it when an earlier demo made it; refuse anything else."""
    if directory.exists() and not directory.is_dir():
        raise DemoRefused(f"{directory}: exists and is not a directory; give another DIR")
    if directory.is_dir() and any(directory.iterdir()):
        if not (directory / DEMO_MARKER).is_file():
            raise DemoRefused(
                f"{directory}: exists and was not made by `editorial demo`; give an empty or new DIR"
            )
        for child in directory.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    directory.mkdir(parents=True, exist_ok=True)
    marker = "made by `editorial demo`; rerunning the demo replaces this directory\n"
    (directory / DEMO_MARKER).write_text(marker, encoding="utf-8")


def make_keys(directory: Path) -> dict[str, Path]:
    """An SSH signing key per demo person in `directory` (never in ~/.ssh): id -> private key file."""
    import subprocess

    directory.mkdir(parents=True, exist_ok=True)
    keys: dict[str, Path] = {}
    for person in (EDITOR, WRITER, PHYSICIAN, PHARMACIST, DESK_SERVICE):
        path = directory / person
        try:
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{person}@demo", "-f", str(path)],
                check=True,
                capture_output=True,
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            raise DemoRefused(
                f"cannot make the demo's signing keys with ssh-keygen (install OpenSSH): {exc}"
            ) from exc
        keys[person] = path
    return keys


def roster_text(today: datetime, keys: dict[str, Path]) -> str:
    """The demo roster: editor, writer, physician, pharmacist and the web desk service, each with a key.

    Credentials and keys are valid from today for a year.
    """
    since, until = today.date().isoformat(), (today + timedelta(days=365)).date().isoformat()

    def key_of(person: str) -> str:
        public = Path(f"{keys[person]}.pub").read_text(encoding="utf-8").strip()
        return (
            f"    keys:\n      - key: {public}\n        valid_from: {since}\n        valid_until: {until}\n"
        )

    return (
        "# The demo desk: who writes and who reviews, and the keys that sign their commits.\n"
        "people:\n"
        f"  - id: {EDITOR}\n    name: {EDITOR_NAME}\n    email: {EDITOR_EMAIL}\n    roles: [editor]\n"
        + key_of(EDITOR)
        + f"  - id: {WRITER}\n    name: Demo Writer\n    email: writer@demo.example.org\n"
        "    roles: [writer]\n"
        + key_of(WRITER)
        + f"  - id: {PHYSICIAN}\n    name: Dr. Demo Physician\n    email: physician@demo.example.org\n"
        f"    roles: [physician]\n    verified_until: {until}\n"
        + key_of(PHYSICIAN)
        + f"  - id: {PHARMACIST}\n    name: Demo Pharmacist\n    email: pharmacist@demo.example.org\n"
        f"    roles: [pharmacist]\n    verified_until: {until}\n"
        + key_of(PHARMACIST)
        + "services:  # signs decisions made on the web desk, on behalf of the logged-in clinician\n"
        f"  - id: {DESK_SERVICE}\n    name: Demo web desk\n    email: desk@demo.example.org\n"
        + key_of(DESK_SERVICE)
    )


def revise(text: str, source: str = DEMO_SOURCE) -> tuple[str, list[str]]:
    """The writer's revision of the imported draft (cite a source, fix the slips) and its edits."""
    edits: list[str] = []
    if "sources: []" in text:
        text = text.replace("sources: []", f'sources:\n- "{source}"', 1)
        edits.append(f"SL03: front matter 'sources:' now cites \"{source}\"")
    for code, slip, fix in SLIP_FIXES:
        if slip in text:
            text = text.replace(slip, fix, 1)
            edits.append(f"{code}: '{slip}' -> '{fix}'")
    return text, edits


def show_submission(say: Say, result: SubmissionResult) -> None:
    """Print a submission's status, its findings (with fixes) and its claims."""
    ledger = result.ledger
    status = result.status.value
    say(f"  saved on drafts/{result.slug} as commit {result.commit[:12]}: status [bold]{status}[/]")
    rule_findings = [f for f in result.findings if f.code != "TM01"]
    say(f"  findings ({len(result.errors)} error(s), {len(rule_findings) - len(result.errors)} other):")
    for finding in rule_findings:
        say(f"    line {finding.line}: {finding.code} {finding.severity.value} {finding.message}")
        if finding.hint:
            say(f"      fix: {finding.hint}")
    if not rule_findings:
        say("    none")
    carried = set(ledger.carried_over)
    say(
        f"  claims: {len(ledger.claims)} sentence(s) a clinician must check "
        f"({len(result.pending_keys)} pending, {len(carried)} carried over unchanged):"
    )
    for claim in ledger.claims:
        note = " (carried over)" if claim.key in carried else ""
        terms = ", ".join(f"{f.term} ({f.category.value})" for f in claim.flags if f.needs_approval)
        say(f"    {claim.key[:8]}  line {claim.line:>2}  {claim.status.value:<8} {terms}{note}")
    if ledger.shown:
        shown = sorted({f.normalized for f in ledger.shown})
        say(f"    shown only, no decision needed ({len(shown)}): {', '.join(shown)}")


def decisions_for(result: SubmissionResult, person_id: str, content: Path) -> list[DecisionInput]:
    """Approvals for every claim waiting for this clinician under the roster and policy."""
    from flows.context import load_policy_from, load_roster_from, open_repo
    from reviewers.desk import waiting_for

    with open_repo(path=content) as repo:
        person = load_roster_from(repo).get(person_id)
        policy = load_policy_from(repo)
    assert person is not None
    return [
        DecisionInput(key=claim.key, verdict=Verdict.APPROVE)
        for claim in waiting_for(result.ledger, person, policy, datetime.now(UTC))
    ]


DESK_PASSWORDS = {PHYSICIAN: "demo-physician-password", PHARMACIST: "demo-pharmacist-password"}


def desk_accounts(directory: Path, now: datetime) -> Path:
    """The web desk's accounts for the demo clinicians, in `directory/desk` (the desk's data dir)."""
    from flows.web.accounts import AccountStore
    from flows.web.config import ACCOUNTS_FILE

    data_dir = directory / "desk"
    data_dir.mkdir(parents=True, exist_ok=True)
    store = AccountStore(data_dir / ACCOUNTS_FILE)
    for person, password in DESK_PASSWORDS.items():
        store.add(person, password, now)
    return data_dir


def desk_handover(directory: Path, content: Path, draft: SubmissionResult, now: datetime, say: Say) -> None:
    """The demo's last step with `--for-desk`: accounts for the clinicians and how to start the desk."""
    data_dir = desk_accounts(directory, now)
    say(
        f"\n[bold]6. The draft waits for the clinicians on the web desk[/] "
        f"({len(draft.pending_keys)} claim(s))"
    )
    for person, password in DESK_PASSWORDS.items():
        say(f"  desk account {person} / password {password}")
    say("  Start the desk, log in as a clinician, decide the claims on the article page, then publish:")
    say(f"    export EDITORIAL_DESK_DIR={data_dir} EDITORIAL_DESK_KEY={directory / 'keys' / 'web-desk'}")
    say(f"    .venv/bin/editorial serve --repo {content}     # http://127.0.0.1:8400/")
    say(f"    .venv/bin/editorial publish --repo {content}   # in another shell, once approved")


def run_demo(directory: Path, say: Say, *, for_desk: bool = False) -> DemoResult | None:
    """Run the whole demo in `directory`, narrating each step through `say` (rich markup).

    With `for_desk`, stop once the writer's revised draft waits for the clinicians, and make the web
    desk's accounts for them: the clinicians then decide on the desk (`editorial serve`).
    """
    from rich.markup import escape

    from content_repo import ContentRepo, Identity, SigningKey
    from content_repo.layout import ROSTER_PATH
    from flows.publish import publish_approved
    from flows.review_actions import record_decisions
    from flows.submit import submit_draft
    from validators.importer import import_page, read_page
    from validators.templates import load_templates

    started = time.monotonic()

    def step(title: str) -> None:
        say(f"\n[bold]{title}[/] [dim](at {time.monotonic() - started:.1f} s)[/]")

    directory = directory.resolve()
    content, remote, drafts = directory / "content", directory / "remote.git", directory / "drafts"
    now = datetime.now(UTC)

    step("1. A content repository with a bare remote, signing keys and a roster the editor signs")
    prepare_directory(directory)
    keys = make_keys(directory / "keys")

    def signer(person: str) -> SigningKey:
        return SigningKey(private_key=keys[person])

    ContentRepo.init(remote, bare=True).close()
    with ContentRepo.init(content) as repo:
        repo.add_remote("origin", str(remote))
        editor = Identity(name=EDITOR_NAME, email=EDITOR_EMAIL)
        repo.write_path(
            ROSTER_PATH,
            roster_text(now, keys),
            editor,
            message="Add the demo roster",
            signer=signer(EDITOR),
        )
        repo.push("origin")
    say(f"  {content} (remote: {remote})")
    say(f"  signing keys in {keys[EDITOR].parent} (ed25519, made with ssh-keygen; never in ~/.ssh)")
    say(
        f"  roster.yaml on main, signed by {EDITOR}: {WRITER} (writer), {PHYSICIAN} (physician), "
        f"{PHARMACIST} (pharmacist), each with their public key"
    )

    step("2. Import the seed page as a draft")
    page = seed_page()
    imported = import_page(read_page(page), page, load_templates(None)["condition"], author=WRITER)
    drafts.mkdir()
    draft_path = drafts / f"{imported.slug}.md"
    draft_path.write_text(imported.text, encoding="utf-8")
    say(f"  {page.name} -> {draft_path.relative_to(directory)} ({len(imported.notes)} import note(s))")

    step(f"3. {WRITER} submits the draft (flow submit_draft)")
    first = submit_draft(draft_path, repo_path=content, key=keys[WRITER])
    show_submission(say, first)

    step(f"4. {PHARMACIST} approves the claims about medicines (a direct call, as on the desk)")
    pharmacist_decisions = [] if for_desk else decisions_for(first, PHARMACIST, content)
    if for_desk:
        say("  left for the web desk")
    elif pharmacist_decisions:
        outcome = record_decisions(
            content, first.slug, PHARMACIST, pharmacist_decisions, signer=signer(PHARMACIST)
        )
        say(
            f"  {len(outcome.decided)} approval(s) recorded as commit {outcome.commit[:12]}: "
            f"status {outcome.status.value}"
        )
    else:
        say("  no claim for a pharmacist in this draft")

    step(f"5. {WRITER} fixes what the findings ask, and resubmits")
    revised, edits = revise(imported.text)
    for edit in edits:
        say(f"  edit {edit}")
    draft_path.write_text(revised, encoding="utf-8")
    second = submit_draft(draft_path, repo_path=content, key=keys[WRITER])
    show_submission(say, second)
    if for_desk:
        desk_handover(directory, content, second, now, say)
        return None

    step(f"6. {PHYSICIAN} approves the claims still waiting (a direct call, as on the desk)")
    physician_decisions = decisions_for(second, PHYSICIAN, content)
    if physician_decisions:
        outcome = record_decisions(
            content, second.slug, PHYSICIAN, physician_decisions, signer=signer(PHYSICIAN)
        )
        say(
            f"  {len(outcome.decided)} approval(s) recorded as commit {outcome.commit[:12]}: "
            f"status {outcome.status.value}"
        )

    step("7. The scheduler publishes what is approved (flow publish_approved)")
    report = publish_approved(repo_path=content, remote="origin")
    for item in report.drafts:
        detail = item.tag if item.tag else item.reason
        say(f"  {item.slug}: {item.outcome.value} ({detail})")
    say(f"  pushed to {remote}: {'yes' if report.pushed else 'no'}")
    if not report.published:
        raise DemoRefused("the demo article was not published: " + "; ".join(d.reason for d in report.held))

    step("8. The published article on the remote's main")
    with ContentRepo.open(remote) as published_repo:
        text = published_repo.read(second.slug) or ""
        history = published_repo.history(second.slug)
    for line in text.splitlines():
        say(f"  | {escape(line)}")

    step(
        f"9. git log of the remote's main with signatures "
        f"(as `git -C {remote} log --show-signature` shows it)"
    )
    from flows.verify import audit, governance_of

    with ContentRepo.open(remote) as published_repo:
        current = governance_of(published_repo).current
        allowed = current.roster.allowed_signers() if current is not None else ""
        signatures = published_repo.signatures([c.sha for c in history], allowed_signers=allowed)
        audited = audit(published_repo)
    (directory / "allowed_signers").write_text(allowed, encoding="utf-8")
    for commit in history:
        say(f"  [yellow]commit {commit.sha}[/]")
        facts = signatures.get(commit.sha)
        if facts is not None and facts.good:
            say(
                f'  Good "git" signature for {facts.principal or "an unknown key"} '
                f"with key {facts.fingerprint}"
            )
        else:
            say(f"  ({facts.status if facts else 'unsigned'}: the pipeline's own commit)")
        say(f"  Author: {commit.author.format()}")
        say(f"  Date:   {commit.authored_at.isoformat()}")
        for line in commit.message.strip().splitlines():
            say(f"      {escape(line)}")
        say("")
    published = report.published[0]
    reviewers = [v for c in history for v in c.trailers.get("Reviewed-by", []) if c.sha == published.commit]
    elapsed = time.monotonic() - started
    say(
        f"\n[bold]Done in {elapsed:.0f} s.[/] {second.slug} is published as {published.tag}, "
        f"reviewed by {', '.join(reviewers)}."
    )
    verdict = "every published version verifies" if audited.ok else "verification FAILED"
    say(f"editorial verify --all: {verdict} (allowed signers for plain git: {directory / 'allowed_signers'})")
    say(f"Look around: git -C {content} log --all --oneline --graph")
    say(
        f"             git -C {remote} -c gpg.ssh.allowedSignersFile={directory / 'allowed_signers'} "
        "log --show-signature"
    )
    return DemoResult(
        directory=directory,
        content=content,
        remote=remote,
        slug=second.slug,
        published_commit=published.commit or "",
        reviewers=reviewers,
    )
