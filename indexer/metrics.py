"""Ranking metrics as pure functions, as BEIR (pytrec_eval) defines them.

``ranking`` is a list of ids, best first, without repeats; ``judged`` maps an
id to its graded relevance (0 or absent: not relevant). nDCG uses the grade as
gain, like pytrec_eval, so figures are comparable with published BEIR tables.
"""

from __future__ import annotations

import math


def ndcg(ranking: list[str], judged: dict[str, int], k: int = 10) -> float:
    dcg = sum(judged.get(doc, 0) / math.log2(rank + 1) for rank, doc in enumerate(ranking[:k], start=1))
    ideal = sorted((grade for grade in judged.values() if grade > 0), reverse=True)[:k]
    idcg = sum(grade / math.log2(rank + 1) for rank, grade in enumerate(ideal, start=1))
    return dcg / idcg if idcg else 0.0


def recall(ranking: list[str], judged: dict[str, int], k: int) -> float:
    relevant = {doc for doc, grade in judged.items() if grade > 0}
    return len(relevant.intersection(ranking[:k])) / len(relevant) if relevant else 0.0


def mrr(ranking: list[str], judged: dict[str, int], k: int = 10) -> float:
    for rank, doc in enumerate(ranking[:k], start=1):
        if judged.get(doc, 0) > 0:
            return 1.0 / rank
    return 0.0


def scores(ranking: list[str], judged: dict[str, int]) -> dict[str, float]:
    """The four figures ``precedent eval`` reports, for one query."""
    return {
        "nDCG@10": ndcg(ranking, judged, 10),
        "Recall@10": recall(ranking, judged, 10),
        "Recall@100": recall(ranking, judged, 100),
        "MRR@10": mrr(ranking, judged, 10),
    }
