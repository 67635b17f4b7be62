"""Turn a condition page, as a health site publishes it, into a draft article.

The page is plain text (copied from a browser) or HTML (saved from a browser; read with the
standard library's parser, `validators.page_html`). It is read paragraph by paragraph (blank lines
separate them):

- a one-line paragraph naming a section of the template ("Signs & symptoms", or a spelling listed in
  `validators/data/importer.yaml`) starts that section, written as a `## ` heading;
- any other heading of the page (a short line on its own, a question, an HTML heading, or a key
  point the page repeats as a heading) is placed by `validators.headings`: "How is acromegaly
  diagnosed?" starts `## Diagnosis`, "What causes acromegaly?" `## Causes`; a heading naming the
  section already being read, or none, is kept as a `### ` sub-heading of the current section;
- the site's navigation and promotion text ("9 Alikes with ...", "Latest discussions", "Español",
  a review-date line, a table of contents) is recognized by the general patterns of that data file
  and dropped, each one listed in a note;
- a paragraph starting "Diagnosis of ...", "Treatment of ..." or "Symptoms of ..." after an earlier
  section starts the section whose heading the page lost (when that section is not there yet and
  comes later in the template's order);
- text before the first heading goes under "What is it?";
- the template's closing disclaimer is kept (a leading emoji is stripped) and ends the article:
  short lines after it are the site's footer; article text after it is kept under a clearly marked
  section and reported as a warning. Article text is never dropped;
- the sections are laid out in the template's `order`; "- item" lines become a Markdown list; other
  text is escaped so Markdown reads it as written.

Nothing is invented: the title and slug come from the options or from the page (a first line that
is a title, else the subject of the first sentence), aliases from the "Additional names" list, and
`sources` from `--source` (empty when none is given). What the import did that a writer should know
is returned as notes (findings about the page, at its line numbers), never written into the draft:

| code | name | severity | note |
|---|---|---|---|
| IM01 | inferred-section | info | a section heading was inferred from its first words, or lead text placed |
| IM02 | dropped-navigation | info | site navigation, promotion or chrome was dropped (quoted) |
| IM03 | unplaced-text | info, warning | footer text after the disclaimer left out (info); article |
| | | | text there kept under a clearly marked section (warning) |
| IM04 | derived-metadata | info | title, slug or aliases taken from the page; author or sources missing |
| IM05 | unknown-heading | info | a heading naming no template section was kept as a sub-heading |
| IM06 | cleaned-disclaimer | info | a leading emoji was removed from the disclaimer |
| IM07 | renamed-heading | info | a page heading became the house heading of its section |
| IM08 | reordered-sections | info | the sections were laid out in the template's order |
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from validators.errors import ConfigError, InputError
from validators.findings import Finding, Severity
from validators.headings import classify_heading, heading_key
from validators.models import SLUG_MAX_LENGTH, SLUG_RE
from validators.page_html import html_paragraphs, looks_like_html
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
    "IM07": "renamed-heading",
    "IM08": "reordered-sections",
}

NAVIGATION_MAX_WORDS = 30
"""A paragraph longer than this is never taken for navigation text (content is never dropped)."""
HEADING_MAX_WORDS = 10
QUESTION_HEADING_MAX_WORDS = 16
KEY_POINT_MAX_WORDS = 30
KEY_POINT_MIN_WORDS = 6
QUESTION_STYLE_MIN = 2
"""A page with this many question headings is headed by questions (see `asks_questions`)."""
TITLE_MAX_WORDS = 10
ALIAS_MAX_WORDS = 8
_CHOOSE = "give --{} to choose another"


class HtmlChrome(BaseModel):
    """What marks site chrome in a page saved as HTML."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tags: list[str]
    words: list[str]


