"""Evaluation: corpus readers and strict/overlap scoring on tiny hand-made fixtures, exact figures."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pytest

from reviewers.evaluate import (
    CORPORA,
    OVERLAP,
    STRICT,
    Mention,
    Score,
    evaluate_corpus,
    read_corpus,
    read_ddi,
    read_pubtator,
    score,
)
from reviewers.flags import FlagCategory as C

EVAL = Path(__file__).parent / "fixtures" / "eval"
SPECS = {spec.name: spec for spec in CORPORA}


def figures(result: Score) -> tuple[int, int, int, float, float, float]:
    return (
        result.true_positives,
        result.false_positives,
        result.false_negatives,
        round(result.precision, 4),
        round(result.recall, 4),
        round(result.f1, 4),
    )


def test_read_pubtator_joins_title_and_abstract_and_skips_relations() -> None:
    documents = read_pubtator(EVAL / "bc5cdr" / "dev" / "CDR_DevelopmentSet.PubTator.txt")
    assert [d.doc_id for d in documents] == ["100", "200"]
    text = documents[0].texts[0]
    assert text == "Aspirin and nausea. Ibuprofen (IBU) caused renal failure. IBU was stopped."
    assert [(text[m.start : m.end], m.label) for m in documents[0].mentions] == [
        ("Aspirin", "Chemical"),
        ("nausea", "Disease"),
        ("Ibuprofen", "Chemical"),
        ("IBU", "Chemical"),
        ("renal failure", "Disease"),
        ("IBU", "Chemical"),
    ]


def test_read_ddi_makes_offsets_exclusive_and_spans_discontinuous_mentions() -> None:
    [document] = read_ddi(EVAL / "ddi2013" / "train")
    assert document.doc_id == "DDI-DrugBank.d1"
    assert len(document.texts) == 2
    assert [(m.part, document.texts[m.part][m.start : m.end], m.label) for m in document.mentions] == [
        (0, "Warfarin", "drug"),
        (0, "NSAIDs", "group"),
        (1, "Coumadin", "brand"),
        (1, "beta-blockers", "group"),
        (1, "beta and alpha-blockers", "group"),
        (1, "alpha-blockers", "drug_n"),
    ]


def test_score_strict_and_overlap() -> None:
    gold = [Mention("d", 0, 0, 5, "X"), Mention("d", 0, 10, 20, "X"), Mention("d", 0, 30, 35, "Y")]
    predicted = [Mention("d", 0, 0, 5, "X"), Mention("d", 0, 12, 15, "X"), Mention("d", 0, 40, 45, "X")]
    result = score(gold, predicted)
    assert figures(result["X"][STRICT]) == (1, 2, 1, 0.3333, 0.5, 0.4)
    assert figures(result["X"][OVERLAP]) == (2, 1, 0, 0.6667, 1.0, 0.8)
    assert figures(result["Y"][STRICT]) == (0, 0, 1, 0.0, 0.0, 0.0)


def test_overlap_needs_the_same_text_and_label() -> None:
    gold = [Mention("d", 0, 0, 5, "X")]
    predicted = [Mention("d", 1, 0, 5, "X"), Mention("e", 0, 0, 5, "X"), Mention("d", 0, 0, 5, "Y")]
    result = score(gold, predicted)
    assert figures(result["X"][OVERLAP]) == (0, 2, 1, 0.0, 0.0, 0.0)


def fixed_predictions(table: dict[str, list[list[tuple[int, int, str]]]]):  # type: ignore[no-untyped-def]
    """A matcher that answers from a table keyed by each document's first text (nothing elsewhere)."""

    def find_many(documents: Iterable[Sequence[str]]) -> Iterator[list[list[tuple[int, int, str]]]]:
        for texts in documents:
            yield table.get(texts[0], [[] for _ in texts])

    return find_many


def test_bc5cdr_scoring_maps_our_categories() -> None:
    spec = SPECS["bc5cdr-dev"]
    documents = read_corpus(spec, EVAL)
    predicted = fixed_predictions(
        {
            documents[0].texts[0]: [
                [
                    (0, 7, C.DRUG),
                    (12, 18, C.SYMPTOM),
                    (20, 29, C.DRUG),
                    (43, 48, C.CONDITION),
                    (63, 66, C.TEST),
                ]
            ],
            documents[1].texts[0]: [[(0, 16, C.CONDITION), (0, 7, C.CHEMICAL)]],
        }
    )
    result = evaluate_corpus(spec, documents, predicted)
    assert sorted(result) == ["Chemical", "Disease"]
    assert figures(result["Chemical"][STRICT]) == (3, 0, 2, 1.0, 0.6, 0.75)
    assert figures(result["Disease"][STRICT]) == (2, 1, 1, 0.6667, 0.6667, 0.6667)
    assert figures(result["Disease"][OVERLAP]) == (3, 0, 0, 1.0, 1.0, 1.0)


