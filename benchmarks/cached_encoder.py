"""An encoder for the benchmark suite: real sentence vectors, embedded once and kept on disk.

Embedding 100,000 paragraphs with the real model takes about an hour here, and the suite measures
search, not embedding (which it measures separately, on real paragraphs with the real model). So a
synthetic corpus's distinct source sentences are each embedded ONCE by the configured model and
cached under ``.bench-cache/`` (git-ignored), keyed by their text; then

- a sentence's vector is its cached vector,
- a paragraph's vector is the normalised mean of its sentences' vectors, plus small noise seeded by
  its text (so paragraphs sharing sentences are close, not identical), and
- queries are embedded by the real model at search time, as always.

A text whose sentences are not cached (an edited document, say) is embedded by the real model, and
cached. ``name`` is the configured encoder's, so the index opens and serves with normal settings.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

import numpy as np

from indexer import sentences
from indexer.config import Settings
from indexer.encoders import open_encoder

NOISE = 0.15  # length of the noise added to a paragraph's unit mean vector before it is normalised again
_LABEL = re.compile(r"^(?:Recommendation|AFI|Cause of concern)\s+\d+(?:\.\d+)*\s*[-–—:]\s*")


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


class SentenceCache:
    """Text -> the real model's vector, in ``folder`` (vectors.npy + keys.json), grown as needed."""

    def __init__(self, folder: Path, settings: Settings):
        self.real = open_encoder(settings)
        self.folder = folder / f"{settings.encoder}-{_key(settings.model_name())}-{settings.precision}"
        self.rows: dict[str, int] = {}
        self.matrix = np.zeros((0, 0), np.float32)
        self.batch_size = settings.batch_size
        self.embedded = 0  # texts embedded by the real model in this process
        self.embed_seconds = 0.0
        if (self.folder / "keys.json").is_file():
            keys = json.loads((self.folder / "keys.json").read_text())
            self.matrix = np.load(self.folder / "vectors.npy")
            self.rows = {key: row for row, key in enumerate(keys[: len(self.matrix)])}

    def ensure(self, texts: list[str]) -> int:
        """Embed (once) the texts not cached yet; returns how many were embedded."""
        missing = list(dict.fromkeys(t for t in texts if _key(t) not in self.rows))
        if not missing:
            return 0
        started = time.perf_counter()
        new = self.real.encode_documents(missing, self.batch_size)
        self.embed_seconds += time.perf_counter() - started
        self.embedded += len(missing)
        base = len(self.rows)
        self.matrix = new if not len(self.matrix) else np.concatenate([self.matrix, new])
        for n, text in enumerate(missing):
            self.rows[_key(text)] = base + n
        self.save()
        return len(missing)

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        keys = sorted(self.rows, key=self.rows.get)
        np.save(self.folder / "vectors.npy", self.matrix)
        (self.folder / "keys.json").write_text(json.dumps(keys))

    def vector(self, text: str) -> np.ndarray:
        return self.matrix[self.rows[_key(text)]]


class CachedEncoder:
    """indexer.encoders.Encoder over a SentenceCache; see the module docstring."""

    def __init__(self, cache: SentenceCache, seed: int = 0):
        self.cache = cache
        self.name = cache.real.name
        self.precision = cache.real.precision
        self.seed = seed

    @property
    def dimension(self) -> int:
        return self.cache.real.dimension

    def _pieces(self, text: str) -> list[str]:
        pieces = sentences.of(text) or [text]
        pieces[0] = _LABEL.sub("", pieces[0]) or pieces[0]  # "AFI 1 - The force…": the item's own sentence
        return pieces

    def encode_documents(self, texts: list[str], batch_size: int, progress=None) -> np.ndarray:
        split = [self._pieces(t) for t in texts]
        self.cache.ensure([p for pieces in split for p in pieces])
        result = np.zeros((len(texts), self.cache.matrix.shape[1]), np.float32)
        for n, (text, pieces) in enumerate(zip(texts, split)):
            if len(pieces) == 1:
                result[n] = self.cache.vector(pieces[0])
            else:
                mean = np.mean([self.cache.vector(p) for p in pieces], axis=0)
                mean /= max(np.linalg.norm(mean), 1e-12)
                rng = np.random.default_rng([self.seed, int(_key(text)[:12], 16)])
                noise = rng.standard_normal(len(mean)).astype(np.float32)
                result[n] = mean + NOISE * noise / np.linalg.norm(noise)
            if progress and n % 1000 == 999:
                progress(1000)
        if progress:
            progress(len(texts) % 1000)
        return result / np.maximum(np.linalg.norm(result, axis=1, keepdims=True), 1e-12)

    def encode_query(self, text: str) -> np.ndarray:
        return self.cache.real.encode_query(text)
