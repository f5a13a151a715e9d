import numpy as np
import pytest

from indexer import duplicates
from indexer.build import build_index
from indexer.duplicates import COSINE, OVERLAP, groups, numbered, pairs
from indexer.minhash import trigrams
from indexer.store import Index, IndexFolder

from .conftest import make_settings, write

STOCK = ("Given the ongoing vulnerability of children within our local communities to exploitation, "
         "I welcome the inspection and the deep dive focus on this vulnerable group of children.")


def unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_near_identical_paragraphs_of_different_documents_are_grouped():
    texts = [
        STOCK,
        STOCK.replace("I welcome", "I again welcome"),  # a small edit, another document
        STOCK + " It also said much more, in a long second sentence about other matters entirely.",
        "Knife crime fell in Halton after the partnership met weekly.",
        STOCK,  # the same document as row 0: not paired with it, but grouped through row 1
    ]
    vectors = unit([[1, 0, 0], [1, 0.05, 0], [1, 0.2, 0], [0, 0, 1], [1, 0, 0]])
    found = pairs(texts, vectors, ["a", "b", "c", "d", "a"])
    assert found == {(0, 1), (1, 4)}
    assert groups(5, found) == [[0, 1, 4]]
    assert numbered(5, found).tolist() == [0, 0, -1, -1, 0]
    assert pairs(texts, vectors, ["a", "b", "c", "d", "a"], rows=np.array([4])) == {(1, 4)}  # one row against all


def test_same_words_with_unlike_meaning_or_long_additions_are_not_grouped():
    texts = [STOCK, STOCK]
    assert pairs(texts, unit([[1, 0], [0, 1]]), ["a", "b"]) == set()  # the cosine filter says no
    longer = STOCK + " " + " ".join(f"word{n}" for n in range(40))
    assert pairs([STOCK, longer], unit([[1, 0], [1, 0]]), ["a", "b"]) == set()  # quoted in a longer one


def test_an_incremental_run_keeps_the_pairs_of_unchanged_documents_and_finds_new_ones(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "a.txt", f"{STOCK}\n\nThe custody suite was refurbished in 2021.")
    write(docs, "b.txt", f"{STOCK}\n\nKnife crime fell in Halton.")
    write(docs, "c.txt", "Missing children were found quickly.")
    settings = make_settings(tmp_path / "ix", corpus=str(docs))
    assert build_index(settings, progress=False).folded == 2
    write(docs, "c.txt", f"Missing children were found quickly.\n\n{STOCK}")  # a third copy
    second = build_index(settings, progress=False)
    pairs_of = lambda: set(IndexFolder(settings.index_dir).vector_cache(settings).duplicate_pairs())
    assert second.folded == 3 and pairs_of() == {("a#p1", "b#p1"), ("a#p1", "c#p2"), ("b#p1", "c#p2")}
    index = Index.open(settings)
    row = index.paragraphs.row
    assert index.twins(row("a#p1")) == (row("b#p1"), row("c#p2")) and index.twins(row("a#p2")) == ()
    write(docs, "a.txt", "The custody suite was refurbished in 2021.")  # a no longer has it
    third = build_index(settings, progress=False)
    assert third.folded == 2 and pairs_of() == {("b#p1", "c#p2")}


def planted(index):
    """The shipped corpus's paragraphs, and edited copies of each in documents of their own: a word
    added, words replaced every k-th (Jaccard from about 0.5 to 0.85), the end cut, the case changed,
    and labels of fewer than three words; embedded by the real model."""
    texts, doc_ids = [p.text for p in index.paragraphs], [p.doc_id for p in index.paragraphs]
    edits = [lambda w: w[:3] + ["again"] + w[3:], lambda w: [x.upper() for x in w],
             lambda w: w[: len(w) * 7 // 10], lambda w: w[: len(w) * 4 // 5]]
    edits += [lambda w, k=k: ["Halton" if n % k == k // 2 else x for n, x in enumerate(w)] for k in (9, 13, 20, 30)]
    copies = [" ".join(edit(text.split())) for text in texts for edit in edits]
    copies += ["Recommendation 3", "recommendation 3", "Recommendation 4", "AFI", "AFI", "", ""]
    vectors = index.embedder.encode_documents(copies, 32)
    return texts + copies, np.vstack([index.vectors, vectors]), doc_ids + [f"copy-{n}" for n in range(len(copies))]


def brute_force(texts, vectors, doc_ids) -> set[tuple[int, int]]:
    """The definition, pair by pair."""
    sets = [trigrams(text) for text in texts]
    close = np.argwhere(np.triu(vectors @ vectors.T >= COSINE, 1))
    return {(int(i), int(j)) for i, j in close
            if doc_ids[i] != doc_ids[j] and len(sets[i] & sets[j]) / len(sets[i] | sets[j]) >= OVERLAP}


@pytest.fixture(scope="module")
def corpus(index):
    texts, vectors, doc_ids = planted(index)
    return texts, vectors, doc_ids, brute_force(texts, vectors, doc_ids)


@pytest.mark.parametrize("few", [duplicates._FEW, 0], ids=["by vectors", "by minhash"])
def test_both_ways_find_the_pairs_of_the_definition(corpus, monkeypatch, few):
    texts, vectors, doc_ids, expected = corpus
    monkeypatch.setattr(duplicates, "_FEW", few)
    jaccards = [len(trigrams(texts[i]) & trigrams(texts[j])) / len(trigrams(texts[i]) | trigrams(texts[j]))
                for i, j in expected]
    assert len(expected) > 300 and min(jaccards) < 0.75  # some near the threshold
    assert pairs(texts, vectors, doc_ids) == expected
    rows = np.arange(0, len(texts), 3)
    assert pairs(texts, vectors, doc_ids, rows) == {(i, j) for i, j in expected if i % 3 == 0 or j % 3 == 0}
