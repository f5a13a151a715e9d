"""Shared fixtures: one real index of the shipped corpus (real whoosh, real model) per session."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis

from indexer.build import build_index
from indexer.config import Settings
from indexer.store import Index
from webui import create_app

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"


# one ONNX export for every index the tests build (and for `precedent` run by them), not one for each
MODELS = Path(tempfile.gettempdir()) / "precedent-test-models"
os.environ["PRECEDENT_MODEL_CACHE"] = str(MODELS)
# a time budget no busy machine reaches, for every search of the tests (and of `precedent` run by them) but those
# of tests/test_costly_queries.py and tests/test_deadline.py, whose subject it is: elsewhere a 503 would be the
# machine's load, not what a test tests (at 50 paragraphs, 2 of the fuzz's 4,000 requests to a busy machine
# ran past the default 0.8 s)
NO_BUDGET = "60"
os.environ["PRECEDENT_QUERY_SECONDS"] = NO_BUDGET

# the fuzz tests' examples: 2,000 a test in CI (.ci/run sets HYPOTHESIS_PROFILE=ci), fewer by default
hypothesis.register_profile("ci", max_examples=2000, deadline=None, print_blob=True)
hypothesis.register_profile("dev", max_examples=200, deadline=None)
hypothesis.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def make_settings(index_dir: Path, **overrides) -> Settings:
    """Settings that ignore the developer's PRECEDENT_* environment; no rate limit unless a test sets one."""
    return Settings.load(env={}, **{"index_dir": str(index_dir), "corpus": str(CORPUS), "model_cache": str(MODELS),
                                    "rate_limit": "0", "query_seconds": NO_BUDGET, **overrides})


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="session")
def built(settings):
    """The build report of the shipped corpus."""
    return build_index(settings, progress=False)


@pytest.fixture(scope="session")
def index(settings, built) -> Index:
    return Index.open(settings)


@pytest.fixture(scope="session")
def ledger_index(tmp_path_factory) -> Index:
    """An index of the small reports and responses of ``ledger_samples``."""
    from .ledger_samples import DOCUMENTS

    docs = tmp_path_factory.mktemp("ledger-docs")
    for name, text in DOCUMENTS.items():
        write(docs, f"{name}.md", text)
    settings = make_settings(tmp_path_factory.mktemp("ledger-index"), corpus=str(docs))
    build_index(settings, progress=False)
    return Index.open(settings)


@pytest.fixture(scope="session")
def hostile_settings(tmp_path_factory) -> Settings:
    """Settings of a built index of ``hostile_samples``: documents written to attack the pages that show them."""
    from .hostile_samples import DOCUMENTS, SIDECARS

    docs = tmp_path_factory.mktemp("hostile-docs")
    for name, text in {**DOCUMENTS, **SIDECARS}.items():
        write(docs, name, text)
    settings = make_settings(tmp_path_factory.mktemp("hostile-index"), corpus=str(docs))
    build_index(settings, progress=False)
    return settings


@pytest.fixture(scope="session")
def synth_settings(tmp_path_factory) -> Settings:
    """An index of 10,000 inspection-like paragraphs (``benchmarks/synth.py``, seed 0, without ../shared), for
    what only size shows: the default keyword engine (whoosh) and, for vectors, the benchmarks' cached
    encoder: each of the corpus's ~1,000 distinct sentences embedded once by the real model, a paragraph's
    vector the mean of its sentences'. About 90 s on two busy cores, half of it embedding."""
    from benchmarks import synth
    from benchmarks.cached_encoder import CachedEncoder, SentenceCache

    root = tmp_path_factory.mktemp("synth")
    made = synth.generate(root / "corpus", 10_000, seed=0, shared=None)
    settings = make_settings(root / "index", corpus=str(root / "corpus"))
    cache = SentenceCache(root / "sentences", settings)
    cache.ensure(made.sentences)
    build_index(settings, [root / "corpus"], progress=False, encoder=CachedEncoder(cache))
    return settings


@pytest.fixture()
def app(settings, index):
    return create_app({"TESTING": True, "PRECEDENT_INDEX": index, "PRECEDENT_WARM": False}, settings=settings)


@pytest.fixture()
def client(app):
    return app.test_client()


def auto_precision() -> str:
    """The precision the "auto" setting gives on this CPU."""
    import torch

    return "bfloat16" if torch.ops.mkldnn._is_mkldnn_bf16_supported() else "float32"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
