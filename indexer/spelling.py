"""The word of an index nearest a misspelt one, for "Did you mean": Levenshtein distance in numpy.

whoosh's corrector walks a Levenshtein automaton through the term dictionary
in Python: 3 ms a query on the 50 paragraphs of the sample corpus, a quarter of
a hybrid search. Here the index's words are held once per generation as a
matrix of code points, and the distance of the misspelt word to all of them is
one dynamic programme whose every step is a numpy operation over all the words
at once, only in the band of ``maxdist`` around the diagonal.
"""

from __future__ import annotations

import numpy as np

_PAD = -1  # a code point no word has: a word shorter than the matrix is padded with it


class Nearest:
    """The nearest of ``words`` to a word, within a few edits: the one whose ``frequency`` (the same
    order) is highest, then the last in alphabetical order, as whoosh's corrector offers it."""

    def __init__(self, words: list[str], frequency: list[int]):
        self._words = np.array(words, dtype=object)
        self._frequency = np.maximum(np.asarray(frequency, dtype=np.int64), 1)  # as whoosh: "or 1"
        self._lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        width = int(self._lengths.max(initial=0))
        self._codes = np.full((len(words), width), _PAD, dtype=np.int32)
        for row, word in enumerate(words):
            self._codes[row, :len(word)] = np.frombuffer(word.encode("utf-32-le"), dtype=np.int32)

    def __call__(self, word: str, maxdist: int) -> str | None:
        """The best word within ``maxdist`` edits (insertions, deletions, substitutions) of ``word``, which
        may be ``word`` itself; None when there is none."""
        near = np.flatnonzero(np.abs(self._lengths - len(word)) <= maxdist)
        if not len(near):
            return None
        found = near[_distances(self._codes[near, :len(word) + maxdist], self._lengths[near], word, maxdist) <= maxdist]
        if not len(found):
            return None
        best = found[self._frequency[found] == self._frequency[found].max()]
        return max(self._words[best].tolist())


def _distances(codes: np.ndarray, lengths: np.ndarray, word: str, maxdist: int) -> np.ndarray:
    """The Levenshtein distance from ``word`` to each row of ``codes`` (a word of ``lengths[row]`` code
    points, padded), or more than ``maxdist`` where it is more than that: cells outside the band of
    ``maxdist`` around the diagonal are never nearer than that, so they stay at ``maxdist + 1``."""
    target = np.frombuffer(word.encode("utf-32-le"), dtype=np.int32)
    far, count, m = maxdist + 1, len(codes), len(target)
    previous = np.full((count, m + 1), far, dtype=np.int32)
    previous[:, :far] = np.arange(far)[: m + 1]
    distance = np.where(lengths == 0, m, far)
    for i in range(1, codes.shape[1] + 1):
        current = np.full((count, m + 1), far, dtype=np.int32)
        if i <= maxdist:
            current[:, 0] = i
        letter = codes[:, i - 1]
        for j in range(max(1, i - maxdist), min(m, i + maxdist) + 1):
            cost = previous[:, j - 1] + (letter != target[j - 1])
            np.minimum(cost, previous[:, j] + 1, out=cost)
            np.minimum(cost, current[:, j - 1] + 1, out=cost)
            current[:, j] = np.minimum(cost, far)
        ending = lengths == i
        distance[ending] = current[ending, m]
        previous = current
    return distance