def test_ddi_scoring_merges_brand_into_drug_and_leaves_drug_n_out() -> None:
    spec = SPECS["ddi2013-train"]
    documents = read_corpus(spec, EVAL)
    texts = documents[0].texts
    predicted = fixed_predictions(
        {
            texts[0]: [
                [(0, 8, C.DRUG), (13, 19, C.DRUG_CLASS)],
                [(12, 25, C.DRUG_CLASS), (41, 55, C.DRUG_CLASS)],
            ]
        }
    )
    result = evaluate_corpus(spec, documents, predicted)
    assert figures(result["drug"][STRICT]) == (1, 0, 1, 1.0, 0.5, 0.6667)
    assert figures(result["group"][STRICT]) == (2, 1, 1, 0.6667, 0.6667, 0.6667)
    assert figures(result["group"][OVERLAP]) == (3, 0, 0, 1.0, 1.0, 1.0)


@pytest.mark.parametrize("name", [spec.name for spec in CORPORA])
def test_every_corpus_names_its_mapping(name: str) -> None:
    spec = SPECS[name]
    assert set(spec.predicted_labels.values()) <= set(spec.gold_labels.values())


@pytest.mark.slow
def test_the_shared_corpora_read_whole_with_spans_inside_their_texts(shared_eval: Path) -> None:
    """The real corpora in ../shared/eval (skipped on a clone without them)."""
    documents = {spec.name: read_corpus(spec, shared_eval) for spec in CORPORA}
    assert {name: len(docs) for name, docs in documents.items()} == {
        "bc5cdr-dev": 500,
        "bc5cdr-train": 500,
        "ncbi-disease-dev": 100,
        "ddi2013-train": 714,
        "consumer-dev": 120,
        "safety-dev": 200,
    }
    mentions = {name: [m for d in docs for m in d.mentions] for name, docs in documents.items()}
    assert {name: len(found) for name, found in mentions.items()} == {
        "bc5cdr-dev": 9591,
        "bc5cdr-train": 9385,
        "ncbi-disease-dev": 787,
        "ddi2013-train": 14765,
        "consumer-dev": 267,
        "safety-dev": 85,
    }
    for spec in CORPORA:  # every gold label is scored, but DDI's unapproved substances (documented)
        assert {m.label for m in mentions[spec.name]} - set(spec.gold_labels) <= {"drug_n"}
        for document in documents[spec.name]:
            for mention in document.mentions:
                assert 0 <= mention.start < mention.end <= len(document.texts[mention.part]), mention


def test_read_jsonl_keeps_unsure_spans_apart_and_labels_emergencies_twice() -> None:
    consumer = read_corpus(SPECS["consumer-dev"], EVAL)
    assert [d.doc_id for d in consumer] == ["c1", "c2"]
    assert consumer[0].mentions == (Mention("c1", 0, 5, 14, "DRUG"), Mention("c1", 0, 24, 32, "TEST"))
    assert consumer[0].unsure == (Mention("c1", 0, 34, 41, "PROCEDURE"),)
    safety = read_corpus(SPECS["safety-dev"], EVAL)
    assert safety[0].mentions == (Mention("s1", 0, 0, 19, "DIRECTIVE"), Mention("s1", 0, 0, 19, "EMERGENCY"))


def test_consumer_scoring_ignores_unsure_spans_and_scores_every_approval_flag_together() -> None:
    spec = SPECS["consumer-dev"]
    documents = read_corpus(spec, EVAL)
    predicted = fixed_predictions(
        {
            documents[0].texts[0]: [
                [
                    (5, 14, C.DRUG),  # right
                    (24, 27, C.PROCEDURE),  # overlaps the test: wrong category, right for "approval"
                    (34, 41, C.PROCEDURE),  # only an unsure span: neither counted nor penalised
                    (42, 45, C.CONDITION),  # informational: not in "approval"
                ]
            ],
            documents[1].texts[0]: [[(0, 7, C.CHEMICAL)]],  # noise
        }
    )
    result = evaluate_corpus(spec, documents, predicted, lambda label: label != "condition")
    assert figures(result["drug"][STRICT]) == (1, 0, 0, 1.0, 1.0, 1.0)
    assert figures(result["test"][OVERLAP]) == (0, 0, 1, 0.0, 0.0, 0.0)
    assert figures(result["procedure"][OVERLAP]) == (0, 1, 0, 0.0, 0.0, 0.0)
    assert figures(result["approval"][OVERLAP]) == (2, 1, 0, 0.6667, 1.0, 0.8)
    assert figures(result["approval"][STRICT]) == (1, 2, 1, 0.3333, 0.5, 0.4)


def test_safety_scoring_counts_emergency_directives_on_their_own() -> None:
    spec = SPECS["safety-dev"]
    documents = read_corpus(spec, EVAL)
    predicted = fixed_predictions(
        {
            documents[0].texts[0]: [[(0, 8, "directive"), (0, 8, "emergency")]],
            documents[1].texts[0]: [[(6, 13, "numeric_claim")]],
        }
    )
    result = evaluate_corpus(spec, documents, predicted)
    assert figures(result["directive"][OVERLAP]) == (1, 0, 0, 1.0, 1.0, 1.0)
    assert figures(result["emergency"][OVERLAP]) == (1, 0, 0, 1.0, 1.0, 1.0)
    assert figures(result["numeric_claim"][OVERLAP]) == (1, 0, 0, 1.0, 1.0, 1.0)
    missed = evaluate_corpus(spec, documents, fixed_predictions({}))
    assert figures(missed["emergency"][OVERLAP]) == (0, 0, 1, 0.0, 0.0, 0.0)
