"""The Prefect UI's Markdown artifacts never run or link text from an article, a note or a name."""

from __future__ import annotations

from flows.tasks import markdown_table, markdown_text


def test_article_text_is_shown_as_written_never_as_html_or_links() -> None:
    hostile = "<img src=x onerror=alert(1)> see [here](javascript:alert(1)) and ![x](http://t/p.png) **now**"
    assert markdown_text(hostile) == (
        "&lt;img src=x onerror=alert\\(1\\)&gt; see \\[here\\]\\(javascript:alert\\(1\\)\\) "
        "and \\!\\[x\\]\\(http://t/p.png\\) \\*\\*now\\*\\*"
    )
    assert markdown_text("line one\nline two") == "line one line two"


def test_table_cells_cannot_break_the_table() -> None:
    table = markdown_table(["term", "note"], [["a|b", "<b>bold</b>\n| x |"]])
    assert table.splitlines() == [
        "| term | note |",
        "|---|---|",
        "| a\\|b | &lt;b&gt;bold&lt;/b&gt; \\| x \\| |",
    ]


def test_the_review_form_escapes_sentences_terms_and_the_last_problem() -> None:
    from flows.await_review import PendingClaim, form_description

    pending = [
        PendingClaim(
            key="a" * 16, categories=["drug"], terms=["<b>x</b>"], line=3, sentence="Take [it](http://x)."
        )
    ]
    text = form_description("s", pending, "note <script>alert(1)</script>")
    assert "<script>" not in text and "<b>" not in text and "](http" not in text
    assert "&lt;script&gt;" in text and "Take \\[it\\]\\(http://x\\)." in text
