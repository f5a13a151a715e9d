import json
import os
import shutil

import numpy as np
import pytest

from indexer import checksums, keyword, quantise
from indexer.build import build_index
from indexer.documents import discover
from indexer.errors import ConfigError, IndexMismatchError, IndexMissingError, PrecedentError
from indexer.store import SCHEMA_VERSION, SENTENCE_SPANS, Index, IndexFolder

from .conftest import CORPUS, auto_precision, make_settings, write

GOOD = "# Report\n\nThe custody suite was inspected in 2021 and found wanting.\n\nA second paragraph on training."


def test_sample_corpus_summary(built, index):
    assert (built.documents, built.paragraphs, built.skipped, built.up_to_date) == (5, 50, [], False)
    assert len(index.paragraphs) == 50 and index.vectors.shape == (50, 384)
    assert built.sentences_embedded == index.sentence_first[-1] == 76  # of the 28 paragraphs of several sentences
    assert index.sentence_vectors.shape == (76, 384)
    manifest = index.manifest
    assert manifest["counts"] == {"documents": 5, "paragraphs": 50, "skipped": 0, "failed": 0}
    assert manifest["model"] == {"name": "sentence-transformers/all-MiniLM-L6-v2", "encoder": "torch",
                                 "dimension": 384, "precision": [auto_precision()]}
    assert manifest["schema_version"] == SCHEMA_VERSION


def test_paragraph_records_carry_their_citation(index):
    p = next(p for p in index.paragraphs if p.text.startswith("With immediate effect"))
    assert p.doc_id == "2023-12-pcc-response-group-based-cse-thematic"
    assert (p.paragraph, p.section, p.date) == (9, "Recommendation 9", "2023-12-08")
    assert p.source == "2023-12-pcc-response-group-based-cse-thematic.txt"
    assert p.url == "/doc/2023-12-pcc-response-group-based-cse-thematic#p9"
    assert [q.paragraph for q in index.paragraphs if q.doc_id == p.doc_id] == list(range(1, 19))


def test_unchanged_corpus_is_not_rebuilt_and_changes_are(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "a.txt", GOOD)
    settings = make_settings(tmp_path / "ix", corpus=str(docs))
    first = build_index(settings, progress=False)
    again = build_index(settings, progress=False)
    assert again.up_to_date and again.generation == first.generation == "gen-000001"
    write(docs, "b.md", "Another document about knife crime in Halton.")
    changed = build_index(settings, progress=False)
    assert not changed.up_to_date and changed.documents == 2 and changed.generation == "gen-000002"
    forced = build_index(settings, rebuild=True, progress=False)
    assert forced.generation == "gen-000003"
    build_index(settings, rebuild=True, progress=False)
    generations = sorted(p.name for p in (tmp_path / "ix").iterdir() if p.name.startswith("gen"))
    assert generations == ["gen-000002", "gen-000003", "gen-000004"]  # the current one and two before it


def test_the_manifest_records_the_precision_of_every_stored_vector(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "a.txt", GOOD)
    exact = make_settings(tmp_path / "ix", corpus=str(docs), encoder="torch", precision="float32")
    assert build_index(exact, progress=False).precisions == ["float32"]
    write(docs, "b.md", "Another document about knife crime in Halton.")
    mixed = build_index(make_settings(tmp_path / "ix", corpus=str(docs), encoder="torch"), progress=False)
    assert mixed.embedded == 1 and mixed.precisions == sorted({"float32", auto_precision()})
    assert IndexFolder(tmp_path / "ix").manifest()["model"]["precision"] == mixed.precisions
    assert build_index(exact, rebuild=True, progress=False).precisions == ["float32"]


