"""`editorial import`: a plain-text page to a draft (unit), and the command (CLI, files, bad input)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.cli.cmd_import import RefusedError, write_atomically
from validators.errors import InputError
from validators.importer import ImportedDraft, import_page, read_page, slugify
from validators.parser import parse_article
from validators.templates import Template, load_templates

DISCLAIMER = (
    "This is not a substitute for professional medical advice. Please consult with your physician "
    "before making any medical decision."
)

PAGE = f"""\
What is it?

Asthma is a disease of the airways. It makes breathing hard.

12 Members with Asthma

Hear from others
who live with asthma.

Signs and symptoms

Symptoms of asthma include:
- cough
• wheezing

Diagnosis of asthma uses a breathing test.

Popular posts

Treatment of asthma uses *inhalers* and <care> at 1. home.

🚑 {DISCLAIMER}

Our Community

Sign up
"""


@pytest.fixture(scope="module")
def template() -> Template:
    """The shipped condition template."""
    return load_templates()["condition"]


def notes(draft: ImportedDraft) -> list[tuple[str, int, str]]:
    """(code, page line, message) of each note."""
    return [(n.code, n.line, n.message) for n in draft.notes]


def test_a_page_becomes_a_draft(template: Template) -> None:
    draft = import_page(PAGE, "asthma.txt", template, author="wendy-writer")
    assert (
        draft.text
        == f"""\
---
title: Asthma
slug: asthma
type: condition
author: wendy-writer
sources: []
---

## What is it?

Asthma is a disease of the airways. It makes breathing hard.

## Signs & symptoms

Symptoms of asthma include:

- cough
- wheezing

## Diagnosis

Diagnosis of asthma uses a breathing test.

## Treatment

Treatment of asthma uses \\*inhalers\\* and \\<care> at 1. home.

