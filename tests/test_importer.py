"""`editorial import`: a plain-text page to a draft (unit), and the command (CLI, files, bad input)."""

from __future__ import annotations

import json
import os
import sys
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


# --- real sites' headings, sub-headings, chrome, HTML ---------------------------------------------

CONDITION_SECTIONS = [
    "What is it?",
    "Additional names",
    "Causes",
    "Risk factors",
    "Signs & symptoms",
    "Complications",
    "Diagnosis",
    "Treatment",
    "Prevention",
    "Outlook",
    "Living with it",
    "When to see a doctor",
]


@pytest.mark.parametrize(
    ("heading", "section"),
    [
        ("How is acromegaly diagnosed?", "Diagnosis"),
        ("What causes acromegaly?", "Causes"),
        ("What Are the Signs and Symptoms of Pleurisy?", "Signs & symptoms"),
        ("Who is at risk?", "Risk factors"),
        ("Symptoms of asthma", "Signs & symptoms"),
        ("Overview", "What is it?"),
        ("Summary", "What is it?"),
        ("Description", "What is it?"),
        ("Diagnosis & Management", "Treatment"),
        ("Seeing your GP", "When to see a doctor"),
        ("How are the symptoms of gout treated?", "Treatment"),
        ("Causes and risk factors", "Causes"),
        ("Is there any treatment?", "Treatment"),
        ("What is the prognosis?", "Outlook"),
        ("Can gout be prevented?", "Prevention"),
        ("Is Wolfram syndrome inherited?", "Causes"),
        ("What is Whipple's disease?", "What is it?"),
        ("Living with diabetes", "Living with it"),
        ("How common is gout?", None),
        ("What genes are related to Frasier syndrome?", "Causes"),
        ("How do people inherit Frasier syndrome?", "Causes"),
        ("Where can I find information about diagnosis or management of gout?", "Treatment"),
        ("Is genetic testing available for gout?", "Diagnosis"),
        ("What is the long-term outlook for people with gout?", "Outlook"),
        ("What is chelation therapy?", "Treatment"),
        ("Check if it's gout", "Signs & symptoms"),
        ("How gout is diagnosed", "Diagnosis"),
        ("What is the liver?", None),
        ("What research is being done?", None),
        ("Points to Remember", None),
    ],
)
def test_headings_real_sites_use_name_house_sections(heading: str, section: str | None) -> None:
    from validators.headings import classify_heading

    found = classify_heading(heading, CONDITION_SECTIONS)
    assert (found.section if found else None) == section


def test_a_sentence_heading_needs_the_stricter_sentence_patterns() -> None:
    from validators.headings import classify_heading

    def named(text: str) -> str | None:
        found = classify_heading(text, CONDITION_SECTIONS, sentence=True)
        return found.section if found else None

    assert named("Being female can increase the risk of developing gallbladder cancer.") == "Risk factors"
    assert named("Tests that examine the skin are used to detect (find) and diagnose it.") == "Diagnosis"
    assert named("Gallbladder cancer is difficult to detect (find) and diagnose early.") is None


QUESTION_PAGE = """\
Acromegaly

What is acromegaly?

Acromegaly is a hormonal disorder. It happens when the pituitary gland makes too much growth hormone.

Outlook

Most people do well with treatment.

How is acromegaly diagnosed?

A blood test measures growth hormone.

Blood Tests

The doctor checks IGF-1 levels.

What causes acromegaly?

A benign tumor of the pituitary gland causes most cases.

Other symptoms include

- headaches
- joint pain

How is acromegaly treated?

Surgery removes the tumor.
"""


def test_question_headings_become_house_sections_and_other_headings_sub_headings(template: Template) -> None:
    draft = import_page(
        QUESTION_PAGE, "acromegaly.txt", template, author="w", sources=["https://example.org/a"]
    )
    assert draft.text == (
        "---\ntitle: Acromegaly\nslug: acromegaly\ntype: condition\nauthor: w\n"
        "sources:\n- https://example.org/a\n---\n\n"
        "## What is it?\n\nAcromegaly is a hormonal disorder. It happens when the pituitary gland makes too "
        "much growth hormone.\n\n### Outlook\n\nMost people do well with treatment.\n\n"
        "## Causes\n\nA benign tumor of the pituitary gland causes most cases.\n\n"
        "Other symptoms include\n\n- headaches\n- joint pain\n\n"
        "## Diagnosis\n\nA blood test measures growth hormone.\n\n"
        "### Blood Tests\n\nThe doctor checks IGF-1 levels.\n\n"
        "## Treatment\n\nSurgery removes the tumor.\n"
    )
    assert [(n.code, n.line) for n in draft.notes if n.code in ("IM05", "IM07", "IM08")] == [
        ("IM07", 3),
        ("IM08", 3),
        ("IM05", 7),  # "Outlook" inside "What is acromegaly?" on a page headed by questions
        ("IM07", 11),
        ("IM07", 19),
        ("IM07", 28),
    ]
    assert "'How is acromegaly diagnosed?' became '## Diagnosis'" in [n.message for n in draft.notes]
    assert not any("sources" in n.message for n in draft.notes)


