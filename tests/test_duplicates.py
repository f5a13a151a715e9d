import numpy as np

from indexer.duplicates import groups

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
        STOCK,  # the same document as row 0: not folded
    ]
    vectors = unit([[1, 0, 0], [1, 0.05, 0], [1, 0.2, 0], [0, 0, 1], [1, 0, 0]])
    assert groups(texts, vectors, ["a", "b", "c", "d", "a"]) == [[0, 1, 4]]


def test_same_words_with_unlike_meaning_or_long_additions_are_not_grouped():
    texts = [STOCK, STOCK]
    assert groups(texts, unit([[1, 0], [0, 1]]), ["a", "b"]) == []  # the cosine filter says no
    longer = STOCK + " " + " ".join(f"word{n}" for n in range(40))
    assert groups([STOCK, longer], unit([[1, 0], [1, 0]]), ["a", "b"]) == []  # quoted in a longer one
