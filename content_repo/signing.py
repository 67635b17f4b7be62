"""Signing commits with SSH keys and reading who signed them, with git's own signing.

A commit is signed by `git commit-tree -S` with `gpg.format=ssh` and `user.signingkey` set for
that one command (an explicit private key file), or with the user's own git signing configuration
(their key or agent) when no key file is given. Keys never have to live in `~/.ssh`.

Reading signatures is one `git log --no-walk` for any number of commits. Each commit's facts are
what git and `ssh-keygen` established: whether the signature is cryptographically good for the
commit as it is, the SHA256 fingerprint of the key that made it, and (when an allowed-signers file
is given) the principal that file names for the key. Whether that key belonged to the right
person at that time is the roster's question (`reviewers.verification`), decided on fingerprints.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from content_repo.errors import GitError, SigningError
from content_repo.plumbing import GitFailure, git_environment, run_git

SignatureStatus = Literal["good", "bad", "unsigned", "unverifiable"]

# git's %G? letters: G good (key in the allowed signers), U good (key not listed), B bad,
# X/Y expired signature/key, R revoked key, E cannot be checked, N no signature.
_STATUS: dict[str, SignatureStatus] = {
    "G": "good",
    "U": "good",
    "B": "bad",
    "R": "bad",
    "X": "unverifiable",
    "Y": "unverifiable",
    "E": "unverifiable",
    "N": "unsigned",
}
CACHE_FILE = "editorial-signatures"  # in the git directory: facts of commits already checked
_FIELD = "%x1f"
_RECORD = "%x1e"


class SigningKey(BaseModel):
    """How to sign: an SSH private key file, or (None) the user's git signing configuration or agent."""

    model_config = ConfigDict(frozen=True)

    private_key: Path | None = None

    def git_options(self) -> list[str]:
        """`-c` options for git that select this key for `commit-tree -S`."""
        if self.private_key is None:
            return []
        return ["-c", "gpg.format=ssh", "-c", f"user.signingkey={self.private_key}"]

    def describe(self) -> str:
        """What signs, for messages: the key file, or the git configuration."""
        return str(self.private_key) if self.private_key else "the git signing configuration"


class SignatureFacts(BaseModel):
    """Who signed one commit, as git verifies it (fingerprint `SHA256:...`; principal from the file)."""

    model_config = ConfigDict(frozen=True)

    sha: str
    status: SignatureStatus
    fingerprint: str | None = None
    principal: str | None = None
    committed_at: datetime

    @property
    def good(self) -> bool:
        """True when the signature is cryptographically valid for this commit as it is."""
        return self.status == "good" and bool(self.fingerprint)


def signer_for(repository: Path, key: Path | None) -> SigningKey | None:
    """The key to sign with: `key` (a private key file), else git's `user.signingkey` for `repository`.

    `repository` is a work tree or a git directory. None when neither is set (the commit is then
    made unsigned, and a signed desk will not count it).
    """
    if key is not None:
        path = key.expanduser()
        if not path.is_file():
            raise SigningError(str(key), "no such private key file (make one with ssh-keygen -t ed25519)")
        return SigningKey(private_key=path.resolve())
    configured = _git_config(repository, "user.signingkey")
    if not configured:
        return None
    if (_git_config(repository, "gpg.format") or "openpgp") != "ssh":
        raise SigningError(configured, "git's gpg.format is not 'ssh'; set it with git config gpg.format ssh")
    return SigningKey()


def _git_config(repository: Path, name: str) -> str | None:
    """A git configuration value as seen from `repository` (its own, the user's, the system's)."""
    done = subprocess.run(
        ["git", "-C", str(repository), "config", "--get", name],
        capture_output=True,
        env=git_environment(),
        check=False,
    )
    value = done.stdout.decode("utf-8", "replace").strip()
    return value if done.returncode == 0 and value else None


def sign_commit_args(key: SigningKey, tree: str, parents: Sequence[str]) -> list[str]:
    """The git arguments that write a signed commit of `tree` (message on stdin)."""
    args = [*key.git_options(), "commit-tree", "-S", tree]
    for parent in parents:
        args += ["-p", parent]
    return args


