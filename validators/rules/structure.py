"""Structure rules (ST): the sections a template requires, once each, in order, not empty; no others.

Sections are matched on their heading (white space and case folded) at the article's section level:
the shallowest heading level that names a template section (usually `##`). Deeper headings are
sub-sections and belong to the section above them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from validators.findings import Finding, Severity
from validators.headings import classify_heading
from validators.models import Article, Block, Section
from validators.rules.base import Rule
from validators.rules.disclaimer import disclaimer_blocks, end_of_article_line, locate_disclaimers
from validators.templates import Template
from validators.text import normalize_key


@dataclass
class TopSection:
    """A section at the article's section level, with the blocks of its sub-sections."""

    section: Section
    key: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Layout:
    """The article's sections seen through a template."""

    level: int
    sections: list[TopSection]
    names: dict[str, str]  # normalized key -> template spelling
    required: list[str]  # normalized keys, in order

    def first(self, key: str) -> TopSection | None:
        """The first section with this key."""
        return next((s for s in self.sections if s.key == key), None)

    def misnamed(self, subject: str | None) -> dict[str, TopSection]:
        """Absent required sections (keys) -> the unknown section that holds their text under another
        heading ("## How is it diagnosed?" for "Diagnosis", "## Sign and symptoms" for "Signs & symptoms")."""
        present = {s.key for s in self.sections}
        found: dict[str, TopSection] = {}
        for top in self.sections:
            if top.key in self.names or any(top is t for t in found.values()):
                continue
            heading = top.section.heading or ""
            named = classify_heading(heading, list(self.names.values()), subject=subject)
            key = normalize_key(named.section) if named is not None else None
            if key is None:
                close = difflib.get_close_matches(top.key, self.required, n=1, cutoff=0.75)
                key = close[0] if close else None
            if key in self.required and key not in present and key not in found:
                found[key] = top
        return found


def section_layout(article: Article, template: Template) -> Layout:
    """Group the article's sections at its section level and key them for the template."""
    names = {normalize_key(n): n for n in (*template.required_sections, *template.optional_sections)}
    headed = [s for s in article.sections if s.heading is not None]
    known_levels = [s.level for s in headed if normalize_key(s.heading or "") in names]
    level = min(known_levels or [s.level for s in headed] or [2])
    tops: list[TopSection] = []
    for section in headed:
        if section.level <= level or not tops:
            tops.append(TopSection(section, normalize_key(section.heading or ""), list(section.blocks)))
        else:
            tops[-1].blocks.extend(section.blocks)
    return Layout(level, tops, names, [normalize_key(n) for n in template.required_sections])


def _title(article: Article) -> str | None:
    return article.front_matter.title if article.front_matter is not None else None


def _heading_mark(level: int) -> str:
    return "#" * max(level, 1)


def _longest_increasing(indices: list[int]) -> set[int]:
    """Positions (into `indices`) of one longest strictly increasing subsequence."""
    if not indices:
        return set()
    lengths = [1] * len(indices)
    previous = [-1] * len(indices)
    for i in range(len(indices)):
        for j in range(i):
            if indices[j] < indices[i] and lengths[j] + 1 > lengths[i]:
                lengths[i], previous[i] = lengths[j] + 1, j
    position = max(range(len(indices)), key=lambda k: (lengths[k], -k))
    keep: set[int] = set()
    while position != -1:
        keep.add(position)
        position = previous[position]
    return keep


class MissingSection(Rule):
    code: ClassVar[str] = "ST01"
    name: ClassVar[str] = "missing-section"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = "A section the template requires is absent (reported where it should go)."

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """Report each absent required section at the heading it should precede."""
        layout = section_layout(article, template)
        present = {s.key for s in layout.sections}
        misnamed = layout.misnamed(_title(article))
        mark = _heading_mark(layout.level)
        for index, key in enumerate(layout.required):
            if key in present:
                continue
            name = layout.names[key]
            holder = misnamed.get(key)
            if holder is not None:
                heading = holder.section.heading or ""
                yield self.finding(
                    article,
                    f"required section '{name}' is missing: its text seems to be under '{heading}'",
                    line=holder.section.line,
                    hint=f"rename '{mark} {heading}' to '{mark} {name}'",
                )
                continue
            line, where = self._insertion_point(article, template, layout, index)
            yield self.finding(
                article,
                f"required section '{name}' is missing",
                line=line,
                hint=f"add a '{_heading_mark(layout.level)} {name}' section {where}",
            )

    @staticmethod
    def _insertion_point(article: Article, template: Template, layout: Layout, index: int) -> tuple[int, str]:
        for later in layout.required[index + 1 :]:
            section = layout.first(later)
            if section is not None:
                return section.section.line, f"before '{layout.names[later]}'"
        end_disclaimers = [
            m.block.line
            for m in locate_disclaimers(article, template)
            if m.block is not None and m.disclaimer.position == "end"
        ]
        if end_disclaimers:
            return min(end_disclaimers), "before the disclaimer"
        return end_of_article_line(article), "at the end of the article"


class DuplicateSection(Rule):
    code: ClassVar[str] = "ST02"
    name: ClassVar[str] = "duplicate-section"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = "A template section appears more than once."

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """Report the second and later headings of a template section."""
        layout = section_layout(article, template)
        first_line: dict[str, int] = {}
        for top in layout.sections:
            if top.key not in layout.names:
                continue
            if top.key in first_line:
                yield self.finding(
                    article,
                    f"section '{layout.names[top.key]}' appears again (first at line {first_line[top.key]})",
                    line=top.section.line,
                    hint="merge the two sections into one",
                )
            else:
                first_line[top.key] = top.section.line


