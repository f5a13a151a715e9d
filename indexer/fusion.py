"""Rank fusion as pure functions over ranked lists of ids.

Reciprocal rank fusion (Cormack, Clarke and Buettcher, SIGIR 2009): an item's
score is the sum over lists of 1 / (k + rank), rank counted from 1. It needs no
score calibration between BM25 and cosine similarity, which live on different
scales.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence


def rrf(rankings: Sequence[Sequence[Hashable]], k: int = 60, depth: int = 100) -> list[tuple[Hashable, float]]:
    """Fuse ranked lists (best first), each cut to its top ``depth``.

    Returns (id, score) best first; ties go to the item ranked higher in any
    list, then to the earlier list, so the order is deterministic.
    """
    scores: dict[Hashable, float] = {}
    best: dict[Hashable, tuple[int, int]] = {}
    for list_no, ranking in enumerate(rankings):
        for rank, item in enumerate(ranking[:depth], start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
            best[item] = min(best.get(item, (rank, list_no)), (rank, list_no))
    return sorted(scores.items(), key=lambda pair: (-pair[1], best[pair[0]]))