def read_signatures(
    git_dir: Path, shas: Sequence[str], *, allowed_signers: str | None = None
) -> dict[str, SignatureFacts]:
    """The signature facts of each commit in `shas`, by sha (one git process for all of them).

    `allowed_signers` is the text of an allowed-signers file (`principal key` lines); without it
    an empty one is used, so good signatures still report their key's fingerprint. Those facts never
    change for a commit (it is named by its hash), so they are kept in the git directory
    (`editorial-signatures`) and a commit is checked by ssh-keygen once per repository.
    """
    unique = list(dict.fromkeys(shas))
    if not unique:
        return {}
    cached = _load_cache(git_dir) if allowed_signers is None else {}
    facts = {sha: cached[sha] for sha in unique if sha in cached}
    missing = [sha for sha in unique if sha not in facts]
    if missing:
        fresh = _verify(git_dir, missing, allowed_signers)
        facts.update(fresh)
        if allowed_signers is None:
            _store_cache(git_dir, [f for f in fresh.values() if f.status != "unverifiable"])
    return {sha: facts[sha] for sha in unique if sha in facts}


def _verify(git_dir: Path, shas: Sequence[str], allowed_signers: str | None) -> dict[str, SignatureFacts]:
    """Ask git (and through it ssh-keygen) for each commit's signature facts."""
    with tempfile.TemporaryDirectory(prefix="editorial-signers-") as directory:
        signers = Path(directory) / "allowed_signers"
        signers.write_text(allowed_signers or "", encoding="utf-8")
        fields = _FIELD.join(["%H", "%G?", "%GF", "%GS", "%ct"])
        try:
            out = run_git(
                git_dir,
                [
                    "-c",
                    f"gpg.ssh.allowedSignersFile={signers}",
                    "log",
                    "--no-walk=unsorted",
                    f"--format={fields}{_RECORD}",
                    "--stdin",
                ],
                input="".join(sha + "\n" for sha in shas).encode("ascii"),
                timeout=600,
            )
        except GitFailure as exc:
            raise GitError("log --show-signature", exc.stderr) from exc
    facts: dict[str, SignatureFacts] = {}
    for record in out.decode("utf-8", "replace").split("\x1e"):
        parts = record.strip("\n").split("\x1f")
        if len(parts) != 5:
            continue
        sha, letter, fingerprint, principal, stamp = parts
        facts[sha] = SignatureFacts(
            sha=sha,
            status=_STATUS.get(letter, "unverifiable"),
            fingerprint=fingerprint or None,
            principal=principal or None,
            committed_at=datetime.fromtimestamp(int(stamp or 0), UTC),
        )
    return facts


_CACHE: dict[Path, tuple[int, dict[str, SignatureFacts]]] = {}
_CACHEABLE: dict[str, SignatureStatus] = {"good": "good", "bad": "bad", "unsigned": "unsigned"}


def _cache_path(git_dir: Path) -> Path:
    return git_dir / CACHE_FILE


def _load_cache(git_dir: Path) -> dict[str, SignatureFacts]:
    """The cached facts of this repository (re-read only when the file grew)."""
    path = _cache_path(git_dir)
    try:
        size = path.stat().st_size
    except OSError:
        return {}
    known = _CACHE.get(path)
    if known is not None and known[0] == size:
        return known[1]
    facts: dict[str, SignatureFacts] = {}
    try:
        lines = path.read_text(encoding="ascii", errors="replace").splitlines()
    except OSError:
        return {}
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 4 or len(parts[0]) != 40 or parts[1] not in _CACHEABLE or not parts[3].isdigit():
            continue  # a torn or foreign line: that commit is simply checked again
        sha, status, fingerprint, stamp = parts
        facts[sha] = SignatureFacts(
            sha=sha,
            status=_CACHEABLE[status],
            fingerprint=None if fingerprint == "-" else fingerprint,
            committed_at=datetime.fromtimestamp(int(stamp), UTC),
        )
    _CACHE[path] = (size, facts)
    return facts


def _store_cache(git_dir: Path, facts: Sequence[SignatureFacts]) -> None:
    """Append facts to the cache in one write (a read-only repository is simply not cached)."""
    lines = "".join(
        f"{f.sha} {f.status} {f.fingerprint or '-'} {int(f.committed_at.timestamp())}\n"
        for f in facts
        if f.status in _CACHEABLE and " " not in (f.fingerprint or "")
    )
    if not lines:
        return
    with contextlib.suppress(OSError), _cache_path(git_dir).open("a", encoding="ascii") as handle:
        handle.write(lines)
