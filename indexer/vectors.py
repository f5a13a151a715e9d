"""The semantic side: paragraph embeddings in a numpy file, searched by dot product.

Vectors are L2-normalised when they are built, so a dot product is the cosine
similarity. The file is memory-mapped: opening an index costs no copy, and
several server workers share the pages. torch and sentence-transformers are
imported only when text must be embedded, so keyword search and ``--help``
start instantly.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

from .errors import ModelError


class Embedder:
    """A sentence-transformers model loaded from a local folder, never from a hub."""

    def __init__(self, path: str):
        self.path = path

    def _load(self):
        return _load_model(self.path)

    @property
    def dimension(self) -> int:
        return self._load().get_embedding_dimension()

    def encode_documents(self, texts: list[str], batch_size: int, progress=None) -> np.ndarray:
        """(len(texts), dim) float32, unit length; ``progress(n)`` is told after each batch."""
        model = self._load()
        parts = [np.zeros((0, self.dimension), dtype=np.float32)]
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            parts.append(model.encode_document(batch, batch_size=batch_size, normalize_embeddings=True,
                                               convert_to_numpy=True).astype(np.float32))
            if progress:
                progress(len(batch))
        return np.concatenate(parts)

    def encode_query(self, text: str) -> np.ndarray:
        vector = self._load().encode_query([text], normalize_embeddings=True, convert_to_numpy=True)
        return vector[0].astype(np.float32)


@functools.cache
def _load_model(path: str):
    """One copy of a model per process, however many indexes or apps use it."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if not Path(path, "modules.json").is_file() and not Path(path, "config.json").is_file():
        raise ModelError(f"{path}: not a sentence-transformers model folder; set PRECEDENT_MODEL to one")
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.logging.disable_progress_bar()
    transformers.logging.set_verbosity_error()
    try:
        return SentenceTransformer(path, device="cpu", local_files_only=True)
    except (OSError, ValueError) as error:
        raise ModelError(f"{path}: the embedding model could not be loaded ({error})") from None


def save(path: Path, vectors: np.ndarray) -> None:
    with open(path, "wb") as handle:
        np.save(handle, np.ascontiguousarray(vectors, dtype=np.float32))
        handle.flush()
        os.fsync(handle.fileno())


def load(path: Path) -> np.ndarray:
    return np.load(path, mmap_mode="r")


def top_k(vectors: np.ndarray, query: np.ndarray, k: int, rows=None) -> list[tuple[int, float]]:
    """(row, cosine) of the ``k`` rows nearest ``query``, best first (rows and query unit length).

    ``rows``, when given, limits the candidates to those row numbers.
    """
    candidates = np.arange(len(vectors)) if rows is None else np.fromiter(sorted(rows), dtype=np.int64)
    if len(candidates) == 0 or k <= 0:
        return []
    scores = vectors[candidates] @ query if rows is not None else vectors @ query
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.lexsort((top, -scores[top]))]
    return [(int(candidates[i]), float(scores[i])) for i in top]
