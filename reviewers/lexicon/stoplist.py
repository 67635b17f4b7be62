"""The stoplist: words that are never flagged as terms on their own (`reviewers/data/stoplist.txt`).

Format: one term per line, case-folded on reading; `#` starts a comment. A stoplist entry removes
only a whole lexicon term equal to it, never a longer term containing it ("blood" is stopped,
"blood test" is kept).

The Dale–Chall easy words are vendored into the stoplist, less `KEPT_EASY_WORDS` (medical words of
that list that readers should see flagged). `python -m reviewers.lexicon.stoplist --easy-words PATH`
prints that section from textstat's `resources/en/easy_words.txt` (PATH: that file, or a textstat
wheel holding it), for refreshing the vendored copy.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

from reviewers.lexicon.variants import normalize_term

STOPLIST_PATH = Path(__file__).resolve().parent.parent / "data" / "stoplist.txt"
EASY_WORDS_MEMBER = "textstat/resources/en/easy_words.txt"


# Dale–Chall easy words that are medical terms: left out of the vendored section, so they stay flaggable.
KEPT_EASY_WORDS = frozenset({"cough", "cramps", "fever", "headache", "iron", "lump", "pain"})


def parse_stoplist(lines: Iterable[str]) -> frozenset[str]:
    """The stopped terms of a stoplist text, case-folded (comments and blank lines skipped)."""
    stopped: set[str] = set()
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if line:
            stopped.add(normalize_term(line))
    return frozenset(stopped)


def load_stoplist(path: Path | None = None) -> frozenset[str]:
    """The shipped stoplist (or the one at `path`)."""
    target = path or STOPLIST_PATH
    return parse_stoplist(target.read_text(encoding="utf-8").splitlines())


def read_easy_words(path: Path) -> list[str]:
    """The Dale–Chall easy words (sorted, case-folded) from textstat's resource file or a wheel holding it."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            text = wheel.read(EASY_WORDS_MEMBER).decode("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return sorted({normalize_term(word) for word in text.split() if word.strip()})


def main(argv: list[str] | None = None) -> int:
    """Print the stoplist's Dale–Chall section (the easy words less `KEPT_EASY_WORDS`), one a line."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--easy-words", type=Path, required=True, help="easy_words.txt or a textstat wheel")
    args = parser.parse_args(argv)
    words = [word for word in read_easy_words(args.easy_words) if word not in KEPT_EASY_WORDS]
    sys.stdout.write("".join(word + "\n" for word in words))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
