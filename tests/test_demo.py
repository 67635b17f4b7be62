"""`editorial demo`: the whole journey in a temp directory, and the directories it refuses to touch."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app


@pytest.mark.slow
@pytest.mark.prefect
def test_demo_runs_end_to_end(tmp_path: Path, prefect_harness: None) -> None:
    target = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", str(target)])
    assert result.exit_code == 0, result.output + (result.stderr or "")
    out = result.stdout
    assert "3. demo-writer submits the draft" in out
    assert "status needs_changes" in out  # the imported page cites no source
    assert "carried over unchanged" in out
    assert "published (published/malignant-mast-cell-tumor/v1)" in out
    remote = target / "remote.git"
    log_format = "--format=%s%n%(trailers:key=Reviewed-by,valueonly)"
    log = subprocess.run(
        ["git", "--git-dir", str(remote), "log", "-1", log_format, "main"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert log[0] == "Publish malignant-mast-cell-tumor v1"
    assert "Dr. Demo Physician <physician@demo.example.org>" in log[1:]
    assert (target / ".editorial-demo").is_file()
    # Signed with keys made in the demo directory; the log shows them; the audit holds.
    assert sorted(p.name for p in (target / "keys").iterdir()) == [
        f"{who}{ext}"
        for who in ("demo-editor", "demo-pharmacist", "demo-physician", "demo-writer", "web-desk")
        for ext in ("", ".pub")
    ]
    assert 'Good "git" signature for demo-physician with key SHA256:' in out
    assert 'Good "git" signature for demo-writer with key SHA256:' in out
    assert "editorial verify --all: every published version verifies" in out
    shown = subprocess.run(
        [
            "git",
            "--git-dir",
            str(remote),
            "-c",
            f"gpg.ssh.allowedSignersFile={target / 'allowed_signers'}",
            "log",
            "-1",
            "--show-signature",
            "main^2",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert 'Good "git" signature for demo-physician' in shown


def test_demo_refuses_a_directory_it_did_not_make(tmp_path: Path) -> None:
    precious = tmp_path / "work"
    precious.mkdir()
    (precious / "notes.md").write_text("mine\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["demo", str(precious)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"editorial: error: {precious}: exists and was not made by `editorial demo`; give an empty or new DIR"
    )
    assert [p.name for p in precious.iterdir()] == ["notes.md"]


def test_prepare_directory_replaces_an_earlier_demo(tmp_path: Path) -> None:
    from flows.demo import DEMO_MARKER, prepare_directory

    target = tmp_path / "demo"
    prepare_directory(target)
    (target / "content").mkdir()
    (target / "content" / "file").write_text("old", encoding="utf-8")
    prepare_directory(target)
    assert sorted(p.name for p in target.iterdir()) == [DEMO_MARKER]


def test_revision_fixes_what_the_findings_ask() -> None:
    from flows.demo import DEMO_SOURCE, revise

    text = "---\nsources: []\n---\n\nA round- cell tumor. Tissue trauma Mast cells grow.\n"
    revised, edits = revise(text.replace("Tissue", "tissue"))
    assert revised == (
        f'---\nsources:\n- "{DEMO_SOURCE}"\n---\n\nA round-cell tumor. tissue trauma. Mast cells grow.\n'
    )
    assert [e.split(":")[0] for e in edits] == ["SL03", "TY03", "TY02"]