def test_vectors_of_two_encoders_are_never_mixed(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "a.txt", GOOD)
    onnx = make_settings(tmp_path / "ix", corpus=str(docs), encoder="onnx")
    first = build_index(onnx, progress=False)
    assert first.precisions == ["int8"]
    torch = build_index(make_settings(tmp_path / "ix", corpus=str(docs)), progress=False)  # the default, torch
    assert not torch.up_to_date and torch.embedded == first.embedded  # nothing reused across encoders
    assert IndexFolder(tmp_path / "ix").manifest()["model"]["encoder"] == "torch"
    index = Index.open(onnx)  # searched with the encoder that built it, whatever the setting says now
    assert index.embedder.name == "torch"
    assert build_index(onnx, progress=False).embedded == first.embedded
    assert Index.open(onnx).embedder.name == "onnx"


def test_int8_vectors_of_an_earlier_recipe_are_searched_no_more_and_embedded_again(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "a.txt", GOOD)
    onnx = make_settings(tmp_path / "ix", corpus=str(docs), encoder="onnx")
    first = build_index(onnx, progress=False)
    folder = IndexFolder(tmp_path / "ix")
    manifest = folder.manifest()
    assert manifest["model"]["int8"] == quantise.RECIPE
    del manifest["model"]["int8"]  # as the int8 encoder before [CLS] was quantised apart wrote it
    (folder.current() / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="earlier version of the onnx encoder; rebuild with: precedent index"):
        Index.open(onnx)
    again = build_index(onnx, progress=False)
    assert not again.up_to_date and again.embedded == first.embedded  # nothing reused
    assert Index.open(onnx).embedder.name == "onnx"


def test_a_document_keeps_its_id_when_a_file_with_a_clashing_name_arrives(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "x/report.txt", GOOD)
    settings = make_settings(tmp_path / "ix", corpus=str(docs))
    build_index(settings, progress=False)
    write(docs, "x-report.txt", "Another document about knife crime in Halton.")  # sorts first, same id
    for rebuild in (False, True):
        build_index(settings, rebuild=rebuild, progress=False)
        ids = {d.source: doc_id for doc_id, d in Index.open(settings).documents.items()}
        assert ids == {"x/report.txt": "x-report", "x-report.txt": "x-report-2"}, rebuild
    fresh = make_settings(tmp_path / "fresh", corpus=str(docs))
    build_index(fresh, progress=False)  # with no index before, ids follow the files' order
    assert Index.open(fresh).documents["x-report"].source == "x-report.txt"


def test_a_link_to_a_folder_is_reported_not_followed(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "a.txt", GOOD)
    (docs / "loop").symlink_to(docs)
    report = build_index(make_settings(tmp_path / "ix", corpus=str(docs)), progress=False)
    assert report.documents == 1
    assert [(s.source, s.reason, s.failed) for s in report.skipped] == [
        ("loop", "a link to a folder, not followed; give the folder itself to index it", False)]


def test_bad_files_are_reported_and_the_rest_indexed(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "good.txt", GOOD)
    write(docs, "empty.txt", "")
    write(docs, "binary.txt", b"\x00\x01\x02PNG")
    write(docs, "report.xls", b"\xd0\xcf\x11\xe0")
    write(docs, "only-heading.md", "# Just a heading")
    write(docs, ".hidden.txt", "ignored")
    write(docs, "cp1252.txt", "The Commissioner’s view – in full.".encode("cp1252"))
    write(docs, "bom.txt", "\ufeffA byte order mark starts this sentence.".encode("utf-8"))
    write(docs, "notepad.txt", "\ufeffSaved as Unicode – by Notepad.".encode("utf-16-le"))
    report = build_index(make_settings(tmp_path / "ix", corpus=str(docs)), progress=False)
    reasons = {s.source: (s.reason, s.failed) for s in report.skipped}
    assert reasons == {
        "binary.txt": ("binary file, not text (contains NUL bytes); if it is UTF-16 text without a byte-order "
                       "mark, save it as UTF-8", True),
        "empty.txt": ("empty file (0 bytes)", True),
        "only-heading.md": ("no paragraphs of text found", True),
        "report.xls": ("unsupported format .xls (Precedent reads .docx, .htm, .html, .markdown, .md, .pdf, .txt)",
                       False),
    }
    assert report.documents == 4
    index = Index.open(make_settings(tmp_path / "ix"))
    texts = {p.text for p in index.paragraphs}
    assert "The Commissioner’s view – in full." in texts
    assert "A byte order mark starts this sentence." in texts and "Saved as Unicode – by Notepad." in texts
    assert index.manifest["counts"]["failed"] == 3 and index.manifest["counts"]["skipped"] == 1