class ImportRules(BaseModel):
    """The content of `validators/data/importer.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    navigation: list[str]
    inferred_sections: dict[str, list[str]]
    inference_links: list[str]
    heading_aliases: dict[str, list[str]]
    aliases_section: str | None = None
    not_headings: list[str] = Field(default_factory=list)
    contents_intros: list[str] = Field(default_factory=list)
    heading_never_ends_with: list[str] = Field(default_factory=list)
    lead_section: str = "What is it?"
    unplaced_section: str = "Text the import could not place"
    html_chrome: HtmlChrome = HtmlChrome(tags=[], words=[])


@lru_cache(maxsize=4)
def load_import_rules(path: Path = IMPORT_DATA) -> ImportRules:
    """The importer's patterns and word lists, loaded strictly."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rules = ImportRules.model_validate(data)
        for pattern in (*rules.navigation, *rules.not_headings):
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
    """A paragraph of the page: its first line's number (1-based), its lines, stripped, and its
    heading level when the page marks it as a heading (HTML `<h1>`..`<h6>`; 0 for text)."""

    line: int
    lines: tuple[str, ...]
    level: int = 0

    @property
    def text(self) -> str:
        """The paragraph on one line."""
        return " ".join(self.lines)

    @property
    def word_count(self) -> int:
        """How many words it has."""
        return len(self.text.split())


@dataclass(frozen=True)
class SubHeading:
    """A heading of the page kept as a `###` sub-heading of its section."""

    line: int
    text: str


@dataclass
class DraftSection:
    """A section of the draft being built: its paragraphs and sub-headings in page order."""

    heading: str
    items: list[Paragraph | SubHeading] = field(default_factory=list)
    line: int = 1
    implicit: bool = False
    """Started by text before any heading (until the page names the section)."""

    @property
    def paragraphs(self) -> list[Paragraph]:
        """The section's paragraphs."""
        return [item for item in self.items if isinstance(item, Paragraph)]

    @property
    def paragraphs_before_sub_headings(self) -> list[Paragraph]:
        """The section's own paragraphs, before its first sub-heading ("References" under "Other names")."""
        own: list[Paragraph] = []
        for item in self.items:
            if isinstance(item, SubHeading):
                break
            own.append(item)
        return own


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
    sources: list[str] | tuple[str, ...] = (),
    rules: ImportRules | None = None,
) -> ImportedDraft:
    """The draft article for a page's text or HTML, with notes on what was placed, dropped or kept."""
    if slug is not None and not SLUG_RE.match(slug):
        raise ValueError(f"not a safe slug: {slug!r} (lower-case words joined by hyphens)")
    builder = _DraftBuilder(str(path), template, rules or load_import_rules(), subject=title)
    if looks_like_html(text):
        chrome = builder.rules.html_chrome
        blocks, removed = html_paragraphs(text, chrome_tags=chrome.tags, chrome_words=chrome.words)
        for line, what in removed:
            builder.note("IM02", f"dropped the page's {what}", line)
        builder.read([Paragraph(b.line, b.lines, b.level) for b in blocks])
    else:
        builder.read(_paragraphs(text))
    return builder.finish(author=author, title=title, slug=slug, sources=list(sources))


