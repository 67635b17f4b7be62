"""What signed approvals cost: signing each commit, and replaying every draft's signed history at publish.

Run: .venv/bin/python benchmarks/bench_signing.py [--drafts 100]

In a real content repository with a roster the editor signed (real ed25519 keys, made in a temp dir):
1. Writing: `--drafts` submissions and one decision commit each, signed (writer's and physician's
   keys, `git commit-tree -S`), against the same commits unsigned (loose objects written in-process),
   measured in the same run.
2. Verifying: what the publish run adds per run: the roster's signed history verified once, then
   each draft's commits read with their signatures (one `git log` for all of a draft's commits) and
   replayed through the desk's `decide`; against reading each draft once (`read_draft`, what the
   publish run does anyway), measured in the same run. Measured twice: the first run checks each
   signature with ssh-keygen, the next finds the facts in the repository's signature cache.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")

from content_repo import ContentRepo, Identity, SigningKey
from reviewers.desk import decide
from reviewers.flags import FlagCategory
from reviewers.ledger import Claim, ClaimFlag, DecisionInput, ReviewLedger, Verdict, claim_key
from reviewers.policy import load_policy
from reviewers.roster import load_roster
from reviewers.verification import replay_draft, verify_governance
from validators.frontmatter import text_content_hash
from validators.parser import parse_article

EDITOR = Identity(name="Ed Editor", email="ed@example.org")
WRITER = Identity(name="Wendy Writer", email="wendy@example.org")
PHYSICIAN = Identity(name="Phil Physician", email="phil@example.org")
SENTENCE = "Take 500 mg of ibuprofen every 8 hours with food."


def make_key(directory: Path, name: str) -> tuple[Path, str]:
    """An ed25519 key pair: (private key file, public key line)."""
    path = directory / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path)], check=True)
    return path, Path(f"{path}.pub").read_text().strip()


def roster_yaml(keys: dict[str, str]) -> str:
    """The roster: editor, writer, physician with their keys."""
    people = [("ed-editor", "Ed Editor", "ed@example.org", "editor", "")]
    people.append(("wendy-writer", "Wendy Writer", "wendy@example.org", "writer", ""))
    people.append(
        ("phil-physician", "Phil Physician", "phil@example.org", "physician", ", verified_until: 2099-12-31")
    )
    lines = ["people:"]
    for pid, name, email, role, extra in people:
        lines.append(
            f"  - {{id: {pid}, name: {name}, email: {email}, roles: [{role}]{extra}, "
            f"keys: [{{key: '{keys[pid]}', valid_from: 2026-01-01}}]}}"
        )
    return "\n".join(lines) + "\n"


def article(index: int) -> tuple[str, str]:
    """(slug, text) of a small article with one claim."""
    slug = f"condition-{index:04d}"
    text = (
        f"---\ntitle: Condition {index}\nslug: {slug}\ntype: condition\nauthor: wendy-writer\n---\n\n"
        f"## Treatment\n\n{SENTENCE}\n"
    )
    return slug, text


def ledger_for(slug: str, text: str, now: datetime) -> ReviewLedger:
    """The submission's ledger: one pending claim on the dosage sentence."""
    start = text.index(SENTENCE)
    flag = ClaimFlag(
        term="500 mg",
        normalized="500 mg",
        category=FlagCategory.DOSAGE,
        start=start + 5,
        end=start + 11,
        line=9,
        column=6,
        needs_approval=True,
    )
    claim = Claim(key=claim_key(SENTENCE), sentence=SENTENCE, line=9, flags=[flag])
    return ReviewLedger(
        slug=slug, content_hash=text_content_hash(text), author="wendy-writer", opened_at=now, claims=[claim]
    )


def write_drafts(
    repo: ContentRepo, count: int, writer: SigningKey | None, physician: SigningKey | None
) -> float:
    """Submit and approve `count` drafts (two commits each); seconds taken."""
    roster = load_roster(repo.read_path("roster.yaml") or "people: []\n")
    policy = load_policy(None)
    started = time.perf_counter()
    for index in range(count):
        slug, text = article(index)
        now = datetime.now(UTC)
        ledger = ledger_for(slug, text, now)
        repo.save_draft(
            parse_article(text, f"{slug}.md"), WRITER, ledger_text=ledger.to_yaml(), signer=writer
        )
        decided = decide(
            ledger,
            [DecisionInput(key=ledger.claims[0].key, verdict=Verdict.APPROVE)],
            "phil-physician",
            roster,
            policy,
            now,
            text_hash=ledger.content_hash,
        )
        repo.record_review(
            slug, decided.after.to_yaml(), PHYSICIAN, message=f"Review {slug}", signer=physician
        )
    return time.perf_counter() - started


def main() -> None:
    """Run both measurements and print the times and ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--drafts", type=int, default=100)
    count = parser.parse_args().drafts
    with tempfile.TemporaryDirectory(prefix="bench-signing-") as temp:
        root = Path(temp)
        files, public = {}, {}
        for name in ("ed-editor", "wendy-writer", "phil-physician"):
            files[name], public[name] = make_key(root, name)
        signed_repo = ContentRepo.init(root / "signed.git", bare=True)
        plain_repo = ContentRepo.init(root / "plain.git", bare=True)
        editor = SigningKey(private_key=files["ed-editor"])
        for repo in (signed_repo, plain_repo):
            repo.write_path("roster.yaml", roster_yaml(public), EDITOR, message="Roster", signer=editor)
        signed = write_drafts(
            signed_repo,
            count,
            SigningKey(private_key=files["wendy-writer"]),
            SigningKey(private_key=files["phil-physician"]),
        )
        unsigned = write_drafts(plain_repo, count, None, None)
        commits = 2 * count
        print(
            f"write {commits} draft commits: signed {signed:.2f} s ({1000 * signed / commits:.1f} ms each), "
            f"unsigned {unsigned:.2f} s ({1000 * unsigned / commits:.2f} ms each); "
            f"ratio {signed / unsigned:.1f}x"
        )

        slugs = [article(i)[0] for i in range(count)]
        started = time.perf_counter()
        for slug in slugs:
            signed_repo.read_draft(slug)
        floor = time.perf_counter() - started
        started = time.perf_counter()
        governance = verify_governance(signed_repo.governance_history())
        verified = sum(
            1 for slug in slugs if replay_draft(signed_repo.draft_history(slug), governance).verified
        )
        replay = time.perf_counter() - started
        assert verified == count, f"only {verified} of {count} drafts verified"
        started = time.perf_counter()  # the next publish run: signature facts come from the cache
        governance = verify_governance(signed_repo.governance_history())
        again = sum(1 for slug in slugs if replay_draft(signed_repo.draft_history(slug), governance).verified)
        cached = time.perf_counter() - started
        assert again == count
        print(
            f"verify {count} drafts at publish: {replay:.2f} s ({1000 * replay / count:.1f} ms a draft); "
            f"reading them {floor:.3f} s; ratio {replay / floor:.0f}x the read floor"
        )
        print(
            f"verify them again (next run, signatures cached): {cached:.2f} s "
            f"({1000 * cached / count:.1f} ms a draft); ratio {cached / floor:.0f}x the read floor"
        )
        signed_repo.close()
        plain_repo.close()


if __name__ == "__main__":
    main()
