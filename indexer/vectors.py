"""The semantic side: paragraph embeddings in a numpy file, searched by dot product.

Vectors are L2-normalised when they are built, so a dot product is the cosine
similarity. The file is memory-mapped: opening an index costs no copy, and
several server workers share the pages. torch and sentence-transformers are
imported only when documents must be embedded: queries run in the model's
float32 ONNX graph, so keyword search, ``--help`` and a search process start
without them.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

import numpy as np

from . import deadline
from .errors import ModelError
from .onnx_encoder import OnnxEncoder

log = logging.getLogger(__name__)

BLENDED = 1000  # paragraphs, nearest by their own vector, whose sentences are scored too


class Embedder:
    """A sentence-transformers model in torch, loaded from a local folder, never from a hub.

    ``precision`` "auto" embeds documents in bfloat16 where the CPU computes it
    natively: about twice as fast as float32, with the same rankings on every
    set of docs/relevance.md. Queries run in the model's float32 ONNX graph,
    exported once into ``query_cache`` (by the index run, which has torch loaded): the
    torch model's own function in float32 (cosine 1.0000; bfloat16's is 0.99994),
    4 ms a query instead of 10–16, and a search process never imports torch
    (1.6 s, 220 MB). Without ``query_cache``, or when the graph cannot be had,
    queries run in torch.
    """

    name = "torch"

    def __init__(self, path: str, precision: str = "auto", query_cache: Path | None = None):
        self.path = path
        self._precision = precision
        self._queries = OnnxEncoder(path, query_cache, "float32") if query_cache else None

    def _load(self):
        with deadline.paused():  # the model loads once a process: not the cost of the query that comes first
            return _load_model(self.path, self._precision)

    @property
    def dimension(self) -> int:
        return self._load().get_embedding_dimension()

    @property
    def precision(self) -> str:
        """The precision documents are embedded in: "bfloat16" or "float32"."""
        return str(next(self._load().parameters()).dtype).removeprefix("torch.")

    def encode_documents(self, texts: list[str], batch_size: int, progress=None) -> np.ndarray:
        """(len(texts), dim) float32, unit length; ``progress(n)`` is told after each batch.

        Texts are embedded longest first, so each batch pads to similar lengths.
        """
        model = self._load()
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        result = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            batch = order[start : start + batch_size]
            result[batch] = model.encode_document([texts[i] for i in batch], batch_size=batch_size,
                                                  convert_to_numpy=True)
            if progress:
                progress(len(batch))
        return _unit(result)

    def encode_query(self, text: str) -> np.ndarray:
        """In the float32 ONNX graph, exported first when missing; in torch when there is none, and
        after one warning when it cannot be exported or loaded."""
        graph = self._queries
        if graph is not None:
            try:
                return graph.encode_query(text)
            except ModelError as error:
                log.warning("Queries are embedded with torch, not the float32 ONNX graph in %s: %s",
                            graph.cache_dir, error)
                self._queries = None
        return _unit(self._load().encode_query([text], convert_to_numpy=True))[0]


def _unit(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 in float32 (bfloat16 rounding leaves them up to 0.3% off)."""
    rows = rows.astype(np.float32)
    return rows / np.maximum(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-12)


