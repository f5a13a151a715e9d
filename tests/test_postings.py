"""The postings: every match of a keyword query as a mask, the same as each engine finds by itself."""

import pytest

from indexer import keyword, keyword_tantivy, postings
from indexer.build import build_index
from indexer.search import search
from indexer.store import Index

from .conftest import make_settings, write
from .test_keyword import kw  # noqa: F401  (the fixture: each engine's index of test_keyword.TEXTS)

QUERIES = ["knife crime custody", '"knife crime"', '"crime rose" OR custody', "knife AND NOT warrington",
           "title:title", "custody -refurbished", '"problem profile"', "crime -(halton OR warrington)",
           '+knife "crime in halton"', "-custody", "the", "xyzzy", '"custody suite" -"knife crime"',
           "section:section AND children", "prob*", '"crime fell"~3', "halton REQUIRE knife"]


def engine_matches(reader, q: keyword.Parsed) -> list[int]:
    """What the engine itself says ``q`` matches, every hit read one by one: the slow way postings replace."""
    if isinstance(reader, keyword_tantivy.Reader):
        wanted = keyword_tantivy._matching(keyword.neutral(q.positive), q.negative)
        return sorted(reader._rows(keyword_tantivy._hits(reader._searcher, wanted)).tolist())
    searcher = reader._searcher
    found = set(searcher.docs_for_query(q.positive))
    found -= set(searcher.docs_for_query(q.negative)) if q.negative is not None else set()
    return sorted(int(reader._rows[docnum]) for docnum in found)


@pytest.mark.parametrize("text", QUERIES)
def test_the_postings_match_what_the_engine_matches(kw, text):  # noqa: F811
    q = keyword.parse(text, kw.completions(text))
    assert kw.matches(q).tolist() == engine_matches(kw, q)


def test_a_phrase_is_checked_only_where_other_words_have_not_matched(kw, monkeypatch):  # noqa: F811
    asked = []
    checked = type(kw)._phrase_rows
    monkeypatch.setattr(type(kw), "_phrase_rows", lambda self, p, c: asked.append(int(c.sum())) or checked(self, p, c))
    assert kw.matches(keyword.parse("knife crime")).tolist() == [4, 5] and asked == []  # the proximity bonus
    assert kw.matches(keyword.parse('"problem profile"')).tolist() == [2] and asked == [2]  # 2 and 3 have both


def test_a_new_generation_keeps_the_postings_of_paragraphs_that_moved(tmp_path):
    first = postings.Writer()
    first.add(0, {"text": ["custodi", "suit"]})
    first.add(1, {"text": ["knife"], "title": ["report"]})
    first.add(2, {"text": ["custodi"]})
    first.write(tmp_path / "one", ["a#p1", "b#p1", "c#p1"])
    # b is removed, a new paragraph takes row 0, a and c move down, and c (changed) is added again
    second = postings.Writer()
    second.add(0, {"text": ["knife", "custodi"]})
    second.add(2, {"text": ["vet"]})
    second.write(tmp_path / "two", ["n#p1", "a#p1", "c#p1"], previous=tmp_path / "one")
    found = postings.Postings(tmp_path / "two")
    assert found.of("text", "custodi").tolist() == [0, 1] and found.of("text", "knife").tolist() == [0]
    assert found.of("text", "vet").tolist() == [2]
    assert found.of("title", "report").tolist() == [] and found.of("text", "suit").tolist() == [1]
    assert "title:report" not in found.terms and found.keys == ["n#p1", "a#p1", "c#p1"]


@pytest.mark.parametrize("engine", keyword.ENGINES)
def test_matches_follow_the_rows_after_a_document_before_them_changes(tmp_path, engine):
    docs = tmp_path / "docs"
    write(docs, "a.txt", "# Report\n\nThe custody suite was inspected.")
    write(docs, "b.txt", "Knife crime in Halton fell.\n\nThe partnership met monthly.")
    settings = make_settings(tmp_path / "ix", corpus=str(docs), keyword_engine=engine)
    build_index(settings, progress=False)
    write(docs, "a.txt", "# Report\n\nThe custody suite was inspected.\n\nA second custody paragraph.")
    assert build_index(settings, progress=False).added == 1
    index = Index.open(settings)
    with index.keyword.reader() as reader:
        assert reader.matches(keyword.parse('"met monthly" OR custody')).tolist() == sorted(
            index.paragraphs.row(key) for key in ("a#p1", "a#p2", "b#p2"))
    found = search(index, "monthly AND partnership", mode="hybrid")
    assert [r.text for r in found.results] == ["The partnership met monthly."] and found.total == 1
