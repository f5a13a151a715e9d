import pytest

from indexer.fusion import rrf


def test_rrf_matches_hand_computed_scores():
    # keyword: a b c ; semantic: c a d   (k = 60)
    fused = dict(rrf([["a", "b", "c"], ["c", "a", "d"]], k=60))
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert fused["b"] == pytest.approx(1 / 62)
    assert fused["d"] == pytest.approx(1 / 63)


def test_rrf_order_and_ties():
    # a: 1/61+1/62 = .03252 ; c: 1/63+1/61 = .03227 ; b and d each one list
    assert [item for item, _ in rrf([["a", "b", "c"], ["c", "a", "d"]], k=60)] == ["a", "c", "b", "d"]
    # exact tie between x (rank 1 in list 0) and y (rank 1 in list 1): list order breaks it
    assert [item for item, _ in rrf([["x"], ["y"]])] == ["x", "y"]


def test_rrf_depth_cuts_each_list():
    fused = dict(rrf([["a", "b", "c"], ["c"]], k=1, depth=2))
    assert "c" in fused and fused["c"] == pytest.approx(1 / 2)
    assert fused["a"] == pytest.approx(1 / 2) and fused["b"] == pytest.approx(1 / 3)


def test_small_k_rewards_top_ranks_more():
    lists = [["a", "b"], ["b", "c"]]
    assert rrf(lists, k=1)[0][0] == "b"  # 1/3 + 1/2 beats 1/2
    assert rrf([["a"], []], k=60) == [("a", pytest.approx(1 / 61))]
