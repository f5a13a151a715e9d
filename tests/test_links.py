"""Responses matched to the items they answer, in the letter's order."""

from types import SimpleNamespace

import numpy as np

from indexer.links import _in_order


def test_items_are_answered_in_order_and_only_when_likely():
    # items 0-3 are unit vectors, so a response's vector lists its likeness to each item
    responses = [[0.56, 0.57, 0.59, 0.1],  # nearest the third item, but the first two come first
                 [0.37, 0.38, 0.68, 0.2]]
    index = SimpleNamespace(vectors=np.vstack([np.eye(4), responses]))
    assert _in_order(index, [0, 1, 2, 3], [4, 5]) == [(0, 4), (1, 4), (2, 5)]  # item 3 is like neither
    crossed = SimpleNamespace(vectors=np.vstack([np.eye(4), [[0.9, 0, 0.3, 0], [0.1, 0, 0.8, 0]]]))
    # listed as item 2 then item 0, which likes response 4 best: it may not be answered before item 2
    assert _in_order(crossed, [2, 0], [4, 5]) == [(0, 4)]  # the better of the two that fit the order
    assert _in_order(index, [0, 1], []) == [] and _in_order(index, [], [4, 5]) == []
