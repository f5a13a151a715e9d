"""Near-identical paragraphs across documents, found at index time.

Responses reuse stock paragraphs year after year ("Given the ongoing
vulnerability of children…"), with a date or a name changed. Shown one by
one they would fill the first page with the same text; folded, they are one
result that says where else it appears. A pair is near-identical when the
embeddings agree (cosine at least ``COSINE``, a cheap filter) and the texts
share most of their word trigrams (Jaccard at least ``OVERLAP``: a few words
edited, not a paragraph quoted inside a longer one). Groups are the connected
pairs. The pairs are what a generation keeps: a pair of unchanged paragraphs
stays a pair, so an incremental run compares only the new paragraphs with the
rest (at 100,000 paragraphs, comparing all of them took four minutes).
"""

from __future__ import annotations

import re

import numpy as np

COSINE = 0.9
OVERLAP = 0.7
_CHUNK = 1024  # rows compared at a time, to keep the similarity block small


def pairs(texts: list[str], vectors: np.ndarray, doc_ids: list[str], rows: np.ndarray | None = None,
          progress=None) -> set[tuple[int, int]]:
    """(i, j), i < j, of each near-identical pair of paragraphs of different documents one of which is
    in ``rows`` (default: every row); ``progress(n)`` is told after each block of rows compared."""
    rows = np.arange(len(texts)) if rows is None else np.asarray(rows, dtype=np.int64)
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


def _overlap(i: int, j: int, texts: list[str], cache: dict[int, set]) -> float:
    a, b = (cache.setdefault(n, _trigrams(texts[n])) for n in (i, j))
    return len(a & b) / len(a | b) if a | b else 0.0


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[n:n + 3]) for n in range(max(len(words) - 2, 1))}
