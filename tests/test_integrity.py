"""A generation's files are checked against the sizes and checksums written with them (``checksums``): a
truncated or damaged file is named when the index is opened, never searched, and the next build reuses
nothing of it."""

import json
import re
import shutil
import socket
import subprocess
import sys

import pytest

from indexer import checksums
from indexer.build import build_index
from indexer.cli import main
from indexer.errors import IndexMismatchError
from indexer.search import search
from indexer.store import Index, IndexFolder, check_whole

from .conftest import make_settings

REBUILD = r"; rebuild with: precedent index --rebuild --index-dir \S+$"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """An index of corpus/, never damaged: each test damages a copy."""
    settings = make_settings(tmp_path_factory.mktemp("pristine") / "index")
    build_index(settings, progress=False)
    return settings


@pytest.fixture()
def copy(pristine, tmp_path):
    """(settings, current generation) of a copy of the pristine index."""
    settings = make_settings(tmp_path / "index")
    shutil.copytree(pristine.index_dir, settings.index_dir)
    return settings, IndexFolder(settings.index_dir).current()


def flip(path, at=None):
    """Change one byte of ``path`` (its middle by default), leaving its size as it was."""
    data = bytearray(path.read_bytes())
    at = len(data) // 2 if at is None else at
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_pristine_index_passes_every_check(copy):
    settings, current = copy
    assert checksums.problem(current, whole=True) is None
    listed = json.loads((current / checksums.CHECKSUMS).read_text())
    assert {"vectors.npy", "sentences.npy", "manifest.json", "ledger.json"} <= set(listed)
    assert any(name.startswith("keyword/") for name in listed)
    search(Index.open(settings), "custody", 10)
    assert checksums.problem(current, whole=True) is None  # opening and searching write nothing


def test_a_truncated_vector_file_is_named_at_open(copy):
    settings, current = copy
    vectors = current / "vectors.npy"
    size = vectors.stat().st_size
    with open(vectors, "r+b") as handle:
        handle.truncate(size - 4)
    with pytest.raises(IndexMismatchError, match=rf"^{re.escape(str(vectors))} holds {size - 4:,} bytes where "
                                                 rf"{size:,} were written: cut short or changed{REBUILD}"):
        Index.open(settings)


@pytest.mark.parametrize("name", ["ledger.json", "manifest.json", "keyword segment", "texts.bin", "vectors.npy"])
def test_a_flipped_byte_is_named_at_open(copy, name):
    settings, current = copy
    if name == "keyword segment":
        path = max((p for p in (current / "keyword").iterdir() if p.is_file()), key=lambda p: p.stat().st_size)
    else:
        path = current / name
    if name == "manifest.json":  # a digit of its date: still JSON, still this schema
        text = path.read_text()
        flip(path, text.index('"created": "') + len('"created": "') + 3)
    else:
        flip(path)
    with pytest.raises(IndexMismatchError, match=rf"^{re.escape(str(path))} is damaged: its checksum is not the "
                                                 rf"one written with it{REBUILD}"):
        Index.open(settings)


def test_a_large_file_is_checked_whole_when_a_server_starts(copy, monkeypatch):
    settings, current = copy
    monkeypatch.setattr(checksums, "SMALL", 0)  # every file "large": a size check only at each open
    flip(current / "sentences.npy")
    Index.open(settings)  # the light check: sizes
    with pytest.raises(IndexMismatchError, match=r"sentences.npy is damaged"):
        check_whole(settings.index_dir)
    with socket.socket() as sock:  # a free port, though the server should not get as far as it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    run = subprocess.run([sys.executable, "-m", "indexer.cli", "serve", "--index-dir", str(settings.index_dir),
                          "--port", str(port)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert re.fullmatch(r"Error: \S+sentences\.npy is damaged: its checksum is not the one written with it; "
                        r"rebuild with: precedent index --rebuild --index-dir \S+\n", run.stderr), run.stderr


def test_a_search_from_the_command_line_says_so_in_one_line(copy, capsys):
    settings, current = copy
    flip(current / "groups.npy")
    assert main(["search", "custody", "--index-dir", str(settings.index_dir)]) == 1
    assert re.fullmatch(r"Error: \S+groups\.npy is damaged: its checksum is not the one written with it; "
                        r"rebuild with: precedent index --rebuild --index-dir \S+\n", capsys.readouterr().err)


def test_the_next_build_reuses_nothing_of_a_damaged_generation(copy, capsys):
    settings, current = copy
    flip(current / "vectors.npy")
    report = build_index(settings, rebuild=False, progress=False)
    assert f"nothing of {current.name} is reused" in capsys.readouterr().err
    assert report.embedded == report.paragraphs  # every paragraph embedded again, none copied
    index = Index.open(settings, whole=True)
    assert index.folder != current and search(index, "victim blaming", k=1).results