{DISCLAIMER}
"""
    )
    assert notes(draft) == [
        ("IM04", 1, "slug 'asthma' derived from the title"),
        ("IM04", 1, "the page cites no sources: 'sources' is left empty (none are invented)"),
        ("IM04", 3, "title 'Asthma' taken from the subject of the first sentence"),
        ("IM02", 5, "dropped the site's text '12 Members with Asthma'"),
        ("IM02", 7, "dropped the site's text 'Hear from others who live with asthma.'"),
        ("IM01", 16, "inferred the heading 'Diagnosis' from 'Diagnosis of asthma uses a breathing te…'"),
        ("IM02", 18, "dropped the site's text 'Popular posts'"),
        ("IM01", 20, "inferred the heading 'Treatment' from 'Treatment of asthma uses *inhalers* and…'"),
        ("IM06", 22, "removed '🚑' before the disclaimer"),
        ("IM03", 24, "could not place 'Our Community' after the closing disclaimer: left out"),
        ("IM02", 26, "dropped the site's text 'Sign up'"),
    ]
    assert {n.severity.value for n in draft.notes} == {"info"}
    assert {n.path for n in draft.notes} == {"asthma.txt"}
    article = parse_article(draft.text, "asthma.md")
    assert article.parse_findings == []
    headings = [s.heading for s in article.sections]
    assert headings == ["What is it?", "Signs & symptoms", "Diagnosis", "Treatment"]


def test_options_win_over_the_page_and_aliases_come_from_additional_names(template: Template) -> None:
    page = (
        "Acne vulgaris\n\nWhat is it?\n\nIt is a skin problem.\n\nOther names\n\n"
        "- Pimples\n- Acne vulgaris\n- Zits\n"
    )
    draft = import_page(page, "p.txt", template, title="Acne", slug="acne-skin")
    assert draft.text.startswith(
        "---\ntitle: Acne\nslug: acne-skin\ntype: condition\naliases:\n- Pimples\n- Acne vulgaris\n- Zits\n"
        "sources: []\n---\n\n## What is it?\n\nIt is a skin problem.\n\n## Additional names\n\n- Pimples\n"
    )
    assert notes(draft) == [
        ("IM04", 1, "no author given: the draft has no 'author'"),
        ("IM04", 1, "the page cites no sources: 'sources' is left empty (none are invented)"),
        ("IM04", 9, "aliases taken from the 'Additional names' list: Pimples, Acne vulgaris, Zits"),
    ]


def test_title_from_the_first_line_then_the_file_name(template: Template) -> None:
    first_line = import_page("Acne Vulgaris\n\nWhat is it?\n\nIt is a skin problem.\n", "p.txt", template)
    assert (first_line.title, first_line.slug) == ("Acne Vulgaris", "acne-vulgaris")
    assert ("IM04", 1, "title 'Acne Vulgaris' taken from the page's first line") in notes(first_line)
    from_name = import_page("What is it?\n\nIt is a skin problem.\n", "skin_rash-page.txt", template)
    assert (from_name.title, from_name.slug) == ("skin rash page", "skin-rash-page")


def test_inference_needs_a_later_missing_section(template: Template) -> None:
    page = (
        "Treatment\n\nTreatment of it is rest.\n\nDiagnosis of it is by a test.\n\n"
        "Symptoms of flu are mild.\n"
    )
    draft = import_page(page, "p.txt", template, title="Flu")
    assert [n.code for n in draft.notes if n.code == "IM01"] == []
    kept = "## Treatment\n\nTreatment of it is rest.\n\nDiagnosis of it is by a test.\n\nSymptoms"
    assert kept in draft.text


def test_text_before_any_heading_goes_under_what_is_it_and_optional_sections_are_kept(
    template: Template,
) -> None:
    page = (
        "A rash is a change of the skin that is long enough to be no title at all, really.\n\n"
        "What is it?\n\nIt is a rash.\n\nCauses\n\n"
        "A virus causes the rash in most of the people who get it.\n"
    )
    draft = import_page(page, "p.txt", template, title="Rash")
    assert draft.text.endswith(
        "## What is it?\n\nA rash is a change of the skin that is long enough to be no title at all, "
        "really.\n\n"
        "It is a rash.\n\n## Causes\n\nA virus causes the rash in most of the people who get it.\n"
    )
    assert notes(draft) == [
        ("IM01", 1, "put the text before the first heading under 'What is it?'"),
        ("IM04", 1, "no author given: the draft has no 'author'"),
        ("IM04", 1, "slug 'rash' derived from the title"),
        ("IM04", 1, "the page cites no sources: 'sources' is left empty (none are invented)"),
    ]


def test_content_that_looks_like_navigation_is_kept(template: Template) -> None:
    page = "What is it?\n\n3 people with asthma in 10 have a cough.\n\nFree\n"
    draft = import_page(page, "p.txt", template, title="Asthma")
    assert "3 people with asthma in 10 have a cough." in draft.text
    assert [(n.code, n.line) for n in draft.notes if n.code == "IM02"] == [("IM02", 5)]


def test_markdown_in_plain_text_is_escaped(template: Template) -> None:
    page = "What is it?\n\n# not a heading\n> not a quote\nsee [x](y) & `z` a_b *c* <d> \\e \\*\n---\n"
    draft = import_page(page, "p.txt", template, title="T")
    body = draft.text.split("## What is it?\n\n", 1)[1]
    assert body == (
        "\\# not a heading\n\\> not a quote\nsee \\[x](y) & \\`z\\` a\\_b \\*c\\* \\<d> \\e \\\\\\*\n\\---\n"
    )
    from markdown_it import MarkdownIt

    assert MarkdownIt("commonmark").render(body) == (
        "<p># not a heading\n&gt; not a quote\nsee [x](y) &amp; `z` a_b *c* &lt;d&gt; \\e \\*\n---</p>\n"
    )


def test_ordered_lists_are_kept(template: Template) -> None:
    draft = import_page("Treatment\n\nSteps:\n1) rest\n2. drink\n", "p.txt", template, title="T")
    assert draft.text.endswith("## Treatment\n\nSteps:\n\n1. rest\n2. drink\n")


def test_slugify() -> None:
    assert slugify("Crohn’s disease: Überblick (2026)") == "crohns-disease-uberblick-2026"
    assert slugify("!!!") == ""
    assert len(slugify("word " * 60)) <= 100
    assert not slugify("word " * 60).endswith("-")


def test_a_bad_slug_is_refused(template: Template) -> None:
    with pytest.raises(ValueError, match="not a safe slug: 'Bad Slug'"):
        import_page("What is it?\n\nx\n", "p.txt", template, slug="Bad Slug")


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b"", "error E002 the file is empty (hint: give a page with the article's text)"),
        (b" \n\n", "error E002 the file is empty (hint: give a page with the article's text)"),
        (b"\x00\x01binary", "error E003 the file is binary, not text (hint: drafts are Markdown text files)"),
        (b"ok\n\xff\n", ":2: error E004 the file is not valid UTF-8 (byte 3) (hint: save the file as UTF-8)"),
    ],
)
def test_unusable_pages(tmp_path: Path, content: bytes, line: str) -> None:
    page = tmp_path / "page.txt"
    page.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_page(page)
    assert caught.value.format() == f"{page}{line}" if line.startswith(":") else f"{page}: {line}"


def test_missing_directory_and_oversized_pages(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="E011 no such file or directory"):
        read_page(tmp_path / "none.txt")
    with pytest.raises(InputError, match="E018 not a regular file \\(a directory\\)"):
        read_page(tmp_path)
    big = tmp_path / "big.txt"
    big.write_text("x" * 2048)
    with pytest.raises(InputError, match="E005 the file is larger than the 1 KiB cap"):
        read_page(big, max_bytes=1024)


# --- the command ---------------------------------------------------------------------------------


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A page in a temp working directory (printed paths are relative)."""
    from flows.settings import get_settings

    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    path = Path("asthma.txt")
    path.write_text(PAGE, encoding="utf-8")
    yield path
    get_settings.cache_clear()


