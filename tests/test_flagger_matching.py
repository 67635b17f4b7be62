"""The flagger on articles: terms, longest match, sentences, offsets, line/column, config lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from flagger_fixtures import small_flagger

from reviewers.flagger import Flagger, article_segments, flag_findings
from reviewers.flags import FlagCategory
from validators.errors import ConfigError
from validators.findings import Severity
from validators.parser import parse_article

FRONT = "---\ntitle: T\nslug: t\nauthor: w\n---\n\n"


@pytest.fixture
def flagger(tmp_path: Path) -> Flagger:
    return small_flagger(tmp_path)


def terms(flagger: Flagger, body: str) -> list[tuple[str, str]]:
    article = parse_article(FRONT + body, "t.md")
    return [(flag.term, flag.category.value) for flag in flagger.flag(article)]


def test_fixture_article_flags_with_sentences_and_positions(
    flagger: Flagger, good_article_path: Path
) -> None:
    article = parse_article(good_article_path.read_text(encoding="utf-8"), "a.md")
    flags = flagger.flag(article)
    found = {(f.term, f.category.value): f for f in flags}
    assert set(found) == {
        ("mast cell tumor", "condition"),
        ("histamine", "chemical"),
        ("nausea", "symptom"),
        ("needle aspiration biopsy", "procedure"),
        ("X-rays", "test"),
        ("ultrasound", "test"),
        ("Surgical removal", "procedure"),
        ("Antihistamines", "drug_class"),
        ("must be given prior to\nsurgery", "directive"),
        ("Chemotherapy", "procedure"),
        ("vinblastine", "drug"),
    }
    vinblastine = found[("vinblastine", "drug")]
    assert vinblastine.sentence == "Chemotherapy with vinblastine may follow."
    assert (vinblastine.line, vinblastine.column) == (33, 28)
    assert (vinblastine.source, vinblastine.source_id, vinblastine.rule_id) == (
        "DrugBank",
        "DB00570",
        "DrugBank:DB00570",
    )
    assert vinblastine.needs_approval is True
    assert found[("X-rays", "test")].normalized == "x-ray"
    assert (
        found[("X-rays", "test")].sentence
        == "X-rays and ultrasound may show\nwhether the disease has spread."
    )
    assert found[("nausea", "symptom")].needs_approval is False
    directive = found[("must be given prior to\nsurgery", "directive")]
    assert directive.sentence == "Antihistamines must be given prior to\nsurgery."
    assert directive.rule_id == "directive-obligation"
    for flag in flags:
        assert article.text[flag.start : flag.end] == flag.term
        assert article.position(flag.start) == (flag.line, flag.column)
        assert flag.sentence in article.text
    assert [f.start for f in flags] == sorted(f.start for f in flags)


def test_longest_term_wins_over_the_term_inside_it(flagger: Flagger) -> None:
    assert terms(flagger, "A needle aspiration biopsy or a biopsy.\n") == [
        ("needle aspiration biopsy", "procedure"),
        ("biopsy", "procedure"),
    ]
    assert terms(flagger, "A mast cell tumor is a tumor.\n") == [
        ("mast cell tumor", "condition"),
        ("tumor", "condition"),
    ]


def test_hyphens_line_breaks_and_case_do_not_matter_for_ordinary_terms(flagger: Flagger) -> None:
    assert terms(flagger, "X rays, x-rays and SURGICAL\nREMOVAL.\n") == [
        ("X rays", "test"),
        ("x-rays", "test"),
        ("SURGICAL\nREMOVAL", "procedure"),
    ]


def test_abbreviations_match_only_in_capitals(flagger: Flagger) -> None:
    assert terms(flagger, "A CT scan. The ct is not.\n") == [("CT", "test")]


def test_abbreviation_defined_in_the_text_is_flagged_later(flagger: Flagger) -> None:
    body = "## Treatment\n\nDoctors use 5-fluorouracil (5-FU).\n\nLater, 5-FU is stopped. 5-FUX is not.\n"
    article = parse_article(FRONT + body, "t.md")
    flags = flagger.flag(article)
    assert [(f.term, f.category.value, f.normalized, f.rule_id) for f in flags] == [
        ("5-fluorouracil", "drug", "fluorouracil", "DrugBank:DB00544"),
        ("5-FU", "drug", "fluorouracil", "abbreviation-defined-in-text"),
        ("5-FU", "drug", "fluorouracil", "abbreviation-defined-in-text"),
    ]
    assert flags[2].sentence == "Later, 5-FU is stopped."
    assert (flags[2].line, flags[2].column) == (11, 8)


def test_stoplisted_terms_are_not_flagged(flagger: Flagger) -> None:
    assert terms(flagger, "It holds water with histamine.\n") == [("histamine", "chemical")]


def test_a_heading_and_a_list_item_are_sentences_of_their_own(flagger: Flagger) -> None:
    body = "## Chemotherapy and vinblastine\n\n- Ultrasound\n- needle aspiration biopsy of the tumor\n"
    article = parse_article(FRONT + body, "t.md")
    flags = flagger.flag(article)
    assert [(f.term, f.sentence, f.line, f.column) for f in flags] == [
        ("Chemotherapy", "Chemotherapy and vinblastine", 7, 4),
        ("vinblastine", "Chemotherapy and vinblastine", 7, 21),
        ("Ultrasound", "- Ultrasound", 9, 3),
        ("needle aspiration biopsy", "- needle aspiration biopsy of the tumor", 10, 3),
        ("tumor", "- needle aspiration biopsy of the tumor", 10, 35),
    ]


def test_segments_strip_leading_white_space_and_keep_offsets() -> None:
    article = parse_article(FRONT + "## Title ##\n\n   Indented paragraph.\n", "t.md")
    segments = article_segments(article)
    assert [(s.text, article.text[s.offset : s.offset + len(s.text)]) for s in segments] == [
        ("Title", "Title"),
        ("Indented paragraph.", "Indented paragraph."),
    ]


def test_flag_many_keeps_article_order(flagger: Flagger) -> None:
    first = parse_article(FRONT + "Vinblastine.\n", "a.md")
    second = parse_article(FRONT + "Nothing here.\n", "b.md")
    third = parse_article(FRONT + "An ultrasound.\n", "c.md")
    results = list(flagger.flag_many([first, second, third]))
    assert [[f.term for f in flags] for flags in results] == [["Vinblastine"], [], ["ultrasound"]]


def test_flag_findings_are_tm01_info_lines(flagger: Flagger) -> None:
    article = parse_article(FRONT + "Nausea after vinblastine. It must be given\nwith food.\n", "a.md")
    findings = flag_findings(flagger.flag(article), "a.md")
    assert [f.format() for f in findings] == [
        "a.md:7:1: TM01 info symptom 'Nausea' (informational)",
        "a.md:7:14: TM01 info drug 'vinblastine' needs clinician approval",
        "a.md:7:30: TM01 info directive 'must be given with food' needs clinician approval",
    ]
    assert all(f.severity is Severity.INFO and f.rule == "medical-term" for f in findings)


def test_organization_accept_and_always_lists(tmp_path: Path) -> None:
    config = tmp_path / "org.yaml"
    config.write_text(
        "needs_approval: [drug]\naccept: [Vinblastine]\n"
        "always_flag:\n  - {term: water, category: chemical}\n  - {term: bone marrow, category: test}\n",
        encoding="utf-8",
    )
    flagger = small_flagger(tmp_path, config)
    article = parse_article(FRONT + "Vinblastine, water, bone marrow and 5-fluorouracil.\n", "a.md")
    flags = flagger.flag(article)
    assert [(f.term, f.category.value, f.needs_approval) for f in flags] == [
        ("water", "chemical", False),
        ("bone marrow", "test", False),
        ("5-fluorouracil", "drug", True),
    ]


def test_accept_list_also_silences_patterns(tmp_path: Path) -> None:
    config = tmp_path / "org.yaml"
    config.write_text("accept: ['twice daily']\n", encoding="utf-8")
    flagger = small_flagger(tmp_path, config)
    article = parse_article(FRONT + "Take 10 mg twice daily.\n", "a.md")
    assert [f.term for f in flagger.flag(article)] == ["Take 10 mg twice daily", "10 mg"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "acept: [x]\n",
            "unknown key 'acept' (allowed keys: needs_approval, accept, always_flag, disabled_rules)",
        ),
        ("needs_approval: [drugs]\n", "'needs_approval.0': 'drugs' is not a category"),
        ("always_flag:\n  - {term: x, category: drug, note: y}\n", "allowed keys: term, category, canonical"),
        ("- just a list\n", "must be a mapping of keys to values, not list"),
        ("accept: [\n", "not valid YAML at line"),
        ("disabled_rules: [no-such-rule]\n", "disabled_rules names unknown rule ids: no-such-rule"),
    ],
)
def test_bad_organization_config_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "org.yaml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        small_flagger(tmp_path, config)
    assert message in str(caught.value)
    assert "E013" in str(caught.value)


def test_missing_config_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="flagger_config"):
        small_flagger(tmp_path, tmp_path / "absent.yaml")


def test_categories_default_approval() -> None:
    from reviewers.flagger.config import load_config

    config = load_config()
    assert [c for c in FlagCategory if not config.approval_needed(c)] == [
        FlagCategory.CONDITION,
        FlagCategory.SYMPTOM,
    ]


SENTENCE_CASES = [
    "Hello there. How are you?! Fine.",
    '"Fine." (Yes.) Ok... 3.5 mg. Dr. Who said so',
    "No end",
    "...",
    "A line.\nNext line! And (more.) text",
]


@pytest.mark.parametrize("text", SENTENCE_CASES)
def test_editorial_sentences_match_spacys_sentencizer(text: str) -> None:
    import spacy

    import reviewers.flagger.sentences as sentences

    reference = spacy.blank("en")
    reference.add_pipe("sentencizer")
    ours = spacy.blank("en")
    ours.add_pipe(sentences.FACTORY)
    assert [s.text for s in ours(text).sents] == [s.text for s in reference(text).sents]


def test_batch_matching_equals_one_doc_at_a_time(flagger: Flagger) -> None:
    texts = [
        "Vinblastine after a needle aspiration biopsy.",
        "",
        "X-rays, CT and ultrasound of the tumor.",
        "Mast cell tumor",
    ]
    docs = [flagger.nlp.make_doc(text) for text in texts]
    batch = flagger.component.match_terms_batch(docs)
    single = [flagger.component.match_terms(doc) for doc in docs]
    as_tuples = [[(s.start, s.end, s.label_, s.kb_id_) for s in spans] for spans in batch]
    assert as_tuples == [[(s.start, s.end, s.label_, s.kb_id_) for s in spans] for spans in single]
    assert [sorted((s.start_char, s.text) for s in spans) for spans in batch] == [
        [(0, "Vinblastine"), (20, "needle aspiration biopsy")],
        [],
        [(0, "X-rays"), (8, "CT"), (15, "ultrasound"), (33, "tumor")],
        [(0, "Mast cell tumor")],
    ]


@pytest.mark.parametrize(
    ("words", "source", "category", "dropped"),
    [
        (["cow", "milk"], "DrugBank", "drug", True),
        (["black", "pepper"], "MeSH", "chemical", True),
        (["at", "10"], "DrugBank", "chemical", True),
        (["heart", "attack"], "MeSH", "condition", False),
        (["hearing", "loss"], "HPO", "condition", False),
        (["dry", "mouth"], "HPO", "symptom", False),
        (["morning", "-", "after", "pill"], "MeSH", "drug_class", False),
        (["men", "2"], "MeSH", "condition", True),
        (["blood", "test"], "editorial", "test", False),
        (["blood", "sugar"], "editorial", "chemical", False),
        (["vinblastine"], "DrugBank", "drug", False),
    ],
)
def test_only_vocabulary_drug_names_of_easy_words_are_filler(
    words: list[str], source: str, category: str, dropped: bool
) -> None:
    from reviewers.flagger.lexicon import LexiconEntry
    from reviewers.flagger.table import is_filler_term
    from reviewers.flags import FlagCategory

    stoplist = {"cow", "milk", "black", "pepper", "at", "heart", "attack", "hearing", "loss", "dry", "mouth"}
    stoplist |= {"morning", "after", "pill", "men", "blood", "test", "sugar"}
    entry = LexiconEntry(" ".join(words), FlagCategory(category), " ".join(words), source, None)
    assert is_filler_term(words, entry, stoplist) is dropped


def _flagger_with(tmp_path: Path, extra: list[tuple[str, str, str, str]]) -> Flagger:
    from flagger_fixtures import SMALL_LEXICON, small_lexicon

    from reviewers.flagger import load_flagger
    from reviewers.flagger.lexicon import LexiconEntry

    entries = [*SMALL_LEXICON, *(LexiconEntry(t, FlagCategory(c), n, s, "X1") for t, c, n, s in extra)]
    return load_flagger(None, tmp_path / "cache", lexicon=small_lexicon(tmp_path / "lexicon", entries))


def test_terms_holding_words_that_are_spacy_symbols_match(tmp_path: Path) -> None:
    # "root", "mark" and "agent" are built-in spaCy symbols: their token ids are not string hashes
    flagger = _flagger_with(
        tmp_path,
        [
            ("root canal", "procedure", "root canal", "editorial"),
            ("strawberry mark", "symptom", "hemangioma", "HPO"),
            ("biologic", "drug_class", "biologic", "editorial"),
        ],
    )
    found = terms(flagger, "A root canal, a strawberry mark and a biologic agent.\n")
    assert found == [
        ("root canal", "procedure"),
        ("strawberry mark", "symptom"),
        ("biologic agent", "drug_class"),
    ]


def test_a_drug_takes_the_salt_it_is_given_as(tmp_path: Path) -> None:
    flagger = _flagger_with(tmp_path, [("labetalol", "drug", "labetalol", "DrugBank")])
    found = terms(
        flagger, "Labetalol HCl or vinblastine sulfate; labetalol alone. Sodium is not a salt here.\n"
    )
    assert found == [("Labetalol HCl", "drug"), ("vinblastine sulfate", "drug"), ("labetalol", "drug")]


def test_element_symbols_match_only_as_written(tmp_path: Path) -> None:
    flagger = _flagger_with(
        tmp_path,
        [("Na", "chemical", "sodium", "editorial"), ("K+", "chemical", "potassium", "editorial")],
    )
    found = terms(flagger, "Na and K+ levels. The na sound, NA and k+ are not symbols.\n")
    assert found == [("Na", "chemical"), ("K+", "chemical")]


def test_trusted_flags_equal_validated_ones(flagger: Flagger) -> None:
    from reviewers.flags import Flag

    article = parse_article(FRONT + "Vinblastine after a needle aspiration biopsy.\n", "t.md")
    flags = flagger.flag(article)
    assert [f.term for f in flags] == ["Vinblastine", "needle aspiration biopsy"]
    for flag in flags:
        validated = Flag.model_validate(flag.model_dump())
        assert validated == flag and validated.model_dump() == flag.model_dump()
        assert flag.model_fields_set == set(Flag.model_fields)
        with pytest.raises(ValueError):
            flag.term = "changed"  # type: ignore[misc]  # still frozen


def test_matches_extend_only_along_prefixes_of_longer_terms(tmp_path: Path) -> None:
    from reviewers.flagger.table import KeyIndex, combine, string_id

    words = ["needle", "aspiration", "biopsy"]
    index = KeyIndex.build({tuple(string_id(w) for w in words): 7, (string_id("needle"),): 3})
    assert combine(string_id(w) for w in words[:2]) in index.prefixes.tolist()
    assert combine([string_id("needle")]) in index.prefixes.tolist()
    import numpy as np

    text = ["a", "needle", "aspiration", "biopsy", "needle", "b"]
    hashes = np.array([string_id(w) for w in text], dtype=np.uint64)
    starts, lengths, ids = index.longest_matches(hashes)
    assert (starts.tolist(), lengths.tolist(), ids.tolist()) == ([1, 4], [3, 1], [7, 3])


@pytest.mark.parametrize(
    ("term", "dropped"), [("5-ht", False), ("vp-16", False), ("at 10", True), ("ms 54", True)]
)
def test_hyphenated_codes_are_not_filler(term: str, dropped: bool) -> None:
    from reviewers.flagger.lexicon import LexiconEntry
    from reviewers.flagger.table import is_filler_term

    words = term.replace("-", " - ").split()
    entry = LexiconEntry(term, FlagCategory.CHEMICAL, term, "DrugBank", "DB1")
    assert is_filler_term(words, entry, {"at"}) is dropped


def test_a_lone_capital_before_a_full_stop_ends_the_term(tmp_path: Path) -> None:
    # spaCy keeps "K." whole as an initial; the flagger splits it so "vitamin K." is "vitamin K" + "."
    flagger = _flagger_with(tmp_path, [("vitamin k", "drug", "phytonadione", "editorial")])
    found = terms(flagger, "It has vitamin K. Then vitamin K, daily.\n")
    assert found == [("vitamin K", "drug"), ("vitamin K", "drug")]


def test_key_table_finds_every_key_and_no_other() -> None:
    import numpy as np

    from reviewers.flagger.table import KeyTable

    rng = np.random.default_rng(7)
    keys = np.unique(rng.integers(0, 2**63, size=5000, dtype=np.int64).astype(np.uint64))
    # keys that share a home slot (same low bits) must all be found
    crowded = np.array([(i << 20) | 5 for i in range(1, 40)], dtype=np.uint64)
    keys = np.unique(np.concatenate([keys, crowded]))
    values = np.arange(len(keys), dtype=np.uint32)
    table = KeyTable(keys, values)
    found, got = table.lookup(keys)
    assert found.all() and (got == values).all()
    missing = np.setdiff1d(rng.integers(0, 2**63, size=5000, dtype=np.int64).astype(np.uint64), keys)
    found, got = table.lookup(np.concatenate([missing, np.array([(99 << 20) | 5], dtype=np.uint64)]))
    assert not found.any() and not got.any()
    empty = KeyTable(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint32))
    assert empty.lookup(keys[:3])[0].tolist() == [False, False, False]


def test_the_registered_component_sets_spans_like_a_span_ruler(flagger: Flagger) -> None:
    doc = flagger.nlp("Vinblastine must be given before a needle aspiration biopsy.")
    spans = doc.spans["editorial_terms"]
    assert [(s.text, s.label_, s.id_, bool(s.kb_id_)) for s in spans] == [
        ("Vinblastine", "drug", "DrugBank:DB00570", True),
        ("must be given before a needle aspiration biopsy", "directive", "directive-obligation", False),
        ("needle aspiration biopsy", "procedure", "editorial:proc-003", True),
    ]
    assert [s.text for s in doc.sents] == ["Vinblastine must be given before a needle aspiration biopsy."]
    [processed] = list(flagger.process(["Vinblastine."]))
    assert [s.text for s in processed.spans["editorial_terms"]] == ["Vinblastine"]
