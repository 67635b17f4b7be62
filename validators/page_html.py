"""A page saved from a browser (HTML) as the importer's paragraphs, with the site chrome removed.

Read with the standard library's `html.parser`: headings (`<h1>`..`<h6>`) become paragraphs that
carry their level, list items "- item" lines, other blocks (`<p>`, `<div>`, table cells, ...) one
paragraph each. What is not the article is removed and listed: scripts and styles, the page's
navigation, header, footer, side bars and forms, elements whose role, id or class names them as
chrome (breadcrumbs, share bars, cookie banners, ...), and, when the page marks its article with
`<main>` or `<article>`, everything outside it. The words that name chrome are data:
`validators/data/importer.yaml` (`html_chrome`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_HTML_START = re.compile(
    r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL
)

_BLOCKS = frozenset(
    {
        *("p", "div", "section", "article", "main", "li", "dt", "dd", "tr", "td", "th", "blockquote"),
        *("figcaption", "caption", "pre", "address", "summary", "details", "table", "ul", "ol", "dl"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "header", "footer", "nav", "aside", "form"),
    }
)
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_SILENT = "-"
_CELLS = frozenset({"td", "th"})
_ALWAYS_SKIPPED = frozenset(
    {"script", "style", "noscript", "template", "svg", "iframe", "button", "select", "textarea", "head"}
)


def looks_like_html(text: str) -> bool:
    """True when the text is an HTML document (a page saved from a browser)."""
    return bool(_HTML_START.match(text))


@dataclass(frozen=True)
class HtmlBlock:
    """A paragraph of the page: line of its start tag, its lines, heading level (0: none)."""

    line: int
    lines: tuple[str, ...]
    level: int = 0
    row: bool = False


@dataclass
class _Open:
    tag: str
    skipped: str | None  # why this element and what is in it is skipped, or None
    line: int = 0
    words: list[str] = field(default_factory=list)  # the text of a skipped element, to list it


@dataclass
class _Reader(HTMLParser):
    chrome_tags: frozenset[str] = frozenset()
    chrome_words: re.Pattern[str] | None = None
    blocks: list[HtmlBlock] = field(default_factory=list)
    removed: list[tuple[int, str]] = field(default_factory=list)
    stack: list[_Open] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    start_line: int = 1
    level: int = 0
    in_item: int = 0
    in_row: int = 0
    has_main: bool = False
    main_depth: int = 0

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def skipping(self) -> bool:
        return any(item.skipped for item in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag == "br" and not self.skipping():
                self.flush()
            return
        reason = self.chrome_reason(tag, dict(attrs))
        if reason and not self.skipping():
            self.flush()
        self.stack.append(_Open(tag, reason, self.getpos()[0]))
        if tag in ("main", "article"):
            self.main_depth += 1
        if self.skipping():
            return
        if tag in _CELLS and self.in_row:
            self.text.append("\t")  # cells of a row stay on one line, separated by tabs
        elif tag in _BLOCKS and not (self.in_item and tag not in ("li", "ul", "ol")):
            self.flush()
        if tag == "tr":
            self.in_row += 1
        if tag == "li":
            self.in_item += 1
            self.text.append("- ")
        if re.fullmatch(r"h[1-6]", tag):
            self.level = int(tag[1])

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not any(item.tag == tag for item in self.stack):
            return
        while self.stack:
            item = self.stack.pop()
            if item.skipped and item.skipped != _SILENT and not self.skipping():
                self.removed.append((item.line, f"{item.skipped} '{_short(' '.join(item.words))}'"))
            if not any(i.skipped for i in self.stack) and not item.skipped:
                if item.tag == "li":
                    self.flush()
                    self.in_item = max(0, self.in_item - 1)
                elif item.tag == "tr":
                    self.flush(row=True)
                    self.in_row = max(0, self.in_row - 1)
                elif item.tag in _CELLS and self.in_row:
                    pass
                elif item.tag in _BLOCKS and not self.in_item:
                    self.flush()
            if item.tag in ("main", "article"):
                self.main_depth -= 1
            if item.tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.skipping():
            outer = next(item for item in self.stack if item.skipped)
            outer.words.extend(data.split())
            return
        if self.has_main and self.main_depth == 0:
            if data.strip():
                self.removed.append((self.getpos()[0], f"text outside the article '{_short(data)}'"))
            return
        if not "".join(self.text).strip():
            self.start_line = self.getpos()[0]
        self.text.append(data)

    def flush(self, *, row: bool = False) -> None:
        joined = "".join(self.text)
        self.text = []
        if row:
            cells = [" ".join(cell.split()) for cell in joined.split("\t")]
            text = "\t".join(cells).strip("\t ") if any(cells) else ""
        else:
            text = " ".join(joined.split())
        if text and text != "-":
            self.blocks.append(HtmlBlock(self.start_line, (text,), self.level, row=row and "\t" in text))
        self.level = 0

    def chrome_reason(self, tag: str, attrs: dict[str, str | None]) -> str | None:
        if tag in _ALWAYS_SKIPPED:
            return None if tag == "head" else _SILENT  # never text a reader sees: skipped, not listed
        if tag in self.chrome_tags:
            return f"<{tag}> (site chrome)"
        names = " ".join(attrs.get(key) or "" for key in ("role", "id", "class", "aria-label"))
        if names and self.chrome_words is not None:
            found = self.chrome_words.search(names)
            if found:
                return f"<{tag} {found.group().lower()}> (site chrome)"
        return None


def html_paragraphs(
    html: str, *, chrome_tags: list[str] | None = None, chrome_words: list[str] | None = None
) -> tuple[list[HtmlBlock], list[tuple[int, str]]]:
    """The page's paragraphs (consecutive list items joined into one) and what was removed (line, what)."""
    words = re.compile(r"\b(?:" + "|".join(chrome_words) + r")\b", re.IGNORECASE) if chrome_words else None
    reader = _Reader(chrome_tags=frozenset(chrome_tags or ()), chrome_words=words)
    reader.has_main = bool(re.search(r"<(?:main|article)\b", html, re.IGNORECASE))
    head = re.search(r"<head\b.*?</head\s*>", html, re.IGNORECASE | re.DOTALL)
    if head:  # `head` is skipped silently; its title is not the article's text
        html = html[: head.start()] + "\n" * html.count("\n", head.start(), head.end()) + html[head.end() :]
    reader.feed(html)
    reader.close()
    while reader.stack:  # elements the page never closed
        reader.handle_endtag(reader.stack[-1].tag)
    reader.flush()
    merged: list[HtmlBlock] = []
    for block in reader.blocks:
        is_item = block.lines[0].startswith("- ") and block.level == 0 and not block.row
        previous = merged[-1] if merged else None
        if is_item and previous and previous.level == 0 and previous.lines[-1].startswith("- "):
            merged[-1] = HtmlBlock(previous.line, (*previous.lines, *block.lines))
        elif block.row and previous is not None and previous.row:
            merged[-1] = HtmlBlock(previous.line, (*previous.lines, *block.lines), row=True)
        else:
            merged.append(block)
    removed = [
        (line, what)
        for line, what in reader.removed
        if what != _SILENT and not what.startswith("text outside")
    ]
    outside = [(line, what) for line, what in reader.removed if what.startswith("text outside")]
    if outside:
        more = f" and {len(outside) - 1} more pieces" if len(outside) > 1 else ""
        removed.append((outside[0][0], outside[0][1] + more))
    return merged, sorted(removed)


def _short(text: str, limit: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
