import hashlib
import json
import os
import subprocess
import sys

import numpy as np

from indexer.minhash import BANDS, ROWS, Trigrams, _pair_codes, band_keys, candidates, trigrams

SHORT = ["Recommendation 3", "recommendation 3!", "AFI", "", "Given the ongoing", "given, the ongoing"]


def edited(index) -> tuple[list[str], list[tuple[int, int]]]:
    """The corpus's paragraphs, short labels, and copies with every k-th word replaced; the pairs
    (paragraph, copy), of Jaccard index from about 0.3 to 0.9."""
    texts = [p.text for p in index.paragraphs] + SHORT
    linked = []
    for row, text in enumerate(texts[:len(index.paragraphs)]):
        for k in (4, 6, 9, 14, 25):
            linked.append((row, len(texts)))
            texts.append(" ".join("Halton" if n % k == 1 else w for n, w in enumerate(text.split())))
    return texts, linked


def exact(texts, i, j) -> float:
    a, b = trigrams(texts[i]), trigrams(texts[j])
    return len(a & b) / len(a | b)


def test_the_sets_at_once_are_the_sets_one_by_one(index):
    texts, linked = edited(index)
    sets = Trigrams.of(texts)
    assert sets.sizes().tolist() == [len(trigrams(text)) for text in texts]
    short = len(index.paragraphs)
    every = [(i, j) for i in range(short, short + len(SHORT)) for j in range(i + 1, short + len(SHORT))]
    i, j = np.array(linked + every).T
    assert sets.jaccard(i, j).tolist() == [exact(texts, a, b) for a, b in zip(i, j)]
    assert exact(texts, short, short + 1) == 1.0 and exact(texts, short + 4, short + 5) == 1.0


def test_a_pair_shares_a_band_as_often_as_minhash_promises(index):
    """Over 250 pairs and 80 bands, sharing a bucket follows Jaccard ** ROWS: the permutations are fair."""
    texts, linked = edited(index)
    i, j = np.array(linked).T
    keys = band_keys(Trigrams.of(texts))
    shared = (keys[:, i] == keys[:, j]).mean()
    expected = np.mean([exact(texts, a, b) ** ROWS for a, b in linked])
    assert keys.shape == (BANDS, len(texts)) and abs(shared - expected) < 0.01


def test_candidates_come_once_each_and_only_with_a_fresh_text(index):
    texts, linked = edited(index)
    sets = Trigrams.of(texts)
    fresh = np.zeros(len(texts), dtype=bool)
    fresh[::2] = True
    found = [(a, b) for i, j in candidates(sets, fresh, 0.7) for a, b in zip(i.tolist(), j.tolist())]
    assert len(found) == len(set(found)) and all(a < b and (a % 2 == 0 or b % 2 == 0) for a, b in found)
    alike = {(a, b) for a, b in linked if exact(texts, a, b) >= 0.7 and (a % 2 == 0 or b % 2 == 0)}
    assert alike and alike <= set(found)


def test_the_buckets_are_the_same_in_every_process(index, tmp_path):
    """Nothing may hang on Python's salted ``hash()``: processes of other seeds draw the same bands."""
    texts = edited(index)[0]
    (tmp_path / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    script = ("import hashlib, json, sys; from indexer.minhash import Trigrams, band_keys; "
              "texts = json.load(open(sys.argv[1], encoding='utf-8')); "
              "print(hashlib.sha256(band_keys(Trigrams.of(texts)).tobytes()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", script, str(tmp_path / "texts.json")], check=True,
                              capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2")}
    assert digests == {hashlib.sha256(band_keys(Trigrams.of(texts)).tobytes()).hexdigest() + "\n"}


def test_trigram_ids_stay_exact_when_three_word_ids_would_pass_64_bits():
    codes = _pair_codes(np.array([2 ** 40, 7, 2 ** 40]), np.array([1, 1, 2]), 2 ** 30)
    assert len(set(codes.tolist())) == 3 and codes.max() < 2 ** 63