def run_import(*args: str) -> tuple[int, str, str]:
    """Run `editorial import` in-process: (exit code, stdout, stderr)."""
    result = CliRunner().invoke(app, ["import", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_prints_the_draft_and_notes_apart(page: Path, template: Template) -> None:
    code, out, err = run_import(str(page), "--author", "wendy-writer")
    assert code == 0
    assert out == import_page(PAGE, "asthma.txt", template, author="wendy-writer").text
    assert (
        err
        == """\
asthma.txt:1:1: IM04 info slug 'asthma' derived from the title
    hint: give --slug to choose another
asthma.txt:1:1: IM04 info the page cites no sources: 'sources' is left empty (none are invented)
    hint: add the sources the article relies on under 'sources', or import with --source URL
asthma.txt:3:1: IM04 info title 'Asthma' taken from the subject of the first sentence
    hint: give --title to choose another
asthma.txt:5:1: IM02 info dropped the site's text '12 Members with Asthma'
asthma.txt:7:1: IM02 info dropped the site's text 'Hear from others who live with asthma.'
asthma.txt:16:1: IM01 info inferred the heading 'Diagnosis' from 'Diagnosis of asthma uses a breathing te…'
    hint: check that the paragraph starts the 'Diagnosis' section
asthma.txt:18:1: IM02 info dropped the site's text 'Popular posts'
asthma.txt:20:1: IM01 info inferred the heading 'Treatment' from 'Treatment of asthma uses *inhalers* and…'
    hint: check that the paragraph starts the 'Treatment' section
asthma.txt:22:1: IM06 info removed '🚑' before the disclaimer
asthma.txt:24:1: IM03 info could not place 'Our Community' after the closing disclaimer: left out
    hint: the disclaimer ends the article; move the text above it if it belongs to the article
asthma.txt:26:1: IM02 info dropped the site's text 'Sign up'
"""
    )


def test_cli_writes_a_file_and_never_overwrites_it(page: Path) -> None:
    code, out, err = run_import(str(page), "-o", "draft.md", "--author", "w")
    assert (code, out) == (0, "")
    assert err.endswith("asthma.txt: wrote draft.md (11 notes)\n")
    written = Path("draft.md").read_text(encoding="utf-8")
    assert written.startswith("---\ntitle: Asthma\n")

    Path("draft.md").write_text("my edits\n", encoding="utf-8")
    code, out, err = run_import(str(page), "-o", "draft.md")
    assert (code, out, err) == (
        1,
        "",
        "draft.md: error: the file exists; not overwriting it (use --force to replace it)\n",
    )
    assert Path("draft.md").read_text(encoding="utf-8") == "my edits\n"

    code, _, _ = run_import(str(page), "-o", "draft.md", "--author", "w", "--force")
    assert code == 0
    assert Path("draft.md").read_text(encoding="utf-8") == written
    assert sorted(p.name for p in Path().iterdir()) == ["asthma.txt", "draft.md"]  # no temp file left


def test_cli_writes_into_a_directory_as_slug_md(page: Path) -> None:
    Path("articles").mkdir()
    code, _, err = run_import(str(page), "-o", "articles", "--slug", "asthma-in-adults")
    assert code == 0
    assert err.endswith("wrote articles/asthma-in-adults.md (11 notes)\n")
    assert "slug: asthma-in-adults\n" in Path("articles/asthma-in-adults.md").read_text(encoding="utf-8")
    code, _, err = run_import(str(page), "-o", "articles", "--slug", "asthma-in-adults")
    assert code == 1
    assert err.endswith(
        "articles/asthma-in-adults.md: error: the file exists; not overwriting it "
        "(use --force to replace it)\n"
    )


def test_cli_creates_a_directory_named_with_a_trailing_slash(page: Path) -> None:
    code, _, err = run_import(str(page), "-o", "drafts/new/", "--author", "w")
    assert code == 0
    assert err.endswith("wrote drafts/new/asthma.md (11 notes)\n")
    assert Path("drafts/new/asthma.md").read_text(encoding="utf-8").startswith("---\ntitle: Asthma\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["asthma.txt", "-o", "drafts"],
            "drafts: error: a draft is a Markdown file: name it NAME.md, or end a directory's name with '/' "
            "to write DIR/<slug>.md\n",
        ),
        (["missing.txt"], "missing.txt: error E011 no such file or directory (hint: check the path)\n"),
        (
            ["empty.txt"],
            "empty.txt: error E002 the file is empty (hint: give a page with the article's text)\n",
        ),
        (
            ["asthma.txt", "--slug", "No Good"],
            "error: --slug 'No Good' is not a safe slug (lower-case words joined by hyphens)\n",
        ),
        (["asthma.txt", "--title", "  "], "error: --title is empty (give the article's title)\n"),
        (
            ["asthma.txt", "--type", "recipe"],
            f"error: no template for --type 'recipe' (known: {', '.join(sorted(load_templates()))})\n",
        ),
        (
            ["asthma.txt", "-o", "no/such/dir/x.md"],
            "no/such/dir/x.md: error: cannot write the draft: No such file or directory\n",
        ),
    ],
)
def test_cli_usage_and_input_errors(page: Path, args: list[str], message: str) -> None:
    Path("empty.txt").write_bytes(b"")
    code, out, err = run_import(*args)
    assert (code, out) == (2, "")
    assert err.endswith(message)
    assert "Traceback" not in err


def test_atomic_write_leaves_nothing_half_written(tmp_path: Path) -> None:
    target = tmp_path / "draft.md"
    target.write_text("before\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(target, "half \ud800 written", overwrite=True)
    assert target.read_text(encoding="utf-8") == "before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft.md"]
    with pytest.raises(RefusedError):
        write_atomically(target, "new\n", overwrite=False)
    assert target.read_text(encoding="utf-8") == "before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft.md"]
    fresh = tmp_path / "fresh.md"
    write_atomically(fresh, "new\n", overwrite=False)
    assert fresh.read_text(encoding="utf-8") == "new\n"
    assert oct(os.stat(fresh).st_mode & 0o777) == "0o644"
