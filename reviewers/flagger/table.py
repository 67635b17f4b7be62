"""The compiled term table: token-hash sequences to lexicon entries, and its on-disk form.

Terms are keyed by the spaCy hashes of their tokens' lower-case forms (hyphens and white space
skipped, so "beta-blocker" and "beta blocker" are one key). Short all-capital abbreviations
("CT", "ALL", "AIDS") are keyed by their exact spelling instead, so the words "all" and "aids"
are not flagged. The table serialises to msgpack with flat numpy arrays: loading it runs no
pickled code and takes a fraction of a second.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import numpy as np
import numpy.typing as npt
import srsly  # type: ignore[import-untyped]
from spacy.strings import hash_string  # type: ignore[attr-defined]
from spacy.symbols import IDS as SYMBOL_IDS
from spacy.tokenizer import Tokenizer

from reviewers.flagger.lexicon import SOURCES, LexiconEntry
from reviewers.flags import FlagCategory
from validators.text import normalize_key

TABLE_FORMAT = 2
SKIPPED_TOKENS = ("-", "\u2010", "\u2011", "\u2013", "\u2014")
"""Hyphens and dashes are ignored when keying and matching terms."""


def string_id(text: str) -> int:
    """The id spaCy gives a string in token attributes (`Doc.to_array`): its hash, except for
    spaCy's built-in symbols, which include English words ("agent", "root", "number")."""
    return int(SYMBOL_IDS.get(text, 0)) or int(hash_string(text))


SKIPPED_HASHES = np.array(sorted(string_id(text) for text in SKIPPED_TOKENS), dtype=np.uint64)
LEADING_FUNCTION_WORDS = frozenset(
    [
        "(",
        "[",
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "with",
        "by",
        "from",
        "as",
        "is",
        "are",
        "was",
        "be",
        "been",
        "not",
        "no",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "has",
        "have",
        "had",
        "may",
        "can",
        "will",
        "his",
        "her",
        "their",
        "our",
        "your",
    ]
)
"""Third-party entries starting with one of these are phrases, not terms (our own list may)."""
MIN_TERM_LENGTH = 3
"""Terms shorter than this are matched only when written in capitals (abbreviations)."""
MAX_ABBREVIATION_LENGTH = 6

Key = tuple[int, ...]
Found = tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.uint32]]
"""(token starts, lengths in tokens, entry ids) of key matches."""


@dataclass(frozen=True, slots=True)
class EntryInfo:
    """What a matched key stands for (the flag's category, canonical name, source and rule id)."""

    category: FlagCategory
    canonical: str
    source: str
    source_id: str | None
    rule_id: str


KEY_MASK = (1 << 63) - 1
KEY_MULTIPLIER = 1_000_003
_MASK = np.uint64(KEY_MASK)
_MULTIPLIER = np.uint64(KEY_MULTIPLIER)


def combine(hashes: Iterable[int]) -> int:
    """One 63-bit integer for a sequence of token hashes (the key of a term). numpy's wrapping
    uint64 arithmetic gives the same value, so documents are keyed vectorised."""
    value = 0
    for item in hashes:
        value = ((value * KEY_MULTIPLIER) ^ item) & KEY_MASK
    return value


_EMPTY_KEYS: npt.NDArray[np.uint64] = np.zeros(0, dtype=np.uint64)


class KeyTable:
    """An open-addressing hash table of distinct uint64 keys with a uint32 value each, looked up a
    whole array at a time (a few vectorised probes instead of a binary search's cache misses).
    Built in a few milliseconds when the index is loaded; the sorted arrays stay the on-disk form."""

    LOAD = 0.4

    def __init__(self, keys: npt.NDArray[np.uint64], values: npt.NDArray[np.uint32]) -> None:
        size = 16
        while size * self.LOAD < len(keys):
            size *= 2
        self.mask = np.uint64(size - 1)
        # linear probing without wrap-around: keys sorted by home slot take the first free slot
        # from home on, p[i] = max(home[i], p[i-1] + 1) = i + running max of (home - i); the
        # table has room past its end for the last run and always ends in an unused slot
        home = (keys & self.mask).astype(np.intp)
        order = np.argsort(home, kind="stable")
        rank = np.arange(len(keys))
        position = rank + np.maximum.accumulate(home[order] - rank) if len(keys) else rank
        length = size + len(keys) + 1
        self.slots = np.zeros(length, dtype=np.uint64)
        self.values = np.zeros(length, dtype=np.uint32)
        self.used = np.zeros(length, dtype=np.bool_)
        self.slots[position] = keys[order]
        self.values[position] = values[order]
        self.used[position] = True

    def lookup(self, needles: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.uint32]]:
        """For each needle: whether it is a key, and its value (0 when not)."""
        found = np.zeros(len(needles), dtype=np.bool_)
        values = np.zeros(len(needles), dtype=np.uint32)
        active = np.arange(len(needles))
        probe = 0
        while len(active):
            wanted = needles[active]
            slot = (wanted & self.mask).astype(np.intp) + probe
            used = self.used[slot]
            hit = used & (self.slots[slot] == wanted)
            found[active[hit]] = True
            values[active[hit]] = self.values[slot[hit]]
            active = active[used & ~hit]
            probe += 1
        return found, values


