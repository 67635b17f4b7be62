"""Text normalization shared by every comparison of prose (disclaimers, flag identity, carry-over)."""

from __future__ import annotations

import html
import re
import unicodedata

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00a0": " ",
        "\u2013": "-",
        "\u2014": "-",
    }
)
_SPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Collapse white space and unify quote marks and dashes; case is kept."""
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip()


def normalize_key(text: str) -> str:
    """`normalize_text`, case-folded: the form used to compare terms and headings."""
    return normalize_text(text).casefold()


INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u034f\u2061\u2062\u2063\u2064")
"""Zero-width characters, soft hyphens and invisible operators: dropped by `normalize_for_flagging`."""

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def normalize_for_flagging(text: str) -> str:
    """The text as a reader sees it: HTML entities decoded, zero-width characters and soft hyphens
    removed, Unicode NFKC (full-width letters, ligatures, compatibility forms folded).

    `aspi&#114;in`, `aspi\u200brin` and `ａｓｐｉｒｉｎ` all become `aspirin`. The term flagger reads
    this form; `normalize_with_offsets` gives each character's offset in `text`.
    """
    return normalize_with_offsets(text)[0]


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """`normalize_for_flagging(text)` and, for each of its characters, the offset in `text` it came from.

    Entities are decoded first (one character per entity), then invisible characters dropped, then
    each base character with its combining marks is NFKC-normalized on its own.
    """
    if text.isascii() and "&" not in text:
        return text, list(range(len(text)))
    pieces: list[tuple[str, int]] = []
    position = 0
    for match in _ENTITY.finditer(text):
        pieces.extend((char, position + i) for i, char in enumerate(text[position : match.start()]))
        decoded = html.unescape(match.group())
        pieces.extend((char, match.start()) for char in decoded)
        position = match.end()
    pieces.extend((char, position + i) for i, char in enumerate(text[position:]))
    visible = [(char, offset) for char, offset in pieces if char not in INVISIBLE]
    out: list[str] = []
    offsets: list[int] = []
    index = 0
    while index < len(visible):
        char, offset = visible[index]
        cluster = char
        index += 1
        while index < len(visible) and unicodedata.combining(visible[index][0]):
            cluster += visible[index][0]
            index += 1
        folded = unicodedata.normalize("NFKC", cluster) if not cluster.isascii() else cluster
        out.append(folded)
        offsets.extend([offset] * len(folded))
    return "".join(out), offsets
