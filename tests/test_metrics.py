import math

import pytest

from indexer import metrics


def test_ndcg_by_hand():
    judged = {"a": 2, "b": 1, "c": 0}
    # ranking x, a, b: DCG = 2/log2(3) + 1/log2(4); ideal a, b: 2/log2(2) + 1/log2(3)
    expected = (2 / math.log2(3) + 1 / 2) / (2 + 1 / math.log2(3))
    assert metrics.ndcg(["x", "a", "b"], judged) == pytest.approx(expected)
    assert metrics.ndcg(["a", "b"], judged) == pytest.approx(1.0)
    assert metrics.ndcg(["c", "x"], judged) == 0.0
    assert metrics.ndcg(["b"] + [f"x{i}" for i in range(9)] + ["a"], judged) == pytest.approx(
        1 / (2 + 1 / math.log2(3)))  # a at rank 11 is past the cut-off


def test_recall_and_mrr_by_hand():
    judged = {"a": 1, "b": 1, "c": 1, "d": 1, "z": 0}
    ranking = ["z", "x", "b", "a"] + [f"x{i}" for i in range(8)] + ["c"]
    assert metrics.recall(ranking, judged, 10) == 0.5
    assert metrics.recall(ranking, judged, 100) == 0.75
    assert metrics.mrr(ranking, judged) == pytest.approx(1 / 3)
    assert metrics.mrr(["x"] * 10 + ["a"], judged) == 0.0
    assert metrics.recall(ranking, {"z": 0}, 10) == 0.0


def test_scores_names_the_four_figures():
    assert set(metrics.scores(["a"], {"a": 1})) == {"nDCG@10", "Recall@10", "Recall@100", "MRR@10"}
    assert set(metrics.scores(["a"], {"a": 1}).values()) == {1.0}
