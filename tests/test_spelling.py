"""The numpy Levenshtein behind "Did you mean", held to a plain dynamic programme and to whoosh's choice."""

import random

from indexer.spelling import Nearest, _distances


def levenshtein(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        row, last = [i], row
        for j, y in enumerate(b, 1):
            row.append(min(last[j] + 1, row[j - 1] + 1, last[j - 1] + (x != y)))
    return row[-1]


def test_distances_agree_with_the_plain_programme_up_to_maxdist():
    rng = random.Random(0)
    words = ["".join(rng.choice("abcdé") for _ in range(rng.randrange(0, 9))) for _ in range(400)]
    nearest = Nearest(words, [1] * len(words))
    for target in ("", "a", "abcd", "ééaa", "badcabe"):
        for maxdist in (0, 1, 2):
            rows = [n for n, w in enumerate(words) if abs(len(w) - len(target)) <= maxdist]
            got = _distances(nearest._codes[rows, :len(target) + maxdist], nearest._lengths[rows], target, maxdist)
            for row, distance in zip(rows, got.tolist()):
                expected = levenshtein(words[row], target)
                assert min(distance, maxdist + 1) == min(expected, maxdist + 1), (words[row], target, maxdist)


def test_the_most_frequent_word_within_reach_wins_then_the_last_alphabetically():
    nearest = Nearest(["custody", "costly", "custom", "bastard", "mustard"], [5, 50, 0, 9, 9])
    assert nearest("custdy", 1) == "custody"
    assert nearest("custdy", 2) == "costly"  # custody and custom are nearer, but costly is the most frequent
    assert nearest("bustard", 1) == "mustard"  # bastard and mustard both one edit away and as frequent
    assert nearest("qqqqqq", 2) is None
    assert nearest("custom", 0) == "custom"  # a word the index has is its own nearest, as with whoosh
