"""Rank fusion as pure functions over ranked lists of ids: reciprocal rank and weighted scores.

Reciprocal rank fusion (Cormack, Clarke and Buettcher, SIGIR 2009): an item's
score is the sum over lists of 1 / (k + rank), rank counted from 1. It needs no
score calibration between BM25 and cosine similarity, which live on different
scales.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence


def rrf(rankings: Sequence[Sequence[Hashable]], k: int = 60, depth: int = 100) -> list[tuple[Hashable, float]]:
    """Fuse ranked lists (best first); only each list's top ``depth`` scores.

    Items further down are kept, after the scored ones, so a long list of
    matches can be paged through. Returns (id, score) best first; ties go to the item ranked higher in any
    list, then to the earlier list, so the order is deterministic.
    """
    scores: dict[Hashable, float] = {}
    best: dict[Hashable, tuple[int, int]] = {}
    for list_no, ranking in enumerate(rankings):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + (1.0 / (k + rank) if rank <= depth else 0.0)
            best[item] = min(best.get(item, (rank, list_no)), (rank, list_no))
    return sorted(scores.items(), key=lambda pair: (-pair[1], best[pair[0]]))


def weighted(runs: Sequence[Sequence[tuple[Hashable, float]]], weights: Sequence[float],
             depth: int = 100, scales: Sequence[dict | None] = ()) -> list[tuple[Hashable, float]]:
    """Fuse scored lists by a weighted sum of their min-max normalised scores.

    Each list's top ``depth`` scores are scaled to 0..1 (best 1, worst 0), so
    BM25 and cosine become comparable; an item missing from a list, or below
    its top ``depth``, gets 0 there. Unlike RRF this keeps how far apart the scores are: a keyword hit
    far ahead of the rest stays ahead (the convex combination of
    Bruch, Gai and Ingber, "An analysis of fusion functions for hybrid
    retrieval", TOIS 2023). ``scales``, per list, may map an item to a factor
    for its normalised score (1 when absent). Ties go as in ``rrf``.
    """
    scores: dict[Hashable, float] = {}
    best: dict[Hashable, tuple[int, int]] = {}
    for list_no, (run, weight) in enumerate(zip(runs, weights)):
        scale = scales[list_no] if list_no < len(scales) and scales[list_no] else {}
        if not run:
            continue
        high, low = max(s for _, s in run[:depth]), min(s for _, s in run[:depth])
        for rank, (item, score) in enumerate(run, start=1):
            normalised = 0.0 if rank > depth else (score - low) / (high - low) if high > low else 1.0
            scores[item] = scores.get(item, 0.0) + weight * normalised * scale.get(item, 1.0)
            best[item] = min(best.get(item, (rank, list_no)), (rank, list_no))
    return sorted(scores.items(), key=lambda pair: (-pair[1], best[pair[0]]))
