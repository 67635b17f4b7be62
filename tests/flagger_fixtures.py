"""Helpers for the flagger tests: a small lexicon in the contract's TSV format, and the seed page as
an article with proper section headings."""

from __future__ import annotations

import gzip
from pathlib import Path

from reviewers.flagger import Flagger, load_flagger
from reviewers.flagger.lexicon import LexiconEntry, LexiconInputs, tsv_text
from reviewers.flags import FlagCategory as C

SMALL_LEXICON = [
    LexiconEntry("vinblastine", C.DRUG, "vinblastine", "DrugBank", "DB00570"),
    LexiconEntry("5-fluorouracil", C.DRUG, "fluorouracil", "DrugBank", "DB00544"),
    LexiconEntry("histamine", C.CHEMICAL, "histamine", "MeSH", "D006632"),
    LexiconEntry("antihistamines", C.DRUG_CLASS, "antihistamine", "editorial", "class-001"),
    LexiconEntry("chemotherapy", C.PROCEDURE, "chemotherapy", "editorial", "proc-001"),
    LexiconEntry("surgical removal", C.PROCEDURE, "surgical removal", "editorial", "proc-002"),
    LexiconEntry(
        "needle aspiration biopsy", C.PROCEDURE, "needle aspiration biopsy", "editorial", "proc-003"
    ),
    LexiconEntry("biopsy", C.PROCEDURE, "biopsy", "editorial", "proc-004"),
    LexiconEntry("x-rays", C.TEST, "x-ray", "editorial", "test-001"),
    LexiconEntry("ultrasound", C.TEST, "ultrasound", "editorial", "test-002"),
    LexiconEntry("ct", C.TEST, "computed tomography", "editorial", "test-003"),
    LexiconEntry("nausea", C.SYMPTOM, "nausea", "HPO", "HP:0002018"),
    LexiconEntry("mast cell tumor", C.CONDITION, "mast cell tumor", "MeSH", "D034801"),
    LexiconEntry("tumor", C.CONDITION, "neoplasms", "MeSH", "D009369"),
    LexiconEntry("water", C.CHEMICAL, "water", "MeSH", "D014867"),
]
STOPLIST = "# common words\nwater\n"


def small_lexicon(directory: Path, entries: list[LexiconEntry] | None = None) -> LexiconInputs:
    """Write a small lexicon TSV and stoplist into `directory` and return the inputs naming them."""
    directory.mkdir(parents=True, exist_ok=True)
    tsv = directory / "lexicon.tsv.gz"
    tsv.write_bytes(gzip.compress(tsv_text(entries or SMALL_LEXICON).encode("utf-8"), mtime=0))
    stoplist = directory / "stoplist.txt"
    stoplist.write_text(STOPLIST, encoding="utf-8")
    return LexiconInputs(tsv_path=tsv, terms_dir=None, stoplist_path=stoplist, include_hpo=False)


def small_flagger(tmp_path: Path, config_path: Path | None = None) -> Flagger:
    """A flagger over the small lexicon with its cache in `tmp_path`."""
    return load_flagger(config_path, tmp_path / "cache", lexicon=small_lexicon(tmp_path / "lexicon"))


FRONT_MATTER = (
    "---\ntitle: Malignant mast cell tumor\nslug: malignant-mast-cell-tumor\nauthor: wendy-writer\n---\n\n"
)
SEED_HEADINGS = ("What is it?", "Additional names", "Signs & symptoms")


def seed_article_text(seed: str) -> str:
    """The seed page's article text as Markdown: its headings as `##` headings, site chrome dropped."""
    body = seed.split("\u261d")[0]
    parts: list[str] = []
    for paragraph in (p.strip() for p in body.split("\n\n")):
        if not paragraph or paragraph.startswith(("9 Alikes", "Learn from others")):
            continue
        if paragraph in SEED_HEADINGS:
            parts.append(f"## {paragraph}")
        elif paragraph.startswith("Diagnosis of"):
            parts += ["## Diagnosis", paragraph]
        elif paragraph.startswith("Treatment of"):
            parts += ["## Treatment", paragraph]
        else:
            parts.append(paragraph)
    return FRONT_MATTER + "\n\n".join(parts) + "\n"