@dataclass
class KeyIndex:
    """Keys of one kind (lower-case or exact spelling) as sorted arrays: combined keys and their
    entry ids, the longest key length per first token hash, and the combined values of every
    proper prefix of a key (a match is only extended while it is such a prefix)."""

    keys: npt.NDArray[np.uint64] = field(default_factory=lambda: _EMPTY_KEYS)
    ids: npt.NDArray[np.uint32] = field(default_factory=lambda: np.zeros(0, dtype=np.uint32))
    firsts: npt.NDArray[np.uint64] = field(default_factory=lambda: _EMPTY_KEYS)
    longest: npt.NDArray[np.uint16] = field(default_factory=lambda: np.zeros(0, dtype=np.uint16))
    prefixes: npt.NDArray[np.uint64] = field(default_factory=lambda: _EMPTY_KEYS)

    @functools.cached_property
    def _keys(self) -> KeyTable:
        return KeyTable(self.keys, self.ids)

    @functools.cached_property
    def _firsts(self) -> KeyTable:
        return KeyTable(self.firsts, self.longest.astype(np.uint32))

    @functools.cached_property
    def _prefixes(self) -> KeyTable:
        # hash tables are built on first use, not at load: a new process is ready sooner
        return KeyTable(self.prefixes, np.zeros(len(self.prefixes), dtype=np.uint32))

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def build(cls, keyed: dict[Key, int]) -> KeyIndex:
        """The index of token-hash keys."""
        most: dict[int, int] = {}
        prefixes: set[int] = set()
        for key in keyed:
            most[key[0]] = max(most.get(key[0], 0), len(key))
            value = 0
            for item in key[:-1]:
                value = ((value * KEY_MULTIPLIER) ^ item) & KEY_MASK
                prefixes.add(value)
        firsts = np.array(sorted(most), dtype=np.uint64)
        longest = np.array([most[first] for first in firsts.tolist()], dtype=np.uint16)
        combined = np.array([combine(key) for key in keyed], dtype=np.uint64)
        ids = np.array(list(keyed.values()), dtype=np.uint32)
        order = np.argsort(combined, kind="stable")
        return cls(combined[order], ids[order], firsts, longest, np.array(sorted(prefixes), dtype=np.uint64))

    def candidate_lengths(self, hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint16]:
        """For each token, the longest key that starts with it (0 when none does)."""
        if len(self.firsts) == 0 or len(hashes) == 0:
            return np.zeros(len(hashes), dtype=np.uint16)
        _, longest = self._firsts.lookup(hashes)
        return longest.astype(np.uint16)

    def longest_matches(self, hashes: npt.NDArray[np.uint64]) -> Found:
        """(starts, lengths, entry ids) of the longest key at every position where one starts."""
        return self.longest_and_wanted_matches(hashes, None)[0]

    def longest_and_wanted_matches(
        self, hashes: npt.NDArray[np.uint64], wanted: npt.NDArray[np.bool_] | None
    ) -> tuple[Found, Found]:
        """The longest key at every position where one starts (as `longest_matches`), and, where
        that key's entry is not `wanted` (a boolean per entry id), the longest key there whose
        entry is: the term needing approval that a longer informational term starts with."""
        most = self.candidate_lengths(hashes)
        starts = np.flatnonzero(most)
        best_length = np.zeros(len(starts), dtype=np.intp)
        best_id = np.zeros(len(starts), dtype=np.uint32)
        wanted_length = np.zeros(len(starts), dtype=np.intp)
        wanted_id = np.zeros(len(starts), dtype=np.uint32)
        if len(starts) == 0 or len(self.keys) == 0:
            return (starts, best_length, best_id), (starts, wanted_length, wanted_id)
        combined = np.zeros(len(starts), dtype=np.uint64)
        active = np.arange(len(starts))
        length = 0
        while len(active):
            length += 1
            active = active[(most[starts[active]] >= length) & (starts[active] + length <= len(hashes))]
            if not len(active):
                break
            step = (combined[active] * _MULTIPLIER) ^ hashes[starts[active] + length - 1]
            combined[active] = step & _MASK
            hit, ids = self._keys.lookup(combined[active])
            best_length[active[hit]] = length
            best_id[active[hit]] = ids[hit]
            if wanted is not None:
                chosen = wanted[ids[hit]]
                wanted_length[active[hit][chosen]] = length
                wanted_id[active[hit][chosen]] = ids[hit][chosen]
            extends, _ = self._prefixes.lookup(combined[active])  # go on only from a prefix
            active = active[extends]
        found = best_length > 0
        shorter = (wanted_length > 0) & (wanted_length < best_length)
        return (
            (starts[found], best_length[found], best_id[found]),
            (starts[shorter], wanted_length[shorter], wanted_id[shorter]),
        )

    def to_msg(self) -> dict[str, bytes]:
        """The arrays as bytes."""
        return {
            "keys": self.keys.tobytes(),
            "ids": self.ids.tobytes(),
            "firsts": self.firsts.tobytes(),
            "longest": self.longest.tobytes(),
            "prefixes": self.prefixes.tobytes(),
        }

    @classmethod
    def from_msg(cls, msg: dict[str, bytes]) -> KeyIndex:
        """The inverse of `to_msg` (no per-key work: the arrays are used as they are)."""
        index = cls(
            np.frombuffer(msg["keys"], dtype=np.uint64),
            np.frombuffer(msg["ids"], dtype=np.uint32),
            np.frombuffer(msg["firsts"], dtype=np.uint64),
            np.frombuffer(msg["longest"], dtype=np.uint16),
            np.frombuffer(msg["prefixes"], dtype=np.uint64),
        )
        if len(index.keys) != len(index.ids) or len(index.firsts) != len(index.longest):
            raise ValueError("inconsistent key arrays")
        for array in (index.keys, index.prefixes):
            if len(array) > 1 and not bool(np.all(array[1:] >= array[:-1])):
                raise ValueError("keys are not sorted")
        return index


