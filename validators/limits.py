"""Bounded cost: text that would make the Markdown parser or spaCy's tokenizer slow, found and defused.

spaCy's tokenizer is quadratic on a run of punctuation with no space in it (a 12 KB line of `(` took
69 s: it splits one prefix or suffix at a time and searches the rest again); markdown-it-py spends
some 25 us on every bracket, star or angle bracket of a paragraph, so 1 MiB of `[a](` takes 10-30 s.
Measured costs: a run of n punctuation characters costs about 0.16 us * n^2 in the tokenizer.

`scan` finds the places over the limits below, each with its line, for an error finding (SF08,
`validators.rules.safety`), and `defuse` returns the text with those places blanked (same length,
so every offset and line still holds), which is what the parser and the term flagger read. Every
file under the 1 MiB size cap is then parsed and flagged in a few seconds at worst.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_RUN = 64
"""Longest run of punctuation without a letter, digit or space (a table rule `|:---:|...` is ~40)."""

MAX_RUN_COST = 2_000_000
"""Budget of sum(n^2) over runs of 2+ punctuation characters (about 0.3 s of tokenizing)."""

MAX_MARKUP = 30_000
"""Budget of Markdown's active characters ([ ] ( ) * _ ` < > & ! \\) in one file (~0.8 s of parsing)."""

_RUN = re.compile(r"(?:[^\w\s]|_){2,}")
_MARKUP = re.compile(r"[\[\]()*_`<>&!\\]")


@dataclass(frozen=True)
class Excess:
    """One place over a limit: 1-based line and column in the text scanned, and what is over."""

    kind: str  # "run" | "run-cost" | "markup"
    offset: int
    line: int
    column: int
    message: str
    hint: str


def scan(text: str) -> list[Excess]:
    """Every place of `text` over the limits: each over-long run (first 20), then where a budget ran out."""
    found: list[Excess] = []
    cost = 0
    cost_offset: int | None = None
    long_runs = 0
    for match in _RUN.finditer(text):
        length = match.end() - match.start()
        if length > MAX_RUN:
            long_runs += 1
            if long_runs <= 20:
                found.append(
                    _excess(
                        text,
                        "run",
                        match.start(),
                        f"a run of {length} punctuation characters (the limit is {MAX_RUN}) "
                        "would stall the term flagger",
                        "write words; separate symbols with spaces",
                    )
                )
            continue
        cost += length * length
        if cost_offset is None and cost > MAX_RUN_COST:
            cost_offset = match.start()
    if cost_offset is not None:
        found.append(
            _excess(
                text,
                "run-cost",
                cost_offset,
                f"too much punctuation: from here on it is over the budget of {MAX_RUN_COST} "
                "(sum of squared run lengths)",
                "drafts are prose: remove the symbol runs",
            )
        )
    markup_offset = _nth_markup(text, MAX_MARKUP + 1)
    if markup_offset is not None:
        found.append(
            _excess(
                text,
                "markup",
                markup_offset,
                f"more than {MAX_MARKUP} Markdown symbols ([ ] ( ) * _ ` < > & ! \\) in one file",
                "split the article or remove the symbols",
            )
        )
    return sorted(found, key=lambda excess: excess.offset)


def defuse(text: str) -> str:
    """`text` with what `scan` reports blanked to spaces, same length (newlines kept): safe to parse.

    Runs over `MAX_RUN` are blanked; past the point where a budget runs out, every run of 2+
    punctuation characters (run cost) or every Markdown symbol (markup) is blanked.
    Text within the limits is returned unchanged (the same object).
    """
    excesses = scan(text)
    if not excesses:
        return text
    chars = list(text)
    cost_from = min((e.offset for e in excesses if e.kind == "run-cost"), default=None)
    markup_from = min((e.offset for e in excesses if e.kind == "markup"), default=None)
    for match in _RUN.finditer(text):
        length = match.end() - match.start()
        if length > MAX_RUN or (cost_from is not None and match.start() >= cost_from):
            chars[match.start() : match.end()] = " " * length
    if markup_from is not None:
        for match in _MARKUP.finditer(text, markup_from):
            chars[match.start()] = " "
    return "".join(chars)


def _nth_markup(text: str, n: int) -> int | None:
    """Offset of the `n`-th Markdown symbol of `text`, or None when it has fewer."""
    for count, match in enumerate(_MARKUP.finditer(text), start=1):
        if count == n:
            return match.start()
    return None


def _excess(text: str, kind: str, offset: int, message: str, hint: str) -> Excess:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Excess(kind, offset, line, column, message, hint)
