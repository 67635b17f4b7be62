"""The Article model: front matter plus sections, every piece with its source position."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from validators.findings import Finding
from validators.frontmatter import text_content_hash

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_RE = re.compile(SLUG_PATTERN)
SLUG_MAX_LENGTH = 100


class FrontMatter(BaseModel):
    """The YAML header of an article. Unknown keys are rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=200)
    slug: str = Field(min_length=1, max_length=SLUG_MAX_LENGTH)
    type: str = Field(default="condition", min_length=1)
    author: str = Field(min_length=1, description="The writer's roster id.")
    aliases: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    publish_after: datetime | None = None
    reviewed_by: list[str] = Field(default_factory=list, description="Written by publishing.")
    last_reviewed: date | None = Field(default=None, description="Written by publishing.")

    @field_validator("publish_after")
    @classmethod
    def _naive_times_are_utc(cls, value: datetime | None) -> datetime | None:
        """A date or time without a zone means UTC, so comparisons with 'now' are well defined."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    @classmethod
    def allowed_keys(cls) -> list[str]:
        """The keys a front matter may have, in declaration order."""
        return list(cls.model_fields)


class Block(BaseModel):
    """A leaf block of the body (paragraph, list item paragraph, HTML comment, code)."""

    model_config = ConfigDict(frozen=True)

    kind: str = Field(description="paragraph | html | code | heading")
    text: str = Field(description="The exact source text of the block's lines (markers included).")
    content: str = Field(description="The block's inline content as Markdown sees it.")
    offset: int = Field(ge=0, description="Character offset of `text` in Article.text.")
    line: int = Field(ge=1, description="1-based line of the block's first line in the file.")
    end_line: int = Field(ge=1, description="1-based last line of the block.")


class Section(BaseModel):
    """A heading and the blocks under it, up to the next heading (sections are flat, any level).

    The preamble before the first heading is a section with `heading=None` and `level=0`.
    """

    model_config = ConfigDict(frozen=True)

    heading: str | None
    level: int = Field(ge=0, le=6)
    line: int = Field(ge=1, description="Line of the heading (of the first block for the preamble).")
    end_line: int = Field(ge=1)
    blocks: list[Block] = Field(default_factory=list)

    @property
    def prose_blocks(self) -> list[Block]:
        """The blocks a reader reads: paragraphs (HTML comments and code excluded)."""
        return [b for b in self.blocks if b.kind == "paragraph"]


class Article(BaseModel):
    """A parsed draft. `text` is exactly what was read; every position refers to it."""

    model_config = ConfigDict(frozen=True)

    path: str
    text: str
    raw_front_matter: dict[str, Any]
    front_matter: FrontMatter | None = Field(description="None when the front matter is invalid.")
    front_matter_lines: dict[str, int] = Field(description="Top-level key -> 1-based line.")
    front_matter_end_line: int = Field(ge=1, description="Line of the closing '---'.")
    sections: list[Section]
    parse_findings: list[Finding] = Field(
        default_factory=list, description="Front matter problems found while parsing."
    )

    @property
    def slug(self) -> str:
        """The front matter slug, or the file name's stem when the front matter is unusable."""
        if self.front_matter is not None:
            return self.front_matter.slug
        raw = self.raw_front_matter.get("slug")
        return raw if isinstance(raw, str) and raw else PurePath(self.path).stem

    @property
    def content_hash(self) -> str:
        """sha256 of the writer's text: the article without the keys publishing writes."""
        return text_content_hash(self.text)

    @property
    def blocks(self) -> list[Block]:
        """Every block of the body in source order."""
        return [b for s in self.sections for b in s.blocks]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset in `text`."""
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return line, column