class TermTable:
    """Every lexicon key, ready to match a document's tokens; entries are decoded on first use."""

    def __init__(
        self, entries: Sequence[EntryInfo | Sequence[Any]], lower: KeyIndex, exact: KeyIndex
    ) -> None:
        self._rows = list(entries)
        self._labels: dict[int, tuple[str, str]] = {}
        self.lower = lower
        self.exact = exact

    def __len__(self) -> int:
        return len(self._rows)

    def entry(self, index: int) -> EntryInfo:
        """The entry a key points to."""
        row = self._rows[index]
        if not isinstance(row, EntryInfo):
            category, canonical, source, source_id, rule_id = row
            row = self._rows[index] = EntryInfo(FlagCategory(category), canonical, source, source_id, rule_id)
        return row

    def category_mask(self, categories: Iterable[str]) -> npt.NDArray[np.bool_]:
        """For each entry id, whether its category value is one of `categories`."""
        wanted = frozenset(categories)
        return np.fromiter(
            ((row.category.value if isinstance(row, EntryInfo) else row[0]) in wanted for row in self._rows),
            dtype=np.bool_,
            count=len(self._rows),
        )

    def label_and_rule(self, index: int) -> tuple[str, str]:
        """The category value and rule id of an entry (cached: read once per match)."""
        found = self._labels.get(index)
        if found is None:
            entry = self.entry(index)
            found = self._labels[index] = (entry.category.value, entry.rule_id)
        return found

    def to_bytes(self) -> bytes:
        """msgpack bytes (no pickle)."""
        rows = [
            [e.category.value, e.canonical, e.source, e.source_id, e.rule_id]
            for e in map(self.entry, range(len(self)))
        ]
        msg = {
            "format": TABLE_FORMAT,
            "entries": rows,
            "lower": self.lower.to_msg(),
            "exact": self.exact.to_msg(),
        }
        data: bytes = srsly.msgpack_dumps(msg)
        return data

    @classmethod
    def from_bytes(cls, data: bytes) -> TermTable:
        """The inverse of `to_bytes`; raises ValueError on a foreign or damaged payload."""
        msg: dict[str, Any] = srsly.msgpack_loads(data)
        if not isinstance(msg, dict) or msg.get("format") != TABLE_FORMAT:
            raise ValueError("not a term table of this format")
        rows = msg["entries"]
        if not isinstance(rows, list) or any(len(row) != 5 for row in rows[:1]):
            raise ValueError("bad entry rows")
        table = cls(rows, KeyIndex.from_msg(msg["lower"]), KeyIndex.from_msg(msg["exact"]))
        top = max(
            [int(index.ids.max()) for index in (table.lower, table.exact) if len(index.ids)], default=-1
        )
        if top >= len(rows):
            raise ValueError("key points past the entries")
        return table