def test_nothing_indexable_is_an_error_and_keeps_the_old_index(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "good.txt", GOOD)
    settings = make_settings(tmp_path / "ix", corpus=str(docs))
    build_index(settings, progress=False)
    (docs / "good.txt").write_text("")
    with pytest.raises(PrecedentError, match="no document could be indexed"):
        build_index(settings, progress=False)
    assert Index.open(settings).manifest["generation"] == 1
    assert not [p for p in (tmp_path / "ix").iterdir() if p.name.endswith(".partial")]


def test_missing_path_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no such file or folder"):
        discover([tmp_path / "nope"])


def test_a_single_file_and_duplicate_names_get_distinct_ids(tmp_path):
    a, b = write(tmp_path / "x", "same.txt", GOOD), write(tmp_path / "y", "same.md", GOOD)
    report = build_index(make_settings(tmp_path / "ix"), [a, b.parent], progress=False)
    index = Index.open(make_settings(tmp_path / "ix"))
    assert report.documents == 2 and sorted(index.documents) == ["same", "same-2"]


def test_missing_index(tmp_path):
    with pytest.raises(IndexMissingError, match="precedent index"):
        Index.open(make_settings(tmp_path / "none"))


@pytest.fixture()
def copied_index(tmp_path, settings, built):
    shutil.copytree(settings.index_dir, tmp_path / "ix")
    folder = IndexFolder(tmp_path / "ix").current()
    return make_settings(tmp_path / "ix"), folder


def rewrite_manifest(folder, change):
    """Change the manifest as a build that got it wrong would have written it: its checksum listed too, so that
    what is tested is the check of the manifest against the files (tests/test_integrity.py tests the other)."""
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))
    checksums.write(folder)


@pytest.mark.parametrize("change, message", [
    (lambda m: m.update(schema_version=0), "schema version 0"),
    (lambda m: m["model"].update(name="other-model"), "built with model other-model"),
    (lambda m: m["counts"].update(paragraphs=49), "manifest says 49"),
    (lambda m: m["model"].update(dimension=768), r"vectors are \(50, 384\)"),
])
def test_manifest_mismatch_asks_for_a_rebuild(copied_index, change, message):
    settings, folder = copied_index
    rewrite_manifest(folder, change)
    with pytest.raises(IndexMismatchError, match=message) as error:
        Index.open(settings)
    assert "precedent index --rebuild" in str(error.value)


def test_damaged_manifest(copied_index):
    settings, folder = copied_index
    (folder / "manifest.json").write_text("{not json")
    with pytest.raises(IndexMismatchError, match="missing or damaged"):
        Index.open(settings)


def test_other_model_setting_is_a_mismatch(copied_index, tmp_path):
    settings, _ = copied_index
    with pytest.raises(IndexMismatchError, match="configured model"):
        Index.open(make_settings(settings.index_dir, model=str(tmp_path)))


def test_corpus_folder_is_the_shipped_one():
    assert sorted(p.name for p in CORPUS.glob("*.txt")) == [
        "2019-10-15-pcc-response-halton-jtai.txt",
        "2019-halton-jtai-briefing-for-schools.txt",
        "2020-04-17-pcc-response-national-child-protection-thematic.txt",
        "2023-06-pcc-response-cheshire-child-protection-review.txt",
        "2023-12-pcc-response-group-based-cse-thematic.txt",
    ]