KEY_POINTS_PAGE = """\
Gallbladder Cancer

General Information About Gallbladder Cancer

Key Points

- Gallbladder cancer is a disease in which malignant cells form in the gallbladder.
- Being female can increase the risk of developing gallbladder cancer.
- Tests that examine the gallbladder are used to detect (find) and diagnose gallbladder cancer.

Gallbladder cancer is a disease in which malignant cells form in the gallbladder.

The gallbladder is a small organ under the liver.

Being female can increase the risk of developing gallbladder cancer.

Anything that increases your chance of getting a disease is called a risk factor.

Tests that examine the gallbladder are used to detect (find) and diagnose gallbladder cancer.

An ultrasound exam makes pictures of the gallbladder.
"""


def test_key_points_repeated_as_headings_start_their_sections(template: Template) -> None:
    draft = import_page(KEY_POINTS_PAGE, "gallbladder.txt", template, author="w")
    headings = [line for line in draft.text.splitlines() if line.startswith("#")]
    assert headings == [
        "## What is it?",
        "### Key Points",
        "### Gallbladder cancer is a disease in which malignant cells form in the gallbladder.",
        "## Risk factors",
        "### Being female can increase the risk of developing gallbladder cancer.",
        "## Diagnosis",
        "### Tests that examine the gallbladder are used to detect (find) and diagnose gallbladder cancer.",
    ]
    assert "The gallbladder is a small organ under the liver." in draft.text


CHROME_PAGE = """\
Gout

Español

On this page

- Symptoms
- Treatment

Symptoms

Gout causes sudden joint pain.

Figure 1: A swollen big toe

Treatment

Rest and medicines help.

Page last reviewed: 12 March 2024

Share this page

This is not a substitute for professional medical advice. Please consult with your physician before \
making any medical decision.

Gout is common in older men. It is also seen in women after menopause. Doctors see it often.
"""


def test_chrome_is_dropped_and_listed_and_article_text_is_never_dropped(template: Template) -> None:
    draft = import_page(CHROME_PAGE, "gout.txt", template, author="w")
    for chrome in ("Español", "On this page", "- Symptoms\n- Treatment", "last reviewed", "Share this"):
        assert chrome not in draft.text
    assert [(n.code, n.line, n.severity.value) for n in draft.notes if n.code in ("IM02", "IM03")] == [
        ("IM02", 3, "info"),
        ("IM02", 5, "info"),
        ("IM02", 7, "info"),
        ("IM02", 20, "info"),
        ("IM02", 22, "info"),
        ("IM03", 26, "warning"),
    ]
    assert "Figure 1: A swollen big toe\n" in draft.text  # a caption is text, never a heading
    assert draft.text.endswith(
        "## Text the import could not place\n\n"
        "Gout is common in older men. It is also seen in women after menopause. Doctors see it often.\n\n"
        f"{DISCLAIMER}\n"
    )


HTML_PAGE = """\
<!DOCTYPE html>
<html><head><title>Behçet's disease - Health site</title><script>var x = "<p>no</p>";</script></head>
<body>
<header><nav><a href="/">Home</a> <a href="/es">Español</a></nav></header>
<main>
<h1>Behçet&#39;s disease</h1>
<p>Behçet&#39;s disease is a rare condition that causes inflammation of blood vessels.</p>
<div class="share-bar"><a>Share on Facebook</a></div>
<h2>Symptoms of Behçet&#39;s disease</h2>
<p>The main symptoms are:</p>
<ul><li>mouth ulcers</li><li>genital ulcers</li></ul>
<h3>Eye problems</h3>
<p>Eyes can become <em>red</em> and painful.</p>
<h2>Treatment</h2>
<p>Medicines can control the symptoms.</p>
<script>trackPage("treatment");</script>
<table><tr><th>Medicine</th><th>Use</th></tr>
<tr><td>Colchicine</td><td>mouth ulcers</td></tr></table>
</main>
<footer>© Health site 2024</footer>
</body></html>
"""