def slugify(title: str) -> str:
    """A safe slug from a title: ASCII lower-case words joined by hyphens ('' when none)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    ascii_text = re.sub(r"(?<=[A-Za-z])'(?=[A-Za-z])", "", ascii_text)  # "Behcet's" -> "behcets"
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > SLUG_MAX_LENGTH:
        slug = slug[:SLUG_MAX_LENGTH].rsplit("-", 1)[0]
    return slug


# --- reading the page ----------------------------------------------------------------------------


def _paragraphs(text: str) -> list[Paragraph]:
    """The page's paragraphs; a paragraph that is one Markdown heading line ("## Symptoms", as a
    page copied from a Markdown source has it) is that heading, with its level."""
    paragraphs: list[Paragraph] = []
    current: list[str] = []
    start = 0

    def close() -> None:
        marked = _MARKDOWN_HEADING.match(current[0]) if len(current) == 1 else None
        if marked:
            paragraphs.append(Paragraph(start, (marked.group(2),), len(marked.group(1))))
        else:
            paragraphs.append(Paragraph(start, tuple(current)))

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if line:
            if not current:
                start = number
            current.append(line)
        elif current:
            close()
            current = []
    if current:
        close()
    return paragraphs


_MARKDOWN_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?$")


def _heading_key(text: str) -> str:
    return heading_key(text)


def _key_point_keys(text: str) -> set[str]:
    """How a key point is recognized when the page repeats it as a heading: its lower-case words, and
    (for a long one) its words after the first, so a first letter lost on one side still matches."""
    words = re.findall(r"[^\W_]+", normalize_key(text))
    keys = {" ".join(words)}
    if len(words) >= KEY_POINT_MIN_WORDS:
        keys.add("… " + " ".join(words[1:]))
    return keys


_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


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
    def __init__(self, path: str, template: Template, rules: ImportRules, subject: str | None) -> None:
        self.path = path
        self.template = template
        self.rules = rules
        self.navigation = [re.compile(p, re.IGNORECASE) for p in rules.navigation]
        self.not_headings = [re.compile(p, re.IGNORECASE) for p in rules.not_headings]
        self.contents_intros = {_heading_key(t) for t in rules.contents_intros}
        self.lead_in_words = frozenset(w.casefold() for w in rules.heading_never_ends_with)
        self.known = template.sections_in_order
        self.order = {name: index for index, name in enumerate(template.required_sections)}
        self.headings: dict[str, str] = {_heading_key(name): name for name in self.known}
        for name, spellings in rules.heading_aliases.items():
            if name in self.known:
                self.headings.update({_heading_key(s): name for s in spellings})
        links = _alternatives(rules.inference_links)
        self.inferences = [
            (name, re.compile(rf"^(?:{_alternatives(words)})\s+(?:{links})\b", re.IGNORECASE))
            for name, words in rules.inferred_sections.items()
            if name in self.known
        ]
        self.disclaimers = [(normalize_key(d.text), d.position == "end") for d in template.disclaimers]
        self.lead = rules.lead_section if rules.lead_section in self.known else self.known[0]
        self.sections: dict[str, DraftSection] = {}
        self.current: DraftSection | None = None
        self.closing: list[Paragraph] = []
        self.unplaced = DraftSection(rules.unplaced_section)
        self.notes: list[Finding] = []
        self.subject = subject
        self.first_line_title: str | None = None
        self.list_items: set[str] = set()
        self.skip_list = False
        self.ended = False
        self.first_content = True
        self.question_style = False

    def note(
        self, code: str, message: str, line: int, hint: str | None = None, severity: Severity = Severity.INFO
    ) -> None:
        self.notes.append(
            Finding(
                code=code,
                rule=NOTE_RULES[code],
                severity=severity,
                message=message,
                path=self.path,
                line=line,
                column=1,
                hint=hint,
            )
        )

    def read(self, paragraphs: list[Paragraph]) -> None:
        self.question_style = self.asks_questions(paragraphs)
        kept = [not self.is_navigation(p) for p in paragraphs]
        for index, paragraph in enumerate(paragraphs):
            # what follows, the site's text skipped ("What is X?", "Español", then the text)
            following = next(
                (p for p, k in zip(paragraphs[index + 1 :], kept[index + 1 :], strict=True) if k), None
            )
            self.read_one(paragraph, following)
            for line in paragraph.lines:
                if _BULLET.match(line):
                    self.list_items.update(_key_point_keys(line[_BULLET.match(line).end() :]))  # type: ignore[union-attr]

    def asks_questions(self, paragraphs: list[Paragraph]) -> bool:
        """True when the page's sections are headed by questions ("What causes X?", "How is X treated?").

        On such a page a heading that is no question ("Outlook", "Complications" inside "What is X?")
        is a sub-heading of the section being read, never the start of another.
        """
        questions = 0
        for index, paragraph in enumerate(paragraphs[:-1]):
            text = paragraph.text
            if text.endswith("?") and self.looks_like_heading(paragraph, paragraphs[index + 1]):
                named = classify_heading(text, self.known, subject=self.subject)
                questions += named is not None and named.how in ("question", "fallback")
        return questions >= QUESTION_STYLE_MIN

    def read_one(self, paragraph: Paragraph, following: Paragraph | None) -> None:
        if self.skip_list:
            self.skip_list = False
            if all(_BULLET.match(line) or _ORDERED.match(line) for line in paragraph.lines):
                self.note(
                    "IM02", f"dropped the page's table of contents '{_short(paragraph.text)}'", paragraph.line
                )
                return
        if self.is_navigation(paragraph):
            self.note("IM02", f"dropped the site's text '{_short(paragraph.text)}'", paragraph.line)
            return
        if self.ended:
            self.after_the_end(paragraph)
            return
        if self.is_contents_intro(paragraph, following):
            self.note("IM02", f"dropped the site's text '{_short(paragraph.text)}'", paragraph.line)
            self.skip_list = True
            return
        first, self.first_content = self.first_content, False  # the first paragraph that is no chrome
        heading = self.known_heading(paragraph)
        if heading is not None and self.inside_question_section(paragraph, heading):
            self.page_heading(paragraph, sentence=False)  # "Outlook" inside "What is X?"
            return
        if heading is not None:
            repeated = heading in self.sections and _heading_key(paragraph.text) != _heading_key(heading)
            self.start_section(heading, paragraph)
            if repeated:  # "Overview" inside "What is it?": the page's own sub-heading
                self.current_items().append(SubHeading(paragraph.line, paragraph.text))
            return
        disclaimer = self.disclaimer(paragraph)
        if disclaimer is not None:
            kept, symbols, self.ended = disclaimer
            if symbols:
                self.note("IM06", f"removed '{symbols}' before the disclaimer", paragraph.line)
            if self.ended:
                self.closing.append(kept)
            else:
                self.add(kept)
            return
        first_h1 = paragraph.level == 1 and self.first_line_title is None
        if not self.sections and (first or first_h1) and self.looks_like_title(paragraph):
            self.first_line_title = paragraph.text
            if self.subject is None:
                self.subject = paragraph.text
            return
        if paragraph.level > 0 or self.looks_like_heading(paragraph, following):
            self.page_heading(paragraph, sentence=False)
            return
        if self.is_key_point(paragraph):
            self.page_heading(paragraph, sentence=True)
            return
        inferred = self.inferred_section(paragraph)
        if inferred is not None:
            self.note(
                "IM01",
                f"inferred the heading '{inferred}' from '{_short(paragraph.text, 40)}'",
                paragraph.line,
                hint=f"check that the paragraph starts the '{inferred}' section",
            )
            self.start_section(inferred, paragraph)
        self.add(paragraph)

    def is_contents_intro(self, paragraph: Paragraph, following: Paragraph | None) -> bool:
        """ "On this page" (or the like) over a list: the page's table of contents."""
        return (
            paragraph.level == 0
            and len(paragraph.lines) == 1
            and _heading_key(paragraph.text) in self.contents_intros
            and following is not None
            and all(_BULLET.match(line) or _ORDERED.match(line) for line in following.lines)
        )

    def inside_question_section(self, paragraph: Paragraph, section: str) -> bool:
        """A heading that is no question, naming another section, on a page headed by questions."""
        return (
            self.question_style
            and paragraph.level == 0
            and self.current is not None
            and not paragraph.text.endswith("?")
            and section != self.current.heading
        )

    def after_the_end(self, paragraph: Paragraph) -> None:
        """Text after the closing disclaimer: a line that is no sentence is the site's footer ("Alike
        Wisdom"); a sentence is article text, kept under a marked section and reported."""
        if paragraph.word_count > NAVIGATION_MAX_WORDS or _SENTENCE_END.search(paragraph.text):
            self.unplaced.items.append(paragraph)
            self.note(
                "IM03",
                f"could not place '{_short(paragraph.text)}' after the closing disclaimer: "
                f"kept under '## {self.unplaced.heading}'",
                paragraph.line,
                hint="move it to the section it belongs to, or delete it if it is not the article's",
                severity=Severity.WARNING,
            )
            return
        self.note(
            "IM03",
            f"could not place '{_short(paragraph.text)}' after the closing disclaimer: left out",
            paragraph.line,
            hint="the disclaimer ends the article; move the text above it if it belongs to the article",
        )

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

    def looks_like_title(self, paragraph: Paragraph) -> bool:
        text = paragraph.text
        if not (
            len(paragraph.lines) == 1
            and paragraph.word_count <= TITLE_MAX_WORDS
            and text[:1].isupper()
            and text[-1:] not in ".,;:!?"
        ):
            return False
        named = classify_heading(text, self.known, subject=self.subject)
        return paragraph.level <= 1 and (named is None or named.how == "topic")

    def looks_like_heading(self, paragraph: Paragraph, following: Paragraph | None) -> bool:
        """A short line on its own, with no sentence punctuation, over more text (or a question)."""
        text = paragraph.text
        limit = QUESTION_HEADING_MAX_WORDS if text.endswith("?") else HEADING_MAX_WORDS
        return (
            len(paragraph.lines) == 1
            and paragraph.word_count <= limit
            and (text[:1].isupper() or text[:1].isdigit())
            and text[-1:] not in ".,;:!"
            and ";" not in text
            and not _BULLET.match(text)
            and not _ORDERED.match(text)
            and not any(p.match(text) for p in self.not_headings)
            and (text.endswith("?") or text.split()[-1].casefold() not in self.lead_in_words)
            and following is not None
            and not self.is_navigation(following)
        )

    def is_key_point(self, paragraph: Paragraph) -> bool:
        """A one-line sentence repeating an item of a list above: the site's key point as a heading."""
        return (
            len(paragraph.lines) == 1
            and paragraph.word_count <= KEY_POINT_MAX_WORDS
            and bool(_key_point_keys(paragraph.text) & self.list_items)
        )

    def page_heading(self, paragraph: Paragraph, *, sentence: bool) -> None:
        """A heading of the page: the start of the section it names, or a sub-heading of the current one."""
        text = paragraph.text
        named = classify_heading(text, self.known, subject=self.subject, sentence=sentence)
        if named is not None and self.inside_question_section(paragraph, named.section):
            named = None  # on a page headed by questions, other headings are sub-headings
        if named is not None and (self.current is None or named.section != self.current.heading):
            existing = self.sections.get(named.section)
            self.start_section(named.section, paragraph)
            if existing is not None or sentence:
                self.current_items().append(SubHeading(paragraph.line, text))
            elif _heading_key(text) != _heading_key(named.section):
                self.note("IM07", f"'{_short(text)}' became '## {named.section}'", paragraph.line)
            return
        if named is not None and _heading_key(text) == _heading_key(named.section):
            return  # the same section named again
        if named is not None and self.current is not None and self.current.implicit and not sentence:
            self.current.implicit = False  # lead text, then "What is gout?": the section's own heading
            self.note("IM07", f"'{_short(text)}' became '## {named.section}'", paragraph.line)
            return
        if self.current is None:
            self.start_section(self.lead, paragraph)
        assert self.current is not None
        self.current_items().append(SubHeading(paragraph.line, text))
        if named is None:
            self.note(
                "IM05",
                f"kept '{_short(text)}' as a sub-heading of '{self.current.heading}'",
                paragraph.line,
                hint="check that it belongs there, or move its text to the section it belongs to",
            )

    def inferred_section(self, paragraph: Paragraph) -> str | None:
        if not self.sections or self.question_style:
            return None  # a page headed by questions has lost no heading
        present = set(self.sections)
        current = max((self.order.get(name, -1) for name in self.sections), default=-1)
        for name, pattern in self.inferences:
            if name not in present and self.order.get(name, -1) > current and pattern.match(paragraph.text):
                return name
        return None

    def start_section(self, heading: str, at: Paragraph) -> None:
        existing = self.sections.get(heading)
        if existing is None:
            existing = self.sections[heading] = DraftSection(heading, line=at.line)
        self.current = existing

    def current_items(self) -> list[Paragraph | SubHeading]:
        assert self.current is not None
        return self.current.items

    def add(self, paragraph: Paragraph) -> None:
        if self.current is None:
            self.start_section(self.lead, paragraph)
            assert self.current is not None
            self.current.implicit = True
            self.note(
                "IM01",
                f"put the text before the first heading under '{self.lead}'",
                paragraph.line,
                hint=f"check that '{_short(paragraph.text, 40)}' belongs to '{self.lead}'",
            )
        self.current_items().append(paragraph)

    # --- the draft ---------------------------------------------------------------------------

    def finish(
        self, *, author: str | None, title: str | None, slug: str | None, sources: list[str]
    ) -> ImportedDraft:
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
        front_matter["sources"] = list(sources)
        if not sources:
            self.note(
                "IM04",
                "the page cites no sources: 'sources' is left empty (none are invented)",
                1,
                hint="add the sources the article relies on under 'sources', or import with --source URL",
            )
        sections = self.ordered_sections()
        if self.unplaced.items:
            sections.append(self.unplaced)
        parts = [self.render_section(s) for s in sections]
        if self.closing:
            parts.append("\n\n".join(_render_paragraph(p) for p in self.closing))
        header = yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True, width=1000)
        body = "\n\n".join(parts)
        text = f"---\n{header}---\n" + (f"\n{body}\n" if body else "")
        notes = sorted(self.notes, key=lambda n: (n.line, n.code, n.message))
        return ImportedDraft(text=text, title=title, slug=slug, notes=notes)

    def ordered_sections(self) -> list[DraftSection]:
        """The page's sections in the template's order (noted when that moved any)."""
        rank = {name: index for index, name in enumerate(self.known)}
        page_order = list(self.sections.values())
        ordered = sorted(page_order, key=lambda s: rank.get(s.heading, len(rank)))
        if ordered != page_order:
            self.note(
                "IM08",
                "laid the sections out in the template's order: " + ", ".join(s.heading for s in ordered),
                min(s.line for s in page_order),
            )
        return ordered

    def derive_title(self) -> str:
        if self.first_line_title is not None:
            self.note("IM04", f"title '{self.first_line_title}' taken from the page's first line", 1)
            return self.first_line_title
        for section in self.sections.values():
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
        section = self.sections.get(wanted) if wanted else None
        if section is None:
            return []
        found: list[str] = []
        for paragraph in section.paragraphs_before_sub_headings:
            for line in paragraph.lines:
                bullet = _BULLET.match(line)
                if bullet:
                    names = [line[bullet.end() :].strip()]
                else:  # "Gouty arthritis - acute; Hyperuricemia; Podagra"
                    names = [n.strip() for n in line.split(";")] if ";" in line else []
                    names = [n for n in names if len(n.split()) <= ALIAS_MAX_WORDS]
                for name in names:
                    if name and normalize_key(name) not in {normalize_key(n) for n in [title, *found]}:
                        found.append(name)
        if found:
            where = section.paragraphs_before_sub_headings[0].line
            self.note("IM04", f"aliases taken from the '{wanted}' list: {', '.join(found)}", where)
        return found

    @staticmethod
    def render_section(section: DraftSection) -> str:
        parts = [f"## {section.heading}"]
        for item in section.items:
            if isinstance(item, SubHeading):
                parts.append("### " + _escape_inline(item.text))
            else:
                parts.append(_render_paragraph(item))
        return "\n\n".join(parts)


def _render_paragraph(paragraph: Paragraph) -> str:
    """Markdown for a paragraph: list lines become list items, tab-separated rows a table, the rest
    is escaped text."""
    if _is_table(paragraph):
        return _render_table(paragraph)
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


def _is_table(paragraph: Paragraph) -> bool:
    """Rows whose cells are separated by tabs, as a page's table is copied: a header row with a tab
    and at least one more row, none of them a list item."""
    lines = paragraph.lines
    return (
        len(lines) >= 2
        and "\t" in lines[0]
        and not any(_BULLET.match(line) or _ORDERED.match(line) for line in lines)
    )


def _render_table(paragraph: Paragraph) -> str:
    rows = [
        [_escape_inline(cell.strip()).replace("|", "\\|") for cell in line.split("\t")]
        for line in paragraph.lines
    ]
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    lines.insert(1, "|" + "---|" * width)
    return "\n".join(lines)


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
