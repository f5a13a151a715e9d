"""The benchmark corpus generator: deterministic, the size asked for, and read by Precedent as intended."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from benchmarks import synth
from indexer.build import build_index
from indexer.store import Index
from tests.conftest import make_settings


class _HashEncoder:
    """Vectors from the text's hash: the pipeline around the model is real, the model is not needed here."""

    name = "torch"
    precision = "float32"
    dimension = 16

    def encode_documents(self, texts, batch_size, progress=None):
        rows = np.array([np.frombuffer(hashlib.sha256(t.encode()).digest()[:16], np.uint8) for t in texts],
                        np.float32) + 1
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    def encode_query(self, text):
        return self.encode_documents([text], 1)[0]


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.md"))}


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    a = synth.generate(tmp_path / "a", 300, seed=7, shared=None)
    b = synth.generate(tmp_path / "b", 300, seed=7, shared=None)
    c = synth.generate(tmp_path / "c", 300, seed=8, shared=None)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")
    assert a.sentences == b.sentences and len(set(a.sentences)) == len(a.sentences)


def test_precedent_reads_the_requested_paragraphs_with_their_metadata_and_roles(tmp_path):
    made = synth.generate(tmp_path / "corpus", 200, seed=1, shared=None)
    assert made.paragraphs == 200 and made.documents >= 3
    settings = make_settings(tmp_path / "index", corpus=str(tmp_path / "corpus"))
    report = build_index(settings, [tmp_path / "corpus"], progress=False, encoder=_HashEncoder())
    assert not report.failed
    assert abs(report.paragraphs - 200) <= 10  # ±5%
    index = Index.open(settings)
    documents = list(index.documents.values())
    assert all(d.meta.title and d.meta.date and d.meta.doc_type in ("inspection", "pcc_response",
                                                                      "force_response", "other")
               for d in documents)
    assert all("2013" <= d.meta.date[:4] <= "2026" for d in documents)
    paragraphs = index.paragraphs
    assert all(p.section for p in paragraphs)
    labels = {p.label for p in paragraphs if p.label}
    assert any(label.startswith("Recommendation ") for label in labels)
    assert any(p.role == "commissioner_response" for p in paragraphs)
    assert any(p.role == "recommendation" for p in paragraphs)