class SectionOutOfOrder(Rule):
    code: ClassVar[str] = "ST03"
    name: ClassVar[str] = "section-out-of-order"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = "Required sections are not in the template's order."

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """Report the fewest sections whose move restores the required order."""
        layout = section_layout(article, template)
        seen: set[str] = set()
        firsts: list[TopSection] = []
        for top in layout.sections:
            if top.key in layout.required and top.key not in seen:
                seen.add(top.key)
                firsts.append(top)
        order = [layout.required.index(t.key) for t in firsts]
        keep = _longest_increasing(order)
        for position, top in enumerate(firsts):
            if position in keep:
                continue
            anchor = self._anchor(layout, firsts, keep, order[position])
            yield self.finding(
                article,
                f"section '{layout.names[top.key]}' is out of order",
                line=top.section.line,
                hint=f"move it {anchor}; the order is: " + ", ".join(template.required_sections),
            )

    @staticmethod
    def _anchor(layout: Layout, firsts: list[TopSection], keep: set[int], rank: int) -> str:
        kept = [(layout.required.index(firsts[p].key), firsts[p]) for p in sorted(keep)]
        after = [t for r, t in kept if r > rank]
        if after:
            return f"before '{layout.names[after[0].key]}'"
        before = [t for r, t in kept if r < rank]
        return f"after '{layout.names[before[-1].key]}'" if before else "into the template's order"


class EmptySection(Rule):
    code: ClassVar[str] = "ST04"
    name: ClassVar[str] = "empty-section"
    severity: ClassVar[Severity] = Severity.ERROR
    description: ClassVar[str] = "A template section has a heading but no text (a disclaimer does not count)."

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """Report template sections with no prose of their own or in their sub-sections."""
        layout = section_layout(article, template)
        disclaimers = disclaimer_blocks(article, template)
        for top in layout.sections:
            if top.key not in layout.names:
                continue
            prose = [
                b
                for b in top.blocks
                if b.kind == "paragraph" and b.content.strip() and b.offset not in disclaimers
            ]
            if not prose:
                yield self.finding(
                    article,
                    f"section '{layout.names[top.key]}' is empty",
                    line=top.section.line,
                    hint="write the section's text under its heading, or remove the heading "
                    "if the section is optional",
                )


class UnknownSection(Rule):
    code: ClassVar[str] = "ST05"
    name: ClassVar[str] = "unknown-section"
    severity: ClassVar[Severity] = Severity.WARNING
    description: ClassVar[str] = (
        "A section heading the template does not know (a heading over nothing but the disclaimers "
        "is allowed)."
    )

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """Report headings at the section level that name no template section."""
        layout = section_layout(article, template)
        title = _title(article)
        disclaimers = disclaimer_blocks(article, template)
        misnamed = list(layout.misnamed(title).values())
        for top in layout.sections:
            if top.key in layout.names or any(top is m for m in misnamed):
                continue  # a misnamed required section is reported once, by ST01
            prose = [b for b in top.blocks if b.kind == "paragraph" and b.content.strip()]
            if prose and all(b.offset in disclaimers for b in prose):
                continue  # e.g. '## Disclaimer' over the disclaimer itself
            heading = top.section.heading or ""
            yield self.finding(
                article,
                f"unknown section '{heading}'",
                line=top.section.line,
                hint=self._hint(heading, layout, title),
            )

    @staticmethod
    def _hint(heading: str, layout: Layout, title: str | None) -> str:
        if title is not None and normalize_key(heading) == normalize_key(title):
            return "the title comes from the front matter 'title': remove this heading"
        named = classify_heading(heading, list(layout.names.values()), subject=title)
        if named is not None:
            mark = _heading_mark(layout.level)
            if normalize_key(named.section) in {s.key for s in layout.sections}:
                return f"its text seems to belong to '{named.section}': merge it there as a sub-heading"
            return f"rename it to '{mark} {named.section}'"
        close = difflib.get_close_matches(normalize_key(heading), list(layout.names), n=1, cutoff=0.7)
        if close:
            return f"did you mean '{layout.names[close[0]]}'?"
        return "sections of this type: " + ", ".join(layout.names.values())


class TextBeforeFirstSection(Rule):
    code: ClassVar[str] = "ST06"
    name: ClassVar[str] = "text-before-sections"
    severity: ClassVar[Severity] = Severity.WARNING
    description: ClassVar[str] = "Prose before the first section heading belongs to no section."

    def check(self, article: Article, template: Template) -> Iterator[Finding]:
        """Report prose (other than a disclaimer) before the first heading."""
        preamble = next((s for s in article.sections if s.heading is None), None)
        if preamble is None:
            return
        disclaimers = disclaimer_blocks(article, template)
        prose = [b for b in preamble.prose_blocks if b.content.strip() and b.offset not in disclaimers]
        if prose:
            first = template.required_sections[0]
            yield self.finding(
                article,
                "text before the first section heading",
                line=prose[0].line,
                hint=f"put it under a heading, e.g. '## {first}'",
            )


STRUCTURE_RULES: list[Rule] = [
    MissingSection(),
    DuplicateSection(),
    SectionOutOfOrder(),
    EmptySection(),
    UnknownSection(),
    TextBeforeFirstSection(),
]