def is_abbreviation(term: str) -> bool:
    """Short terms written without lower-case letters ("CT", "5-FU", "AIDS") match only as written."""
    return (
        len(term) <= MAX_ABBREVIATION_LENGTH
        and any(char.isupper() for char in term)
        and not any(char.islower() for char in term)
    )


MAX_SYMBOL_LENGTH = 4


def is_symbol(term: str) -> bool:
    """A short reviewed term written with a capital ("Na", "K+", "Ca++", "MRIs"): an element
    symbol, ion or plural abbreviation, matched only as written ("Na" never "na", "K" never "k")."""
    return len(term) <= MAX_SYMBOL_LENGTH and " " not in term and any(char.isupper() for char in term)


def abbreviation_forms(term: str, canonical: str) -> list[str]:
    """The spellings an abbreviation matches, exactly as written; [] for an ordinary term.

    A case-folded lexicon term ("ct", "aids", "nsaids") is an abbreviation when it is short and
    an initialism of its multi-word canonical name; it then matches only in capitals ("CT", "AIDS",
    "NSAIDs"), so the words "aids" and "all" are not flagged."""
    if is_abbreviation(term):
        return [term]
    stem = term[:-1] if term.endswith("s") and len(term) > 3 else term
    if (
        term != term.casefold()
        or len(stem) > MAX_ABBREVIATION_LENGTH
        or not _ABBREVIATION_CHARS.match(term)
        or not _is_initialism(stem, canonical)
    ):
        return []
    forms = [term.upper()]
    if stem != term:
        forms.append(stem.upper() + "s")
    return forms


_ABBREVIATION_CHARS = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_WORD_SPLIT = re.compile(r"[\s\-/,]+")


def _is_initialism(short: str, long_form: str) -> bool:
    words = [word for word in _WORD_SPLIT.split(long_form.casefold()) if word]
    letters_needed = [char for char in short if char.isalnum()]
    if len(words) < 2 or short[0] != words[0][0] or len(letters_needed) > len(words) + 1:
        return False
    letters = iter("".join(words))
    return all(char in letters for char in letters_needed)


def token_key(words: Iterable[str]) -> Key:
    """The hashes of the words, hyphens and white space skipped."""
    return tuple(string_id(word) for word in words if word not in SKIPPED_TOKENS and not word.isspace())


def compile_table(
    entries: Iterable[tuple[int, LexiconEntry]],
    tokenizer: Tokenizer,
    *,
    stoplist: set[str],
    accepted: set[str],
) -> TermTable:
    """Key every entry by its tokens. `entries` carry a rank (lower wins when two share a key);
    rank 0 entries (the organization's always-flag list) ignore the stoplist."""
    infos: list[EntryInfo] = []
    info_ids: dict[EntryInfo, int] = {}
    best: dict[tuple[bool, Key], tuple[tuple[int, int], int]] = {}
    pending = _spellings(entries, stoplist=stoplist, accepted=accepted)
    # entries are read, tokenized and keyed in chunks, so the whole lexicon is never held twice
    # (the cold build must stay well under the flagger's 400 MB)
    while chunk := list(islice(pending, COMPILE_CHUNK)):
        docs = tokenizer.pipe([text for _, _, text, _ in chunk], batch_size=COMPILE_CHUNK)
        for (rank, entry, _, exact), doc in zip(chunk, docs, strict=True):
            words = [token.text if exact else token.lower_ for token in doc]
            _key_entry(words, rank, entry, exact, stoplist, infos, info_ids, best)
    lower = KeyIndex.build({key: info_id for (exact, key), (_, info_id) in best.items() if not exact})
    exact_index = KeyIndex.build({key: info_id for (exact, key), (_, info_id) in best.items() if exact})
    return TermTable(infos, lower, exact_index)


COMPILE_CHUNK = 2000


def _spellings(
    entries: Iterable[tuple[int, LexiconEntry]], *, stoplist: set[str], accepted: set[str]
) -> Iterator[tuple[int, LexiconEntry, str, bool]]:
    """(rank, entry, spelling, matched exactly as written) for every spelling worth keying."""
    for rank, entry in entries:
        folded = normalize_key(entry.term)
        if not folded or folded in accepted or (rank > 0 and folded in stoplist):
            continue
        if folded.replace(".", "").replace(",", "").isdigit():
            continue
        if _MALFORMED.search(entry.term):
            continue  # markup in a hand-written or third-party spelling: never a term in prose
        forms = abbreviation_forms(entry.term.strip(), entry.canonical)
        if not forms and entry.source == "editorial" and is_symbol(entry.term.strip()):
            forms = [entry.term.strip()]
        if forms:
            yield from ((rank, entry, form, True) for form in forms)
        elif len(folded) >= MIN_TERM_LENGTH:
            yield from ((rank, entry, spelling, False) for spelling in code_spellings(entry.term))


