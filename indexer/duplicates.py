"""Near-identical paragraphs across documents, found at index time.

Responses reuse stock paragraphs year after year ("Given the ongoing
vulnerability of children…"), with a date or a name changed. Shown one by
one they would fill the first page with the same text; folded, they are one
result that says where else it appears. A pair is near-identical when the
embeddings agree (cosine at least ``COSINE``) and the texts share most of
their word trigrams (Jaccard at least ``OVERLAP``: a few words edited, not a
paragraph quoted inside a longer one). Groups are the connected pairs. The
pairs are what a generation keeps: a pair of unchanged paragraphs stays a
pair, so an incremental run compares only the new paragraphs with the rest.

Comparing every vector with every other is quadratic: 91 s at 100,000
paragraphs, hours at a million. A build therefore takes as
candidates the pairs whose trigrams MinHash puts in one bucket (see
``minhash``: a pair at the threshold is missed with probability 0.0045%) and
verifies each by the definition. A run of fewer than ``_FEW`` new paragraphs
still compares their vectors with all: that costs less than hashing every
paragraph's trigrams. Either way, a pair found is one by the definition.
"""

from __future__ import annotations

import numpy as np

from . import minhash

COSINE = 0.9
OVERLAP = 0.7
_CHUNK = 1024  # rows compared at a time, to keep the similarity block small
_FEW = 5000  # below this many rows comparing their vectors with all costs less (at 100,000 and at 1,000,000)
_BATCH = 1 << 16  # candidate pairs verified at a time, to keep their gathered vectors small


def pairs(texts: list[str], vectors: np.ndarray, doc_ids: list[str], rows: np.ndarray | None = None,
          progress=None) -> set[tuple[int, int]]:
    """(i, j), i < j, of each near-identical pair of paragraphs of different documents one of which is
    in ``rows`` (default: every row); ``progress(n)`` is told as rows are done."""
    rows = np.arange(len(texts)) if rows is None else np.asarray(rows, dtype=np.int64)
    if len(rows) < _FEW:
        return _by_vectors(texts, vectors, doc_ids, rows, progress)
    return _by_minhash(texts, vectors, doc_ids, rows, progress)


def groups(count: int, linked: set[tuple[int, int]]) -> list[list[int]]:
    """The connected groups of ``linked`` pairs among ``count`` rows, each sorted, in order."""
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in linked:
        parent[root(j)] = root(i)
    members: dict[int, list[int]] = {}
    for i in sorted({row for pair in linked for row in pair}):
        members.setdefault(root(i), []).append(i)
    return sorted(members.values())


def numbered(count: int, linked: set[tuple[int, int]]) -> np.ndarray:
    """Each of ``count`` rows' group of ``linked`` pairs, numbered as ``groups`` orders them; -1 for none.
    A generation keeps it, so a server need not work the groups out of the pairs each time it starts."""
    group = np.full(count, -1, dtype=np.int32)
    for number, rows in enumerate(groups(count, linked)):
        group[rows] = number
    return group


def _by_vectors(texts, vectors, doc_ids, rows, progress) -> set[tuple[int, int]]:
    """Each row's vector against all, then the trigrams of those close enough: quadratic, for few rows."""
    shingles: dict[int, set] = {}
    found = set()
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start:start + _CHUNK]
        block = vectors[chunk] @ vectors.T
        for a, j in zip(*np.nonzero(block >= COSINE)):
            i, j = sorted((int(chunk[a]), int(j)))
            if i != j and doc_ids[i] != doc_ids[j] and (i, j) not in found and \
                    _overlap(i, j, texts, shingles) >= OVERLAP:
                found.add((i, j))
        if progress:
            progress(len(chunk))
    return found


def _overlap(i: int, j: int, texts: list[str], cache: dict[int, set]) -> float:
    a, b = (cache.setdefault(n, minhash.trigrams(texts[n])) for n in (i, j))
    return len(a & b) / len(a | b) if a | b else 0.0


def _by_minhash(texts, vectors, doc_ids, rows, progress) -> set[tuple[int, int]]:
    """The candidates of each band of different documents, verified; ``progress`` told band by band."""
    sets = minhash.Trigrams.of(texts)
    fresh = np.zeros(len(texts), dtype=bool)
    fresh[rows] = True
    numbers = {doc_id: n for n, doc_id in enumerate(dict.fromkeys(doc_ids))}
    doc = np.fromiter(map(numbers.__getitem__, doc_ids), dtype=np.int64, count=len(doc_ids))
    found = set()
    for band, (i, j) in enumerate(minhash.candidates(sets, fresh, OVERLAP)):
        other = doc[i] != doc[j]
        found.update(_verified(i[other], j[other], vectors, sets))
        if progress:
            progress(len(rows) * (band + 1) // minhash.BANDS - len(rows) * band // minhash.BANDS)
    return found


def _verified(i: np.ndarray, j: np.ndarray, vectors: np.ndarray, sets: minhash.Trigrams):
    """The pairs (i, j) near-identical by the definition, a batch at a time: the cosine first, as
    it is cheaper than the Jaccard index and rules out most."""
    for start in range(0, len(i), _BATCH):
        a, b = i[start:start + _BATCH], j[start:start + _BATCH]
        close = np.einsum("ij,ij->i", vectors[a], vectors[b]) >= COSINE
        a, b = a[close], b[close]
        alike = sets.jaccard(a, b) >= OVERLAP
        yield from zip(a[alike].tolist(), b[alike].tolist())
