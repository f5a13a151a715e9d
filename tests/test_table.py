import shutil

import pytest

from indexer import checksums
from indexer.errors import IndexMismatchError
from indexer.store import Generation, Index, IndexFolder

from .conftest import make_settings


@pytest.fixture()
def written(index):
    """The documents and paragraphs as the build wrote them to documents.jsonl, read whole (and its vectors
    mapped, while the test runs)."""
    return Generation(index.folder, index.manifest)


def test_every_paragraph_reads_back_as_written(index, written):
    assert len(index.paragraphs) == len(written.paragraphs) == 50
    assert list(index.paragraphs) == written.paragraphs
    assert [index.paragraphs[row] for row in range(len(index.paragraphs))] == written.paragraphs
    labels = {p.label for p in index.paragraphs}
    assert None in labels and len(labels) > 2  # no label, and labels, both kept


def test_documents_are_read_when_looked_up(index, written):
    assert list(index.documents) == list(written.documents) and dict(index.documents) == written.documents
    assert all(index.documents.meta(doc_id) == doc.meta for doc_id, doc in written.documents.items())
    with pytest.raises(KeyError):
        index.documents["nope"]


def test_a_paragraph_key_finds_its_row_and_a_document_its_rows(index, written):
    assert [index.paragraphs.row(p.key) for p in written.paragraphs] == list(range(len(written.paragraphs)))
    for doc_id, doc in written.documents.items():
        assert [index.paragraphs[row] for row in index.paragraphs.rows_of(doc_id)] == doc.paragraphs()
    first = written.paragraphs[0]
    for key in ("nope#p1", f"{first.doc_id}#p999", f"{first.doc_id}#px", first.doc_id):
        with pytest.raises(KeyError):
            index.paragraphs.row(key)


@pytest.mark.parametrize("damage", [
    lambda folder: (folder / "paragraphs.npy").unlink(),
    lambda folder: (folder / "table.json").write_text("{not json"),
    lambda folder: (folder / "groups.npy").unlink(),
    lambda folder: (folder / "sentences.npy").write_bytes((folder / "sentences.npy").read_bytes()[:-10]),
])
def test_a_damaged_table_asks_for_a_rebuild(tmp_path, settings, built, damage):
    shutil.copytree(settings.index_dir, tmp_path / "ix")
    folder = IndexFolder(tmp_path / "ix").current()
    damage(folder)
    with pytest.raises(IndexMismatchError, match=r"is missing|cut short or changed") as error:  # the checksums
        Index.open(make_settings(tmp_path / "ix"))
    assert "precedent index --rebuild" in str(error.value)
    checksums.write(folder)  # listed as a faulty build would list them: the files are still read with care
    with pytest.raises(IndexMismatchError, match="unreadable") as error:
        Index.open(make_settings(tmp_path / "ix"))
    assert "precedent index --rebuild" in str(error.value)


def test_a_search_leaves_the_sentence_vectors_unmapped(index):
    """Mapped, the pages a query reads stay in the server's memory: 500 MB after one query at 100,000
    paragraphs (see ondisk)."""
    from indexer.search import search

    search(index, "children in custody", mode="semantic")
    with open("/proc/self/maps") as maps:
        assert not [line for line in maps if line.rstrip().endswith(f"{index.folder.name}/sentences.npy")]