def test_incremental_run_parses_and_embeds_only_what_changed(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "a.txt", GOOD)
    write(docs, "b.txt", "Knife crime in Halton fell. Burglary rose.\n\nThe partnership met monthly.")
    write(docs, "c.txt", "A third document about training.")
    # torch: int8 ONNX quantises each batch as a whole, so a text's vector moves a little with its batch
    settings = make_settings(tmp_path / "ix", corpus=str(docs), encoder="torch")
    first = build_index(settings, progress=False)
    assert (first.added, first.embedded, first.sentences_embedded, first.removed) == (3, 5, 2, 0)

    write(docs, "b.txt", "Knife crime in Halton fell. Burglary fell too.\n\nThe partnership now meets weekly.")
    (docs / "c.txt").unlink()
    write(docs, "d.txt", "The custody suite was inspected in 2021 and found wanting.")  # text seen before, in a.txt
    second = build_index(settings, progress=False)
    # only new text is embedded: b's two edited paragraphs and the one new sentence of the first
    assert (second.added, second.removed, second.embedded, second.sentences_embedded) == (2, 1, 2, 1)
    index = Index.open(settings)
    assert sorted(index.documents) == ["a", "b", "d"] and len(index.paragraphs) == second.paragraphs == 5
    assert index.keyword.doc_count == 5
    with index.keyword.reader() as reader:
        assert [row for row, _, _ in reader.search(keyword.parse("weekly"), 5)] == [index.paragraphs.row("b#p2")]
        assert not reader.search(keyword.parse("monthly"), 5) and not reader.search(keyword.parse("third"), 5)
    full = make_settings(tmp_path / "full", corpus=str(docs), encoder="torch")
    build_index(full, progress=False)
    fresh = Index.open(full)
    for p in index.paragraphs:  # reused vectors are the vectors a full build computes
        assert index.vectors[index.paragraphs.row(p.key)] @ fresh.vectors[fresh.paragraphs.row(p.key)] > 0.9999
    both = np.asarray(index.sentence_vectors) * np.asarray(fresh.sentence_vectors)
    assert np.allclose(both.sum(axis=1), 1, atol=1e-4)
    # sentences found again from the saved spans are those a full build finds
    assert np.array_equal(index.sentence_first, fresh.sentence_first)
    assert np.array_equal(np.load(index.folder / SENTENCE_SPANS), np.load(fresh.folder / SENTENCE_SPANS))


def test_unchanged_rerun_loads_no_model(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    write(docs, "a.txt", GOOD)
    settings = make_settings(tmp_path / "ix", corpus=str(docs))
    build_index(settings, progress=False)
    write(docs, "notes.xls", b"\xd0\xcf\x11\xe0")  # a new skipped file: a new generation, still nothing to embed

    def no_model(*args):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr("indexer.vectors.Embedder.__init__", no_model)
    again = build_index(settings, progress=False)
    assert not again.up_to_date and again.embedded == 0 and again.added == 0 and again.generation == "gen-000002"
    assert build_index(settings, progress=False).up_to_date


def test_sidecar_overrides_metadata_and_a_bad_one_is_reported(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "letter.txt", GOOD)
    write(docs, "letter.meta.json", '{"title": "Letter to the Chief Constable", "author": "Jane Doe", '
                                    '"signed": "3 March 2022", "doc_type": "inspection"}')
    write(docs, "front.md", "---\ntitle: Front matter title\narea: Halton\n---\nA paragraph about custody.")
    write(docs, "bad.txt", "A paragraph about training.")
    write(docs, "bad.meta.json", '{"title": "x", "autor": "typo"}')
    write(docs, "orphan.meta.json", "{}")
    settings = make_settings(tmp_path / "ix", corpus=str(docs))
    report = build_index(settings, progress=False)
    index = Index.open(settings)
    letter, front, bad = (index.document(d).meta for d in ("letter", "front", "bad"))
    assert (letter.title, letter.author, letter.signed, letter.date, letter.doc_type) == (
        "Letter to the Chief Constable", "Jane Doe", "2022-03-03", "2022-03-03", "inspection")
    assert (front.title, front.area) == ("Front matter title", "Halton")
    assert index.document("front").blocks[0].text == "A paragraph about custody."
    assert bad.title == "Bad"  # indexed without its broken sidecar
    reasons = {s.source: s.reason for s in report.failed}
    assert reasons == {
        "bad.meta.json": "unknown field 'autor'; use title, date, published, signed, doc_type, inspectorate, "
                         "inspection_type, author, author_role, area; bad.txt was indexed without it",
        "orphan.meta.json": "metadata for a document that is not here; rename or remove it",
    }
    write(docs, "letter.meta.json", '{"title": "Corrected title"}')
    rerun = build_index(settings, progress=False)
    assert rerun.added == 1 and rerun.embedded == 0
    assert Index.open(settings).document("letter").title == "Corrected title"


@pytest.mark.parametrize("content, reason", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('{"published": "soon"}', "field 'published': 'soon' is not a date"),
    ('{"doc_type": "memo"}', "field 'doc_type' must be one of inspection, pcc_response"),
    ('{"author": 7}', "field 'author' must be text or null, got int"),
    ('{"author": 5, "bogus": "x"}', "field 'author' must be text or null, got int; unknown field 'bogus'; use title, "),
])
def test_malformed_sidecar_names_the_problem(tmp_path, content, reason):
    docs = tmp_path / "docs"
    write(docs, "a.txt", GOOD)
    write(docs, "a.txt.meta.json", content)
    report = build_index(make_settings(tmp_path / "ix", corpus=str(docs)), progress=False)
    [failed] = report.failed
    assert failed.source == "a.txt.meta.json" and reason in failed.reason and report.documents == 1


