"""``kill -9`` at any moment of ``precedent index`` leaves a searchable index.

The run is killed at points spread over its whole length (model load,
parsing, embedding, writing, publishing), each time with a changed corpus so
that a new generation is always being written.
"""

import os
import re
import shutil
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


def test_a_full_disk_fails_the_run_in_one_line_and_leaves_the_index_as_it_was(tmp_path):
    disk, corpus = tmp_path / "disk", tmp_path / "docs"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)],
                                           capture_output=True).returncode:
        pytest.skip("a small file system for the index needs root (mount -t tmpfs)")
    try:
        corpus.mkdir()
        for source in CORPUS.glob("*.txt"):
            (corpus / source.name).write_bytes(source.read_bytes())
        index_dir = disk / "index"
        assert index_command(corpus, index_dir).wait() == 0
        filler = disk / "filler"
        with open(filler, "wb") as handle:  # the disk full but for 64 KB
            handle.write(b"\0" * (shutil.disk_usage(disk).free - 64 * 1024))
        add_document(corpus, 1)
        env = {**os.environ, "PRECEDENT_INDEX_DIR": str(index_dir)}
        run = subprocess.run([sys.executable, "-m", "indexer.cli", "index", str(corpus), "--quiet"], env=env,
                             capture_output=True, text=True)
        assert run.returncode == 1
        assert re.fullmatch(rf"Error: {re.escape(str(index_dir))}: the disk is full \(No space left on device\) "
                            r"while writing the new generation; free space on it \(the current generation takes "
                            r"\d+ MB\) and run again; the existing index is unchanged\n", run.stderr), run.stderr
        index = Index.open(make_settings(index_dir))
        assert len(index.documents) == 5 and search(index, "victim blaming", k=1).results
        assert not [p for p in index_dir.iterdir() if p.name.endswith(".partial")]
        filler.unlink()
        assert index_command(corpus, index_dir).wait() == 0
        assert len(Index.open(make_settings(index_dir)).documents) == 6
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)