def test_a_page_saved_as_html_is_read_without_its_chrome(template: Template) -> None:
    draft = import_page(HTML_PAGE, "behcets.html", template, author="w")
    assert draft.slug == "behcets-disease"
    assert draft.text == (
        "---\ntitle: Behçet's disease\nslug: behcets-disease\ntype: condition\nauthor: w\n"
        "sources: []\n---\n\n## What is it?\n\n"
        "Behçet's disease is a rare condition that causes inflammation of blood vessels.\n\n"
        "## Signs & symptoms\n\nThe main symptoms are:\n\n- mouth ulcers\n- genital ulcers\n\n"
        "### Eye problems\n\nEyes can become red and painful.\n\n"
        "## Treatment\n\nMedicines can control the symptoms.\n\n"
        "| Medicine | Use |\n|---|---|\n| Colchicine | mouth ulcers |\n"
    )
    dropped = [n.message for n in draft.notes if n.code == "IM02"]
    assert dropped == [
        "dropped the page's <header> (site chrome) 'Home Español'",
        "dropped the page's <div share> (site chrome) 'Share on Facebook'",
        "dropped the page's <footer> (site chrome) '© Health site 2024'",
    ]


def test_slugs_are_clean() -> None:
    assert slugify("Behçet's disease") == "behcets-disease"
    assert slugify("Whipple's Disease") == "whipples-disease"


def test_cli_imports_several_pages_and_directories_into_a_directory(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "acromegaly.txt").write_text(QUESTION_PAGE, encoding="utf-8")
    (pages / "behcets.html").write_text(HTML_PAGE, encoding="utf-8")
    (pages / "notes.md").write_text("not a page", encoding="utf-8")
    (pages / "empty.txt").write_text("", encoding="utf-8")
    out = tmp_path / "drafts"
    code, stdout, err = run_import(
        str(pages), "-o", f"{out}/", "--author", "w", "--source", "https://x.org/p"
    )
    assert code == 2, err
    assert stdout == ""
    assert sorted(p.name for p in out.iterdir()) == ["acromegaly.md", "behcets-disease.md"]
    assert "sources:\n- https://x.org/p\n" in (out / "acromegaly.md").read_text(encoding="utf-8")
    assert f"{pages / 'empty.txt'}: error E002 the file is empty" in err
    assert err.count(": wrote ") == 2


def test_cli_refuses_several_pages_without_a_directory(page: Path) -> None:
    Path("other.txt").write_text(QUESTION_PAGE, encoding="utf-8")
    assert run_import(str(page), "other.txt")[::2] == (
        2,
        "error: several pages need an output directory: give -o DIR/\n",
    )
    assert run_import(str(page), "other.txt", "-o", "d/", "--slug", "x")[::2] == (
        2,
        "error: --title and --slug name one page: import the pages one at a time\n",
    )


def test_the_template_order_must_name_every_section_once() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="order must list every section once"):
        Template(type="t", required_sections=["A", "B"], optional_sections=["C"], order=["A", "B"])
    with pytest.raises(ValidationError, match="keep the required sections in their order"):
        Template(type="t", required_sections=["A", "B"], order=["B", "A"])
    assert Template(type="t", required_sections=["A", "B"], optional_sections=["C"]).sections_in_order == [
        "A",
        "B",
        "C",
    ]


