"""Score the flagger against annotated corpora: strict-span and overlap P/R/F1 per label.

Pure: readers of the PubTator, DDI-2013 XML and span-annotated JSON-lines formats, and scoring of
mention sets. Mentions are compared after mapping both sides to the corpus's labels (see
`CorpusSpec.gold_labels` and `predicted_labels`); unmapped labels are left out of the scores.

The JSON-lines sets (consumer-health paragraphs, safety statements) mark doubtful spans `unsure`:
those are neither required nor penalised (a prediction overlapping only an unsure span is not
counted). A corpus may also score every span together (`all_label`: flags needing approval against
every gold span) and emergency directives on their own (`emergency`).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reviewers.flags import FlagCategory

STRICT = "strict"
OVERLAP = "overlap"


@dataclass(frozen=True, slots=True)
class Mention:
    """A labelled span in one text (`part`) of one document; `end` is exclusive."""

    doc_id: str
    part: int
    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Document:
    """A document's texts (title and abstract, or sentences) and its gold mentions."""

    doc_id: str
    texts: tuple[str, ...]
    mentions: tuple[Mention, ...]
    unsure: tuple[Mention, ...] = ()


@dataclass(frozen=True)
class Score:
    """Counts and the measures derived from them."""

    true_positives: int
    false_positives: int
    false_negatives: int
    matched_gold: int = -1  # overlap mode: gold mentions overlapped (recall uses it)

    @property
    def precision(self) -> float:
        """Share of predictions that are right."""
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        """Share of gold mentions found."""
        found = self.matched_gold if self.matched_gold >= 0 else self.true_positives
        gold = found + self.false_negatives
        return found / gold if gold else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class CorpusSpec:
    """Where a corpus is, its format, and how its labels and ours map to the scored labels."""

    name: str
    path: str
    format: str  # "pubtator" | "ddi" | "jsonl"
    gold_labels: Mapping[str, str]
    predicted_labels: Mapping[str, str]
    description: str = ""
    notes: tuple[str, ...] = field(default=())
    all_label: str | None = None
    """When set, every mapped gold span, and every predicted span of a mapped category needing
    approval, also count under this label (what a clinician is asked to check, whatever its
    category; categories the corpus does not annotate are left out)."""


CHEMICAL_FROM: dict[str, str] = {FlagCategory.DRUG: "Chemical", FlagCategory.CHEMICAL: "Chemical"}
DISEASE_FROM: dict[str, str] = {FlagCategory.CONDITION: "Disease", FlagCategory.SYMPTOM: "Disease"}
EMERGENCY = "emergency"
"""The label of an emergency directive: a gold span marked `emergency`, a flag with `emergency` set."""
CONSUMER_CATEGORIES = ("drug", "drug_class", "chemical", "procedure", "test", "dosage")
SAFETY_CATEGORIES = ("dosage", "numeric_claim", "directive")
CORPORA: tuple[CorpusSpec, ...] = (
    CorpusSpec(
        "bc5cdr-dev",
        "bc5cdr/dev/CDR_DevelopmentSet.PubTator.txt",
        "pubtator",
        {"Chemical": "Chemical", "Disease": "Disease"},
        {**CHEMICAL_FROM, **DISEASE_FROM},
        "BC5CDR development set (500 PubMed abstracts)",
    ),
    CorpusSpec(
        "bc5cdr-train",
        "bc5cdr/train/CDR_TrainingSet.PubTator.txt",
        "pubtator",
        {"Chemical": "Chemical", "Disease": "Disease"},
        {**CHEMICAL_FROM, **DISEASE_FROM},
        "BC5CDR training set (500 PubMed abstracts)",
    ),
    CorpusSpec(
        "ncbi-disease-dev",
        "ncbi_disease/dev/NCBIdevelopset_corpus.txt",
        "pubtator",
        {name: "Disease" for name in ("SpecificDisease", "DiseaseClass", "Modifier", "CompositeMention")},
        {FlagCategory.CONDITION: "Disease"},
        "NCBI Disease development set (100 abstracts; symptoms are not annotated there)",
    ),
    CorpusSpec(
        "ddi2013-train",
        "ddi2013/train",
        "ddi",
        {"drug": "drug", "brand": "drug", "group": "group"},
        {FlagCategory.DRUG: "drug", FlagCategory.DRUG_CLASS: "group"},
        "DDI-2013 DrugNER training set (DrugBank + MedLine); drug_n (unapproved substances) not scored",
    ),
    CorpusSpec(
        "consumer-dev",
        "consumer_dev/consumer_dev.jsonl",
        "jsonl",
        {name.upper(): name for name in CONSUMER_CATEGORIES},
        {name: name for name in CONSUMER_CATEGORIES},
        "Consumer-health paragraphs (MedQuAD), drug to dosage spans; 'approval' = every flag needing "
        "approval against every span",
        all_label="approval",
    ),
    CorpusSpec(
        "safety-dev",
        "safety_dev/safety_dev.jsonl",
        "jsonl",
        {**{name.upper(): name for name in SAFETY_CATEGORIES}, EMERGENCY.upper(): EMERGENCY},
        {**{name: name for name in SAFETY_CATEGORIES}, EMERGENCY: EMERGENCY},
        "Safety statements (MedQuAD sentences): dosage, numeric claim, directive, emergency directive",
    ),
)


