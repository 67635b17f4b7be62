"""Text normalization shared by every comparison of prose (disclaimers, flag identity, carry-over)."""

from __future__ import annotations

import re

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