@functools.cache
def _load_model(path: str, precision: str):
    """One copy of a model per process, however many indexes or apps use it."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if not Path(path, "modules.json").is_file() and not Path(path, "config.json").is_file():
        raise ModelError(f"{path}: not a sentence-transformers model folder; set PRECEDENT_MODEL to one")
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.logging.disable_progress_bar()
    transformers.logging.set_verbosity_error()
    try:
        model = SentenceTransformer(path, device="cpu", local_files_only=True)
    except (OSError, ValueError) as error:
        raise ModelError(f"{path}: the embedding model could not be loaded ({error})") from None
    if precision == "auto" and torch.ops.mkldnn._is_mkldnn_bf16_supported():
        model.to(torch.bfloat16)
    return model


def save_rows(path: Path, sources: list[np.ndarray], which: np.ndarray, rows: np.ndarray, dimension: int) -> None:
    """Save (float32, synced to disk) the matrix whose i-th row is row ``rows[i]`` of ``sources[which[i]]``.

    Each run of consecutive rows of a matrix ``load`` mapped is copied from its
    file by the kernel where it can (``os.copy_file_range``, Linux), never paged
    into this process: re-indexing one document among 100,000 paragraphs copies
    700 MB of vectors.
    """
    mapped = np.array([isinstance(matrix, np.memmap) and matrix.dtype == np.float32 for matrix in sources],
                      dtype=bool)[which]
    moved = (np.diff(which) != 0) | (np.diff(rows) != 1)
    cut = (np.flatnonzero((mapped[1:] != mapped[:-1]) | (mapped[1:] & moved)) + 1).tolist()
    with open(path, "wb") as handle:
        np.lib.format.write_array_header_1_0(handle, {"descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)),
                                                      "fortran_order": False, "shape": (len(rows), dimension)})
        for start, end in zip([0, *cut], [*cut, len(rows)]) if len(rows) else ():
            if mapped[start]:
                _copy_rows(handle, sources[which[start]], int(rows[start]), end - start)
            else:
                handle.write(_gathered(sources, which[start:end], rows[start:end], dimension).tobytes())
        handle.flush()
        os.fsync(handle.fileno())


def _copy_rows(handle, matrix: np.memmap, first: int, count: int) -> None:
    """Append rows ``first:first + count`` of ``matrix`` to ``handle``: copied file to file, else read and
    written."""
    size = matrix.shape[1] * matrix.dtype.itemsize
    handle.flush()
    at = handle.tell()
    try:
        with open(matrix.filename, "rb") as source:
            _kernel_copy(source.fileno(), handle.fileno(), matrix.offset + first * size, at, count * size)
        handle.seek(at + count * size)
    except OSError:  # not Linux, or not between these two files
        handle.seek(at)
        handle.write(np.ascontiguousarray(matrix[first:first + count]).tobytes())


def _kernel_copy(source: int, target: int, start: int, at: int, length: int) -> None:
    """Copy ``length`` bytes at ``start`` of ``source`` to ``at`` of ``target`` within the kernel; OSError
    where it cannot."""
    if not hasattr(os, "copy_file_range"):
        raise OSError("os.copy_file_range is Linux's")
    while length:
        done = os.copy_file_range(source, target, length, start, at)
        if not done:
            raise OSError("the source ends early")
        start, at, length = start + done, at + done, length - done


def _gathered(sources: list[np.ndarray], which: np.ndarray, rows: np.ndarray, dimension: int) -> np.ndarray:
    block = np.empty((len(rows), dimension), np.float32)
    for number in np.unique(which).tolist():
        chosen = which == number
        block[chosen] = sources[number][rows[chosen]]
    return block


def load(path: Path) -> np.ndarray:
    return np.load(path, mmap_mode="r")


def scores(paragraphs: np.ndarray, sentences: np.ndarray, first: np.ndarray, query: np.ndarray,
           sentence_weight: float, eligible: np.ndarray | None = None, blended: int = BLENDED) -> np.ndarray:
    """Each paragraph's similarity to ``query``: its own cosine, blended for the ``blended`` nearest of those
    ``eligible`` (a mask; None: all) with its nearest sentence's.

    ``first[row]:first[row + 1]`` are the rows of paragraph ``row``'s sentence
    vectors; a paragraph with none is one sentence, its own nearest. The blend is
    ``(1 - sentence_weight) * paragraph + sentence_weight * best sentence``.
    Scoring every sentence would read four times the paragraphs' vectors for
    each query; a paragraph far down by its own cosine is not lifted into the
    first results by one sentence, so only the nearest are blended.
    """
    own = np.asarray(paragraphs) @ query
    if not len(sentences) or not sentence_weight:
        return own
    pool = own if eligible is None else np.where(eligible, own, -np.inf)
    nearest = np.argpartition(-pool, blended - 1)[:blended] if blended < len(pool) else np.arange(len(pool))
    nearest = nearest[pool[nearest] > -np.inf]
    counts = first[nearest + 1] - first[nearest]
    nearest, counts = nearest[counts > 0], counts[counts > 0]
    if not len(nearest):
        return own
    starts = np.cumsum(counts) - counts
    rows = np.repeat(first[nearest] - starts, counts) + np.arange(int(counts.sum()))
    best = np.maximum.reduceat(np.asarray(sentences[rows]) @ query, starts)
    result = own.copy()
    result[nearest] = (1 - sentence_weight) * own[nearest] + sentence_weight * best
    return result


def top_k(scores: np.ndarray, k: int, rows=None) -> list[tuple[int, float]]:
    """(row, score) of the ``k`` best-scoring rows, best first; ties go to the lower row.

    ``rows``, when given, limits the candidates to those row numbers.
    """
    candidates = np.arange(len(scores)) if rows is None else np.fromiter(sorted(rows), dtype=np.int64)
    if len(candidates) == 0 or k <= 0:
        return []
    scores = scores[candidates] if rows is not None else scores
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.lexsort((top, -scores[top]))]
    return [(int(candidates[i]), float(scores[i])) for i in top]
