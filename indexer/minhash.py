"""Pairs of texts with alike word-trigram sets, found without comparing every two (MinHash LSH).

Hashed by a random permutation, two sets have the same minimum with a probability equal to their
Jaccard index (Broder 1997). The minima of ``ROWS`` permutations make a band; texts with the same
minima in a band share its bucket, and the pairs sharing a bucket of any of ``BANDS`` bands are the
candidates (Indyk & Motwani 1998; Leskovec et al., Mining of Massive Datasets, ch. 3). A pair of
Jaccard s is one with probability 1 - (1 - s**ROWS)**BANDS: at 0.7 it is missed with 0.0045%, at
0.8 with 3e-11; at 0.5 it is a candidate with 72%, at 0.3 with 6%.

All texts are done at once with numpy (words become ids, trigrams integers, each set a sorted run
of ids), so that a million texts take about two minutes.
"""

from __future__ import annotations

import re
from itertools import chain
from typing import NamedTuple

import numpy as np

ROWS, BANDS = 6, 80
_ENTRIES = 8192  # trigrams hashed at a time by all permutations: a block of 15 MB, near the cache
_WORD = re.compile(r"\w+")


def trigrams(text: str) -> set[tuple[str, ...]]:
    """The set of a text's lowercased word trigrams; a text of fewer than three words has one, its words.
    ``Trigrams.of`` is the same for many texts at once."""
    words = _WORD.findall(text.lower())
    return {tuple(words[n:n + 3]) for n in range(max(len(words) - 2, 1))}


class Trigrams(NamedTuple):
    """Each text's distinct trigrams, all texts end to end: ``keys`` holds text * span + trigram id,
    ascending, and the texts' runs in it start at ``starts`` (one more for the end)."""

    keys: np.ndarray
    starts: np.ndarray
    span: int

    @classmethod
    def of(cls, texts: list[str]) -> "Trigrams":
        """The sets of ``trigrams(text)`` of each text, a trigram's id its place among all distinct."""
        words, lengths = _word_ids(texts)
        size = int(words.max()) + 1
        codes = _pair_codes(_pair_codes(words[:-2], words[1:-1], size), words[2:], size)
        del words  # at a million texts, this and each array below is 600 MB: one at a time
        ends = np.cumsum(lengths)[:-1]
        codes = np.delete(codes, np.r_[ends - 2, ends - 1])  # not those across two texts
        ids = _dense(codes)
        del codes
        span = int(ids.max()) + 1
        keys = np.repeat(np.arange(len(texts)) * span, lengths - 2)  # every text is padded to 3 words
        keys += ids
        del ids
        keys.sort()
        keys = keys[np.r_[True, keys[1:] != keys[:-1]]]
        return cls(keys, np.searchsorted(keys, np.arange(len(texts) + 1) * span), span)

    def sizes(self) -> np.ndarray:
        return np.diff(self.starts)

    def jaccard(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The Jaccard index of the sets of each pair (a, b): each trigram of the smaller one looked
        up in the other's."""
        sizes = self.sizes()
        small = np.where(sizes[a] <= sizes[b], a, b)
        pair = np.repeat(np.arange(len(a)), sizes[small])
        at = self.starts[small][pair] + np.arange(len(pair)) - np.repeat(np.cumsum(sizes[small]) - sizes[small],
                                                                         sizes[small])
        wanted = (a + b - small)[pair] * self.span + self.keys[at] % self.span
        hit = self.keys[np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)] == wanted
        shared = np.bincount(pair, weights=hit, minlength=len(a))
        return shared / (sizes[a] + sizes[b] - shared)


def candidates(sets: Trigrams, fresh: np.ndarray, threshold: float):
    """For each band, the pairs (i, j), i < j, one of them ``fresh``, whose first shared bucket is in
    it, of sizes that allow a Jaccard index of ``threshold``. Each pair comes once, however many
    buckets it shares (near-identical texts share nearly all)."""
    keys = band_keys(sets)
    sizes = sets.sizes()
    for band, key in enumerate(keys):
        i, j = _bucket_pairs(key, fresh)
        for seen in keys[:band]:
            new = seen[i] != seen[j]
            i, j = i[new], j[new]
        # Jaccard s needs the smaller set to be s times the larger; 1e-9 for floats (0.7 * 10 > 7)
        fits = np.minimum(sizes[i], sizes[j]) >= threshold * np.maximum(sizes[i], sizes[j]) - 1e-9
        yield i[fits], j[fits]


