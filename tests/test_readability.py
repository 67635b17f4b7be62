"""The offline reading grade: syllables, words, sentences and the Flesch–Kincaid formula."""

from __future__ import annotations

from pathlib import Path

import pytest

from validators.errors import ConfigError
from validators.readability import (
    count_syllables,
    flesch_kincaid_grade,
    language_data,
    reading_grade,
    reading_stats,
    split_sentences,
    words,
)


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("the", 1),
        ("mast", 1),
        ("cells", 1),
        ("are", 1),
        ("whole", 1),
        ("immune", 2),  # silent final e
        ("release", 2),
        ("released", 2),  # silent -ed
        ("tested", 2),  # -ed after t is spoken
        ("makes", 1),  # silent -es
        ("diseases", 3),  # -es after s is spoken
        ("tissues", 2),
        ("table", 2),  # -le after a consonant is a syllable
        ("histamine", 3),
        ("allergic", 3),
        ("reactions", 3),  # "re-ac"
        ("biopsy", 3),  # "i-o" is two
        ("aspiration", 4),  # "-tion" is one
        ("radiation", 4),
        ("bacteria", 4),
        ("calcium", 3),
        ("special", 2),
        ("usual", 3),
        ("usually", 4),  # suffix -ly on "usual"
        ("completely", 3),  # suffix -ly keeps the silent e of "complete"
        ("treatment", 2),  # suffix -ment
        ("nausea", 3),
        ("diarrhea", 4),
        ("mastocytoma", 5),
        ("chemotherapy", 5),
        ("antihistamines", 5),
        ("sources", 2),  # -es after c is spoken
        ("tables", 2),  # -les after a consonant keeps its syllable
        ("assembled", 3),
        ("agreeing", 3),  # -ing after a vowel
        ("activism", 4),  # -ism
        ("amplifier", 4),  # -ier after a consonant
        ("player", 2),
        ("experience", 4),
        ("associate", 4),
        ("antique", 2),  # silent -que
        ("medically", 3),  # -ically
        ("people", 2),  # exception table
        ("round-cell", 2),  # a compound: the sum of its parts
        ("Doctor's", 2),  # a possessive: the word before the apostrophe
        ("2026", 3),  # one per digit, at most three
        ("5", 1),
    ],
)
def test_count_syllables(word: str, syllables: int) -> None:
    assert count_syllables(word) == syllables


def test_words_keep_compounds_contractions_abbreviations_and_decimals_whole() -> None:
    assert words("A round-cell tumor, e.g. 2.5 cm; don't (mast) cells—no.") == [
        "A",
        "round-cell",
        "tumor",
        "e.g",
        "2.5",
        "cm",
        "don't",
        "mast",
        "cells",
        "no",
    ]


def test_flesch_kincaid_formula_by_hand() -> None:
    # "The cat sat on the mat.": 6 words, 6 syllables, 1 sentence.
    # 0.39 * 6 + 11.8 * 1 - 15.59 = -1.45
    assert flesch_kincaid_grade(6, 1, 6) == pytest.approx(-1.45)
    assert reading_grade("The cat sat on the mat.") == pytest.approx(-1.45)
    assert flesch_kincaid_grade(0, 0, 0) == 0.0


def test_reading_grade_of_known_text_by_hand() -> None:
    text = "Mast cells are part of the immune system. They release histamine during allergic reactions."
    # Sentence 1: Mast(1) cells(1) are(1) part(1) of(1) the(1) immune(2) system(2) = 8 words, 10 syllables.
    # Sentence 2: They(1) release(2) histamine(3) during(2) allergic(3) reactions(3) = 6 words, 14.
    # 0.39 * (14 / 2) + 11.8 * (24 / 14) - 15.59 = 2.73 + 20.228571... - 15.59 = 7.368571...
    stats = reading_stats([text])
    assert (stats.sentences, stats.words, stats.syllables) == (2, 14, 24)
    assert stats.grade == pytest.approx(7.368571428571)


def test_each_block_is_split_on_its_own() -> None:
    # Two list items without full stops are two sentences, not one.
    stats = reading_stats(["Skin blisters", "Stomach pain"])
    assert (stats.sentences, stats.words) == (2, 4)
    assert reading_stats([]).grade == 0.0
    assert reading_stats(["", "  ", "—"]).sentences == 0


def test_sentences_survive_abbreviations_initials_and_decimals() -> None:
    text = (
        "See e.g. Dr. Smith about a 2.5 cm lump. John F. Kennedy said so! Take vitamin B. "
        "Is it bad? yes it is. Take 5 mg. Then rest, etc. And stop."
    )
    assert [s.text for s in split_sentences(text)] == [
        "See e.g. Dr. Smith about a 2.5 cm lump.",
        "John F. Kennedy said so!",
        "Take vitamin B.",
        "Is it bad? yes it is.",
        "Take 5 mg.",
        "Then rest, etc.",
        "And stop.",
    ]


def test_sentence_offsets_point_into_the_text() -> None:
    text = "  First one here.\nSecond (one) here.)  Third"
    sentences = split_sentences(text)
    assert [(s.start, s.end) for s in sentences] == [(2, 17), (18, 37), (39, 44)]
    assert [text[s.start : s.end] for s in sentences] == [s.text for s in sentences]
    assert [s.words for s in sentences] == [3, 3, 1]


def test_the_hardest_sentence_has_the_highest_grade() -> None:
    easy, hard = split_sentences("It is a cut. Immunohistochemical characterization necessitates biopsies.")
    assert easy.grade < 1 < 20 < hard.grade


def test_language_data_is_loaded_strictly(tmp_path: Path) -> None:
    shipped = language_data()
    assert "e.g." in shipped.abbreviations and "etc." in shipped.sentence_final_abbreviations
    assert shipped.syllable_exceptions["people"] == 2
    bad = tmp_path / "readability.yaml"
    bad.write_text("abbreviations: []\nsentence_final_abbreviations: []\nsyllable_exceptions: {}\nx: 1\n")
    with pytest.raises(ConfigError, match="x: Extra inputs are not permitted"):
        language_data(bad)
    bad.write_text("abbreviations: [\n")
    with pytest.raises(ConfigError, match="cannot read the readability data"):
        language_data(bad)
