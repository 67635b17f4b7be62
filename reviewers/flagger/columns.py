"""The token columns the flagger reads from a spaCy Doc (one `Doc.to_array` per doc).

Shared by the matching component and the pattern rules (which find their trigger words among the
tokens instead of scanning the text again).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, LIKE_NUM, LOWER, ORTH
from spacy.tokens import Doc

COLUMNS = [LOWER, ORTH, IS_SPACE, IS_PUNCT, IDX, LENGTH, LIKE_NUM]
"""The token attributes matching reads, in this column order."""
LOWER_COLUMN, ORTH_COLUMN, SPACE_COLUMN, PUNCT_COLUMN, IDX_COLUMN, LENGTH_COLUMN, NUM_COLUMN = range(
    len(COLUMNS)
)
Columns = npt.NDArray[np.uint64]


def doc_columns(doc: Doc) -> Columns:
    """The doc's `COLUMNS` as an (n, 7) uint64 array."""
    columns: Columns = doc.to_array(COLUMNS).reshape(-1, len(COLUMNS)).astype(np.uint64, copy=False)
    return columns