def read_pubtator(path: Path) -> list[Document]:
    """PubTator: `id|t|title`, `id|a|abstract`, then `id<TAB>start<TAB>end<TAB>text<TAB>type...` lines.

    Offsets run over `title + " " + abstract`; the document is one text."""
    documents: list[Document] = []
    titles: dict[str, str] = {}
    abstracts: dict[str, str] = {}
    mentions: dict[str, list[Mention]] = defaultdict(list)
    order: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "|t|" in line[:40] and line.split("|", 2)[1] == "t":
            doc_id, _, title = line.split("|", 2)
            if doc_id not in titles:
                order.append(doc_id)
            titles[doc_id] = title
        elif "|a|" in line[:40] and line.split("|", 2)[1] == "a":
            doc_id, _, abstract = line.split("|", 2)
            abstracts[doc_id] = abstract
        elif line.count("\t") >= 4:
            fields = line.split("\t")
            if fields[1] == "CID":
                continue
            doc_id, start, end, _text, label = fields[:5]
            mention = Mention(doc_id, 0, int(start), int(end), label)
            if mention not in mentions[doc_id]:
                mentions[doc_id].append(mention)
    for doc_id in order:
        text = titles[doc_id] + " " + abstracts.get(doc_id, "")
        documents.append(Document(doc_id, (text,), tuple(mentions[doc_id])))
    return documents


def read_ddi(directory: Path) -> list[Document]:
    """DDI-2013 XML files under `directory`: each sentence is a text; `charOffset="a-b[;c-d]"` is
    inclusive and sentence-relative (a discontinuous mention is scored from its first to last char)."""
    documents: list[Document] = []
    for path in sorted(directory.rglob("*.xml")):
        root = ElementTree.parse(path).getroot()
        doc_id = root.get("id", path.stem)
        texts: list[str] = []
        found: list[Mention] = []
        for part, sentence in enumerate(root.iter("sentence")):
            texts.append(sentence.get("text", ""))
            for entity in sentence.iter("entity"):
                bounds = [
                    tuple(int(x) for x in piece.split("-"))
                    for piece in entity.get("charOffset", "").split(";")
                ]
                start, end = min(b[0] for b in bounds), max(b[1] for b in bounds) + 1
                found.append(Mention(doc_id, part, start, end, entity.get("type", "")))
        documents.append(Document(doc_id, tuple(texts), tuple(found)))
    return documents


def read_jsonl(path: Path) -> list[Document]:
    """One JSON object a line: `id`, `text` and `spans` (`start`, `end` exclusive, `category`,
    optional `unsure` and `emergency`). An emergency span is also a mention labelled EMERGENCY."""
    documents: list[Document] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        item = json.loads(line)
        doc_id = str(item.get("id", number))
        sure: list[Mention] = []
        unsure: list[Mention] = []
        for span in item.get("spans", []):
            labels = [str(span["category"])]
            if span.get("emergency"):
                labels.append(EMERGENCY.upper())
            for label in labels:
                mention = Mention(doc_id, 0, int(span["start"]), int(span["end"]), label)
                (unsure if span.get("unsure") else sure).append(mention)
        documents.append(Document(doc_id, (str(item["text"]),), tuple(sure), tuple(unsure)))
    return documents


def read_corpus(spec: CorpusSpec, eval_dir: Path) -> list[Document]:
    """The documents of a corpus under the evaluation directory."""
    path = eval_dir / spec.path
    if spec.format == "jsonl":
        return read_jsonl(path)
    return read_pubtator(path) if spec.format == "pubtator" else read_ddi(path)


