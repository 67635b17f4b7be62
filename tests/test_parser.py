"""The parser: front matter with key lines, sections and blocks with exact source positions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from validators import InputError, load_article, parse_article
from validators.frontmatter import stamp_review, strip_publishing_keys

ARTICLE = """---
title: Test
slug: test
author: wendy
sources:
  - A source
---

## What is it?

First paragraph
on two lines.

- item one
- item two

<!-- a comment -->

## Treatment

Surgery.
"""


def test_sections_blocks_and_positions() -> None:
    article = parse_article(ARTICLE, "test.md")
    assert [(s.heading, s.level, s.line) for s in article.sections] == [
        ("What is it?", 2, 9),
        ("Treatment", 2, 19),
    ]
    blocks = article.sections[0].blocks
    assert [(b.kind, b.line, b.end_line, b.text) for b in blocks] == [
        ("paragraph", 11, 12, "First paragraph\non two lines."),
        ("paragraph", 14, 14, "- item one"),
        ("paragraph", 15, 15, "- item two"),
        ("html", 17, 17, "<!-- a comment -->"),
    ]
    for block in article.blocks:
        assert article.text[block.offset : block.offset + len(block.text)] == block.text
        assert article.position(block.offset) == (block.line, 1)
    assert article.front_matter_lines == {"title": 2, "slug": 3, "author": 4, "sources": 5}
    assert article.front_matter_end_line == 7
    assert article.parse_findings == []


def test_preamble_before_first_heading_is_a_section_without_heading() -> None:
    article = parse_article("---\ntitle: T\nslug: t\nauthor: a\n---\nIntro.\n\n## Diagnosis\nText.\n")
    assert [(s.heading, s.level, s.line) for s in article.sections] == [(None, 0, 6), ("Diagnosis", 2, 8)]


def test_front_matter_problems_are_findings_with_lines() -> None:
    text = "---\ntitle: T\nslug: t\ncolour: red\npublish_after: someday\nslug: u\n---\nBody\n"
    article = parse_article(text, "t.md")
    assert article.front_matter is None
    got = sorted((f.code, f.line, f.message) for f in article.parse_findings)
    assert got == [
        (
            "FM01",
            5,
            "front matter 'publish_after': Input should be a valid datetime or date, input is too short",
        ),
        ("FM02", 4, "unknown front matter key 'colour'"),
        ("FM03", 1, "front matter key 'author' is required"),
        ("FM04", 6, "front matter key 'slug' is given twice"),
    ]
    unknown = next(f for f in article.parse_findings if f.code == "FM02")
    assert unknown.hint is not None and "title, slug, type, author" in unknown.hint
    assert article.slug == "u"  # YAML keeps the last value; the article still has a slug


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("title: x\n", "E006", 1),
        ("---\ntitle: x\n", "E007", 1),
        ("---\ntitle: [x\nslug: y\n---\n", "E008", 3),
        ("---\na: &a [1]\nb: *a\n---\n", "E009", 2),
        ("---\n- a\n- b\n---\n", "E010", 2),
    ],
)
def test_unusable_front_matter_raises_with_line(text: str, code: str, line: int) -> None:
    with pytest.raises(InputError) as caught:
        parse_article(text, "bad.md")
    assert (caught.value.code, caught.value.line, caught.value.path) == (code, line, "bad.md")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "E002"),
        (b"  \n\n", "E002"),
        (b"\x00\x01binary", "E003"),
        (b"---\ntitle: caf\xe9\n---\n", "E004"),
    ],
)
def test_unusable_bytes(tmp_path: Path, data: bytes, code: str) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        load_article(path)
    assert caught.value.code == code
    assert str(path) in caught.value.format()


def test_size_cap_and_missing_file(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_bytes(b"---\ntitle: t\n---\n" + b"word " * 300)
    with pytest.raises(InputError) as caught:
        load_article(big, max_bytes=1000)
    assert caught.value.code == "E005"
    with pytest.raises(InputError) as caught:
        load_article(tmp_path / "nope.md")
    assert caught.value.code == "E011"


def test_publish_after_accepts_dates_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(
        b"---\r\ntitle: T\r\nslug: a\r\nauthor: w\r\npublish_after: 2026-12-01T09:00:00Z\r\n---\r\nx\r\n"
    )
    article = load_article(path)
    assert article.front_matter is not None
    assert article.front_matter.publish_after == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert "\r" not in article.text
    dated = parse_article("---\ntitle: T\nslug: a\nauthor: w\npublish_after: 2026-12-01\n---\nx\n")
    assert dated.front_matter is not None
    assert dated.front_matter.publish_after == datetime(2026, 12, 1, tzinfo=UTC)


def test_stamp_review_keeps_the_content_hash() -> None:
    article = parse_article(ARTICLE)
    stamped = stamp_review(ARTICLE, ["Dr. Ada Lovelace <ada@example.org>"], date(2026, 11, 24))
    assert "reviewed_by: [Dr. Ada Lovelace <ada@example.org>]\nlast_reviewed: 2026-11-24\n---\n" in stamped
    assert parse_article(stamped).content_hash == article.content_hash
    assert strip_publishing_keys(stamped) == ARTICLE
    restamped = stamp_review(stamped, ["B <b@example.org>"], date(2027, 1, 1))
    assert restamped.count("reviewed_by") == 1 and "2027-01-01" in restamped
    assert parse_article(ARTICLE.replace("Surgery.", "Surgery!")).content_hash != article.content_hash
