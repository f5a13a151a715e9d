"""Near-identical paragraphs across documents, found once at index time.

Responses reuse stock paragraphs year after year ("Given the ongoing
vulnerability of children…"), with a date or a name changed. Shown one by
one they would fill the first page with the same text; folded, they are one
result that says where else it appears. A pair is near-identical when the
embeddings agree (cosine at least ``COSINE``, a cheap filter) and the texts
share most of their word trigrams (Jaccard at least ``OVERLAP``: a few words
edited, not a paragraph quoted inside a longer one). Groups are the connected
pairs.
"""

from __future__ import annotations

import re

import numpy as np

COSINE = 0.9
OVERLAP = 0.7
_CHUNK = 1024  # rows compared at a time, to keep the similarity block small


def groups(texts: list[str], vectors: np.ndarray, doc_ids: list[str]) -> list[list[int]]:
    """Rows that are near-identical to another row of a different document, grouped, each group sorted."""
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    shingles: dict[int, set] = {}
    for start in range(0, len(texts), _CHUNK):
        block = vectors[start:start + _CHUNK] @ vectors.T
        for i, j in zip(*np.nonzero(block >= COSINE)):
            i = int(i) + start
            j = int(j)
            if i < j and doc_ids[i] != doc_ids[j] and _overlap(i, j, texts, shingles) >= OVERLAP:
                parent[root(j)] = root(i)
    members: dict[int, list[int]] = {}
    for i in range(len(texts)):
        members.setdefault(root(i), []).append(i)
    return sorted(group for group in members.values() if len(group) > 1)


def _overlap(i: int, j: int, texts: list[str], cache: dict[int, set]) -> float:
    a, b = (cache.setdefault(n, _trigrams(texts[n])) for n in (i, j))
    return len(a & b) / len(a | b) if a | b else 0.0


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[n:n + 3]) for n in range(max(len(words) - 2, 1))}
