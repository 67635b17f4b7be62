"""The `Flag`: one medical term in its sentence, for a clinician to see."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from validators.text import normalize_key, normalize_text


class FlagCategory(StrEnum):
    """What kind of medical content a flag is."""

    DRUG = "drug"
    DRUG_CLASS = "drug_class"
    CHEMICAL = "chemical"
    CONDITION = "condition"
    SYMPTOM = "symptom"
    PROCEDURE = "procedure"
    TEST = "test"
    DOSAGE = "dosage"
    DIRECTIVE = "directive"
    NUMERIC_CLAIM = "numeric_claim"
    CHANGED_TEXT = "changed_text"  # a sentence changed since a clinician's review (the desk, not the flagger)


class Flag(BaseModel):
    """A term as written, where it is, the sentence it sits in and where it came from."""

    model_config = ConfigDict(frozen=True)

    term: str = Field(description="The term exactly as written.")
    normalized: str = Field(description="Canonical, case-folded form of the term.")
    category: FlagCategory
    sentence: str = Field(description="The sentence containing the term, exactly as written.")
    start: int = Field(ge=0, description="Character offset of the term in Article.text.")
    end: int = Field(ge=0)
    line: int = Field(ge=1)
    column: int = Field(ge=1)
    source: str = Field(description="Lexicon source: DrugBank, MeSH, HPO, editorial, pattern.")
    source_id: str | None = Field(default=None, description="Identifier in that source.")
    rule_id: str | None = Field(default=None, description="Id of the lexicon entry or pattern.")
    needs_approval: bool
    emergency: bool = Field(
        default=False, description="An emergency directive ('call 911'): the desk shows it first."
    )

    @property
    def key(self) -> str:
        """Stable identity across resubmissions: category, normalized term, normalized sentence."""
        return flag_key(self.category, self.normalized, self.sentence)

    def to_dict(self) -> dict[str, Any]:
        """The one serialisation, with the key."""
        return {"key": self.key, **self.model_dump(mode="json")}


def flag_key(category: FlagCategory | str, normalized_term: str, sentence: str) -> str:
    """The identity of a flag: a short hash of category, term and white-space-normalized sentence."""
    material = "\x1f".join([str(category), normalize_key(normalized_term), normalize_text(sentence)])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]