def test_the_development_pages_land_in_their_sections_and_lose_nothing(shared_eval: Path) -> None:
    """The bars of bench_pages on ../shared/eval/pages_dev (skipped when the folder is absent)."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_pages.py"
    spec = importlib.util.spec_from_file_location("bench_pages", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # dataclasses look their module up there
    spec.loader.exec_module(bench)
    folder = shared_eval / "pages_dev"
    entries = [e for p in sorted(folder.glob("SOURCES*.json")) for e in json.loads(p.read_text())]
    results = [bench.measure(folder / e["page"], e, False) for e in entries]
    figures = bench.summary(results)
    assert figures["placement"] >= 0.95
    assert figures["pages_losing_text"] == 0


def test_a_table_copied_with_tabs_becomes_a_markdown_table(template: Template) -> None:
    page = (
        "Signs & symptoms\n\nSigns and Symptoms\tApproximate number of patients\n"
        "Abnormal bleeding\t\nBruising susceptibility\t90%\n\nBleeding is the main sign.\n"
    )
    draft = import_page(page, "p.txt", template, title="Factor XIII deficiency")
    assert draft.text.endswith(
        "## Signs & symptoms\n\n| Signs and Symptoms | Approximate number of patients |\n|---|---|\n"
        "| Abnormal bleeding |  |\n| Bruising susceptibility | 90% |\n\nBleeding is the main sign.\n"
    )


def test_aliases_from_a_semicolon_list_and_never_from_a_sub_section(template: Template) -> None:
    page = (
        "Gout\n\nGout is a type of arthritis.\n\nAlternative Names\n\n"
        "Gouty arthritis - acute; Hyperuricemia; Podagra\n\nReferences\n\n"
        "- Burns CM. Clinical features of gout. 2017.\n"
    )
    draft = import_page(page, "gout.txt", template, author="w")
    assert "aliases:\n- Gouty arthritis - acute\n- Hyperuricemia\n- Podagra\nsources: []\n" in draft.text
    assert (
        "## Additional names\n\nGouty arthritis - acute; Hyperuricemia; Podagra\n\n### References\n"
        in draft.text
    )


def test_a_breadcrumb_and_menu_words_are_chrome_not_the_title(template: Template) -> None:
    page = "Home > Health A-Z > Gout\n\nMenu\n\nGout\n\nGout is a type of arthritis.\n"
    draft = import_page(page, "gout.txt", template, author="w")
    assert draft.title == "Gout"
    assert "Home" not in draft.text and "Menu" not in draft.text
    assert draft.text.endswith("---\n\n## What is it?\n\nGout is a type of arthritis.\n")
    assert [n.line for n in draft.notes if n.code == "IM02"] == [1, 3]
    assert ("IM04", 1, "title 'Gout' taken from the page's first line") in notes(draft)


def test_lead_text_then_the_definition_question_is_one_section(template: Template) -> None:
    page = "Gout\n\nGout is a type of arthritis.\n\nWhat is gout?\n\nIt causes sudden joint pain.\n"
    draft = import_page(page, "gout.txt", template, author="w")
    assert draft.text.endswith(
        "## What is it?\n\nGout is a type of arthritis.\n\nIt causes sudden joint pain.\n"
    )
    assert ("IM07", 5, "'What is gout?' became '## What is it?'") in notes(draft)


@pytest.mark.parametrize(
    "text",
    [
        "Updated guidelines were published in 2019.",
        "Make an appointment with your doctor if symptoms last.",
        "12 members of the family had the disease.",
        "Share this information with your family doctor.",
    ],
)
def test_article_sentences_that_start_like_chrome_are_kept(template: Template, text: str) -> None:
    draft = import_page(f"What is it?\n\n{text}\n", "p.txt", template, title="T")
    assert f"\n{text}\n" in draft.text
    assert [n for n in draft.notes if n.code == "IM02"] == []


def test_markdown_headings_of_a_copied_page_are_headings(template: Template) -> None:
    page = (
        "# Gout\n\nGout is a type of arthritis.\n\n## Symptoms\n\nSudden joint pain.\n\n"
        "### At night\n\nIt often starts at night.\n"
    )
    draft = import_page(page, "gout.md.txt", template, author="w")
    assert draft.title == "Gout"
    assert draft.text.endswith(
        "## What is it?\n\nGout is a type of arthritis.\n\n## Signs & symptoms\n\nSudden joint pain.\n\n"
        "### At night\n\nIt often starts at night.\n"
    )


def test_html_without_main_and_with_unclosed_tags_keeps_every_paragraph(template: Template) -> None:
    page = (
        "<html><body><div class='site-header'>Health site</div>"
        "<h1>Gout</h1><p>Gout is a type of arthritis.<p>It causes joint pain."
        "<h2>Treatment</h2><p>Rest helps.<br>Ice helps too."
        "<div id='comments'>Great article!</div></body>"
    )
    draft = import_page(page, "gout.html", template, author="w")
    assert draft.text.endswith(
        "## What is it?\n\nGout is a type of arthritis.\n\nIt causes joint pain.\n\n"
        "## Treatment\n\nRest helps.\n\nIce helps too.\n"
    )
    assert [n.message for n in draft.notes if n.code == "IM02"] == [
        "dropped the page's <div comments> (site chrome) 'Great article!'",  # one line: by message
        "dropped the page's <div site-header> (site chrome) 'Health site'",
    ]
