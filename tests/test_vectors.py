import logging

import numpy as np
import pytest

from indexer import vectors

from .conftest import auto_precision


def unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


def test_top_k_is_cosine_order_against_brute_force():
    rng = np.random.default_rng(7)
    matrix, query = unit(rng.normal(size=(200, 16))), unit(rng.normal(size=16))
    expected = np.argsort(-(matrix @ query), kind="stable")[:10]
    got = vectors.top_k(matrix @ query, 10)
    assert [row for row, _ in got] == list(expected)
    assert got[0][1] == np.float32(matrix[expected[0]] @ query)


def test_top_k_restricted_rows_and_edges():
    scores = unit([[1, 0], [0, 1], [1, 1]]) @ unit([1, 0])
    assert [r for r, _ in vectors.top_k(scores, 5)] == [0, 2, 1]
    assert [r for r, _ in vectors.top_k(scores, 5, rows={1, 2})] == [2, 1]
    assert vectors.top_k(scores, 5, rows=set()) == []


def test_a_paragraph_scores_partly_by_its_nearest_sentence():
    paragraphs = unit([[1, 0, 0], [0, 1, 1], [0, 1, 0]])
    sentences = unit([[0, 1, 0], [0, 0, 1]])  # the two sentences of paragraph 1
    first = np.array([0, 0, 2, 2])  # paragraph row's sentences are first[row]:first[row + 1]
    query = unit([0, 1, 0])
    got = vectors.scores(paragraphs, sentences, first, query, 0.3)
    own = paragraphs @ query
    assert np.allclose(got, [own[0], 0.7 * own[1] + 0.3 * 1.0, own[2]])  # one-sentence paragraphs keep their own
    assert np.array_equal(vectors.scores(paragraphs, sentences, first, query, 0.0), own)


def test_only_the_nearest_eligible_paragraphs_are_blended_with_their_sentences():
    paragraphs = unit([[0, 1, 1], [0, 1, 1.2]])
    sentences = unit([[0, 1, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]])
    first = np.array([0, 2, 4])
    query = unit([0, 1, 0])
    own = paragraphs @ query
    assert np.allclose(vectors.scores(paragraphs, sentences, first, query, 0.5, blended=1), [own[0] / 2 + 0.5, own[1]])
    later = vectors.scores(paragraphs, sentences, first, query, 0.5, eligible=np.array([False, True]), blended=1)
    assert np.allclose(later, [own[0], own[1] / 2 + 0.5])


def test_save_and_memory_mapped_load(tmp_path):
    matrix = unit(np.eye(3))
    vectors.save_rows(tmp_path / "v.npy", [matrix], np.zeros(3, np.int64), np.arange(3), 3)
    loaded = vectors.load(tmp_path / "v.npy")
    assert isinstance(loaded, np.memmap) and loaded.dtype == np.float32
    assert np.array_equal(loaded, matrix)


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_saved_rows_are_picked_from_files_and_memory_alike(tmp_path, kernel_copy, monkeypatch):
    if not kernel_copy:  # as on macOS
        monkeypatch.delattr(vectors.os, "copy_file_range", raising=False)
    old = np.arange(40, dtype=np.float32).reshape(10, 4)
    vectors.save_rows(tmp_path / "old.npy", [old], np.zeros(10, np.int64), np.arange(10), 4)
    mapped, fresh = vectors.load(tmp_path / "old.npy"), -np.arange(8, dtype=np.float64).reshape(2, 4)
    # runs of the file, out of order and repeated, between rows in memory
    which = np.array([0, 0, 0, 1, 0, 0, 1, 1, 0, 0])
    rows = np.array([0, 1, 2, 1, 7, 8, 0, 0, 3, 3])
    vectors.save_rows(tmp_path / "new.npy", [mapped, fresh], which, rows, 4)
    expected = np.stack([old[r] if w == 0 else fresh[r] for w, r in zip(which, rows)])
    saved = np.load(tmp_path / "new.npy")
    assert saved.dtype == np.float32 and np.array_equal(saved, expected)
    vectors.save_rows(tmp_path / "none.npy", [mapped], np.zeros(0, np.int64), np.zeros(0, np.int64), 4)
    assert np.load(tmp_path / "none.npy").shape == (0, 4)


def test_bundled_model_embeds_unit_vectors_and_paraphrases_are_close(settings):
    embedder = vectors.Embedder(settings.model_path())
    docs = embedder.encode_documents(["Children were detained in police custody overnight.",
                                      "The budget for road maintenance was approved."], batch_size=1)
    query = embedder.encode_query("kids kept in cells")
    assert docs.shape == (2, 384) and np.allclose(np.linalg.norm(docs, axis=1), 1, atol=1e-5)
    assert docs[0] @ query > docs[1] @ query + 0.2


def test_bfloat16_where_the_cpu_has_it_embeds_like_float32_in_input_order(settings):
    fast = vectors.Embedder(settings.model_path(), "auto")
    exact = vectors.Embedder(settings.model_path(), "float32")
    assert (fast.precision, exact.precision) == (auto_precision(), "float32")
    texts = ["Custody.", "Children were detained overnight in police custody for want of a bed elsewhere.",
             "The partnership met."]
    quick, slow = fast.encode_documents(texts, batch_size=2), exact.encode_documents(texts, batch_size=2)
    assert np.allclose(np.linalg.norm(quick, axis=1), 1, atol=1e-5)
    assert np.all((quick * slow).sum(axis=1) > 0.99)
    one_by_one = np.stack([exact.encode_documents([t], batch_size=1)[0] for t in texts])
    assert np.allclose((slow * one_by_one).sum(axis=1), 1, atol=1e-4)  # sorted by length inside, returned in order


def test_the_torch_encoders_queries_are_its_float32_vectors(settings):
    """The default encoder's query vector is torch float32's, whatever precision its documents are in."""
    fast = vectors.Embedder(settings.model_path(), "auto", settings.model_cache_dir())
    exact = vectors.Embedder(settings.model_path(), "float32")  # no cache: queries in torch
    for query in ["kids kept in cells", "stop and search", "Überprüfung der Haftbedingungen"]:
        assert float(fast.encode_query(query) @ exact.encode_query(query)) > 0.9999, query
    assert list(settings.model_cache_dir().glob("onnx-*/model-float32.onnx"))


def test_queries_fall_back_to_torch_with_one_warning_when_the_graph_cannot_be_exported(settings, tmp_path, caplog):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    embedder = vectors.Embedder(settings.model_path(), "auto", blocked)
    with caplog.at_level(logging.WARNING, logger="indexer.vectors"):
        first, second = embedder.encode_query("kids kept in cells"), embedder.encode_query("stop and search")
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert str(blocked) in caplog.text and "export to ONNX" in caplog.text and "Traceback" not in caplog.text
    torch_only = vectors.Embedder(settings.model_path(), "auto")
    np.testing.assert_array_equal(first, torch_only.encode_query("kids kept in cells"))
    np.testing.assert_array_equal(second, torch_only.encode_query("stop and search"))
    assert blocked.read_text() == "a file where the cache folder should be"
