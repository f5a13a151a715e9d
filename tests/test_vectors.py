import numpy as np

from indexer import vectors


def unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


def test_top_k_is_cosine_order_against_brute_force():
    rng = np.random.default_rng(7)
    matrix, query = unit(rng.normal(size=(200, 16))), unit(rng.normal(size=16))
    expected = np.argsort(-(matrix @ query), kind="stable")[:10]
    got = vectors.top_k(matrix, query, 10)
    assert [row for row, _ in got] == list(expected)
    assert got[0][1] == np.float32(matrix[expected[0]] @ query)


def test_top_k_restricted_rows_and_edges():
    matrix = unit([[1, 0], [0, 1], [1, 1]])
    assert [r for r, _ in vectors.top_k(matrix, unit([1, 0]), 5)] == [0, 2, 1]
    assert [r for r, _ in vectors.top_k(matrix, unit([1, 0]), 5, rows={1, 2})] == [2, 1]
    assert vectors.top_k(matrix, unit([1, 0]), 5, rows=set()) == []


def test_save_and_memory_mapped_load(tmp_path):
    matrix = unit(np.eye(3))
    vectors.save(tmp_path / "v.npy", matrix)
    loaded = vectors.load(tmp_path / "v.npy")
    assert isinstance(loaded, np.memmap) and loaded.dtype == np.float32
    assert np.array_equal(loaded, matrix)


def test_bundled_model_embeds_unit_vectors_and_paraphrases_are_close(settings):
    embedder = vectors.Embedder(settings.model_path())
    docs = embedder.encode_documents(["Children were detained in police custody overnight.",
                                      "The budget for road maintenance was approved."], batch_size=1)
    query = embedder.encode_query("kids kept in cells")
    assert docs.shape == (2, 384) and np.allclose(np.linalg.norm(docs, axis=1), 1, atol=1e-5)
    assert docs[0] @ query > docs[1] @ query + 0.2
