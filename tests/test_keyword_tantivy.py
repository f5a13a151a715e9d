"""tantivy as the keyword engine of a whole index: built, opened, searched, updated and switched to and from.

The keyword tests themselves (tests/test_keyword.py) run on both engines."""

from indexer import keyword, keyword_tantivy
from indexer.build import build_index
from indexer.search import search
from indexer.store import Index, IndexFolder

from .conftest import make_settings, write

CUSTODY = "# Report\n\nThe custody suite was inspected in 2021 and found wanting.\n\nA second paragraph on training."
KNIFE = "Knife crime in Halton fell.\n\nKnife crime rose in Warrington.\n\nThe partnership met monthly."


def corpus(tmp_path, engine: str = "tantivy"):
    """A folder of two documents indexed with ``engine``: (the folder, the settings)."""
    docs = tmp_path / "docs"
    write(docs, "a.txt", CUSTODY)
    write(docs, "b.txt", KNIFE)
    settings = make_settings(tmp_path / "ix", corpus=str(docs), keyword_engine=engine)
    build_index(settings, progress=False)
    return docs, settings


def keyword_hits(index: Index, query: str) -> list[str]:
    """The texts of the keyword search's results, best first."""
    return [r.text for r in search(index, query, k=10, mode="keyword").results]


def test_a_tantivy_index_is_built_opened_and_searched_end_to_end(tmp_path):
    _, settings = corpus(tmp_path)
    assert IndexFolder(tmp_path / "ix").manifest()["keyword"] == {"engine": "tantivy"}
    index = Index.open(settings)
    assert isinstance(index.keyword, keyword_tantivy.KeywordIndex) and index.keyword.doc_count == 5
    found = search(index, "custody", mode="keyword")
    assert [(r.doc_id, r.paragraph, r.matched_terms) for r in found.results] == [("a", 1, ["custody"])]
    assert keyword_hits(index, "knife -Warrington") == ["Knife crime in Halton fell."]
    assert keyword_hits(index, '"crime rose"') == ["Knife crime rose in Warrington."]
    hybrid = search(index, "crime NOT Warrington", mode="hybrid")  # b.txt's title is its first line
    assert hybrid.results[0].text == "Knife crime in Halton fell."
    assert all("Warrington" not in r.text for r in hybrid.results)
    assert search(index, "custdy", mode="keyword").suggestion == "custody"
    assert search(index, "warr*", mode="keyword").also_searched[0].also == ("warrington",)
    reopened = Index.open(settings)  # a second reader of the same files, as a restarted server
    assert keyword_hits(reopened, "knife crime") == keyword_hits(index, "knife crime")


def test_an_incremental_run_reindexes_and_rows_follow_a_changed_document(tmp_path):
    docs, settings = corpus(tmp_path)
    # a.txt gains a paragraph, so every row of b.txt moves down by one
    write(docs, "a.txt", CUSTODY + "\n\nThe custody records were incomplete.")
    second = build_index(settings, progress=False)
    assert (second.added, second.embedded, second.generation) == (1, 1, "gen-000002")
    index = Index.open(settings)
    assert index.keyword.doc_count == len(index.paragraphs) == 6
    assert keyword_hits(index, "Warrington") == ["Knife crime rose in Warrington."]
    assert sorted(keyword_hits(index, "custody")) == ["The custody records were incomplete.",
                                                      "The custody suite was inspected in 2021 and found wanting."]
    with index.keyword.reader() as reader:
        assert reader.matches(keyword.parse("monthly")).tolist() == [index.paragraphs.row("b#p3")]


def test_changing_the_engine_reindexes_the_keywords_and_keeps_the_vectors(tmp_path):
    docs, whoosh = corpus(tmp_path, "whoosh")
    before = keyword_hits(Index.open(whoosh), "knife crime custody")
    tantivy = make_settings(tmp_path / "ix", corpus=str(docs), keyword_engine="tantivy")
    switched = build_index(tantivy, progress=False)
    assert not switched.up_to_date and switched.embedded == 0 and switched.added == 0
    assert IndexFolder(tmp_path / "ix").manifest()["keyword"] == {"engine": "tantivy"}
    assert build_index(tantivy, progress=False).up_to_date
    assert sorted(keyword_hits(Index.open(tantivy), "knife crime custody")) == sorted(before)
    # an index opens with the engine it was built with, whatever the setting says now
    assert isinstance(Index.open(whoosh).keyword, keyword_tantivy.KeywordIndex)
    back = build_index(whoosh, progress=False)
    assert back.embedded == 0 and isinstance(Index.open(whoosh).keyword, keyword.KeywordIndex)
    assert keyword_hits(Index.open(whoosh), "knife crime custody") == before


def test_an_incremental_run_updates_the_keyword_index_and_a_rebuild_starts_afresh(tmp_path, monkeypatch):
    docs, settings = corpus(tmp_path)
    calls, build = [], keyword_tantivy.build

    def spy(folder, paragraphs, contexts, rows, previous=None, remove=frozenset()):
        paragraphs = list(paragraphs)
        calls.append((previous, set(remove), [p.key for p in paragraphs]))
        return build(folder, paragraphs, contexts, rows, previous, remove)

    monkeypatch.setattr(keyword_tantivy, "build", spy)
    (docs / "a.txt").unlink()
    write(docs, "c.txt", "Custody records were checked weekly.")
    assert build_index(settings, progress=False).removed == 1
    assert calls == [(tmp_path / "ix" / "gen-000001" / "keyword", {"a"}, ["c#p1"])]
    index = Index.open(settings)
    assert index.keyword.doc_count == len(index.paragraphs) == 4
    assert keyword_hits(index, "custody") == ["Custody records were checked weekly."]
    assert keyword_hits(index, "Warrington") == ["Knife crime rose in Warrington."]
    assert search(index, "custdy", mode="keyword").suggestion == "custody"
    build_index(settings, rebuild=True, progress=False)
    assert calls[-1][:2] == (None, set()) and len(calls[-1][2]) == 4
    rebuilt = Index.open(settings)
    assert [keyword_hits(rebuilt, q) for q in ("custody", "knife", "partnership")] == [
        keyword_hits(index, q) for q in ("custody", "knife", "partnership")]