def test_every_problem_of_a_sidecar_is_reported_at_once(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "a.txt", GOOD)
    write(docs, "a.txt.meta.json", '{"author": 5, "bogus": "x", "signed": "soon", "title": " ", "colour": "red"}')
    report = build_index(make_settings(tmp_path / "ix", corpus=str(docs)), progress=False)
    assert [(s.source, s.reason) for s in report.failed] == [(
        "a.txt.meta.json",
        "field 'author' must be text or null, got int; field 'signed': 'soon' is not a date such as 2023-06-06 or "
        "6 June 2023; field 'title' must not be empty; unknown fields 'bogus', 'colour'; use title, date, published, "
        "signed, doc_type, inspectorate, inspection_type, author, author_role, area; a.txt was indexed without it")]
    assert report.documents == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions (a broken link "
                                              "stands in for an unreadable file in test_formats)")
def test_file_without_read_permission_is_reported(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "good.txt", GOOD)
    locked = write(docs, "locked.txt", GOOD)
    locked.chmod(0)
    report = build_index(make_settings(tmp_path / "ix", corpus=str(docs)), progress=False)
    assert [(s.source, s.reason) for s in report.failed] == [
        ("locked.txt", "cannot be read (Permission denied); check that it exists and is readable")]


def test_new_schema_reuses_the_vectors_of_the_same_model(copied_index, monkeypatch):
    settings, folder = copied_index
    rewrite_manifest(folder, lambda m: m.update(schema_version=SCHEMA_VERSION - 1))
    with pytest.raises(IndexMismatchError):
        Index.open(settings)
    monkeypatch.setattr("indexer.vectors.Embedder.__init__", lambda *a: pytest.fail("the model was loaded"))
    report = build_index(make_settings(settings.index_dir), [CORPUS], progress=False)
    assert (report.added, report.embedded, report.paragraphs) == (5, 0, 50)


def test_an_index_from_before_sentence_vectors_embeds_only_the_sentences(copied_index):
    settings, folder = copied_index
    rewrite_manifest(folder, lambda m: m.update(schema_version=5))
    (folder / "sentences.npy").unlink()
    report = build_index(make_settings(settings.index_dir), [CORPUS], progress=False)
    assert (report.embedded, report.sentences_embedded, report.paragraphs) == (0, 76, 50)
    assert Index.open(make_settings(settings.index_dir)).sentence_vectors.shape == (76, 384)
