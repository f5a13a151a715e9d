import pytest

from indexer.fusion import rrf, weighted


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


def test_rrf_scores_only_the_top_depth_and_keeps_the_rest_after():
    fused = rrf([["a", "b", "c", "e"], ["c"]], k=1, depth=2)
    scores = dict(fused)
    assert scores["c"] == pytest.approx(1 / 2)  # from the second list only
    assert scores["a"] == pytest.approx(1 / 2) and scores["b"] == pytest.approx(1 / 3)
    assert [item for item, _ in fused][-1] == "e" and scores["e"] == 0.0


def test_small_k_rewards_top_ranks_more():
    lists = [["a", "b"], ["b", "c"]]
    assert rrf(lists, k=1)[0][0] == "b"  # 1/3 + 1/2 beats 1/2
    assert rrf([["a"], []], k=60) == [("a", pytest.approx(1 / 61))]


def test_weighted_matches_hand_computed_scores():
    keyword = [("a", 10.0), ("b", 6.0), ("c", 2.0)]  # normalised 1, .5, 0
    semantic = [("c", 0.9), ("a", 0.5), ("d", 0.4)]  # normalised 1, .2, 0
    fused = dict(weighted([keyword, semantic], [0.3, 0.7]))
    assert fused["a"] == pytest.approx(0.3 * 1 + 0.7 * 0.2)
    assert fused["b"] == pytest.approx(0.3 * 0.5)
    assert fused["c"] == pytest.approx(0.3 * 0 + 0.7 * 1)
    assert fused["d"] == pytest.approx(0.0)
    assert [item for item, _ in weighted([keyword, semantic], [0.3, 0.7])] == ["c", "a", "b", "d"]


def test_weighted_keeps_score_gaps_that_rrf_forgets():
    keyword = [("a", 30.0), ("b", 3.0), ("c", 2.9)]  # a is far ahead on keywords
    semantic = [("b", 0.600), ("c", 0.595), ("a", 0.590), ("d", 0.2)]  # the embeddings barely tell a, b, c apart
    assert weighted([keyword, semantic], [0.5, 0.5])[0][0] == "a"
    assert rrf([[i for i, _ in keyword], [i for i, _ in semantic]])[0][0] == "b"


def test_weighted_edge_cases():
    assert weighted([[("x", 5.0)], []], [0.5, 0.5]) == [("x", 0.5)]  # one item: normalised to 1
    assert weighted([[("x", 1.0), ("y", 0.5)]], [1.0], depth=1) == [("x", 1.0), ("y", 0.0)]


def test_weighted_scales_an_item_by_its_factor():
    keyword = [("a", 10.0), ("b", 6.0), ("c", 2.0)]  # normalised 1, .5, 0
    semantic = [("b", 0.9), ("a", 0.5)]  # normalised 1, 0
    fused = dict(weighted([keyword, semantic], [0.4, 0.6], scales=[{"a": 0.25}]))
    assert fused["a"] == pytest.approx(0.4 * 1 * 0.25)
    assert fused["b"] == pytest.approx(0.4 * 0.5 + 0.6)  # no factor given: 1
