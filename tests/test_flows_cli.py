"""The flow commands' user-facing behaviour: one clear line and exit 2 for mistakes, 1 for errors found."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_flows_pipeline import FIXTURE_ARTICLE, SLUG, make_site, write_draft
from typer.testing import CliRunner

from flows.cli import app


def test_submit_of_a_missing_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    content, _ = make_site(tmp_path / "site")
    missing = tmp_path / "nope.md"
    result = CliRunner().invoke(app, ["submit", str(missing), "--repo", str(content)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{missing}: error E011 no such file or directory (hint: check the path) (nothing submitted)\n"
    )
    assert result.stdout == ""


def test_submit_without_a_repository_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["submit", str(FIXTURE_ARTICLE), "--repo", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "no content repository there (pass --repo DIR or set EDITORIAL_REPO)" in result.stderr


def test_check_corpus_of_a_missing_directory(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check-corpus", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("not a directory (give the folder of drafts to check)")


@pytest.mark.slow
@pytest.mark.prefect
def test_submit_then_publish_from_the_cli(tmp_path: Path, prefect_harness: None) -> None:
    content, _ = make_site(tmp_path / "site")
    text = FIXTURE_ARTICLE.read_text(encoding="utf-8").replace("author: wendy-writer", "author: nobody")
    draft = write_draft(tmp_path / "a", text)
    refused = CliRunner().invoke(app, ["submit", str(draft), "--repo", str(content)])
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"{draft}: error author 'nobody' is not on the roster (roster.yaml on main) "
        "(hint: use your roster id, or ask an editor to add you to roster.yaml)\n"
    )

    bad = FIXTURE_ARTICLE.read_text(encoding="utf-8").replace(
        'sources:\n  - "Merck Veterinary Manual: Mast cell tumors"\n', "sources: []\n"
    )
    saved = CliRunner().invoke(app, ["submit", str(write_draft(tmp_path / "b", bad)), "--repo", str(content)])
    assert saved.exit_code == 1  # saved, but it needs changes
    assert f"saved on drafts/{SLUG}" in saved.stdout and "needs changes" in saved.stdout
    assert "SL03 error the article lists no sources" in saved.stdout

    published = CliRunner().invoke(app, ["publish", "--repo", str(content)])
    assert published.exit_code == 0, published.stderr
    assert f"{SLUG}: held back errors: 1 error finding(s) (SL03)" in published.stdout
    assert "0 published, 1 held back; pushed to origin" in published.stdout


def test_embedded_api_settings_turn_heartbeats_off_only_without_a_server() -> None:
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    from flows.tasks import embedded_api_settings

    with temporary_settings(updates={PREFECT_API_URL: None}):
        default = get_current_settings().flows.heartbeat_frequency
        assert default is not None
        with embedded_api_settings():
            assert get_current_settings().flows.heartbeat_frequency is None
        assert get_current_settings().flows.heartbeat_frequency == default
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:4200/api"}), embedded_api_settings():
        assert get_current_settings().flows.heartbeat_frequency == default