def band_keys(sets: Trigrams) -> np.ndarray:
    """(band, text): one number for the text's ``ROWS`` minima of the band's permutations (equal
    numbers, one bucket). A permutation is ``h * a + c`` modulo 2**32, ``a`` odd, of a hash ``h`` of
    the trigram; ``a`` and ``c`` are hashes of the permutation's number, the same in every process.
    Texts are taken a few thousand trigrams at a time, by all permutations at once."""
    count = ROWS * BANDS
    a, c = (_mix(np.arange(2 * count, dtype=np.uint64)) >> np.uint64(32)).astype(np.uint32).reshape(2, count, 1)
    a |= np.uint32(1)
    hashes = (_mix(sets.keys % sets.span) >> np.uint64(32)).astype(np.uint32)
    starts = sets.starts
    keys = np.empty((BANDS, len(starts) - 1), dtype=np.uint32)
    cuts = np.unique(np.r_[np.searchsorted(starts, np.arange(0, starts[-1], _ENTRIES), side="right") - 1,
                           len(starts) - 1])
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        minima = np.minimum.reduceat(hashes[starts[lo]:starts[hi]] * a + c, starts[lo:hi] - starts[lo], axis=1)
        key = np.zeros((BANDS, hi - lo), dtype=np.uint64)
        for row in minima.reshape(BANDS, ROWS, hi - lo).transpose(1, 0, 2):
            key = key * np.uint64(0x100000001B3) + row
        keys[:, lo:hi] = _mix(key) >> np.uint64(32)
    return keys


def _bucket_pairs(key: np.ndarray, fresh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(i, j), i < j, of each two texts with the same ``key``, one of them ``fresh``. A bucket of k
    texts gives k(k-1)/2 pairs: boilerplate repeated k times is that many near-identical pairs."""
    packed = np.sort(key.astype(np.uint64) << np.uint64(32) | np.arange(len(key), dtype=np.uint64))
    bucket, text = packed >> np.uint64(32), (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)
    begins = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
    size = np.diff(np.r_[begins, len(bucket)])
    later = np.repeat(begins + size, size) - np.arange(len(bucket)) - 1  # texts after each in its bucket
    left = np.repeat(np.arange(len(bucket)), later)
    right = left + 1 + np.arange(len(left)) - np.repeat(np.cumsum(later) - later, later)
    i, j = text[left], text[right]
    keep = fresh[i] | fresh[j]
    return i[keep], j[keep]


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (Steele et al. 2014): a fixed, well-spread hash of 64-bit integers."""
    values = values.astype(np.uint64)
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def _word_ids(texts: list[str], chunk: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    """Every text's lowercased words as ids, end to end, and each text's count; a text of fewer than
    three words is padded with "" (never a word), so that its words make its one trigram. A chunk at a
    time: a million texts' words as strings would not fit."""
    vocabulary: dict[str, int] = {}
    parts, lengths = [], []
    for start in range(0, len(texts), chunk):
        split = [_WORD.findall(text.lower()) for text in texts[start:start + chunk]]
        split = [words + [""] * (3 - len(words)) if len(words) < 3 else words for words in split]
        flat = list(chain.from_iterable(split))
        for word in dict.fromkeys(flat):
            vocabulary.setdefault(word, len(vocabulary))
        parts.append(np.fromiter(map(vocabulary.__getitem__, flat), dtype=np.int64, count=len(flat)))
        lengths.extend(map(len, split))
    return np.concatenate(parts), np.array(lengths, dtype=np.int64)


def _pair_codes(first: np.ndarray, second: np.ndarray, size: int) -> np.ndarray:
    """One integer per distinct (first, second), ``second`` below ``size``; ``first`` is made dense
    first when its values times ``size`` could pass 64 bits (trigrams of 2**21 distinct words)."""
    if (int(first.max(initial=0)) + 1) * size >= 2 ** 63:
        first = _dense(first)
    return first * size + second


def _dense(values: np.ndarray) -> np.ndarray:
    """Each value's place among the distinct values, ascending. By sort: numpy 2.4's hash-based
    ``np.unique`` is ten times slower on millions of integers."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    new = np.r_[True, ordered[1:] != ordered[:-1]]
    del ordered
    ids = np.empty(len(values), dtype=np.int64)
    ids[order] = np.cumsum(new) - 1
    return ids