def relabel(mentions: Iterable[Mention], labels: Mapping[str, str]) -> list[Mention]:
    """Mentions whose label is mapped, with the mapped label (the others are dropped)."""
    return [Mention(m.doc_id, m.part, m.start, m.end, labels[m.label]) for m in mentions if m.label in labels]


def score(
    gold: Iterable[Mention], predicted: Iterable[Mention], unsure: Iterable[Mention] = ()
) -> dict[str, dict[str, Score]]:
    """Per label: the strict-span score (same span and label) and the overlap score (any shared
    character with a mention of the same label; precision over predictions, recall over gold).
    A prediction overlapping an `unsure` gold mention of its label, and no sure one, is left out."""
    gold_by_label: dict[str, set[Mention]] = defaultdict(set)
    predicted_by_label: dict[str, set[Mention]] = defaultdict(set)
    unsure_by_label: dict[str, set[Mention]] = defaultdict(set)
    for mention in gold:
        gold_by_label[mention.label].add(mention)
    for mention in predicted:
        predicted_by_label[mention.label].add(mention)
    for mention in unsure:
        unsure_by_label[mention.label].add(mention)
    results: dict[str, dict[str, Score]] = {}
    for label in sorted(set(gold_by_label) | set(predicted_by_label)):
        g, p = gold_by_label[label], predicted_by_label[label]
        if unsure_by_label[label]:
            doubtful = _overlapping_set(p, unsure_by_label[label]) - _overlapping_set(p, g)
            p = p - doubtful
        exact = len(g & p)
        strict = Score(exact, len(p) - exact, len(g) - exact)
        p_hit = _overlapping(p, g)
        g_hit = _overlapping(g, p)
        overlap = Score(p_hit, len(p) - p_hit, len(g) - g_hit, matched_gold=g_hit)
        results[label] = {STRICT: strict, OVERLAP: overlap}
    return results


def _overlapping(mentions: set[Mention], others: set[Mention]) -> int:
    """How many of `mentions` share a character with one of `others` in the same text."""
    return len(_overlapping_set(mentions, others))


def _overlapping_set(mentions: set[Mention], others: set[Mention]) -> set[Mention]:
    """The `mentions` sharing a character with one of `others` in the same text."""
    by_text: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for other in others:
        by_text[(other.doc_id, other.part)].append((other.start, other.end))
    return {
        m
        for m in mentions
        if any(start < m.end and m.start < end for start, end in by_text.get((m.doc_id, m.part), ()))
    }


PredictedSpan = tuple[int, int, str]
"""A predicted span: start, end and label (a category value, or `EMERGENCY`)."""


def predictions(
    documents: Iterable[Document],
    find_many: Callable[[Iterable[Sequence[str]]], Iterable[Sequence[Sequence[PredictedSpan]]]],
) -> list[Mention]:
    """Run a matcher (`Flagger.find_many`-shaped: per document, per text, spans) over documents."""
    documents = list(documents)
    found: list[Mention] = []
    for document, per_text in zip(documents, find_many(d.texts for d in documents), strict=True):
        for part, spans in enumerate(per_text):
            found.extend(
                Mention(document.doc_id, part, start, end, str(label)) for start, end, label in spans
            )
    return found


def evaluate_corpus(
    spec: CorpusSpec,
    documents: list[Document],
    find_many: Callable[[Iterable[Sequence[str]]], Iterable[Sequence[Sequence[PredictedSpan]]]],
    needs_approval: Callable[[str], bool] = lambda label: True,
) -> dict[str, dict[str, Score]]:
    """Scores of a matcher on a corpus, both sides mapped to the corpus's labels. With an
    `all_label`, `needs_approval(label)` says which predicted labels count under it."""
    gold = relabel((m for d in documents for m in d.mentions), spec.gold_labels)
    unsure = relabel((m for d in documents for m in d.unsure), spec.gold_labels)
    found = predictions(documents, find_many)
    predicted = relabel(found, {str(key): label for key, label in spec.predicted_labels.items()})
    if spec.all_label is not None:
        every = {label: spec.all_label for label in spec.predicted_labels.values() if label != EMERGENCY}
        gold += relabel(gold, every)
        unsure += relabel(unsure, every)
        scored = {str(key): spec.all_label for key in spec.predicted_labels if key != EMERGENCY}
        predicted += relabel((m for m in found if needs_approval(m.label)), scored)
    return score(gold, predicted, unsure)
