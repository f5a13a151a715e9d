"""``kill -9`` at any moment of ``precedent index`` leaves a searchable index.

The run is killed at points spread over its whole length (model load,
parsing, embedding, writing, publishing), each time with a changed corpus so
that a new generation is always being written.
"""

import os
import signal
import subprocess
import sys
import time

import pytest

from indexer.search import search
from indexer.store import Index

from .conftest import CORPUS, make_settings

pytestmark = pytest.mark.slow


def index_command(corpus, index_dir):
    env = {**os.environ, "PRECEDENT_INDEX_DIR": str(index_dir)}
    env.pop("PRECEDENT_MODEL", None)
    return subprocess.Popen([sys.executable, "-m", "indexer.cli", "index", str(corpus), "--quiet"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def add_document(corpus, n):
    text = (CORPUS / "2023-12-pcc-response-group-based-cse-thematic.txt").read_text(encoding="utf-8")
    (corpus / f"copy-{n}.txt").write_text(text.replace("Cheshire", f"Area {n}"), encoding="utf-8")


def test_killed_runs_leave_the_previous_generation_searchable(tmp_path):
    corpus, index_dir = tmp_path / "docs", tmp_path / "ix"
    corpus.mkdir()
    for source in CORPUS.glob("*.txt"):
        (corpus / source.name).write_bytes(source.read_bytes())
    started = time.perf_counter()
    assert index_command(corpus, index_dir).wait() == 0
    length = time.perf_counter() - started
    settings = make_settings(index_dir)

    for attempt in range(1, 9):
        add_document(corpus, attempt)
        run = index_command(corpus, index_dir)
        time.sleep(length * attempt / 9)
        run.send_signal(signal.SIGKILL)
        run.wait()
        index = Index.open(settings)  # checks manifest, counts, keys and vector shape
        assert len(index.paragraphs) == index.keyword.doc_count == len(index.vectors)
        top = search(index, "victim blaming", k=1, mode="hybrid").results[0]
        assert "victim blaming" in top.text

    assert index_command(corpus, index_dir).wait() == 0
    final = Index.open(settings)
    assert len(final.documents) == 5 + 8
    assert not [p for p in index_dir.iterdir() if p.name.endswith(".partial")]