def _key_entry(
    words: list[str],
    rank: int,
    entry: LexiconEntry,
    exact: bool,
    stoplist: set[str],
    infos: list[EntryInfo],
    info_ids: dict[EntryInfo, int],
    best: dict[tuple[bool, Key], tuple[tuple[int, int], int]],
) -> None:
    """Key one tokenized spelling into `best` (the better-ranked entry wins a shared key)."""
    if not exact and is_filler_term(words, entry, stoplist):
        return  # "at 10", "cow milk": common words and numbers are not a medicine in prose
    if not exact and entry.source != "editorial" and words[0] in LEADING_FUNCTION_WORDS:
        return  # a vocabulary's "the ..." / "a ..." / "( ..." entry: a phrase, not a term
    key = token_key(words)
    if not key:
        return
    info = EntryInfo(
        entry.category, normalize_key(entry.canonical), entry.source, entry.source_id, entry.rule_id
    )
    info_id = info_ids.setdefault(info, len(infos))
    if info_id == len(infos):
        infos.append(info)
    precedence = (rank, _source_rank(entry.source))
    current = best.get((exact, key))
    if current is None or precedence < current[0]:
        best[(exact, key)] = (precedence, info_id)


_MALFORMED = re.compile(r"&(?:lt|gt|quot|amp|#\d+);|[<>]|^\s*[,;:]|[,;:]\s*$")
_CODE_SPLIT = re.compile(r"(?<=[A-Za-z])[\s-]+(?=\d)")
_CODE_JOINED = re.compile(r"(?<=[A-Za-z]{2})(?=\d)")


def code_spellings(term: str) -> list[str]:
    """A term and its other code spelling: "fk 506"/"fk-506" also as "fk506" and "fk506" also as
    "fk-506" (drug codes are written both ways)."""
    joined = _CODE_SPLIT.sub("", term)
    if joined != term:
        return [term, joined]
    if " " not in term and _CODE_JOINED.search(term):
        return [term, _CODE_JOINED.sub("-", term, count=1)]
    return [term]


FILLER_CHECKED_SOURCES = frozenset({"DrugBank", "MeSH"})
FILLER_CHECKED_CATEGORIES = frozenset({FlagCategory.DRUG, FlagCategory.CHEMICAL})


def is_filler_term(words: Sequence[str], entry: LexiconEntry, stoplist: set[str]) -> bool:
    """Whether a vocabulary term is made only of everyday words and is dropped (never a hyphenated
    code of letters and digits such as "5-ht" or "vp-16").

    Our own reviewed lists (and the organization's always-flag list) are never dropped. A DrugBank
    or MeSH drug or chemical name made only of easy words, short words and numbers is a food, an
    allergen extract or a code ("cow milk", "black pepper", "at 10"). A condition, symptom or any
    other vocabulary term is dropped only when it also holds a word of two letters or fewer or a
    number ("at v1", "men 2"): everyday phrases such as "heart attack" or "hearing loss" are exactly
    what a reader writes and a clinician must see."""
    if entry.source == "editorial" or _is_code(entry.term):
        return False
    words = [word for word in words if word not in SKIPPED_TOKENS]
    if not all(_is_filler(word, stoplist) for word in words):
        return False
    if entry.source in FILLER_CHECKED_SOURCES and entry.category in FILLER_CHECKED_CATEGORIES:
        return True
    return any(_is_trivial(word) for word in words)


def _is_code(term: str) -> bool:
    """One written word of letters and digits joined by a hyphen: a code name ("5-ht", "vp-16")."""
    return bool(_CODE_WORD.match(term.strip()))


_CODE_WORD = re.compile(r"^(?=[^\s]*[a-z])(?=[^\s]*\d)[a-z0-9]+(?:-[a-z0-9]+)+$", re.IGNORECASE)


def _is_filler(word: str, stoplist: set[str]) -> bool:
    return word in stoplist or _is_trivial(word)


def _is_trivial(word: str) -> bool:
    return len(word) <= 2 or not any(char.isalpha() for char in word)


def _source_rank(source: str) -> int:
    return SOURCES.index(source) if source in SOURCES else len(SOURCES)
