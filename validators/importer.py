"""Turn a plain-text condition page, as a health site publishes it, into a draft article.

The page is read paragraph by paragraph (blank lines separate them):

- a one-line paragraph naming a section of the template ("Signs & symptoms", or a spelling listed in
  `validators/data/importer.yaml`) starts that section, written as a `## ` heading;
- the site's navigation and promotion text ("9 Alikes with ...", "Latest discussions", "100% Free")
  is recognized by the general patterns of that data file and dropped;
- a paragraph starting "Diagnosis of ...", "Treatment of ..." or "Symptoms of ..." after an earlier
  section starts the section whose heading the page lost (when that section is not there yet and
  comes later in the template's order);
- the template's closing disclaimer is kept (a leading emoji is stripped) and ends the article:
  what follows it is the site's footer;
- "- item" lines become a Markdown list; other text is escaped so Markdown reads it as written.

Nothing is invented: the title and slug come from the options or from the page (a first line that
is a title, else the subject of the first sentence), aliases from the "Additional names" list, and
`sources` stays empty when the page cites none. What the import did that a writer should know is
returned as notes (info findings about the page, at its line numbers), never written into the draft:

| code | name | note |
|---|---|---|
| IM01 | inferred-section | a section heading was inferred from its first words |
| IM02 | dropped-navigation | site navigation or promotion text was dropped |
| IM03 | unplaced-text | text that belongs to no section was left out |
| IM04 | derived-metadata | title, slug or aliases were taken from the page; author or sources missing |
| IM05 | unknown-heading | a heading the template does not know was kept as a heading |
| IM06 | cleaned-disclaimer | a leading emoji was removed from the disclaimer |
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from validators.errors import ConfigError, InputError
from validators.findings import Finding, Severity
from validators.models import SLUG_MAX_LENGTH, SLUG_RE
from validators.parser import MAX_FILE_BYTES, decode_text, read_file_bytes
from validators.templates import Template
from validators.text import normalize_key, normalize_text

IMPORT_DATA = Path(__file__).parent / "data" / "importer.yaml"

NOTE_RULES: dict[str, str] = {
    "IM01": "inferred-section",
    "IM02": "dropped-navigation",
    "IM03": "unplaced-text",
    "IM04": "derived-metadata",
    "IM05": "unknown-heading",
    "IM06": "cleaned-disclaimer",
}

NAVIGATION_MAX_WORDS = 30
"""A paragraph longer than this is never taken for navigation text (content is never dropped)."""
UNKNOWN_HEADING_MAX_WORDS = 6
TITLE_MAX_WORDS = 10
_CHOOSE = "give --{} to choose another"


class ImportRules(BaseModel):
    """The content of `validators/data/importer.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    navigation: list[str]
    inferred_sections: dict[str, list[str]]
    inference_links: list[str]
    heading_aliases: dict[str, list[str]]
    aliases_section: str | None = None


@lru_cache(maxsize=4)
def load_import_rules(path: Path = IMPORT_DATA) -> ImportRules:
    """The importer's patterns and word lists, loaded strictly."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rules = ImportRules.model_validate(data)
        for pattern in rules.navigation:
            re.compile(pattern)
        return rules
    except (OSError, yaml.YAMLError, re.error) as exc:
        raise ConfigError(path, f"cannot read the importer's rules: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(path, f"{where}: {first['msg']}") from exc


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the page: its first line's number (1-based) and its lines, stripped."""

    line: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """The paragraph on one line."""
        return " ".join(self.lines)

    @property
    def word_count(self) -> int:
        """How many words it has."""
        return len(self.text.split())


@dataclass
class DraftSection:
    """A section of the draft being built."""

    heading: str
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass(frozen=True)
class ImportedDraft:
    """The draft article, its title and slug, and the notes about the page."""

    text: str
    title: str
    slug: str
    notes: list[Finding]


def read_page(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """A page's text; raises `InputError` (the same one-line errors as `check`) when unusable."""
    path = Path(path)
    data = read_file_bytes(path, max_bytes=max_bytes, what="a plain-text page")  # FIFOs, devices refused
    try:
        return decode_text(data, path, max_bytes=max_bytes)
    except InputError as exc:
        if exc.code == "E002":
            raise InputError("E002", path, hint="give a page with the article's text") from exc
        raise


def import_page(
    text: str,
    path: str | Path,
    template: Template,
    *,
    author: str | None = None,
    title: str | None = None,
    slug: str | None = None,
    rules: ImportRules | None = None,
) -> ImportedDraft:
    """The draft article for a page's text, with notes on what was inferred, dropped or left out."""
    if slug is not None and not SLUG_RE.match(slug):
        raise ValueError(f"not a safe slug: {slug!r} (lower-case words joined by hyphens)")
    builder = _DraftBuilder(str(path), template, rules or load_import_rules())
    builder.read(_paragraphs(text))
    return builder.finish(author=author, title=title, slug=slug)


def slugify(title: str) -> str:
    """A safe slug from a title: ASCII lower-case words joined by hyphens ('' when none)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > SLUG_MAX_LENGTH:
        slug = slug[:SLUG_MAX_LENGTH].rsplit("-", 1)[0]
    return slug


# --- reading the page ----------------------------------------------------------------------------


def _paragraphs(text: str) -> list[Paragraph]:
    paragraphs: list[Paragraph] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if line:
            if not current:
                start = number
            current.append(line)
        elif current:
            paragraphs.append(Paragraph(start, tuple(current)))
            current = []
    if current:
        paragraphs.append(Paragraph(start, tuple(current)))
    return paragraphs


def _heading_key(text: str) -> str:
    key = normalize_key(text).replace("&", " and ")
    return " ".join(re.sub(r"[\s:?.!]+$", "", key).split())


_BULLET = re.compile(r"^(?:[-*+•◦▪·–]\s+)(?=\S)")
_ORDERED = re.compile(r"^(\d{1,9})[.)]\s+(?=\S)")


def _strip_leading_symbols(text: str) -> tuple[str, str]:
    """(symbols removed, rest): emoji, pictographs and their joiners before the first word."""
    index = 0
    while index < len(text) and (
        text[index].isspace() or unicodedata.category(text[index]) in _SYMBOL_CATEGORIES
    ):
        index += 1
    return text[:index].strip(), text[index:]


_SYMBOL_CATEGORIES = frozenset({"So", "Sk", "Mn", "Me", "Cf", "Co", "Cs"})


class _DraftBuilder:
    def __init__(self, path: str, template: Template, rules: ImportRules) -> None:
        self.path = path
        self.template = template
        self.rules = rules
        self.navigation = [re.compile(p, re.IGNORECASE) for p in rules.navigation]
        known = [*template.required_sections, *template.optional_sections]
        self.order = {name: index for index, name in enumerate(template.required_sections)}
        self.headings: dict[str, str] = {_heading_key(name): name for name in known}
        for name, spellings in rules.heading_aliases.items():
            if name in known:
                self.headings.update({_heading_key(s): name for s in spellings})
        links = _alternatives(rules.inference_links)
        self.inferences = [
            (name, re.compile(rf"^(?:{_alternatives(words)})\s+(?:{links})\b", re.IGNORECASE))
            for name, words in rules.inferred_sections.items()
            if name in known
        ]
        self.disclaimers = [(normalize_key(d.text), d.position == "end") for d in template.disclaimers]
        self.sections: list[DraftSection] = []
        self.notes: list[Finding] = []
        self.first_line_title: str | None = None
        self.ended = False

    def note(self, code: str, message: str, line: int, hint: str | None = None) -> None:
        self.notes.append(
            Finding(
                code=code,
                rule=NOTE_RULES[code],
                severity=Severity.INFO,
                message=message,
                path=self.path,
                line=line,
                column=1,
                hint=hint,
            )
        )

    def read(self, paragraphs: list[Paragraph]) -> None:
        for index, paragraph in enumerate(paragraphs):
            following = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
            self.read_one(paragraph, following, index)

    def read_one(self, paragraph: Paragraph, following: Paragraph | None, index: int) -> None:
        if self.is_navigation(paragraph):
            self.note("IM02", f"dropped the site's text '{_short(paragraph.text)}'", paragraph.line)
            return
        if self.ended:
            self.note(
                "IM03",
                f"could not place '{_short(paragraph.text)}' after the closing disclaimer: left out",
                paragraph.line,
                hint="the disclaimer ends the article; move the text above it if it belongs to the article",
            )
            return
        heading = self.known_heading(paragraph)
        if heading is not None:
            self.start_section(heading)
            return
        disclaimer = self.disclaimer(paragraph)
        if disclaimer is not None:
            kept, symbols, self.ended = disclaimer
            if symbols:
                self.note("IM06", f"removed '{symbols}' before the disclaimer", paragraph.line)
            self.add(kept)
            return
        if not self.sections and index == 0 and self.looks_like_title(paragraph):
            self.first_line_title = paragraph.text
            return
        if self.looks_like_unknown_heading(paragraph, following):
            self.note(
                "IM05",
                f"kept '{paragraph.text}' as a heading: the '{self.template.type}' template has no such one",
                paragraph.line,
                hint="rename it to a section of the template or merge its text into one",
            )
            self.start_section(paragraph.text)
            return
        inferred = self.inferred_section(paragraph)
        if inferred is not None:
            self.note(
                "IM01",
                f"inferred the heading '{inferred}' from '{_short(paragraph.text, 40)}'",
                paragraph.line,
                hint=f"check that the paragraph starts the '{inferred}' section",
            )
            self.start_section(inferred)
        if not self.sections:
            self.note(
                "IM03",
                f"could not place '{_short(paragraph.text)}' before the first known heading: left out",
                paragraph.line,
                hint="add it to the draft under the section it belongs to",
            )
            return
        self.add(paragraph)

    def is_navigation(self, paragraph: Paragraph) -> bool:
        if paragraph.word_count > NAVIGATION_MAX_WORDS:
            return False
        text = paragraph.text
        return any(pattern.fullmatch(text) for pattern in self.navigation)

    def known_heading(self, paragraph: Paragraph) -> str | None:
        if len(paragraph.lines) != 1:
            return None
        return self.headings.get(_heading_key(paragraph.text))

    def disclaimer(self, paragraph: Paragraph) -> tuple[Paragraph, str, bool] | None:
        """(the paragraph without leading symbols, the symbols, whether it ends the article), or None."""
        symbols, rest = _strip_leading_symbols(paragraph.text)
        key = normalize_key(rest)
        for text, ends in self.disclaimers:
            if text and text in key:
                first = _strip_leading_symbols(paragraph.lines[0])[1]
                return Paragraph(paragraph.line, (first, *paragraph.lines[1:])), symbols, ends
        return None

    @staticmethod
    def looks_like_title(paragraph: Paragraph) -> bool:
        text = paragraph.text
        return (
            len(paragraph.lines) == 1
            and paragraph.word_count <= TITLE_MAX_WORDS
            and text[:1].isupper()
            and text[-1:] not in ".,;:!?"
        )

    def looks_like_unknown_heading(self, paragraph: Paragraph, following: Paragraph | None) -> bool:
        text = paragraph.text
        return (
            len(paragraph.lines) == 1
            and paragraph.word_count <= UNKNOWN_HEADING_MAX_WORDS
            and text[:1].isupper()
            and text[-1:] not in ".,;:!"
            and following is not None
            and not self.is_navigation(following)
            and self.known_heading(following) is None
            and following.word_count > UNKNOWN_HEADING_MAX_WORDS
        )

    def inferred_section(self, paragraph: Paragraph) -> str | None:
        if not self.sections:
            return None
        present = {s.heading for s in self.sections}
        current = max((self.order.get(s.heading, -1) for s in self.sections), default=-1)
        for name, pattern in self.inferences:
            if name not in present and self.order.get(name, -1) > current and pattern.match(paragraph.text):
                return name
        return None

    def start_section(self, heading: str) -> None:
        self.sections.append(DraftSection(heading))

    def add(self, paragraph: Paragraph) -> None:
        if self.sections:
            self.sections[-1].paragraphs.append(paragraph)
        else:
            self.note(
                "IM03",
                f"could not place '{_short(paragraph.text)}' before the first known heading: left out",
                paragraph.line,
                hint="add it to the draft under the section it belongs to",
            )

    # --- the draft ---------------------------------------------------------------------------

    def finish(self, *, author: str | None, title: str | None, slug: str | None) -> ImportedDraft:
        if title is None:
            title = self.derive_title()
        if slug is None:
            slug = slugify(title) or slugify(Path(self.path).stem) or "untitled"
            self.note("IM04", f"slug '{slug}' derived from the title", 1, hint=_CHOOSE.format("slug"))
        aliases = self.aliases(title)
        front_matter: dict[str, object] = {"title": title, "slug": slug, "type": self.template.type}
        if author:
            front_matter["author"] = author
        else:
            self.note(
                "IM04",
                "no author given: the draft has no 'author'",
                1,
                hint="add 'author: <your roster id>' to the front matter, or import with --author",
            )
        if aliases:
            front_matter["aliases"] = aliases
        front_matter["sources"] = []
        self.note(
            "IM04",
            "the page cites no sources: 'sources' is left empty (none are invented)",
            1,
            hint="add the sources the article relies on under 'sources'",
        )
        header = yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True, width=1000)
        body = "\n\n".join(self.render_section(s) for s in self.sections)
        text = f"---\n{header}---\n" + (f"\n{body}\n" if body else "")
        notes = sorted(self.notes, key=lambda n: (n.line, n.code, n.message))
        return ImportedDraft(text=text, title=title, slug=slug, notes=notes)

    def derive_title(self) -> str:
        if self.first_line_title is not None:
            self.note("IM04", f"title '{self.first_line_title}' taken from the page's first line", 1)
            return self.first_line_title
        for section in self.sections:
            for paragraph in section.paragraphs:
                subject = _subject(paragraph.text)
                if subject:
                    self.note(
                        "IM04",
                        f"title '{subject}' taken from the subject of the first sentence",
                        paragraph.line,
                        hint=_CHOOSE.format("title"),
                    )
                    return subject
        stem = Path(self.path).stem.replace("_", " ").replace("-", " ").strip() or "Untitled"
        self.note("IM04", f"title '{stem}' taken from the file name", 1, hint=_CHOOSE.format("title"))
        return stem

    def aliases(self, title: str) -> list[str]:
        wanted = self.rules.aliases_section
        found: list[str] = []
        for section in self.sections:
            if section.heading != wanted:
                continue
            for paragraph in section.paragraphs:
                for line in paragraph.lines:
                    bullet = _BULLET.match(line)
                    name = line[bullet.end() :].strip() if bullet else ""
                    if name and normalize_key(name) not in {normalize_key(n) for n in [title, *found]}:
                        found.append(name)
        if found:
            where = next(p.line for s in self.sections if s.heading == wanted for p in s.paragraphs)
            self.note("IM04", f"aliases taken from the '{wanted}' list: {', '.join(found)}", where)
        return found

    @staticmethod
    def render_section(section: DraftSection) -> str:
        parts = [f"## {section.heading}"]
        parts.extend(_render_paragraph(p) for p in section.paragraphs)
        return "\n\n".join(parts)


def _render_paragraph(paragraph: Paragraph) -> str:
    """Markdown for a paragraph: list lines become list items, the rest is escaped text."""
    groups: list[tuple[str, list[str]]] = []  # ("text" | "list", lines)
    for line in paragraph.lines:
        bullet = _BULLET.match(line)
        ordered = _ORDERED.match(line)
        if bullet:
            item = "- " + _escape_inline(line[bullet.end() :])
        elif ordered:
            item = f"{ordered.group(1)}. " + _escape_inline(line[ordered.end() :])
        else:
            item = ""
        kind = "list" if item else "text"
        if not groups or groups[-1][0] != kind:
            groups.append((kind, []))
        groups[-1][1].append(item or _escape_line(line))
    return "\n\n".join("\n".join(lines) for _, lines in groups)


_INLINE_SPECIAL = re.compile(r"[\\`*_<]|\[(?=[^\]]*\]\s*[(\[])|&(?=#?\w+;)")
_LINE_START_SPECIAL = re.compile(r"^(?:#{1,6}(?=\s|$)|>|[-+*](?=\s)|=+\s*$|-+\s*$|\d{1,9}(?=[.)](?:\s|$)))")


def _escape_inline(text: str) -> str:
    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char == "\\" and not re.match(r"[!-/:-@\[-`{-~]", text[match.end() : match.end() + 1]):
            return char
        if char == "<" and not re.match(r"[A-Za-z/!?]", text[match.end() : match.end() + 1]):
            return char
        return "\\" + char

    return _INLINE_SPECIAL.sub(escape, text)


def _escape_line(line: str) -> str:
    """A line of plain text that Markdown reads as that same text."""
    escaped = _escape_inline(line)
    start = _LINE_START_SPECIAL.match(escaped)
    if start is None:
        return escaped
    if start.group()[:1].isdigit():
        cut = start.end()
        return escaped[:cut] + "\\" + escaped[cut:]
    return "\\" + escaped


_SUBJECT = re.compile(r"^(?P<subject>[A-Za-z][\w'’ -]*?)(?:\s*,|\s*\(|\s+(?:is|are|refers to|means)\b)")


def _subject(text: str) -> str | None:
    """The subject of a definition's first sentence ("X, or Y, is a ..." -> "X"), when short."""
    match = _SUBJECT.match(normalize_text(text))
    if not match:
        return None
    subject = match.group("subject").strip()
    words = subject.split()
    if not 1 <= len(words) <= 8 or words[0].casefold() in {"it", "this", "they", "these", "there", "the"}:
        return None
    return subject[0].upper() + subject[1:]


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in words)


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
